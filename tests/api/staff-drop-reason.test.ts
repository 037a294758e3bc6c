import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { mintStaffToken } from '@tierkit/api';
import { forEachDialect } from '../support/api-fixture.js';
import { approvedOverride, fourEyesTenant, ok, START, type FourEyesTenant, type Who } from '../support/four-eyes-fixture.js';
import { readersTestPack } from '../support/test-pack.js';

interface Drop {
  text: Record<string, string>;
}
interface History {
  items: { scheme: string; from: string | null; to: string; reason: string; because?: Drop }[];
}
interface Tiers {
  assignments: { scheme: string; level: string; previousLevel: string | null; because?: Drop }[];
}
interface List {
  items: { id: string; standing?: { because?: Drop } }[];
}

const RICH = 6_000_000;
const POOR = 1_000_000;

/*
 * Staff read why a level was lowered (`because`) only where the customer was told so: a rules drop of
 * a customer scheme (packages/api/README.md, "What a customer sees"). A book-scoped RM, whose view cuts
 * the AML grade, reads it as any staff member does; an override's expiry (history: `override-expired`,
 * no reason) and a staff risk grade's move down (高 → 低 is a relief, not a lost level) carry none.
 * Gold needs a 3-month average daily balance of ¥50,000 and holds for 3 reviews below it.
 */
