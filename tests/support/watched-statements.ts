import type { Db } from '@tierkit/db';
import type { CompiledQuery, QueryId, RootOperationNode } from 'kysely';

/**
 * `db` watched: every statement run through `watched` is kept, and `compiled()` gives each as it ran —
 * what a plan test hands to `EXPLAIN` to see which index the database chose.
 */
export function watchStatements(db: Db): { watched: Db['db']; compiled: () => CompiledQuery[] } {
  const nodes: { node: RootOperationNode; queryId: QueryId }[] = [];
  const watched = db.db.withPlugin({
    transformQuery(args) {
      nodes.push(args);
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  });
  const compiled = () => nodes.map(({ node, queryId }) => db.db.getExecutor().compileQuery(node, queryId));
  return { watched, compiled };
}
