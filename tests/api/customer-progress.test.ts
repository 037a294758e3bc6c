import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, provisionTenant } from '@tierkit/api';
import { defaultPolicyPack, LOCALES, progressSentence, type TiersResponse } from '@tierkit/core';
import { progressView } from '../../packages/components/src/tier-badge/progress-text.js';
import { NOW, client, forEachDialect } from '../support/api-fixture.js';

/*
 * The nearest way up a customer is shown is one they can take (MetricDef.actionable): the demo's
 * C000006 read 「再增加 ¥110,269.26 家庭年收入即可升级金卡」 while ¥49,438.43 of balance would do, because
 * the declared income was relatively nearer. A second tenant whose catalogue marks nothing declared
 * keeps the relatively nearest path, so the preference is the catalogue's, not hard-wired.
 */

const MONTHS = ['2025-08', '2025-09', '2025-10'];
const SUBJECT = 'C6';

/** ¥561.57 of balance a month (¥49,438.43 short of gold's ¥50,000) and ¥89,730.74 declared income (¥110,269.26 short of ¥200,000). */
const metrics = [
  ...MONTHS.map((period) => ({ metric: 'avg_daily_balance', period, value: 56_157 })),
  { metric: 'household_income', period: '2025-09', value: 8_973_074 },
];

forEachDialect('a customer’s nearest path is one they can act on', (f) => {
  const tokens: Record<string, string> = {};
  const staff: Record<string, string> = {};

  before(async () => {
    const plain = { ...defaultPolicyPack, metrics: defaultPolicyPack.metrics.map(({ actionable: _flag, ...m }) => m) };
    for (const [tenant, pack] of [
      ['bank-default', defaultPolicyPack],
      ['bank-unflagged', plain],
    ] as const) {
      await provisionTenant(f.db.db, { id: tenant, name: tenant, pack, now: NOW });
      const officerKey = (await createApiKey(f.db.db, { tenantId: tenant, role: 'officer', label: 'backend', now: NOW })).secret;
      staff[tenant] = (await createApiKey(f.db.db, { tenantId: tenant, role: 'viewer', label: 'rm', now: NOW })).secret;
      const officer = client(f, () => officerKey);
      assert.equal((await officer.put(`/v1/subjects/${SUBJECT}`, { kind: 'customer', displayName: '王五' })).status, 201);
      const put = await officer.put(`/v1/subjects/${SUBJECT}/metrics`, { metrics });
      assert.equal(put.status, 200, await put.clone().text());
      const minted = await officer.post('/v1/embed-tokens', { subject: SUBJECT, ttlSeconds: 600 });
      assert.equal(minted.status, 201);
      tokens[tenant] = ((await minted.json()) as { token: string }).token;
    }
  });

  const nearest = async (credential: string) => {
    const res = await client(f, () => credential).get(`/v1/subjects/${SUBJECT}/tiers`);
    assert.equal(res.status, 200);
    const card = ((await res.json()) as TiersResponse).assignments.find((a) => a.scheme === 'retail-tier');
    assert.equal(card?.level, 'standard');
    assert.equal(card.progress?.toLevel, 'gold');
    return card.progress.paths[card.progress.nearest];
  };

  it('the customer (embed token) and their RM are shown the ¥49,438.43 of balance, not the income', async () => {
    for (const credential of [tokens['bank-default'], staff['bank-default']]) {
      const p = await nearest(credential as string);
      assert.equal(p?.metric, 'avg_daily_balance');
      assert.equal(p.gap, 4_943_843);
      assert.equal(p.currency, 'CNY');
    }
  });

  it('the customer’s badge and a sentence worded from the API’s path say the same ¥49,439, never the fen', async () => {
    const res = await client(f, () => tokens['bank-default'] as string).get(`/v1/subjects/${SUBJECT}/tiers`);
    const card = ((await res.json()) as TiersResponse).assignments.find((a) => a.scheme === 'retail-tier');
    const p = card?.progress?.paths[card.progress.nearest];
    assert.ok(card && p?.name);
    // The exact gap stays in the answer (¥49,438.43); what is said of it is whole yuan, rounded up.
    assert.equal(p.gap, 4_943_843);
    const said = { 'zh-CN': '再增加 ¥49,439 ', 'zh-TW': '再增加 CN¥49,439 ', en: 'CN¥49,439 more ' } as const;
    for (const locale of LOCALES) {
      const gold = card.schemeInfo.levels.find((l) => l.key === 'gold')?.name[locale] ?? '';
      const portal = progressSentence(p, p.name[locale], gold, locale);
      const badge: string | undefined = progressView(card, defaultPolicyPack.metrics, locale, 'CNY')?.text;
      assert.equal(badge, portal, locale);
      assert.ok(portal.startsWith(said[locale]), `${locale}: ${portal}`);
    }
  });

  it('the income path is still listed, and a catalogue without the flag keeps the relatively nearest (income)', async () => {
    const res = await client(f, () => tokens['bank-default'] as string).get(`/v1/subjects/${SUBJECT}/tiers`);
    const card = ((await res.json()) as TiersResponse).assignments.find((a) => a.scheme === 'retail-tier');
    assert.ok(card?.progress?.paths.some((p) => p.metric === 'household_income' && p.gap === 11_026_926));
    const p = await nearest(tokens['bank-unflagged'] as string);
    assert.equal(p?.metric, 'household_income');
    assert.equal(p.gap, 11_026_926);
  });
});
