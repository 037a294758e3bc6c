import { sql } from 'kysely';
import type { Executor } from '@tierkit/db';

/** Where a SQLite connection's writes and other connections' commits stood at one moment. */
export interface ChangeMark {
  /** `total_changes()`: rows this connection has changed (its in-process API requests included). */
  readonly changes: number;
  /** `PRAGMA data_version`: moves when another connection (another process: the CLI) commits. */
  readonly dataVersion: number;
  /** The watch's own writes counted at that moment. */
  readonly own: number;
}

/**
 * Tells whether anything but the watch's own writes changed a SQLite database since a mark: what a
 * chunk prepared on another connection needs before it is stored, since its reads ran outside the
 * write transaction. Coarse on purpose — any other write, to any table or tenant, counts — so it
 * cannot miss one: a metrics import bumps no subject version, and a policy approval none either. A
 * false alarm only sends the chunk down the ordinary path. The watch's own writes are counted inside
 * transactions, where nothing else runs on the connection between the two counts.
 */
export class ChangeWatch {
  #own = 0;

  constructor(private readonly db: Executor) {}

  /** A mark taken before the reads it covers begin. */
  async mark(): Promise<ChangeMark> {
    // Read only: a writer's (immediate) transaction would wait for the write lock to take two counts.
    return this.db
      .transaction()
      .setAccessMode('read only')
      .execute(async (trx) => ({ ...(await counts(trx)), own: this.#own }));
  }

  /**
   * Run `fn` in a transaction whose writes count as the watch's own. `fn` gets whether nothing else
   * changed since `since` (false without a mark), checked before it writes.
   */
  async write<T>(fn: (trx: Executor, unchanged: boolean) => Promise<T>, since?: ChangeMark): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      const before = await counts(trx);
      const unchanged =
        since !== undefined && before.dataVersion === since.dataVersion && before.changes - since.changes === this.#own - since.own;
      const result = await fn(trx, unchanged);
      // A transaction that throws is not counted: its rows count as someone else's, a false alarm at worst.
      this.#own += (await counts(trx)).changes - before.changes;
      return result;
    });
  }
}

async function counts(trx: Executor): Promise<{ changes: number; dataVersion: number }> {
  const { rows } = await sql<{ changes: number }>`SELECT total_changes() AS changes`.execute(trx);
  const version = await sql<{ data_version: number }>`PRAGMA data_version`.execute(trx);
  return { changes: Number(rows[0]?.changes), dataVersion: Number(version.rows[0]?.data_version) };
}
