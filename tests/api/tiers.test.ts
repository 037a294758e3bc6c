import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { HistoryResponse, TiersResponse } from '@tierkit/core';
import { client, forEachDialect } from '../support/api-fixture.js';

const retail = (body: TiersResponse) => {
  const a = body.assignments.find((x) => x.scheme === 'retail-tier');
  assert.ok(a, 'the response has a retail-tier assignment');
  return a;
};
const Q3 = ['2025-08', '2025-09', '2025-10'] as const;

forEachDialect('tiers, metrics and history', (f) => {
  const api = client(f);

  it('¥49,999.99 a month keeps a customer 普通 and says ¥0.01 is missing for 金卡', async () => {
    await api.customer('G1');
    const res = await api.balances(
      'G1',
      Q3.map((p) => [p, 49_999.99]),
    );
    assert.equal(res.status, 200);
    const a = retail((await res.json()) as TiersResponse);
    assert.equal(a.level, 'standard');
    assert.equal(a.progress?.toLevel, 'gold');
    const path = a.progress?.paths.find((p) => p.metric === 'avg_daily_balance');
    assert.equal(path?.gap, 1);
  });

  it('¥50,000.00 a month makes a customer 金卡, explained by the balance rule', async () => {
    await api.customer('G2');
    await api.balances(
      'G2',
      Q3.map((p) => [p, 50_000]),
    );
    const res = await api.get('/v1/subjects/G2/tiers');
    assert.equal(res.status, 200);
    const body = (await res.json()) as TiersResponse;
    const a = retail(body);
    assert.equal(a.level, 'gold');
    assert.equal(a.schemeInfo.levels.find((l) => l.key === 'gold')?.name['zh-CN'], '金卡');
    assert.equal(a.explanation.inputs.find((i) => i.metric === 'avg_daily_balance')?.value, 5_000_000);
    assert.equal(body.asOf, '2025-10');
    assert.ok(
      body.metrics.some((m) => m.key === 'avg_daily_balance'),
      'metric definitions for labels are included',
    );
    assert.equal(body.subject.displayName, '张*明', 'names are masked by default');
  });

  it('a customer with no level yet is asOf null, not "", to staff and to the customer alike', async () => {
    await api.customer('N0');
    const staff = (await (await api.get('/v1/subjects/N0/tiers')).json()) as TiersResponse;
    assert.deepEqual(staff.assignments, []);
    assert.equal(staff.asOf, null);
    const minted = await api.post('/v1/embed-tokens', { subject: 'N0', ttlSeconds: 600 });
    assert.equal(minted.status, 201);
    const { token } = (await minted.json()) as { token: string };
    const res = await client(f, () => token).get('/v1/subjects/N0/tiers');
    assert.equal(res.status, 200);
    const mine = (await res.json()) as TiersResponse;
    assert.equal(mine.audience, 'customer');
    assert.equal(mine.asOf, null);
  });

  it('household income and a premium card each reach 金卡 on their own', async () => {
    await api.customer('G3');
    await api.put('/v1/subjects/G3/metrics', { metrics: [{ metric: 'household_income', period: '2025-10', value: 20_000_000 }] });
    await api.customer('G4');
    const res = await api.put('/v1/subjects/G4/metrics', { metrics: [{ metric: 'premium_card', period: '2025-10', value: 1 }] });
    assert.equal(retail((await res.json()) as TiersResponse).level, 'gold');
    assert.equal(retail((await (await api.get('/v1/subjects/G3/tiers')).json()) as TiersResponse).level, 'gold');
  });

  it('¥1,500,000 a month is 钻石卡 with no next level', async () => {
    await api.customer('G5');
    const a = retail(
      (await (
        await api.balances(
          'G5',
          Q3.map((p) => [p, 1_500_000]),
        )
      ).json()) as TiersResponse,
    );
    assert.equal(a.level, 'diamond');
    assert.equal(a.progress, null);
  });

  it('a drop below the line downgrades only after three months, and the history shows it', async () => {
    await api.customer('H1');
    await api.balances('H1', [
      ['2025-01', 400_000],
      ['2025-02', 400_000],
      ['2025-03', 400_000],
    ]);
    let a = retail((await (await api.balances('H1', [['2025-04', 0]])).json()) as TiersResponse);
    assert.equal(a.level, 'platinum', 'one month below the line: kept');
    assert.equal(a.retention?.periodsBelow, 1);
    a = retail((await (await api.balances('H1', [['2025-05', 0]])).json()) as TiersResponse);
    assert.equal(a.level, 'platinum', 'two months below: still kept');
    assert.equal(a.retention?.periodsBelow, 2);
    // Sending the same month again (a correction) must not count another month below.
    a = retail((await (await api.balances('H1', [['2025-05', 0]])).json()) as TiersResponse);
    assert.equal(a.level, 'platinum');
    assert.equal(a.retention?.periodsBelow, 2);
    a = retail((await (await api.balances('H1', [['2025-06', 0]])).json()) as TiersResponse);
    assert.equal(a.level, 'standard', 'the third month below downgrades');

    const history = (await (await api.get('/v1/subjects/H1/history?scheme=retail-tier')).json()) as HistoryResponse;
    assert.deepEqual(
      history.items.map((e) => [e.from, e.to, e.reason]),
      [
        ['platinum', 'standard', 'rule'],
        [null, 'platinum', 'initial'],
      ],
    );
    assert.equal(history.nextCursor, null);
  });

  it('history pages with an opaque cursor, newest first, without repeats', async () => {
    await api.customer('P1');
    // Alternate far above and far below so every evaluated month changes the level of aml-test.
    for (let m = 1; m <= 5; m++) {
      const period = `2025-0${m}`;
      await api.put('/v1/subjects/P1/metrics', { metrics: [{ metric: 'aml_customer_risk', period, value: m % 2 ? 90 : 10 }] });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/subjects/P1/history?scheme=aml-test&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await (await api.get(url)).json()) as HistoryResponse;
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    assert.equal(seen.length, 5);
    assert.equal(new Set(seen).size, 5);
    assert.equal(pages, 3);
    const all = (await (await api.get('/v1/subjects/P1/history?scheme=aml-test')).json()) as HistoryResponse;
    assert.deepEqual(
      all.items.map((e) => e.id),
      seen,
    );
    assert.deepEqual(
      all.items.map((e) => e.to),
      ['high', 'low', 'high', 'low', 'high'],
    );
  });

  it('reads carry ETags and answer 304 while nothing changed', async () => {
    await api.customer('E1');
    await api.balances('E1', [['2025-10', 10_000]]);
    const first = await api.get('/v1/subjects/E1/tiers');
    const etag = first.headers.get('ETag');
    assert.ok(etag);
    const again = await api.get('/v1/subjects/E1/tiers', { 'If-None-Match': etag });
    assert.equal(again.status, 304);
    await api.balances('E1', [['2025-10', 900_000]]);
    const changed = await api.get('/v1/subjects/E1/tiers', { 'If-None-Match': etag });
    assert.equal(changed.status, 200);
    const history = await api.get('/v1/subjects/E1/history');
    assert.equal((await api.get('/v1/subjects/E1/history', { 'If-None-Match': history.headers.get('ETag') ?? '' })).status, 304);
  });

  it('a subject can be renamed but not change kind', async () => {
    assert.equal((await api.put('/v1/subjects/K1', { kind: 'customer', displayName: '李四' })).status, 201);
    const renamed = await api.put('/v1/subjects/K1', { kind: 'customer', displayName: '欧阳娜娜' });
    assert.equal(renamed.status, 200);
    assert.equal(((await renamed.json()) as { displayName: string }).displayName, '欧**娜');
    const conflict = await api.put('/v1/subjects/K1', { kind: 'employee', displayName: '李四' });
    assert.equal(conflict.status, 409);
  });

  it('the tiers a metrics write answers with are exactly what a read returns next', async () => {
    await api.customer('RW1');
    await api.balances('RW1', [['2025-08', 40_000]]);
    const written = await api.balances('RW1', [
      ['2025-09', 260_000],
      ['2025-10', 260_000],
    ]);
    assert.equal(written.status, 200);
    const read = await api.get('/v1/subjects/RW1/tiers');
    assert.deepEqual(await written.json(), await read.json());
  });

  it('twelve first writes of one subject at once create it once and all succeed', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => api.put('/v1/subjects/RACE1', { kind: 'customer', displayName: `王${i}` })),
    );
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    assert.equal((await api.get('/v1/subjects/RACE1/tiers')).status, 200);
    // Racing a different kind is refused, never half-applied.
    const mixed = await Promise.all([
      api.put('/v1/subjects/RACE2', { kind: 'customer', displayName: '甲' }),
      api.put('/v1/subjects/RACE2', { kind: 'employee', displayName: '乙' }),
    ]);
    assert.deepEqual(mixed.map((r) => r.status).sort(), [201, 409]);
  });
});
