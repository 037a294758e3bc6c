import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApiKey, createApp } from '@tierkit/api';
import type { StaffHistoryResponse, OverrideInfo, TiersResponse } from '@tierkit/core';
import { findSubjectByExternalId, insertOverride } from '@tierkit/db';
import { client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';

// There is no HTTP endpoint for overrides yet: they are stored the way an approval would store them.

const retail = async (res: Response) => {
  assert.equal(res.status, 200);
  const a = ((await res.json()) as TiersResponse).assignments.find((x) => x.scheme === 'retail-tier');
  assert.ok(a, 'the response has a retail-tier assignment');
  return a;
};
const retailLevel = async (res: Response) => {
  const a = await retail(res);
  return { level: a.level, decidedBy: a.explanation.decidedBy.kind };
};

const override = (id: string, level: string, expiresAt: string | null): OverrideInfo => ({
  id,
  scheme: 'retail-tier',
  level,
  mode: 'fixed',
  reason: 'VIP retention',
  expiresAt,
  requestedBy: 'rm-1',
  approvedBy: 'head-1',
});

async function approveOverride(f: ApiFixture, externalId: string, o: OverrideInfo, createdAt: string): Promise<void> {
  const subject = await findSubjectByExternalId(f.db.db, 'bank-a', externalId);
  assert.ok(subject, `${externalId} exists`);
  await insertOverride(f.db.db, 'bank-a', subject.id, o, createdAt);
}

forEachDialect('overrides', (f) => {
  it('a fixed override decides while in force, and the month after it expires follows the rules', async () => {
    // Its own app with a clock the test moves month by month, like a monthly batch would run.
    let clock = new Date('2025-06-20T04:00:00.000Z');
    const app = createApp({ db: f.db.db, now: () => clock, logError: () => undefined });
    const { secret } = await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'admin', label: 'clock', now: clock });
    const put = (body: unknown) =>
      app.request('/v1/subjects/OV1/metrics', {
        method: 'PUT',
        headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const balance = (period: string) => put({ metrics: [{ metric: 'avg_daily_balance', period, value: 0 }] });
    const created = await app.request('/v1/subjects/OV1', {
      method: 'PUT',
      headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'customer', displayName: '王芳' }),
    });
    assert.equal(created.status, 201);
    await approveOverride(f, 'OV1', override('ov-expiring', 'diamond', '2025-08-15T00:00:00Z'), clock.toISOString());

    // previousLevel / changed report what the customer saw, not the earned level the engine carries.
    const seen = (a: TiersResponse['assignments'][number]) => ({
      level: a.level,
      decidedBy: a.explanation.decidedBy.kind,
      previousLevel: a.previousLevel,
      changed: a.changed,
    });
    assert.deepEqual(seen(await retail(await balance('2025-06'))), {
      level: 'diamond',
      decidedBy: 'override',
      previousLevel: null,
      changed: true,
    });
    clock = new Date('2025-07-20T04:00:00.000Z');
    assert.deepEqual(seen(await retail(await balance('2025-07'))), {
      level: 'diamond',
      decidedBy: 'override',
      previousLevel: 'diamond',
      changed: false,
    });
    // The same month sent again (a correction) still reports what was shown before that month.
    assert.deepEqual(seen(await retail(await balance('2025-07'))), {
      level: 'diamond',
      decidedBy: 'override',
      previousLevel: 'diamond',
      changed: false,
    });
    clock = new Date('2025-08-20T04:00:00.000Z');
    // No balance at all: the diamond level was never earned, so there is nothing for hysteresis to hold.
    assert.deepEqual(seen(await retail(await balance('2025-08'))), {
      level: 'standard',
      decidedBy: 'default',
      previousLevel: 'diamond',
      changed: true,
    });
    clock = new Date('2025-09-20T04:00:00.000Z');
    assert.deepEqual(seen(await retail(await balance('2025-09'))), {
      level: 'standard',
      decidedBy: 'default',
      previousLevel: 'standard',
      changed: false,
    });

    const history = (await (
      await app.request('/v1/subjects/OV1/history?scheme=retail-tier', {
        headers: { Authorization: `Bearer ${secret}` },
      })
    ).json()) as StaffHistoryResponse;
    assert.deepEqual(
      history.items.map((e) => [e.from, e.to, e.reason]),
      [
        ['diamond', 'standard', 'override-expired'],
        [null, 'diamond', 'override'],
      ],
    );
  });

  it('a catch-up over several months applies an override only from the month it was approved', async () => {
    const api = client(f);
    await api.customer('OV2');
    await api.balances('OV2', [['2025-07', 0]]);
    await approveOverride(f, 'OV2', override('ov-september', 'gold', null), '2025-09-10T02:00:00.000Z');
    // August, September and October arrive together (fixture clock: 2025-11-15).
    const res = await api.balances('OV2', [
      ['2025-08', 0],
      ['2025-09', 0],
      ['2025-10', 0],
    ]);
    assert.deepEqual(await retailLevel(res), { level: 'gold', decidedBy: 'override' });

    const history = (await (await api.get('/v1/subjects/OV2/history?scheme=retail-tier')).json()) as StaffHistoryResponse;
    assert.deepEqual(
      history.items.map((e) => [e.from, e.to, e.reason, e.note]),
      [
        ['standard', 'gold', 'override', null],
        [null, 'standard', 'initial', null],
      ],
    );
  });

  it('an override approved after the latest month with data still decides the level shown now', async () => {
    const api = client(f);
    await api.customer('OV3');
    await api.balances('OV3', [['2025-09', 0]]);
    await approveOverride(f, 'OV3', override('ov-november', 'platinum', null), '2025-11-14T09:00:00.000Z');
    const res = await api.balances('OV3', [['2025-10', 0]]);
    assert.deepEqual(await retailLevel(res), { level: 'platinum', decidedBy: 'override' });
  });
});
