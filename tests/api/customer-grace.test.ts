import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, createApp, provisionTenant } from '@tierkit/api';
import {
  defaultPolicyPack,
  type CustomerAssignment,
  type CustomerTierEvent,
  type HistoryResponse,
  type StaffTiersResponse,
  type TiersResponse,
} from '@tierkit/core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { NOW, client, forEachDialect } from '../support/api-fixture.js';

/*
 * A customer whose card tier is in its grace period reads what keeps it, and one whose tier dropped
 * reads why — in the customer scheme's published criteria (packages/api/README.md, "What a customer
 * sees"): the metric's name with its measure, the amount, the months. Never the rule id, the policy
 * version or a staff scheme's words. Gold needs a 3-month average daily balance of ¥50,000 and keeps
 * the level for 3 reviews below it (packages/core/src/pack/retail-tier.ts).
 */

const TENANT = 'bank-grace';
const GRACE = 'GRACE1';
const DROPPED = 'DROP1';
const RICH = 6_000_000;
const POOR = 1_000_000;
const months = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `2025-${String(from + i).padStart(2, '0')}`);
const balances = (entries: [string[], number][]) => ({
  metrics: entries.flatMap(([periods, value]) => periods.map((period) => ({ metric: 'avg_daily_balance', period, value }))),
});
const retail = (t: TiersResponse) => t.assignments.find((a) => a.scheme === 'retail-tier') as CustomerAssignment;

