import type SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type DialectAdapter,
  SelectQueryNode,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDatabase,
  type TransactionSettings,
} from 'kysely';

/**
 * Kysely's SQLite driver has one connection behind a mutex: a transaction holds it from BEGIN to
 * COMMIT, and every other query of the process waits — a page read waited out a whole CSV import
 * (20 s for 340,000 rows through the API). In WAL mode readers never wait for a writer, so this
 * driver keeps two connections to the file: the **writer**, behind the mutex as before, for
 * transactions and writes; and the **reader**, `query_only`, for a plain `SELECT` outside any
 * transaction. Such a read sees everything committed when it runs, and nothing of a transaction still
 * open — as on PostgreSQL.
 *
 * What goes to the writer: every transaction (a read-only one too, whose reads must share one
 * snapshot), every statement that is not a `SELECT`/`WITH` that SQLite calls read-only (writes,
 * PRAGMAs, which are per connection), a SELECT of a connection-scoped function (`changes()`,
 * `total_changes()`, `last_insert_rowid()`), every `stream()`, and everything in a `db.connection()`
 * session once it has written. The rule that follows for callers: a TEMP table is read inside a
 * transaction, where it meets its writer. Kysely's Migrator takes no lock on SQLite, counting on one
 * connection: run `migrateToLatest` once per `Db` at a time (the server does, at start).
 */
export class ReaderWriterSqliteDialect extends SqliteDialect {
  readonly #writer: SqliteDatabase;
  readonly #reader: SqliteDatabase | undefined;
  constructor(writer: SqliteDatabase, reader: SqliteDatabase | undefined) {
    super({ database: writer });
    this.#writer = writer;
    this.#reader = reader;
  }
  override createDriver(): Driver {
    return new ReaderWriterSqliteDriver(this.#writer, this.#reader);
  }
  override createAdapter(): DialectAdapter {
    return new MigratingSqliteAdapter();
  }
}

/** Past this many SQL texts the reader's routing decisions start over (the app issues a few dozen). */
const ROUTES_KEPT = 500;

class ReaderWriterSqliteDriver implements Driver {
  readonly #writer: SqliteDatabase;
  readonly #reader: SqliteDatabase | undefined;
  readonly #mutex = new Mutex();
  /** Whether a SQL text may run on the reader, decided once per text. */
  readonly #routes = new Map<string, boolean>();

  constructor(writer: SqliteDatabase, reader: SqliteDatabase | undefined) {
    this.#writer = writer;
    this.#reader = reader;
  }

  async init(): Promise<void> {}

