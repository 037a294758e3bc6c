import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { checkDatabaseUrl, isPostgresUrl } from './database-url.js';
import { ReaderWriterSqliteDialect } from './sqlite-driver.js';

export const DIALECTS = ['sqlite', 'postgres'] as const;
export type DialectName = (typeof DIALECTS)[number];

/** An open database: the Kysely instance, which dialect it speaks, and how to close it. */
export interface Db {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /**
   * `postgres://…` or `postgresql://…` selects PostgreSQL; a file path without a scheme or `@` is a
   * SQLite file (`:memory:` works for throwaway databases); anything else is refused
   * (`checkDatabaseUrl`). Missing parent folders of a SQLite file are created.
   */
  readonly url: string;
  /** PostgreSQL pool size. */
  readonly poolSize?: number;
  /**
   * PostgreSQL: told when the server ends an idle pooled connection (a failover, a restart, an idle
   * timeout, `pg_terminate_backend`). Default: one line on stderr. The pool opens a new one when next
   * needed; a query in flight on such a connection fails as any query error does.
   */
  readonly onConnectionLost?: (error: Error) => void;
  /**
   * PostgreSQL: milliseconds a new connection may take before the attempt fails (default
   * {@link PG_CONNECT_TIMEOUT_MS}); 0 waits as long as the operating system does.
   */
  readonly connectTimeoutMs?: number;
  /**
   * PostgreSQL: the server cancels a statement running longer than this (`statement_timeout`; default
   * {@link PG_STATEMENT_TIMEOUT_MS}; 0: never). This process also stops waiting for an answer
   * {@link PG_ANSWER_MARGIN_MS} later and drops the connection: a host gone silent (a partition, no
   * reset) would otherwise hold the query until the operating system's keep-alive gives up, hours on.
   * Batch work (workers, imports, re-tiers from the CLI) opens its database with a longer one.
   */
  readonly statementTimeoutMs?: number;
  /**
   * PostgreSQL: the server ends a session left idle inside a transaction this long
   * (`idle_in_transaction_session_timeout`; default {@link PG_IDLE_IN_TRANSACTION_TIMEOUT_MS}; 0: never),
   * so the locks of a process that vanished mid-transaction are freed.
   */
  readonly idleInTransactionTimeoutMs?: number;
  /** PostgreSQL: idle milliseconds before TCP keep-alive probes start on a connection (default {@link PG_KEEPALIVE_DELAY_MS}). */
  readonly keepAliveDelayMs?: number;
}

/**
 * The longest a statement a request runs may take on PostgreSQL: an API request's queries take
 * milliseconds, so one still running after 10 s is stuck behind a lock or a failing disk, and the
 * caller is better told 503 database-busy than kept waiting.
 */
export const PG_STATEMENT_TIMEOUT_MS = 10_000;
/** How much longer than `statement_timeout` this process waits for an answer before it calls the host silent. */
export const PG_ANSWER_MARGIN_MS = 5_000;
/** A transaction left idle this long belongs to a process that hung or vanished. */
export const PG_IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;
/** Keep-alive probes start after this much silence on a connection (the operating system's default is 2 hours). */
export const PG_KEEPALIVE_DELAY_MS = 10_000;

/**
 * How long opening a PostgreSQL connection may take. Without a bound, a database host that answers
 * nothing (packets dropped during a failover) held every request that needed a new connection, the
 * health check included, for as long as the operating system kept trying (minutes); the API answers
 * the timeout as 503 database-unavailable, so a load balancer takes the instance out instead.
 */
export const PG_CONNECT_TIMEOUT_MS = 10_000;

const PG_INT8 = 20;
const PG_NUMERIC = 1700;

export { isPostgresUrl } from './database-url.js';

/**
 * Open the database a URL names. SQLite runs in WAL mode with foreign keys on and a busy timeout,
 * so a second process (the CLI next to a running server) waits instead of failing.
 */
export function connect(options: ConnectOptions): Db {
  checkDatabaseUrl(options.url);
  if (isPostgresUrl(options.url)) return connectPostgres(options);
  return connectSqlite(options.url);
}

/**
 * Page size of the SQLite databases tierkit creates, in bytes (SQLite's default is 4096). Every page
 * SQLite writes costs two `pwrite` calls into the WAL and one more at the checkpoint, and system calls
 * are what a re-tier's commits spend their time on: an assignment row is 1–2 KB, so with 16 KB pages a
 * chunk writes a quarter of the pages and the system calls. Measured on a 100,000-customer book
 * (BENCHMARKS.md, retier-speed-4): a re-tier job's CPU 10–14% lower than with 4 KB pages; 32 and 64 KB
 * gained nothing more, and cost more per small update in place.
 */
export const SQLITE_PAGE_SIZE = 16_384;

