import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import {
  checkDatabaseUrl,
  connect,
  HEAVY_READ_PROCESSES,
  HEAVY_READ_QUEUE,
  HEAVY_READ_TIMEOUT_MS,
  HeavyReads,
  isConnectFailure,
  isPostgresUrl,
  latestAppliedMigration,
  MIGRATIONS,
  migrateToLatest,
  redactDatabaseUrl,
  type Database,
  type Db,
} from '@tierkit/db';

// One masking function for every logged database URL, in @tierkit/db beside the check that refuses a mistyped one.
export { redactDatabaseUrl } from '@tierkit/db';
import type { Kysely } from 'kysely';
import { databasePoolSizeFromEnv, databaseTimeoutsFromEnv, migrateFromEnv, wholeFromEnv, type DatabaseUse } from './settings.js';

/**
 * On PostgreSQL, the one connection a server's start-up does its long statements on, one after the
 * other: migrations ({@link openDatabase}), then provisioning under its lock (`provisionOnce`), both
 * with batch work's statement timeout, not a request's. Undefined on SQLite (the request `Db` serves).
 * Close it once provisioning is done: it must not outlive start-up, so that a provisioning lock it
 * failed to release dies with it.
 */
export function openSetupConnection(url: string, env: NodeJS.ProcessEnv = process.env): Db | undefined {
  return isPostgresUrl(url) ? connect({ url, poolSize: 1, ...databaseTimeoutsFromEnv('batch', env) }) : undefined;
}

/**
 * Why `url` names no database to work on, or undefined: a SQLite file that does not exist (a string
 * that is no database URL at all throws, as connecting would: `checkDatabaseUrl`). Opening
 * one creates it, which only `migrate`, `seed`, `tenants create` and a server should do
 * (packages/cli/README.md): a mistyped path otherwise made a new file, migrated it and then failed
 * on the tenant, leaving the file behind. A PostgreSQL database is never created by connecting.
 */
export function missingDatabaseReason(url: string): string | undefined {
  // A mistyped URL (`postgresql:/user:pw@…`) is refused as one, its password masked, not named here as a file.
  checkDatabaseUrl(url);
  if (isPostgresUrl(url) || url === ':memory:' || existsSync(url)) return undefined;
  return `no database at ${redactDatabaseUrl(url)}: the file does not exist (check --database or DATABASE_URL; tierkit migrate or tierkit seed makes a new one)`;
}

/**
 * Open the database and bring its schema up to date; logs where it is (a PostgreSQL password masked).
 * `use` picks the PostgreSQL statement timeout: a request's (seconds) or batch work's (minutes).
 * For requests on PostgreSQL the migrations run on `setup` (an {@link openSetupConnection} the
 * caller goes on using and closes), or on such a connection opened and closed here.
 */
export async function openDatabase(
  url: string,
  log: (line: string) => void = () => undefined,
  use: DatabaseUse = 'requests',
  setup?: Db,
  migrate: boolean = migrateFromEnv(),
  onMigrated?: (ran: readonly string[]) => void,
): Promise<Db> {
  const db = connect({
    url,
    ...(use === 'requests' ? { poolSize: databasePoolSizeFromEnv('requests') } : {}),
    ...databaseTimeoutsFromEnv(use),
  });
  // A migration may build an index on a large table: on PostgreSQL it runs on a connection of its own
  // with batch work's statement timeout, not a request's.
  const own = use === 'requests' && !setup ? openSetupConnection(url) : undefined;
  const migrating = use === 'requests' ? (setup ?? own) : undefined;
  let ran: string[];
  try {
    ran = migrate ? await migrateToLatest((migrating ?? db).db) : await checkSchemaCurrent(db);
  } catch (error) {
    await db.close();
    throw error;
  } finally {
    await own?.close();
  }
  log(`database: ${redactDatabaseUrl(url)} (${db.dialect})${migratedText(ran)}${migrate ? '' : ' (TIERKIT_MIGRATE=off: not migrated)'}`);
  onMigrated?.(ran);
  return db;
}

/**
 * What a start's migration did, for the `database:` line: how many, and the schema's migration now.
 * Not each name: a new database's every migration on one line was a wall of names, the count and where
 * the schema stands being what an operator checks (`migrate`'s log has nothing else to tell).
 */
function migratedText(ran: readonly string[]): string {
  if (!ran.length) return '';
  return `, ${ran.length === 1 ? '1 migration' : `${ran.length} migrations`} applied (now at ${ran.at(-1)})`;
}

