import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { isPostgres, type Executor } from './repositories/executor.js';

/** SQLite's own default: the writer checkpoints once the WAL holds this many pages. */
const WRITER_AUTOCHECKPOINT = 1000;
/**
 * While the thread runs, the writer checkpoints only past this many WAL pages (64 MB at 16 KB): a
 * safety net should the thread fall behind or fail, never the usual path.
 */
const FALLBACK_AUTOCHECKPOINT = 4000;
/**
 * Pause between the thread's checkpoints. Every 20 ms cost up to 14% more CPU than the writer's own
 * checkpoints (pages a chunk rewrites, such as a table's last page, were copied once per chunk instead of
 * once per checkpoint); every 200 ms cost none measurable.
 */
const PERIOD_MS = 200;

// Plain CommonJS, run with `eval`: no TypeScript loader needed, so it runs alike under tsx and from dist/.
const THREAD = `
const { workerData, parentPort } = require('node:worker_threads');
const SQLite = require(workerData.sqlite);
const db = new SQLite(workerData.file);
db.pragma('busy_timeout = 5000');
let timer;
const tick = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  timer = setTimeout(tick, workerData.periodMs);
};
parentPort.on('message', () => { clearTimeout(timer); db.close(); parentPort.close(); });
tick();
`;

/**
 * The file of a SQLite database, which another connection (on a thread) can open; undefined on
 * PostgreSQL and for `:memory:`.
 */
export async function sqliteFile(db: Executor): Promise<string | undefined> {
  if (isPostgres(db)) return undefined;
  const { rows } = await sql<{ name: string; file: string }>`PRAGMA database_list`.execute(db);
  return rows.find((r) => r.name === 'main')?.file || undefined;
}

/**
 * Move a SQLite database's WAL checkpoints off the writing thread while a batch writes: a worker
 * thread with its own connection copies committed pages into the database file (a PASSIVE checkpoint
 * every 200 ms, which never blocks the writer), so the re-tier's commits no longer stop to do it. Same
 * durability — a checkpoint is crash-safe whichever connection runs it. Returns the function that stops
 * the thread and gives checkpoints back to the writer; a no-op on PostgreSQL and on `:memory:`.
 */
export async function startBackgroundCheckpoints(db: Executor): Promise<() => Promise<void>> {
  const file = await sqliteFile(db);
  if (!file) return async () => {};
  const thread = new Worker(THREAD, {
    eval: true,
    workerData: { file, sqlite: createRequire(import.meta.url).resolve('better-sqlite3'), periodMs: PERIOD_MS },
  });
  // Never keeps a process alive; a thread that fails leaves checkpoints to the writer's fallback.
  thread.unref();
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  thread.on('error', () => {});
  await sql.raw(`PRAGMA wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT}`).execute(db);
  return async () => {
    await sql.raw(`PRAGMA wal_autocheckpoint = ${WRITER_AUTOCHECKPOINT}`).execute(db);
    // Held while it closes its connection, so that waiting for it keeps the process alive.
    thread.ref();
    thread.postMessage('stop');
    await exited;
  };
}
