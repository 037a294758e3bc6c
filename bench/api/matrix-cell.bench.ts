// CPU per call of the subject list behind an empty matrix cell and a common one over a million
// customers (bench/api/matrix-book.ts), in one process, without HTTP: the app as it reads a cell
// the matrix has just counted, against the same app keeping no matrix counts (every list reads the
// database, as before the counts answered an empty cell), and listSubjects itself; alternating
// rounds, timed with process.cpuUsage. Asserts nothing.
// Run: node --import tsx bench/api/matrix-cell.bench.ts [--customers 1000000] [--calls 20] [--rounds 5] [--db /tmp/matrix.db]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey, createApp } from '@tierkit/api';
import { connect, listSubjects } from '@tierkit/db';
import { writeMatrixBook } from './matrix-book.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CUSTOMERS = arg('customers', 1_000_000);
const CALLS = arg('calls', 20);
const ROUNDS = arg('rounds', 5);

const dir = mkdtempSync(join(tmpdir(), 'tierkit-bench-matrix-cell-'));
try {
  const kept = process.argv.indexOf('--db') > 0 ? process.argv[process.argv.indexOf('--db') + 1] : undefined;
  const file = kept ?? join(dir, 'matrix.db');
  const started = Date.now();
  if (!existsSync(file)) await writeMatrixBook(file, CUSTOMERS);
  console.log(`${CUSTOMERS.toLocaleString('en')} customers ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const db = connect({ url: file });
  const { secret } = await createApiKey(db.db, { tenantId: 'demo', role: 'viewer', label: 'bench' });
  const now = () => new Date('2025-11-15T04:00:00.000Z');
  const counting = createApp({ db: db.db, now, logError: () => undefined, matrixCacheSeconds: 5 });
  const reading = createApp({ db: db.db, now, logError: () => undefined, matrixCacheSeconds: 0 });
  const get = async (app: ReturnType<typeof createApp>, path: string) => {
    const res = await app.request(path, { headers: { Authorization: `Bearer ${secret}` } });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const cells = [
    ['empty cell (high × high)', '/v1/subjects?scheme=risk-value&row=high&col=high&limit=50'],
    ['common cell (low × low)', '/v1/subjects?scheme=risk-value&row=low&col=low&limit=50'],
  ] as const;
  const sides: [string, (path: string) => Promise<unknown>][] = [
    ['no counts kept (as before)', (path) => get(reading, path)],
    ['counts of the matrix read', (path) => get(counting, path)],
  ];
  const cpu = async (call: () => Promise<unknown>) => {
    const start = process.cpuUsage();
    for (let i = 0; i < CALLS; i++) await call();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / CALLS / 1000;
  };
  const direct = () =>
    listSubjects(db.db, 'demo', {
      levels: [
        { scheme: 'risk-band', level: 'high' },
        { scheme: 'value-band', level: 'high' },
      ],
      limit: 51,
      closed: 'exclude',
    });
  const matrixCpu: number[] = [];
  const runs = new Map<string, number[]>();
  for (let round = 0; round <= ROUNDS; round++) {
    // The matrix again at each round, as the console shows it before a click (its counts last 5 s).
    matrixCpu.push(await cpu(() => get(counting, '/v1/matrix/risk-value')));
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const [cell, path] of cells)
      for (const [side, call] of order) {
        const ms = await cpu(() => call(path));
        if (round > 0) runs.set(`${cell}, ${side}`, [...(runs.get(`${cell}, ${side}`) ?? []), ms]);
      }
    const ms = await cpu(direct);
    if (round > 0) runs.set('empty cell, listSubjects alone', [...(runs.get('empty cell, listSubjects alone') ?? []), ms]);
  }
  const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  console.log(`CPU per call, ${CALLS} calls × ${ROUNDS} alternating rounds, median (range), ms (no HTTP)`);
  console.log(`  GET /v1/matrix/risk-value (first call of a round reads, the rest are kept)  ${median(matrixCpu).toFixed(2)}`);
  for (const [name, xs] of runs)
    console.log(`  ${name.padEnd(58)} ${median(xs).toFixed(2).padStart(8)} (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`);
  await db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