/**
 * With TIERKIT_MIGRATE=off a process runs on the schema as it finds it, which must hold every
 * migration this build knows (a newer one, from a newer build of a rolling deploy, is fine): a
 * schema behind stops the start with one line saying what to run. Returns no migration (none ran).
 */
async function checkSchemaCurrent(db: Db): Promise<string[]> {
  const applied = await latestAppliedMigration(db.db).catch((e: unknown) => {
    // No migration table: a database never migrated. A connection refused says so itself.
    if (isConnectFailure(e)) throw new Error(`cannot connect to the database: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    return undefined;
  });
  const needed = Object.keys(MIGRATIONS).sort().at(-1) ?? '';
  if (applied === undefined || applied < needed)
    throw new Error(
      `the database schema is behind this build (its latest migration: ${applied ?? 'none'}; needed: ${needed}) and TIERKIT_MIGRATE=off: run tierkit migrate first (packages/cli/README.md)`,
    );
  return [];
}

/** The API's pools besides its request pool, and how to close them. */
export interface ApiPools {
  readonly reportDb?: Kysely<Database>;
  readonly idempotencyLeaseDb?: Kysely<Database>;
  /** SQLite: the reader processes of the reads whose cost grows with the book (`createApp`'s `heavyReads`). */
  readonly heavyReads?: Kysely<Database>;
  close(): Promise<void>;
}

/**
 * On PostgreSQL, the pools an API server needs besides its request pool (`createApp`'s `reportDb` and
 * `idempotencyLeaseDb`): reports with their longer statement timeout (`TIERKIT_PG_REPORT_STATEMENT_TIMEOUT_MS`;
 * the client-side answer timeout follows it), a pool of their own (`TIERKIT_PG_REPORT_POOL_MAX`, 4);
 * and one connection for `Idempotency-Key` lease renewals, so they never queue behind requests. On
 * SQLite the app's `db` serves both, and the reads whose cost grows with the book run in reader
 * processes ({@link heavyReadsFromEnv}).
 */
export function openApiPools(url: string, env: NodeJS.ProcessEnv = process.env): ApiPools {
  if (!isPostgresUrl(url)) {
    const heavy = heavyReadsFromEnv(url, env);
    if (!heavy) return { close: async () => undefined };
    return { heavyReads: heavy.db, close: () => heavy.close() };
  }
  const reports = connect({ url, poolSize: databasePoolSizeFromEnv('reports', env), ...databaseTimeoutsFromEnv('reports', env) });
  const leases = connect({ url, poolSize: 1, ...databaseTimeoutsFromEnv('requests', env) });
  return {
    reportDb: reports.db,
    idempotencyLeaseDb: leases.db,
    close: async () => {
      await Promise.all([reports.close(), leases.close()]);
    },
  };
}

/**
 * On SQLite, the reader processes of the reads whose cost grows with the book (`HeavyReads`,
 * docs/operations.md "SQLite: what runs where"): `TIERKIT_HEAVY_READ_PROCESSES` of them (1; 0 runs
 * those reads on the server's thread, as before), each statement stopped after
 * `TIERKIT_HEAVY_READ_TIMEOUT_MS` (30,000), `TIERKIT_HEAVY_READ_QUEUE` (2) waiting beyond those running.
 * Undefined for `:memory:`, which no other process can open.
 */
export function heavyReadsFromEnv(file: string, env: NodeJS.ProcessEnv = process.env): HeavyReads | undefined {
  const processes = wholeFromEnv('TIERKIT_HEAVY_READ_PROCESSES', env.TIERKIT_HEAVY_READ_PROCESSES, HEAVY_READ_PROCESSES, {
    unit: 'processes',
    min: 0,
    max: 16,
    zero: 'on the server’s thread',
  });
  const timeoutMs = wholeFromEnv('TIERKIT_HEAVY_READ_TIMEOUT_MS', env.TIERKIT_HEAVY_READ_TIMEOUT_MS, HEAVY_READ_TIMEOUT_MS, {
    unit: 'milliseconds',
    min: 100,
  });
  const queue = wholeFromEnv('TIERKIT_HEAVY_READ_QUEUE', env.TIERKIT_HEAVY_READ_QUEUE, HEAVY_READ_QUEUE, {
    unit: 'reads',
    min: 0,
    max: 1000,
  });
  if (processes === 0 || file === ':memory:' || file === '') return undefined;
  return new HeavyReads(resolvePath(file), { processes, timeoutMs, queue });
}
