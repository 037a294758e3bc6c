import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApiKey, drainJobs, maskName, provisionTenant, type Role } from '@tierkit/api';
import { upsertStaff } from '@tierkit/db';
import type { Job, PolicySimulation } from '@tierkit/core/wire';
import { NOW, client, forEachDialect } from '../support/api-fixture.js';
import { problem } from '../support/problems.js';
import { testPack } from '../support/test-pack.js';

/*
 * A simulation compared with the version in force (packages/api/README.md, "Policy simulation"): the
 * product manager's "+1 白金卡" must be against what today's rule computes for the same data and
 * month, not against the levels stored — and the downs the grace periods hold this month are said,
 * with the month they drop in. The figures below are worked out by hand from the book.
 */

async function ok<T>(res: Response, status = 200): Promise<T> {
  assert.equal(res.status, status, await res.clone().text());
  return (await res.json()) as T;
}

/**
 * Average daily balances (yuan) for Sep–Nov 2025; the simulated re-tier is December's, November's
 * figures standing in for it. 白金卡 (platinum) from a 3-month average of ¥300,000 in force; the
 * draft lowers it to ¥250,000. A drop waits three months below the line (downgradeAfterPeriods 3).
 *
 * - A 280k each month: gold stored; December gold in force, platinum under the draft.
 * - B 320k: platinum throughout.
 * - C 100k: gold throughout.
 * - D 0, 0, 900k: November's average 300k, platinum stored; December's 600k, platinum both.
 * - E 900k, 0, 0: platinum stored; December's average 0: below both lines, held platinum by the
 *   grace (one month below of three: two more, so it drops at February 2026's re-tier) — to standard.
 * - F 0, 0, 600k: November's average 200k, gold stored; December's 400k: platinum under both. Against
 *   the stored levels the draft "adds" F too; against the rule in force it does not.
 */
const BOOK: [id: string, balances: [number, number, number]][] = [
  ['A', [280_000, 280_000, 280_000]],
  ['B', [320_000, 320_000, 320_000]],
  ['C', [100_000, 100_000, 100_000]],
  ['D', [0, 0, 900_000]],
  ['E', [900_000, 0, 0]],
  ['F', [0, 0, 600_000]],
];