forEachDialect('staff read why a level was lowered only for a rules drop the customer was told of', (f) => {
  let t: FourEyesTenant;
  let rm: Who;
  const month = (who: Who, id: string, metric: string, period: string, value: number) =>
    t.req(who, 'PUT', `/v1/subjects/${id}/metrics`, { metrics: [{ metric, period, value }] });
  const balance = (id: string, period: string, value: number) => month('officer', id, 'avg_daily_balance', period, value);
  const customer = async (id: string) =>
    ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
  const tiers = async (who: Who, id: string, scheme: string) =>
    (await ok<Tiers>(await t.req(who, 'GET', `/v1/subjects/${id}/tiers`))).assignments.find((a) => a.scheme === scheme);
  const history = async (who: Who, id: string, scheme: string) =>
    (await ok<History>(await t.req(who, 'GET', `/v1/subjects/${id}/history?scheme=${scheme}&limit=100`))).items;

  before(async () => {
    t = await fourEyesTenant(f, 'staff-drop-reason', START, readersTestPack());
    await ok(await t.req('admin', 'PUT', '/v1/staff/RM1', { name: '王芳', role: 'officer', scope: 'book' }), 201);
    rm = { credential: (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: 'RM1', ttlSeconds: 900, now: START })).token };
    // DROP: gold from April; below from July to September, the third month below drops it to standard.
    await customer('DROP');
    for (const [i, value] of [RICH, RICH, RICH, RICH, RICH, POOR, POOR, POOR].entries())
      await ok(await balance('DROP', `2025-${String(2 + i).padStart(2, '0')}`, value));
    await ok(await t.req('officer', 'PUT', '/v1/subjects/DROP/manager', { manager: 'RM1' }));
  });

  it('a book-scoped RM, whose view leaves out the AML grade, reads the rules drop’s why in the history', async () => {
    const items = await history(rm, 'DROP', 'retail-tier');
    const down = items.find((e) => e.from === 'gold' && e.to === 'standard');
    assert.ok(down, JSON.stringify(items));
    assert.match(down.because?.text['zh-CN'] ?? '', /^连续3个月未达到金卡标准/);
  });

  it('after a policy change lowered a level: no rules drop on /tiers or the downgrade list (the customer read 政策调整)', async () => {
    // Gold until September; October and November below its line: held in grace, 3 reviews allowed.
    await customer('POL');
    for (const [i, value] of [RICH, RICH, RICH, RICH, RICH, POOR, POOR].entries())
      await ok(await balance('POL', `2025-${String(5 + i).padStart(2, '0')}`, value));
    assert.equal((await tiers('officer', 'POL', 'retail-tier'))?.level, 'gold');
    // Version 2 allows 2 reviews below: approved from November, it lowers POL in the month judged already.
    const draft = await ok<{ version: number; document: unknown }>(
      await t.req('officer', 'POST', '/v1/policies/retail-tier/drafts', {}),
      201,
    );
    const document = JSON.parse(JSON.stringify(draft.document).replace('"downgradeAfterPeriods":3', '"downgradeAfterPeriods":2'));
    await ok(await t.req('officer', 'PUT', `/v1/policies/retail-tier/versions/${draft.version}`, { document }));
    const sent = await ok<{ contentHash: string }>(
      await t.req('officer', 'POST', `/v1/policies/retail-tier/versions/${draft.version}/submit`, {}),
    );
    const approved = await ok<{ reevaluation: { status: string } }>(
      await t.req('approver', 'POST', `/v1/policies/retail-tier/versions/${draft.version}/approve`, {
        contentHash: sent.contentHash,
        effectiveFrom: '2025-11-01',
        confirmRetier: true,
      }),
    );
    assert.equal(approved.reevaluation.status, 'done', JSON.stringify(approved));
    const latest = (await history('officer', 'POL', 'retail-tier'))[0];
    assert.deepEqual([latest?.from, latest?.to, latest?.reason], ['gold', 'standard', 'policy-change']);
    const a = await tiers('officer', 'POL', 'retail-tier');
    assert.deepEqual([a?.previousLevel, a?.level], ['gold', 'standard']);
    assert.equal(a?.because, undefined, 'a policy change, not three months below the criteria');
    const list = await ok<List>(await t.req('officer', 'GET', '/v1/subjects?scheme=retail-tier&change=down&levelOf=retail-tier'));
    const row = list.items.find((s) => s.id === 'POL');
    assert.ok(row, JSON.stringify(list));
    assert.equal(row.standing?.because, undefined);
  });
  it('after a gold override expires: no made-up drop on /tiers or the downgrade list', async () => {
    await customer('EXP');
    for (const period of ['2025-08', '2025-09', '2025-10']) await ok(await balance('EXP', period, POOR));
    await approvedOverride(t, 'EXP', { expiresAt: '2025-12-01T00:00:00.000Z' });
    assert.equal((await tiers('viewer', 'EXP', 'retail-tier'))?.level, 'gold');
    // The month after: the override has ended, and November's data are the customer's own.
    t.setClock(new Date('2025-12-05T04:00:00.000Z'));
    await ok(await balance('EXP', '2025-11', POOR));
    const latest = (await history('officer', 'EXP', 'retail-tier'))[0];
    assert.deepEqual([latest?.from, latest?.to, latest?.reason, latest?.because], ['gold', 'standard', 'override-expired', undefined]);
    const a = await tiers('officer', 'EXP', 'retail-tier');
    assert.deepEqual([a?.previousLevel, a?.level], ['gold', 'standard']);
    assert.equal(a?.because, undefined, 'the customer was told of no criteria missed');
    const list = await ok<List>(await t.req('officer', 'GET', '/v1/subjects?scheme=retail-tier&change=down&levelOf=retail-tier'));
    const row = list.items.find((s) => s.id === 'EXP');
    assert.ok(row, JSON.stringify(list));
    assert.equal(row.standing?.because, undefined);
    t.setClock(START);
  });

  it('a staff risk grade moved down (高 → 低) reads as no lost level', async () => {
    await customer('RISK');
    await ok(await month('approver', 'RISK', 'aml_customer_risk', '2025-09', 95));
    await ok(await month('approver', 'RISK', 'aml_customer_risk', '2025-10', 10));
    const items = await history('approver', 'RISK', 'aml-test');
    const down = items.find((e) => e.from === 'high' && e.to === 'low');
    assert.ok(down, JSON.stringify(items));
    assert.equal(down.because, undefined);
    const a = await tiers('approver', 'RISK', 'aml-test');
    assert.deepEqual([a?.previousLevel, a?.level, a?.because], ['high', 'low', undefined]);
  });
});
