// A `tierkit worker` stand-in for crash tests: the real worker loop on the database in argv[2], with
// the clock pinned to argv[3] (`real`: the system clock) and leases of argv[4] ms; prints
// `chunk <job> <seq>` after each commit.
import { runWorker } from '@tierkit/api';
import { connect } from '@tierkit/db';

const [url, nowIso, leaseMs] = process.argv.slice(2);
if (!url || !nowIso) throw new Error('usage: retier-worker.ts DATABASE_URL NOW_ISO [LEASE_MS]');
const db = connect({ url, poolSize: 2 });
const abort = new AbortController();
process.once('SIGTERM', () => abort.abort());
await runWorker({
  db: db.db,
  now: nowIso === 'real' ? () => new Date() : () => new Date(nowIso),
  leaseMs: Number(leaseMs ?? 60_000),
  pollMs: 50,
  signal: abort.signal,
  // The prepare thread at once, so that the kill lands while a chunk is claimed ahead and prepared.
  pipeline: { minChunks: 1 },
  onChunk: ({ jobId, seq }) => process.stdout.write(`chunk ${jobId} ${seq}\n`),
});
await db.close();