function connectSqlite(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new SQLite(file);
  // Takes effect only on a database with no page yet, so it must precede the WAL switch (which
  // writes the header); an existing file keeps the page size it was created with.
  database.pragma(`page_size = ${SQLITE_PAGE_SIZE}`);
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  database.pragma('synchronous = NORMAL');
  // A retention run's deletions (the trail's personal fields, metric values) are overwritten in the
  // file, not left readable in free pages until they happen to be reused.
  database.pragma('secure_delete = ON');
  // From here on a write waits for another process's lock between tries, not asleep inside SQLite
  // (whenNotBusy in sqlite-driver.ts): busy_timeout above covered only this setup.
  database.pragma('busy_timeout = 0');
  // A second connection for plain reads, so they never wait behind a transaction (sqlite-driver.ts).
  // An in-memory or temporary database is private to its connection: there the writer serves reads too.
  const reader = file === ':memory:' || file === '' ? undefined : openReader(file);
  const db = new Kysely<Database>({
    dialect: new ReaderWriterSqliteDialect(reusingStatements(database), reader && reusingStatements(reader)),
  });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/**
 * The read connection: it can write nothing (`query_only`). Busy, it waits like the writer, between
 * tries (whenNotBusy in sqlite-driver.ts), never inside SQLite: a busy_timeout here slept with the
 * thread held, and every request of the server waited on that one read.
 */
function openReader(file: string): SQLite.Database {
  const reader = new SQLite(file);
  reader.pragma('query_only = ON');
  reader.pragma('busy_timeout = 0');
  return reader;
}

/** Most distinct SQL texts whose prepared statements are kept (the app issues a few dozen). */
export const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every query anew, and preparing costs more than running a
 * primary-key lookup. Kysely always binds values as parameters, so the same query shape is the same
 * SQL text: keep its statement and reuse it. better-sqlite3 runs a statement to completion before
 * returning (the driver's `all`/`run`), so one statement object is never used by two queries at once;
 * the one exception, `iterate` (Kysely's `stream()`), gets a statement of its own.
 */
export function reusingStatements(database: SQLite.Database, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      const kept = statements.get(sql);
      if (kept && !kept.busy) return kept;
      const statement = database.prepare(sql);
      if (!kept) {
        // Past the bound the cache starts over rather than tracking recency on every hit.
        if (statements.size >= size) statements.clear();
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

function connectPostgres(options: ConnectOptions): Db {
  // int8 (metric values, count(*), sum) and numeric come back as strings by default; every such
  // value tierkit stores is an integer well inside 2^53 (fen up to ¥90 trillion), so read numbers.
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === PG_INT8 || oid === PG_NUMERIC) return (v: string) => Number(v);
      return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
    },
  };
  const statementTimeout = options.statementTimeoutMs ?? PG_STATEMENT_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    types,
    connectionTimeoutMillis: options.connectTimeoutMs ?? PG_CONNECT_TIMEOUT_MS,
    // TCP keep-alive on pooled connections, so one whose host vanished is found dead by the
    // operating system's probes rather than only when a query on it is answered with nothing.
    keepAlive: true,
    keepAliveInitialDelayMillis: options.keepAliveDelayMs ?? PG_KEEPALIVE_DELAY_MS,
    statement_timeout: statementTimeout,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? PG_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    // The server's own cancel comes first and leaves the connection usable; this only fires when no
    // answer comes at all, and such a connection is dropped (below).
    ...(statementTimeout > 0 ? { query_timeout: statementTimeout + PG_ANSWER_MARGIN_MS } : {}),
  });
  // pg emits 'error' on a client whose connection the server ends; with no listener that is an
  // uncaught exception, and every API server and worker on the database died at one
  // pg_terminate_backend. pg-pool listens only while a client idles (and re-emits on the pool), so
  // each client gets its own listener for the time it is checked out too: the query it is running,
  // or its next one, fails as a query error does, and the pool drops it.
  const lost =
    options.onConnectionLost ??
    ((error: Error) =>
      console.error(`tierkit: a PostgreSQL connection was closed by the server (${error.message}); reconnecting when next needed`));
  pool.on('connect', (client) => client.on('error', lost));
  // Already told by the client's own listener above.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: droppingSilentConnections(pool) }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

/** node-postgres's error when `query_timeout` passed with no answer. */
export const PG_NO_ANSWER_MESSAGE = 'Query read timeout';

/**
 * The pool as Kysely sees it, except that a connection whose query got no answer in time goes back
 * to the pool as broken, and is closed: its query may still be in flight, so the next query on it
 * would read the previous one's answer, or wait on the same silent host again.
 */
function droppingSilentConnections(pool: pg.Pool): pg.Pool {
  const silent = new WeakSet<pg.PoolClient>();
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const result = query(...args);
      if (result instanceof Promise)
        result.catch((error: unknown) => {
          if (error instanceof Error && error.message === PG_NO_ANSWER_MESSAGE) silent.add(client as pg.PoolClient);
        });
      return result;
    };
  });
  return new Proxy(pool, {
    get(target, property, receiver) {
      if (property !== 'connect') return Reflect.get(target, property, receiver);
      return async () => {
        const client = await target.connect();
        // pg-pool gives each checkout its own `release`.
        const release = client.release;
        client.release = (error?: Error | boolean) => release.call(client, error ?? (silent.has(client) ? true : undefined));
        return client;
      };
    },
  });
}