forEachDialect('a customer reads what keeps a level in grace and why one dropped', (f) => {
  let officerKey = '';
  const tokens: Record<string, string> = {};

  before(async () => {
    const db = f.db.db;
    await provisionTenant(db, { id: TENANT, name: 'grace', pack: defaultPolicyPack, now: NOW });
    officerKey = (await createApiKey(db, { tenantId: TENANT, role: 'officer', label: 'backend', now: NOW })).secret;
    const officer = client(f, () => officerKey);
    for (const id of [GRACE, DROPPED]) await officer.customer(id);
    // One upload a month, as a bank's monthly feed: each is evaluated in turn, so the history has the moves.
    const feed = async (id: string, values: readonly number[]) => {
      for (const [i, value] of values.entries()) {
        const res = await officer.put(`/v1/subjects/${id}/metrics`, balances([[months(2 + i, 2 + i), value]]));
        assert.equal(res.status, 200, await res.text());
      }
    };
    // Gold from April; July's month of ¥10,000 takes the 3-month average to ¥43,333: one month below.
    await feed(GRACE, [RICH, RICH, RICH, RICH, RICH, POOR]);
    // Below from July to September: the third month below drops gold to standard.
    await feed(DROPPED, [RICH, RICH, RICH, RICH, RICH, POOR, POOR, POOR]);
    for (const id of [GRACE, DROPPED]) {
      const minted = await officer.post('/v1/embed-tokens', { subject: id, ttlSeconds: 600 });
      assert.equal(minted.status, 201);
      tokens[id] = ((await minted.json()) as { token: string }).token;
    }
  });

  it('in grace: the measure, the amount in fen with its currency, the months left and the next review, in three locales', async () => {
    const tiers = (await (await client(f, () => tokens[GRACE]).get(`/v1/subjects/${GRACE}/tiers`)).json()) as TiersResponse;
    assert.equal(tiers.audience, 'customer');
    const a = retail(tiers);
    assert.equal(a.level, 'gold');
    const keep = a.keep;
    assert.ok(keep, 'a level in grace says what keeps it');
    assert.equal(keep.toLevel, 'standard');
    assert.equal(keep.periodsBelow, 1);
    assert.equal(keep.periodsLeft, 2);
    assert.equal(keep.nextReview, '2025-08');
    const balance = keep.lines.find((l) => l.metric === 'avg_daily_balance');
    assert.deepEqual(balance, {
      metric: 'avg_daily_balance',
      name: {
        'zh-CN': '月日均资产（近3个月平均）',
        'zh-TW': '月平均資產餘額（近3個月平均）',
        en: 'monthly average daily balance (average of the last 3 months)',
      },
      window: { fn: 'avg', months: 3, missing: 'zero' },
      unit: 'money',
      currency: 'CNY',
      required: 5_000_000,
    });
    assert.match(keep.text['zh-CN'], /^保级期：月日均资产（近3个月平均）需达到 ¥50,000，或.*，剩余 2 个月$/);
    assert.match(keep.text['zh-TW'], /^保級期：月平均資產餘額（近3個月平均）需達到 CN¥50,000，或.*，剩餘 2 個月$/);
    assert.match(
      keep.text.en,
      /^Grace period: keep monthly average daily balance \(average of the last 3 months\) at or above CN¥50,000, or .*, 2 months left$/,
    );
    // Nothing of how the bank runs the policy: no rule id, no policy id or version.
    const text = JSON.stringify(keep);
    for (const staff of ['gold.balance', 'retail-tier', 'policyVersion', 'ruleId', 'note']) assert.ok(!text.includes(staff), staff);
  });

  it('staff read the whole assignment without the customer’s `keep`; a customer out of grace gets none', async () => {
    const staff = (await (await client(f, () => officerKey).get(`/v1/subjects/${GRACE}/tiers`)).json()) as TiersResponse;
    assert.equal(staff.audience, 'staff');
    const a = staff.assignments.find((x) => x.scheme === 'retail-tier');
    assert.equal(a?.retention?.periodsBelow, 1);
    assert.equal((a as CustomerAssignment).keep, undefined);
    const dropped = retail((await (await client(f, () => tokens[DROPPED]).get(`/v1/subjects/${DROPPED}/tiers`)).json()) as TiersResponse);
    assert.equal(dropped.level, 'standard');
    assert.equal(dropped.keep, undefined, 'the lowest level has nothing to keep');
  });

  it('a downgrade in the customer’s history says why, in the criteria of the level lost; the upgrade does not', async () => {
    const page = (await (
      await client(f, () => tokens[DROPPED]).get(`/v1/subjects/${DROPPED}/history?scheme=retail-tier&limit=100`)
    ).json()) as HistoryResponse;
    assert.equal(page.audience, 'customer');
    const events = page.items as CustomerTierEvent[];
    const down = events.find((e) => e.from === 'gold' && e.to === 'standard');
    assert.ok(down?.because, `the drop says why: ${JSON.stringify(events)}`);
    assert.equal(down.period, '2025-09');
    assert.equal(down.because.level, 'gold');
    assert.equal(down.because.periods, 3);
    assert.equal(down.because.lines[0]?.required, 5_000_000);
    assert.match(down.because.text['zh-CN'], /^连续3个月未达到金卡标准：月日均资产（近3个月平均）低于 ¥50,000；/);
    assert.match(down.because.text['zh-TW'], /^連續3個月未達到金卡標準：月平均資產餘額（近3個月平均）低於 CN¥50,000；/);
    assert.match(
      down.because.text.en,
      /^Below the Gold criteria for 3 months in a row: monthly average daily balance .* under CN¥50,000; /,
    );
    const up = events.find((e) => e.to === 'gold');
    assert.ok(up, 'the upgrade is in the history');
    assert.equal(up.because, undefined);
    const staff = (await (
      await client(f, () => officerKey).get(`/v1/subjects/${DROPPED}/history?scheme=retail-tier&limit=100`)
    ).json()) as HistoryResponse;
    assert.equal(staff.audience, 'staff');
    const same = staff.items.find((e) => e.id === down.id);
    assert.ok(same && 'ruleId' in same && 'policyVersion' in same, 'staff keep the rule id and policy version');
    // The RM may tell the customer at least what the customer's own app tells them: the same sentence.
    assert.deepEqual(same.because, down.because, 'staff read the why the customer reads');
    assert.equal(staff.items.find((e) => e.to === 'gold')?.because, undefined, 'not on the upgrade');
  });

  it('staff read the same why on the lowered level itself (/tiers, in a locale too) and on the downgrade list', async () => {
    const officer = client(f, () => officerKey);
    const tiers = (await (await officer.get(`/v1/subjects/${DROPPED}/tiers`)).json()) as StaffTiersResponse;
    const a = tiers.assignments.find((x) => x.scheme === 'retail-tier');
    assert.equal(a?.level, 'standard');
    assert.equal(a?.previousLevel, 'gold');
    assert.match(a?.because?.text['zh-CN'] ?? '', /^连续3个月未达到金卡标准：月日均资产（近3个月平均）低于 ¥50,000；/);
    // Its rule's own label is what the lower level met, not why the higher one was lost.
    assert.notEqual(a?.because?.text['zh-CN'], a?.explanation.decidedBy.label['zh-CN']);
    const cut = (await (await officer.get(`/v1/subjects/${DROPPED}/tiers?locale=en`)).json()) as {
      assignments: { scheme: string; because?: { text: Record<string, string> } }[];
    };
    const en = cut.assignments.find((x) => x.scheme === 'retail-tier')?.because?.text;
    assert.deepEqual(Object.keys(en ?? {}), ['en'], 'cut to the locale asked for');
    assert.match(en?.en ?? '', /^Below the Gold criteria for 3 months/);
    const held = (await (await officer.get(`/v1/subjects/${GRACE}/tiers`)).json()) as StaffTiersResponse;
    assert.equal(held.assignments.find((x) => x.scheme === 'retail-tier')?.because, undefined, 'a level held in grace was not lowered');
    const customer = retail((await (await client(f, () => tokens[DROPPED]).get(`/v1/subjects/${DROPPED}/tiers`)).json()) as TiersResponse);
    assert.equal((customer as { because?: unknown }).because, undefined, 'the customer reads it in their history, not on /tiers');
    const list = (await (await officer.get('/v1/subjects?scheme=retail-tier&change=down&levelOf=retail-tier')).json()) as {
      items: { id: string; standing?: { because?: { text: Record<string, string> } } }[];
    };
    const row = list.items.find((s) => s.id === DROPPED);
    assert.ok(row, JSON.stringify(list));
    assert.deepEqual(row.standing?.because, a?.because);
  });

  it('another tenant’s key sees neither customer', async () => {
    for (const id of [GRACE, DROPPED]) assert.equal((await client(f, 'b').get(`/v1/subjects/${id}/tiers`)).status, 404);
  });

  it('the OpenAPI document’s customer shapes are strict: a staff field on `keep` or `because` fails it', async () => {
    const app = createApp({ db: f.db.db, now: () => NOW });
    const doc = (await (await app.request('/openapi.json')).json()) as { components: { schemas: Record<string, object> } };
    const ajv = new Ajv2020({ strict: false });
    ajv.addSchema({ $id: 'doc', components: doc.components });
    const valid = (name: string, body: unknown) => ajv.validate({ $ref: `doc#/components/schemas/${name}` }, body);
    const tiers = (await (await client(f, () => tokens[GRACE]).get(`/v1/subjects/${GRACE}/tiers`)).json()) as TiersResponse;
    const a = retail(tiers);
    assert.ok(valid('CustomerAssignment', a), JSON.stringify(ajv.errors));
    assert.ok(!valid('CustomerAssignment', { ...a, keep: { ...a.keep, ruleId: 'gold.balance' } }), 'a rule id on keep');
    const line = a.keep?.lines[0];
    assert.ok(!valid('CustomerAssignment', { ...a, keep: { ...a.keep, lines: [{ ...line, note: 'VIP' }] } }), 'a note on a line');
    const page = (await (
      await client(f, () => tokens[DROPPED]).get(`/v1/subjects/${DROPPED}/history?limit=100`)
    ).json()) as HistoryResponse;
    const down = (page.items as CustomerTierEvent[]).find((e) => e.because);
    assert.ok(down && valid('CustomerTierEvent', down), JSON.stringify(ajv.errors));
    assert.ok(!valid('CustomerTierEvent', { ...down, because: { ...down.because, policyVersion: 1 } }), 'a policy version on because');
    const staffPage = (await (
      await client(f, () => officerKey).get(`/v1/subjects/${DROPPED}/history?limit=100`)
    ).json()) as HistoryResponse;
    const staffDown = staffPage.items.find((e) => e.because);
    assert.ok(staffDown && valid('TierEvent', staffDown), JSON.stringify(ajv.errors));
    const staffTiers = (await (await client(f, () => officerKey).get(`/v1/subjects/${DROPPED}/tiers`)).json()) as StaffTiersResponse;
    const lowered = staffTiers.assignments.find((x) => x.because);
    assert.ok(lowered && valid('Assignment', lowered), JSON.stringify(ajv.errors));
  });
});
