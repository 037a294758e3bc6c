import type { Db } from '@tierkit/db';
import type { CompiledQuery, QueryId, RootOperationNode } from 'kysely';

/**
 * `db` watched: every statement run through `watched` is kept, and `compiled()` gives each as it ran —
 * what a plan test hands to `EXPLAIN` to see which index the database chose. Kysely hands plugins a
 * statement's nested query builders too (a subquery of a raw statement, which may not stand alone):
 * only the statements that ran and returned are given.
 */
export function watchStatements(db: Db): { watched: Db['db']; compiled: () => CompiledQuery[] } {
  const nodes: { node: RootOperationNode; queryId: QueryId }[] = [];
  const ran = new Set<QueryId>();
  const watched = db.db.withPlugin({
    transformQuery(args) {
      nodes.push(args);
      return args.node;
    },
    async transformResult(args) {
      ran.add(args.queryId);
      return args.result;
    },
  });
  const compiled = () =>
    nodes.filter((n) => ran.has(n.queryId)).map(({ node, queryId }) => db.db.getExecutor().compileQuery(node, queryId));
  return { watched, compiled };
}
