import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApiKey, createApp, provisionTenant } from '@tierkit/api';
import { validatePolicyPack, type EntitlementDef, type EntitlementsResponse, type PolicyPack } from '@tierkit/core';
import { testPack } from '../support/test-pack.js';
import { forEachDialect, NOW } from '../support/api-fixture.js';

/** The test pack with a second lounge quota on the same usage metric, counted per month instead of per year. */
function packWithMonthlyLounge(): PolicyPack {
  const pack = structuredClone(testPack());
  const retail = pack.schemes.find((s) => s.key === 'retail-tier');
  assert.ok(retail?.entitlements?.platinum);
  const monthly: EntitlementDef = {
    kind: 'quota',
    key: 'lounge-monthly',
    amount: 2,
    period: 'month',
    usageMetric: 'lounge_visits',
    label: { 'zh-CN': '每月贵宾厅', 'zh-TW': '每月貴賓廳', en: 'lounge visits this month' },
  };
  const schemes = pack.schemes.map((s) =>
    s.key === 'retail-tier' ? { ...s, entitlements: { ...s.entitlements, platinum: [...(s.entitlements?.platinum ?? []), monthly] } } : s,
  );
  const checked = validatePolicyPack({ metrics: pack.metrics, schemes });
  assert.ok(checked.ok, checked.ok ? '' : JSON.stringify(checked.errors));
  return checked.pack;
}

forEachDialect('quota usage', (f) => {
  it('two quotas counting the same metric over a month and a year each get their own usage', async () => {
    await provisionTenant(f.db.db, { id: 'bank-q', name: 'bank-q', pack: packWithMonthlyLounge(), now: NOW });
    const { secret } = await createApiKey(f.db.db, { tenantId: 'bank-q', role: 'admin', label: 'quota', now: NOW });
    const app = createApp({ db: f.db.db, now: () => NOW, logError: () => undefined });
    const headers = { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' };
    assert.equal(
      (await app.request('/v1/subjects/Q1', { method: 'PUT', headers, body: JSON.stringify({ kind: 'customer', displayName: '李雷' }) }))
        .status,
      201,
    );
    const metrics = [
      ...['2025-08', '2025-09', '2025-10'].map((period) => ({ metric: 'avg_daily_balance', period, value: 40_000_000 })),
      { metric: 'lounge_visits', period: '2025-03', value: 2 },
      { metric: 'lounge_visits', period: '2025-09', value: 1 },
      { metric: 'lounge_visits', period: '2025-10', value: 1 },
    ];
    assert.equal((await app.request('/v1/subjects/Q1/metrics', { method: 'PUT', headers, body: JSON.stringify({ metrics }) })).status, 200);
    const body = (await (await app.request('/v1/subjects/Q1/entitlements', { headers })).json()) as EntitlementsResponse;
    const used = (key: string) => body.entitlements.find((e) => e.def.key === key)?.used;
    assert.equal(used('lounge'), 4, 'visits this year up to October');
    assert.equal(used('lounge-monthly'), 1, 'visits in October only');
    // Counted to October, the latest month with data, while November is under way: said, not "this month".
    for (const key of ['lounge', 'lounge-monthly'])
      assert.equal(body.entitlements.find((e) => e.def.key === key)?.usedThrough, '2025-10', key);
    assert.ok(body.entitlements.filter((e) => e.used === undefined).every((e) => e.usedThrough === undefined));
  });
});
