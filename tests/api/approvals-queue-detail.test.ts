import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { mintStaffToken } from '@tierkit/api';
import { putStaffGranted, type Send } from '../support/granted-staff.js';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, requestOverride, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';
import { mainlandWordsIn } from '../support/zh-tw-words.js';
import { expiryText } from '../../packages/api/src/services/approvals-queue.js';

interface Item {
  kind: string;
  id: string;
  subject: string | null;
  summary: string;
  reason: string | null;
  currentLevel: string | null;
  fromLevel: string | null;
  level: string | null;
  mode: string | null;
  expiresAt: string | null;
  period: string | null;
}
interface Page {
  items: Item[];
  nextCursor: string | null;
}

/**
 * What a checker decides on: an override's reason, the level it replaces (the subject's now) and the
 * one it asks for, its mode and expiry; a sign-off's levels and month. Read for the page's items.
 */
forEachDialect('approvals queue: what each item asks and why', (f) => {
  let t: FourEyesTenant;
  const page = async (query = '') => ok<Page>(await t.req('approver', 'GET', `/v1/approvals${query}`));

  before(async () => {
    t = await fourEyesTenant(f, 'queue-detail', START);
    for (const id of ['D1', 'D2', 'D3', 'D4']) {
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
    }
    // D1 is standard now (6,000 yuan is below the test pack's gold line), below the diamond floor asked
    // for it; D2 has no level yet; D4 is diamond, above the gold floor asked for it.
    await ok(
      await t.req('officer', 'PUT', '/v1/subjects/D4/metrics', {
        metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 90_000_000_00 }],
      }),
    );
    await ok(
      await t.req('officer', 'PUT', '/v1/subjects/D1/metrics', {
        metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 600_000 }],
      }),
    );
    t.setClock(new Date('2025-11-15T05:00:00.000Z'));
    await ok(
      await requestOverride(t, 'D1', {
        level: 'diamond',
        mode: 'floor',
        reason: 'Family office moving its deposits here',
        expiresAt: '2026-12-31T15:59:59.000Z',
      }),
      201,
    );
    t.setClock(new Date('2025-11-15T06:00:00.000Z'));
    await ok(await requestOverride(t, 'D2', { reason: 'Staff account' }), 201);
    t.setClock(new Date('2025-11-15T07:00:00.000Z'));
    await ok(
      await t.req('officer', 'PUT', '/v1/subjects/D3/metrics', {
        metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: 99 }],
      }),
    );
    t.setClock(new Date('2025-11-15T07:30:00.000Z'));
    // Expiring at the midnight that starts 1 January in Shanghai: through 31 December.
    await ok(
      await requestOverride(t, 'D4', {
        level: 'gold',
        mode: 'floor',
        reason: 'Keeps gold whatever',
        expiresAt: '2026-12-31T16:00:00.000Z',
      }),
      201,
    );
    t.setClock(new Date('2025-11-15T08:00:00.000Z'));
  });

  it('an override shows its reason, the level it replaces and the one it asks, its mode and expiry', async () => {
    const [d1, d2] = (await page('?kind=override')).items;
    assert.ok(d1 && d2);
    const current = (
      await ok<{ assignments: { scheme: string; level: string }[] }>(
        await t.req('approver', 'GET', '/v1/subjects/D1/tiers?scheme=retail-tier'),
      )
    ).assignments[0]?.level;
    assert.equal(current, 'standard');
    assert.deepEqual(
      [d1.reason, d1.currentLevel, d1.fromLevel, d1.level, d1.mode, d1.expiresAt, d1.period],
      ['Family office moving its deposits here', current, current, 'diamond', 'floor', '2026-12-31T15:59:59.000Z', null],
    );
    assert.deepEqual(
      [d2.reason, d2.currentLevel, d2.fromLevel, d2.level, d2.mode, d2.expiresAt],
      ['Staff account', null, null, 'gold', 'fixed', null],
    );
  });

  it('summaries say from → to, the request form’s words for the mode, and the expiry as the bank’s day, not UTC', async () => {
    const summaries = async (locale: string) => (await page(`?kind=override&locale=${locale}`)).items.map((i) => i.summary);
    // 15:59:59 UTC on 31 December is 23:59:59 in Shanghai, the bank's zone: still the 31st.
    const [zh] = await summaries('zh-CN');
    assert.equal(zh, '客户等级: 普通 → 钻石卡 (不低于该等级)，至 2026-12-31');
    const [, en] = await summaries('en');
    assert.equal(en, 'Customer tier: — → Gold (exactly this level)');
    const tw = await summaries('zh-TW');
    assert.match(tw[0] ?? '', /\(不低於該等級\)/);
    assert.match(tw[1] ?? '', /\(固定為該等級\)$/);
    for (const s of [zh, en, ...tw]) assert.doesNotMatch(s ?? '', /保底|T\d\d:|Z\b/);
  });

  it('a floor at or below the level now promises no change: no arrow, no fromLevel, the level now by name', async () => {
    const d4 = (await page('?kind=override&subject=D4&locale=zh-CN')).items[0];
    assert.ok(d4);
    assert.deepEqual([d4.currentLevel, d4.fromLevel, d4.level, d4.mode], ['diamond', null, 'gold', 'floor']);
    // Expiring at the midnight that starts 1 January in the bank's zone: its last day is 31 December.
    assert.equal(d4.summary, '客户等级: 不低于 金卡（当前 钻石卡），至 2026-12-31');
    const en = (await page('?kind=override&subject=D4&locale=en')).items[0];
    assert.equal(en?.summary, 'Customer tier: never below Gold (now Diamond), until 2026-12-31');
  });

  it('a level sign-off carries its levels and month, no reason; a policy version none of these', async () => {
    const [d3] = (await page('?kind=level')).items;
    assert.ok(d3);
    assert.deepEqual(
      [d3.id, d3.reason, d3.fromLevel, d3.level, d3.mode, d3.expiresAt, d3.period],
      ['D3:aml-test', null, null, 'high', null, null, '2025-10'],
    );
    // The level applies while it waits (this pack's `whilePending: apply`): the current level says so.
    assert.equal(d3.currentLevel, 'high');
    const draft = await ok<{ version: number }>(await t.req('officer', 'POST', '/v1/policies/aml-test/drafts', {}), 201);
    await ok(await t.req('officer', 'POST', `/v1/policies/aml-test/versions/${draft.version}/submit`, {}));
    // The words around the labels in zh-TW are Taiwan's, and the console's on the same screen (待審核,
    // not the mainland's 待審批); the labels are the tenant's.
    const twPolicy = (await page('?kind=policy&locale=zh-TW')).items.map((i): [string, string] => [i.id, i.summary]);
    assert.deepEqual(mainlandWordsIn(twPolicy), []);
    assert.match(twPolicy[0]?.[1] ?? '', /待審核$/);
    const [p] = (await page('?kind=policy')).items;
    assert.ok(p);
    assert.deepEqual(
      [p.reason, p.currentLevel, p.fromLevel, p.level, p.mode, p.expiresAt, p.period],
      [null, null, null, null, null, null, null],
    );
    await ok(await t.req('approver', 'POST', `/v1/policies/aml-test/versions/${draft.version}/reject`, { note: 'not now' }));
  });

  it('each page reads its own items’ levels: the second page’s match the first’s when read whole', async () => {
    const whole = (await page()).items;
    const first = await page('?limit=1');
    assert.ok(first.nextCursor);
    const rest = await page(`?limit=5&cursor=${first.nextCursor}`);
    assert.deepEqual(
      [...first.items, ...rest.items].map((i) => [i.id, i.currentLevel, i.fromLevel]),
      whole.map((i) => [i.id, i.currentLevel, i.fromLevel]),
    );
  });

  it('a book-scoped approver (a team lead) reads only the requests in their book: no other book’s reasons reach them', async () => {
    const send: Send = (credential, method, path, body) => t.req({ credential }, method, path, body);
    assert.equal(await putStaffGranted(send, t.keys.admin, t.keys.admin2, 'RMX', { name: '李雷', role: 'approver', scope: 'book' }), 202);
    await ok(await t.req('officer', 'PUT', '/v1/subjects/D1/manager', { manager: 'RMX' }));
    const token = (
      await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: 'RMX', ttlSeconds: 900, now: new Date('2025-11-15T08:00:00.000Z') })
    ).token;
    const res = await t.req({ credential: token }, 'GET', '/v1/approvals');
    assert.equal(res.status, 200);
    const text = await res.clone().text();
    // D2's request is for a customer outside RMX's book: neither it nor its reason is theirs to read.
    assert.doesNotMatch(text, /Staff account/);
    const body = (await res.json()) as { items: { subject: string; reason: string }[] };
    assert.deepEqual(
      body.items.map((i) => [i.subject, i.reason]),
      [['D1', 'Family office moving its deposits here']],
    );
  });
});

describe('an override expiry as the bank reads it', () => {
  it('a day when it ends with one (the last second of a day, or the midnight that starts the next), else the wall-clock time', () => {
    assert.equal(expiryText('2026-12-31T15:59:59.000Z', 'Asia/Shanghai'), '2026-12-31');
    assert.equal(expiryText('2026-12-31T16:00:00.000Z', 'Asia/Shanghai'), '2026-12-31');
    assert.equal(expiryText('2026-12-31T07:30:00.000Z', 'Asia/Shanghai'), '2026-12-31 15:30');
    assert.equal(expiryText('2026-12-31T16:00:01.000Z', 'Asia/Shanghai'), '2027-01-01 00:00:01');
    // New York's midnight that starts 9 March, the day after its clocks spring forward.
    assert.equal(expiryText('2026-03-09T04:00:00.000Z', 'America/New_York'), '2026-03-08');
  });
});