forEachDialect('policy simulation compared with the version in force', (f) => {
  const keys = {} as Record<Role, string>;
  const as = (role: Role) => client(f, () => keys[role]);

  it('counts from → to against the rule in force on the same data and month, and the state once the grace ends', async () => {
    await provisionTenant(f.db.db, { id: 'bank-pm', name: 'pm', pack: testPack(), now: NOW });
    for (const role of ['analyst', 'officer'] as const)
      keys[role] = (await createApiKey(f.db.db, { tenantId: 'bank-pm', role, label: role, now: NOW })).secret;
    const officer = as('officer');
    for (const [id, b] of BOOK) {
      await ok(await officer.put(`/v1/subjects/${id}`, { kind: 'customer', displayName: '客户' }), 201);
      for (const [i, period] of ['2025-09', '2025-10', '2025-11'].entries())
        await ok(
          await officer.put(`/v1/subjects/${id}/metrics`, { metrics: [{ metric: 'avg_daily_balance', period, value: (b[i] ?? 0) * 100 }] }),
        );
    }
    const draft = await ok<{ version: number; document: unknown }>(await officer.post('/v1/policies/retail-tier/drafts', {}), 201);
    const text = JSON.stringify(draft.document);
    assert.ok(text.includes('30000000'), 'the platinum balance line in force is ¥300,000');
    const doc = JSON.parse(text.replace('30000000', '25000000')) as unknown;
    await ok(await officer.put(`/v1/policies/retail-tier/versions/${draft.version}`, { document: doc }));
    const path = `/v1/policies/retail-tier/versions/${draft.version}`;
    const sim = await ok<PolicySimulation>(await as('analyst').post(`${path}/simulate`, { samplesPerCell: 10 }));
    assert.equal(sim.period, '2025-12');
    assert.equal(sim.dataPeriod, '2025-11');

    const counts = (list: readonly { level: string; count: number }[]) =>
      Object.fromEntries(list.filter((l) => l.count).map((l) => [l.level, l.count]));
    const cells = (list: readonly { from: string; to: string; count: number }[]) =>
      Object.fromEntries(list.map((c) => [`${c.from}→${c.to}`, c.count]));
    // Against the stored levels: A and F up.
    assert.deepEqual(counts(sim.before), { gold: 3, platinum: 3 });
    assert.deepEqual(counts(sim.after), { gold: 1, platinum: 5 });
    assert.deepEqual(cells(sim.cells), { 'gold→gold': 1, 'gold→platinum': 2, 'platinum→platinum': 3 });
    assert.equal(sim.upgraded, 2);
    // E is held platinum by the grace, two more months below: it drops at February's re-tier, to standard.
    assert.equal(sim.held.total, 1);
    assert.deepEqual(
      sim.held.cells.map(({ samples, ...c }) => c),
      [{ level: 'platinum', to: 'standard', monthsLeft: 2, dropsIn: '2026-02', count: 1 }],
    );
    assert.deepEqual(sim.held.cells[0]?.samples, ['E']);
    assert.deepEqual(counts(sim.afterGrace), { standard: 1, gold: 1, platinum: 4 });

    // Against the rule in force, on the same data and month: F goes up there too; only A is the draft's.
    const base = sim.baseline;
    assert.ok(base, 'a baseline for a scheme in force');
    assert.equal(base.version, 1);
    assert.deepEqual(cells(base.cells), { 'gold→gold': 2, 'gold→platinum': 1, 'platinum→platinum': 3 });
    assert.equal(base.upgraded, 1);
    assert.equal(base.downgraded, 0);
    assert.deepEqual(counts(base.after), { gold: 2, platinum: 4 });
    assert.deepEqual(
      base.held.cells.map(({ samples, ...c }) => c),
      [{ level: 'platinum', to: 'standard', monthsLeft: 2, dropsIn: '2026-02', count: 1 }],
    );
    assert.deepEqual(counts(base.afterGrace), { standard: 1, gold: 2, platinum: 3 });
    assert.deepEqual(cells(base.compared), { 'gold→gold': 1, 'gold→platinum': 1, 'platinum→platinum': 4 });
    assert.deepEqual(base.compared.find((c) => c.from === 'gold' && c.to === 'platinum')?.samples, ['A']);
    assert.deepEqual([base.higher, base.lower, base.same], [1, 0, 5]);
    const level = (k: string) => base.levels.find((l) => l.level === k);
    assert.deepEqual(level('platinum'), {
      level: 'platinum',
      baseline: 4,
      simulated: 5,
      change: 1,
      baselineAfterGrace: 3,
      simulatedAfterGrace: 4,
      changeAfterGrace: 1,
    });
    assert.deepEqual(level('gold'), {
      level: 'gold',
      baseline: 2,
      simulated: 1,
      change: -1,
      baselineAfterGrace: 2,
      simulatedAfterGrace: 1,
      changeAfterGrace: -1,
    });
    assert.equal(level('standard')?.changeAfterGrace, 0);

    // The job plans the same, baseline included, whichever chunks it is cut into.
    const job = await ok<Job>(await as('analyst').post(`${path}/simulations`, { samplesPerCell: 10 }), 202);
    await drainJobs({ db: f.db.db, now: () => NOW });
    const done = await ok<Job>(await as('analyst').get(`/v1/jobs/${job.id}`));
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.simulation?.result, sim);

    // Another bank cannot simulate this tenant's version.
    await problem(await client(f, 'b').post(`${path}/simulate`, {}), 404);

    // Every affected customer as CSV: A and F move up, E is held by the grace until February 2026's re-tier.
    const csv = await as('analyst').get(`/v1/jobs/${job.id}/affected`);
    assert.equal(csv.status, 200, await csv.clone().text());
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    const bytes = new Uint8Array(await csv.arrayBuffer());
    assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], 'a byte order mark for Excel');
    const lines = new TextDecoder().decode(bytes).split('\r\n');
    assert.equal(lines.at(-1), '', 'CRLF after the last line');
    assert.deepEqual(lines.slice(0, 3), [
      '"数据状态","2025-11 的数据（2025-12 数据未到，按其不变估算）"',
      '"生效策略版本","v1 → 模拟 v2"',
      '"客户号","姓名","当前等级","新等级","现行版本下等级","原因","宽限期结束"',
    ]);
    const masked = maskName('客户');
    assert.notEqual(masked, '客户');
    const rows = lines.slice(3, -1).sort();
    assert.equal(rows.length, 3, rows.join('\n'));
    // The reason is the deciding rule in words: the draft's new line. Beside the new level, the one the
    // rule in force gives on the same data: F moves to 白金卡 under either, so only A is the draft's.
    assert.equal(rows[0], `"A","${masked}","金卡","白金卡","金卡","月日均资产（近3个月平均） ≥ ¥250,000",`);
    assert.equal(rows[1], `"E","${masked}","白金卡","普通","白金卡","低于白金卡标准，宽限期内保留；期满降至普通","2026年2月"`);
    assert.equal(rows[2], `"F","${masked}","金卡","白金卡","白金卡","月日均资产（近3个月平均） ≥ ¥250,000",`);
    // In English, the same rows in its words.
    const en = (await (await as('analyst').get(`/v1/jobs/${job.id}/affected?locale=en`)).text()).split('\r\n');
    assert.equal(en[2], '"Customer id","Name","Level now","New level","Under the version in force","Reason","Grace ends"');
    // A relationship manager may not read the job, so not its file either (the job's own 403,
    // tests/api/job-subroutes-access.test.ts): the list is the whole book's, for tenant-wide staff.
    await upsertStaff(f.db.db, 'bank-pm', { id: 'RM1', name: '客户经理', role: 'officer', scope: 'book' }, NOW.toISOString());
    const rm = (await createApiKey(f.db.db, { tenantId: 'bank-pm', role: 'officer', label: 'RM1', staffId: 'RM1', now: NOW })).secret;
    await problem(await client(f, () => rm).get(`/v1/jobs/${job.id}/affected`), 403);
    // Not completed: a 422 naming why; another bank's, or no such job: 404.
    const running = await ok<Job>(await as('analyst').post(`${path}/simulations`, {}), 202);
    const p = await problem(await as('analyst').get(`/v1/jobs/${running.id}/affected`), 422);
    assert.equal(p.errors?.[0]?.code, 'simulation_not_completed');
    await problem(await client(f, 'b').get(`/v1/jobs/${job.id}/affected`), 404);
    await problem(await as('analyst').get('/v1/jobs/job_nonesuch/affected'), 404);

    // Data loaded after the job: the file is re-planned on today's book, and its data-status line says
    // its rows may no longer be the job's figures.
    await ok(
      await officer.put('/v1/subjects/C/metrics', { metrics: [{ metric: 'avg_daily_balance', period: '2025-11', value: 900_000_00 }] }),
    );
    const moved = (await (await as('analyst').get(`/v1/jobs/${job.id}/affected`)).text()).split('\r\n');
    assert.equal(
      moved[0],
      '"数据状态","2025-11 的数据（2025-12 数据未到，按其不变估算）","注意：模拟之后数据有更新，本文件按现在的数据重算，与该模拟的计数可能不符"',
    );
    const movedEn = (await (await as('analyst').get(`/v1/jobs/${job.id}/affected?locale=en`)).text()).split('\r\n');
    assert.match(movedEn[0] ?? '', /"Note: data loaded since the simulation — these rows are re-planned on today's data/);
  });
});
