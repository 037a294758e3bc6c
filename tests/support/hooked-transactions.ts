import type { Db } from '@tierkit/db';

/** A transaction as `execute` hands it to its body. */
type Trx = Parameters<Parameters<ReturnType<Db['db']['transaction']>['execute']>[0]>[0];

/**
 * `db` as a command is handed it, with its transactions hooked (`db.transaction().execute` only):
 * `before` runs before one begins (a revoke racing it from another process), `inside` after its body,
 * before the commit (another request read meanwhile), given the transaction (to ask what it holds).
 * Everything else is the database itself.
 */
export function hooked(db: Db, hooks: { before?: () => Promise<void>; inside?: (trx: Trx) => Promise<void> }): Db {
  const real = db.db;
  const transaction = () => ({
    async execute<T>(body: (trx: Trx) => Promise<T>) {
      await hooks.before?.();
      return real.transaction().execute(async (trx) => {
        const result = await body(trx);
        await hooks.inside?.(trx);
        return result;
      });
    },
  });
  const proxy = new Proxy(real, {
    get(target, prop) {
      if (prop === 'transaction') return transaction;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { ...db, db: proxy };
}
