import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApp } from '@tierkit/api';
import { authHeader, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';

/*
 * An examiner's check of an erasure (docs/operations.md, "Retention and erasure"): after a retention run
 * erases a customer, their number and name are found nowhere — not in a job they were re-tiered by, an
 * import row that named them, the label an override of theirs left in their stored level, nor a stored
 * answer an Idempotency-Key would replay. Searched as a compliance officer would: every text of every
 * table. The only places the number may stay are the erased row itself (writing it again is refused
 * by it) and the audit records (their personal fields are split off and erased by the audit trail's
 * own rule; what stays there is that rule's business, docs/operations.md "The audit trail's personal fields").
 */

const NUMBER = 'C990001';
const NAME = '司马懿然';
const ID_CARD = '110101197503081234';
const REASON = `补录新开户客户${NAME}（身份证${ID_CARD}）`;
const ERASED = 'erased customer';

/** Every row of every table whose text holds `needle`, as `table.column`, less the places allowed. */
async function whereFound(f: ApiFixture, needles: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const table of await f.db.db.introspection.getTables()) {
    if (table.name === 'audit_records') continue;
    // biome-ignore lint/suspicious/noExplicitAny: every table, by the name the database gives it
    const rows = (await (f.db.db as any).selectFrom(table.name).selectAll().execute()) as Record<string, unknown>[];
    for (const row of rows)
      for (const [column, value] of Object.entries(row)) {
        if (value === null || value === undefined) continue;
        const text = typeof value === 'string' ? value : JSON.stringify(value);
        for (const needle of needles)
          if (text.includes(needle) && !(table.name === 'subjects' && column === 'external_id' && value === NUMBER))
            found.push(`${table.name}.${column} ∋ ${needle}`);
      }
  }
  return [...new Set(found)].sort();
}

/** When the customer was active (metrics, their override, the re-tier, the import), and when they left. */
const ACTIVE = '2019-06-15T02:00:00Z';
const LEFT = '2019-07-01T02:00:00Z';