  /** A lease that takes the writer only when it needs it (see `Lease`). */
  async acquireConnection(): Promise<DatabaseConnection> {
    return new Lease(this);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await (connection as Lease).begin(settings.accessMode === 'read only');
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as Lease).end('commit');
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as Lease).end('rollback');
  }
  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteName(name)}`));
  }
  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to ${quoteName(name)}`));
  }
  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release ${quoteName(name)}`));
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as Lease).release();
  }
  async destroy(): Promise<void> {
    this.#reader?.close();
    this.#writer.close();
  }

  /** Take the writer; resolves when no other lease holds it. */
  lockWriter(): Promise<void> {
    return this.#mutex.lock();
  }
  unlockWriter(): void {
    this.#mutex.unlock();
  }
  get writer(): SqliteDatabase {
    return this.#writer;
  }

  /** The reader, when this SQL text is a read-only `SELECT` it may run; else undefined. */
  readerFor(sql: string): SqliteDatabase | undefined {
    const reader = this.#reader;
    if (!reader) return undefined;
    let ok = this.#routes.get(sql);
    if (ok === undefined) {
      // Connection-scoped functions answer for the connection they run on: the writer's, always.
      const readOnly =
        /^\s*(select|with)\b/i.test(sql) && !/\b(total_changes|changes|last_insert_rowid)\s*\(/i.test(sql)
          ? preparedReadOnly(reader, sql)
          : false;
      // Busy while preparing says nothing of the statement: the writer serves it this once, decided again next time.
      if (readOnly === undefined) return undefined;
      ok = readOnly;
      if (this.#routes.size >= ROUTES_KEPT) this.#routes.clear();
      this.#routes.set(sql, ok);
    }
    return ok ? reader : undefined;
  }
}

/**
 * Whether SQLite calls the statement read-only; a text the reader cannot prepare stays on the writer;
 * undefined when the reader was busy and could not tell.
 */
function preparedReadOnly(reader: SqliteDatabase, sql: string): boolean | undefined {
  try {
    return (reader.prepare(sql) as unknown as SQLite.Statement).readonly;
  } catch (err) {
    return isDatabaseBusy(err) ? undefined : false;
  }
}

/**
 * What Kysely holds for one query, one transaction or one `db.connection()` session. Unbound, a
 * read-only `SELECT` runs on the reader and anything else binds the lease to the writer, which it
 * then keeps until Kysely releases it — so a transaction's statements, and a session's after its
 * first write, all run on one connection in order.
 */
class Lease implements DatabaseConnection {
  readonly #driver: ReaderWriterSqliteDriver;
  #bound = false;
  #inTransaction = false;
  constructor(driver: ReaderWriterSqliteDriver) {
    this.#driver = driver;
  }

  async bind(): Promise<void> {
    if (this.#bound) return;
    await this.#driver.lockWriter();
    this.#bound = true;
  }
  release(): void {
    if (!this.#bound) return;
    this.#bound = false;
    this.#inTransaction = false;
    this.#driver.unlockWriter();
  }

  /**
   * IMMEDIATE: take the write lock at once rather than fail with SQLITE_BUSY_SNAPSHOT when another
   * process commits between this transaction's first read and its first write; waited for without
   * blocking (`whenNotBusy`). One marked read only stays deferred: it never writes, and the write lock
   * would hold every other writer back for its reads (the re-tier prepare thread's chunk reads).
   */
  async begin(readOnly: boolean): Promise<void> {
    await this.bind();
    const writer = this.#driver.writer;
    await whenNotBusy(() => writer.prepare(readOnly ? 'begin' : 'begin immediate').run([]));
    this.#inTransaction = true;
  }
  async end(how: 'commit' | 'rollback'): Promise<void> {
    try {
      this.#driver.writer.prepare(how).run([]);
    } finally {
      this.#inTransaction = false;
    }
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const reader = this.#bound ? undefined : this.#driver.readerFor(query.sql);
    // A read is refused too while another process recovers the WAL index (SQLITE_BUSY_RECOVERY, after a
    // writer died mid-commit) or holds the file in exclusive locking mode: it waits as a write does,
    // between tries, rather than asleep inside SQLite with the whole server stopped.
    if (reader) return whenNotBusy(() => run<R>(reader, query));
    await this.bind();
    const writer = this.#driver.writer;
    // Outside a transaction a statement takes the write lock itself; inside one, BEGIN IMMEDIATE has it.
    return this.#inTransaction ? run<R>(writer, query) : whenNotBusy(() => run<R>(writer, query));
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(query.query)) throw new Error('Sqlite driver only supports streaming of select queries');
    // On the writer: an iterator open on the reader would hold its read snapshot, and every plain read
    // of the process would see that old snapshot until the stream ended.
    await this.bind();
    for (const row of this.#driver.writer.prepare(query.sql).iterate(query.parameters)) yield { rows: [row as R] };
  }
}

/**
 * SQLite runs DDL inside a transaction like any other statement, but Kysely's adapter says it does
 * not, so its Migrator ran each migration on its own and took no lock, counting on one connection.
 * Two processes upgrading one file at once (`npm start` beside `tierkit import` or a worker) then
 * ran the same migrations side by side, and one of them failed to start (`table "tenants" already
 * exists`); a migration that failed halfway stayed half applied. Saying it does makes the Migrator run
 * every pending migration in one transaction, which this driver begins IMMEDIATE: the file's write
 * lock is held until the last one is recorded, the other process waits for it and then finds nothing
 * left to do (migrateToLatest), and a failure leaves the schema as it was.
 */
class MigratingSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** Run one statement to completion, as Kysely's own SQLite connection does. */
function run<R>(database: SqliteDatabase, { sql, parameters }: CompiledQuery): Promise<QueryResult<R>> {
  const statement = database.prepare(sql);
  if (statement.reader) return Promise.resolve({ rows: statement.all(parameters) as R[] });
  const { changes, lastInsertRowid } = statement.run(parameters);
  return Promise.resolve({
    numAffectedRows: changes === undefined || changes === null ? undefined : BigInt(changes),
    insertId: lastInsertRowid === undefined || lastInsertRowid === null ? undefined : BigInt(lastInsertRowid),
    rows: [],
  });
}

/** How long a write waits for another process's write lock before it fails with SQLITE_BUSY. */
export const BUSY_WAIT_MS = 5000;

/** Whether an error is SQLite's "the database is locked" (another connection holds the write lock). */
export function isDatabaseBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * Run `attempt` until it is not refused with SQLITE_BUSY, pausing 1, 2, 4 … 50 ms between tries, for
 * at most `BUSY_WAIT_MS`. SQLite's own busy_timeout would sleep inside the call, and better-sqlite3
 * calls block the thread: while a CLI import held the lock, the server's every write (and the job
 * worker's poll, every few seconds) froze the whole process for up to 5 s — no request answered. A
 * refused attempt changed nothing, so trying again is safe.
 */
async function whenNotBusy<T>(attempt: () => T): Promise<T> {
  const deadline = Date.now() + BUSY_WAIT_MS;
  for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
    try {
      return attempt();
    } catch (err) {
      if (!isDatabaseBusy(err) || Date.now() >= deadline) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/** Savepoint names come from Kysely callers; quoted as identifiers all the same. */
function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** First come, first served: each `lock` waits for the holder before it to `unlock`. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;
  async lock(): Promise<void> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    this.#release = release;
  }
  unlock(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
}
