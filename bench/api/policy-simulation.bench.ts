// Simulating a draft policy against the whole 10,000-customer demo book (POST …/simulate, SQLite),
// and re-evaluating a book of 1,000 (the synchronous limit) when a version takes effect
// (`reevaluateBook`, what an approval runs for small books). Baseline: one SELECT of every customer's card-tier assignment — the
// least any simulation must read. Prints, never asserts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey, createApp, reevaluateBook, TenantPacks } from '@tierkit/api';
import { seedDemo, openDatabase } from '@tierkit/server';

const CUSTOMERS = 10_000;
const SMALL_BOOK = 1_000;
const RUNS = 3;

const dir = mkdtempSync(join(tmpdir(), 'tierkit-bench-policy-'));
const db = await openDatabase(join(dir, 'bench.db'));
try {
  for (const [tenantId, customers] of [
    ['demo', CUSTOMERS],
    ['small', SMALL_BOOK],
  ] as const) {
    await seedDemo(db.db, { tenantId, customers, corporates: 0, products: 0, employees: 0, endPeriod: '2025-10', months: 3 });
  }
  const now = () => new Date('2025-11-15T04:00:00Z');
  const app = createApp({ db: db.db, now, rateLimit: false });
  const key = async (role: 'officer' | 'analyst') =>
    `Bearer ${(await createApiKey(db.db, { tenantId: 'demo', role, label: `bench ${role}` })).secret}`;
  const officer = await key('officer');
  const analyst = await key('analyst');
  const post = (path: string, auth: string, body: unknown) =>
    app.request(path, { method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const draft = (await (await post('/v1/policies/retail-tier/drafts', officer, {})).json()) as { version: number; document: unknown };
  const stricter = JSON.parse(JSON.stringify(draft.document).replace('5000000', '6000000'));
  await app.request(`/v1/policies/retail-tier/versions/${draft.version}`, {
    method: 'PUT',
    headers: { Authorization: officer, 'Content-Type': 'application/json' },
    body: JSON.stringify({ document: stricter }),
  });

  const time = async (f: () => Promise<unknown>) => {
    const ms: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await f();
      ms.push(performance.now() - t);
    }
    return Math.min(...ms);
  };
  const baseline = await time(() =>
    db.db
      .selectFrom('assignments')
      .select(['subject_id', 'level'])
      .where('tenant_id', '=', 'demo')
      .where('scheme', '=', 'retail-tier')
      .execute(),
  );
  let total = 0;
  const simulate = await time(async () => {
    const res = await post(`/v1/policies/retail-tier/versions/${draft.version}/simulate`, analyst, {});
    total = ((await res.json()) as { total: number }).total;
  });
  const heap = process.memoryUsage().heapUsed;
  const shared = {
    db: db.db,
    packs: new TenantPacks(),
    tenantId: 'small',
    now,
    timeZone: 'Asia/Shanghai',
    principal: { tenantId: 'small', via: 'key' as const, role: 'admin' as const, subject: null, origins: null, actor: 'bench' },
  };
  const t = performance.now();
  const book = await reevaluateBook(shared, 'retail-tier', '2025-10');
  const reevaluate = performance.now() - t;

  console.log(`customers in the book:                 ${total}`);
  console.log(`baseline (one SELECT of the tier):     ${baseline.toFixed(1).padStart(8)} ms`);
  console.log(
    `simulate the draft over the book:      ${simulate.toFixed(1).padStart(8)} ms  (${(simulate / baseline).toFixed(1)}× baseline, best of ${RUNS})`,
  );
  console.log(
    `re-evaluate the book (${book.subjects} subjects): ${reevaluate.toFixed(0).padStart(8)} ms  (${(reevaluate / book.subjects).toFixed(2)} ms per subject)`,
  );
  console.log(`heap after simulating:                 ${(heap / 1048576).toFixed(0)} MiB`);
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