forEachDialect('an erasure leaves the customer nowhere', (f) => {
  const as = (role: 'officer' | 'approver' | 'viewer') => client(f, () => f.keys.roles[role]);
  // The customer's story happens when it did, through an app whose clock stands then: the retention
  // clock counts from their last activity (metrics, the override's request and approval), so it came
  // before they left, and they left more than the retention period before the run (at the fixture's NOW).
  const appAt = (at: string) => createApp({ db: f.db.db, now: () => new Date(at), logError: () => undefined });
  const then = (at: string, who: 'a' | (() => string | undefined) = 'a') => client({ ...f, app: appAt(at) }, who);
  const active = (role?: 'officer' | 'approver') => then(ACTIVE, role === undefined ? 'a' : () => f.keys.roles[role]);
  let jobId = '';
  let importId = '';
  let overrideId = '';
  const close = { reason: `${NAME} 主动销户` };
  // The closing and its replay are made on the day they left: the replay within the key's 24 hours,
  // where only the erasure keeps the stored answer from being served again.
  let leftApp: ReturnType<typeof createApp> | undefined;
  const closeOnce = () =>
    (leftApp ??= appAt(LEFT)).request(`/v1/subjects/${NUMBER}/close`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'close-c990001', ...authHeader(f, () => f.keys.roles.officer) },
      body: JSON.stringify(close),
    });

  before(async () => {
    await active().customer(NUMBER, NAME);
    await active().customer('C990002', '张三丰');
    for (const s of [NUMBER, 'C990002'])
      assert.equal(
        (
          await active('officer').balances(s, [
            ['2019-04', 100_000],
            ['2019-05', 100_000],
          ])
        ).status,
        200,
      );
    const filed = await active('officer').post(`/v1/subjects/${NUMBER}/overrides`, {
      scheme: 'retail-tier',
      level: 'diamond',
      mode: 'fixed',
      reason: REASON,
      expiresAt: null,
    });
    assert.equal(filed.status, 201, await filed.clone().text());
    const pending = (await filed.json()) as { id: string; contentHash: string };
    overrideId = pending.id;
    const approved = await active('approver').post(`/v1/overrides/${pending.id}/approve`, { contentHash: pending.contentHash });
    assert.equal(approved.status, 200, await approved.clone().text());

    const job = await active().post('/v1/jobs', {
      kind: 'retier',
      period: '2019-05',
      filter: { subjects: [NUMBER, 'C990002'] },
      reason: REASON,
    });
    assert.equal(job.status, 201, await job.clone().text());
    jobId = ((await job.json()) as { id: string }).id;

    const imported = await appAt(ACTIVE).request('/v1/imports?kind=subjects', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', ...authHeader(f) },
      body: ['id,kind,name', `${NUMBER},corporate,${NAME}有限公司`, 'C990003,customer,李四'].join('\n'),
    });
    assert.equal(imported.status, 422, await imported.clone().text());
    importId = (imported.headers.get('Location') ?? '').split('/').pop() ?? '';

    const closed = await closeOnce();
    assert.equal(closed.status, 200, await closed.clone().text());
    assert.equal((await closeOnce()).headers.get('idempotent-replayed'), 'true', 'before the erasure the key replays its answer');
    assert.ok((await whereFound(f, [NUMBER, NAME, ID_CARD])).length > 0, 'the search finds them before the erasure');
    const run = await client(f).post('/v1/retention/run', {});
    assert.equal(run.status, 200, await run.clone().text());
    assert.equal(((await run.json()) as { erased: number }).erased, 1);
  });

  it('a search of every table finds neither the number, the name nor the ID card (only the erased row keeps the number)', async () => {
    assert.deepEqual(await whereFound(f, [NUMBER, NAME, ID_CARD]), []);
  });

  it('the re-tier job keeps its counts and says "erased customer" where the number stood; its reason naming them is gone', async () => {
    const res = await as('viewer').get(`/v1/jobs/${jobId}`);
    assert.equal(res.status, 200);
    const text = await res.text();
    for (const s of [NUMBER, NAME, ID_CARD]) assert.ok(!text.includes(s), s);
    const job = JSON.parse(text) as {
      params: { filter: { subjects: string[] }; reason: string | null };
      progress: { subjects: { total: number } };
    };
    assert.deepEqual(job.params.filter.subjects, [ERASED, 'C990002']);
    assert.equal(job.params.reason, null);
    assert.equal(job.progress.subjects.total, 2);
  });

  it('the import keeps the row error’s line, column and code, without the number or the values', async () => {
    const res = await client(f).get(`/v1/imports/${importId}?limit=100`);
    assert.equal(res.status, 200);
    const text = await res.text();
    for (const s of [NUMBER, NAME]) assert.ok(!text.includes(s), s);
    const items = (JSON.parse(text) as { errors: { items: { line: number; column: string | null; code?: string; params?: unknown }[] } })
      .errors.items;
    assert.deepEqual(
      items.map((e) => [e.line, e.column, e.code, e.params]),
      [[2, 'kind', 'immutable', undefined]],
    );
  });

  it('the stored level keeps that an override decided, not its reason', async () => {
    const res = await client(f).get(`/v1/subjects/${NUMBER}/tiers`);
    assert.equal(res.status, 404, 'an erased customer is not read');
    const rows = await f.db.db.selectFrom('assignments').select('explanation').where('tenant_id', '=', 'bank-a').execute();
    const kinds = rows.map((r) => (typeof r.explanation === 'string' ? JSON.parse(r.explanation) : r.explanation).decidedBy);
    const byOverride = kinds.filter((d: { kind: string }) => d.kind === 'override');
    assert.equal(byOverride.length, 1);
    assert.deepEqual(byOverride[0].label, {
      'zh-CN': '人工调整（固定为该等级）',
      'zh-TW': '人工調整（固定為該等級）',
      en: 'manual override (exactly this level)',
    });
  });

  it('a replay of the closing with its Idempotency-Key is not served from the stored answer', async () => {
    const again = await closeOnce();
    assert.notEqual(again.headers.get('idempotent-replayed'), 'true');
    const text = await again.text();
    assert.ok(!text.includes(NAME), text);
  });

  it('the override of an erased customer has ended: no longer in force, nothing to revoke', async () => {
    const res = await client(f).get('/v1/overrides?status=approved');
    assert.equal(res.status, 200);
    const { items } = (await res.json()) as { items: { id: string }[] };
    assert.ok(!items.some((o) => o.id === overrideId), 'not listed as in force');
    const revoke = await as('approver').post(`/v1/overrides/${overrideId}/revoke`, { note: 'x' });
    assert.ok(revoke.status >= 400 && revoke.status < 500, String(revoke.status));
  });
});
