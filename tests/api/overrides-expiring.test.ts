import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { mintStaffToken } from '@tierkit/api';
import { listOverrides } from '@tierkit/db';
import { watchStatements } from '../support/watched-statements.js';
import { forEachDialect } from '../support/api-fixture.js';
import {
  approvedOverride,
  fourEyesTenant,
  ok,
  requestOverride,
  START,
  type FourEyesTenant,
  type Who,
} from '../support/four-eyes-fixture.js';

interface Page {
  items: { id: string; subject: string; expiresAt: string | null; status: string }[];
  nextCursor: string | null;
}
interface Problem {
  errors?: { path: string; code?: string }[];
}

/**
 * Overrides expiring soon (packages/api/README.md, "Four eyes"): an RM's month starts with the overrides
 * about to lapse in their book. `expiresBefore` is a day of the bank's calendar (Asia/Shanghai here): an
 * expiry at 2025-11-30T16:00Z is already 1 December there, so not before it. A book-scoped credential
 * reads its book's only; pending, revoked and already expired ones are not "expiring".
 */
forEachDialect('overrides expiring soon', (f) => {
  let t: FourEyesTenant;
  let rm: Who;
  const subjects = async (who: Who, query: string) =>
    (await ok<Page>(await t.req(who, 'GET', `/v1/overrides?${query}`))).items.map((o) => o.subject).sort();

  before(async () => {
    t = await fourEyesTenant(f, 'expiring', START);
    for (const id of ['RM1', 'RM2'])
      await ok(await t.req('admin', 'PUT', `/v1/staff/${id}`, { name: id, role: 'officer', scope: 'book' }), 201);
    rm = { credential: (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: 'RM1', now: START })).token };
    const book = { SOON: 'RM1', EDGE: 'RM1', LATER: 'RM1', NEVER: 'RM1', ASKED: 'RM1', OTHER: 'RM2' };
    for (const [id, manager] of Object.entries(book)) {
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '陶怡' }), 201);
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}/manager`, { manager }));
    }
    // 23:59 on 30 November in Shanghai; EDGE at midnight, 1 December there.
    await approvedOverride(t, 'SOON', { expiresAt: '2025-11-30T15:59:00.000Z' });
    await approvedOverride(t, 'EDGE', { expiresAt: '2025-11-30T16:00:00.000Z' });
    await approvedOverride(t, 'LATER', { expiresAt: '2026-03-01T00:00:00.000Z' });
    await approvedOverride(t, 'NEVER', { expiresAt: null });
    await ok(await requestOverride(t, 'ASKED', { expiresAt: '2025-11-20T00:00:00.000Z' }), 201);
    await approvedOverride(t, 'OTHER', { expiresAt: '2025-11-20T00:00:00.000Z' });
  });

  it('lists the overrides in force that end before the bank’s day begins, in the caller’s reach', async () => {
    assert.deepEqual(await subjects(rm, 'expiresBefore=2025-12-01'), ['SOON']);
    assert.deepEqual(await subjects(rm, 'expiresBefore=2025-12-02'), ['EDGE', 'SOON']);
    assert.deepEqual(await subjects('viewer', 'expiresBefore=2025-12-01'), ['OTHER', 'SOON']);
    assert.deepEqual(await subjects('viewer', 'expiresBefore=2025-12-01&status=approved'), ['OTHER', 'SOON']);
    // Once past its expiry an override is no longer expiring: it has expired.
    t.setClock(new Date('2025-11-25T00:00:00.000Z'));
    assert.deepEqual(await subjects('viewer', 'expiresBefore=2025-12-01'), ['SOON']);
    t.setClock(START);
  });

  it('refuses a day that is not one, and a status that is not in force, with the field named', async () => {
    for (const [query, path] of [
      ['expiresBefore=2025-02-30', 'query.expiresBefore'],
      ['expiresBefore=2025-12', 'query.expiresBefore'],
      ['expiresBefore=2025-12-01T00:00:00Z', 'query.expiresBefore'],
      ['expiresBefore=2025-12-01&status=pending', 'query.status'],
    ] as const) {
      const res = await t.req(rm, 'GET', `/v1/overrides?${query}`);
      const body = (await res.json()) as Problem;
      assert.equal(res.status, 400, query);
      assert.equal(body.errors?.[0]?.path, path, `${query}: ${JSON.stringify(body)}`);
    }
  });

  it('a customer’s own list reads expiresBefore as the tenant’s does, and refuses a bad day', async () => {
    const of = async (id: string, query: string) =>
      (await ok<Page>(await t.req(rm, 'GET', `/v1/subjects/${id}/overrides?${query}`))).items.map((o) => o.subject);
    assert.deepEqual(await of('SOON', 'expiresBefore=2025-12-01'), ['SOON']);
    assert.deepEqual(await of('LATER', 'expiresBefore=2025-12-01'), [], 'ends in March: not expiring soon');
    assert.deepEqual(await of('LATER', ''), ['LATER']);
    const res = await t.req(rm, 'GET', '/v1/subjects/SOON/overrides?expiresBefore=2025-02-30');
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as Problem).errors?.[0]?.path, 'query.expiresBefore');
  });

  it('sort=expiresAt: soonest expiry first, ties by id, none last; a page at a time stays exact inside a tie', async () => {
    // Two more of RM1's customers expiring at the same instant as SOON: a tie of three a page of one cuts through.
    for (const id of ['TIE1', 'TIE2']) {
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '陶怡' }), 201);
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}/manager`, { manager: 'RM1' }));
      await approvedOverride(t, id, { expiresAt: '2025-11-30T15:59:00.000Z' });
    }
    const all = await ok<Page>(await t.req(rm, 'GET', '/v1/overrides?status=approved&sort=expiresAt'));
    const tie = all.items.filter((o) => o.expiresAt === '2025-11-30T15:59:00.000Z').map((o) => o.id);
    assert.deepEqual(tie, [...tie].sort(), 'a tie by id');
    assert.deepEqual(
      all.items.map((o) => o.expiresAt),
      [
        '2025-11-30T15:59:00.000Z',
        '2025-11-30T15:59:00.000Z',
        '2025-11-30T15:59:00.000Z',
        '2025-11-30T16:00:00.000Z',
        '2026-03-01T00:00:00.000Z',
        null,
      ],
    );
    const paged: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: Page = await ok<Page>(
        await t.req(rm, 'GET', `/v1/overrides?status=approved&sort=expiresAt&limit=1${cursor ? `&cursor=${cursor}` : ''}`),
      );
      paged.push(...page.items.map((o) => o.id));
      cursor = page.nextCursor;
    }
    assert.deepEqual(
      paged,
      all.items.map((o) => o.id),
      'the pages are the list, each once',
    );
    assert.deepEqual(
      (await ok<Page>(await t.req(rm, 'GET', '/v1/overrides?expiresBefore=2025-12-02&sort=expiresAt'))).items.map((o) => o.subject),
      [...all.items.slice(0, 3).map((o) => o.subject), 'EDGE'],
    );
    assert.deepEqual(
      (await ok<Page>(await t.req(rm, 'GET', '/v1/subjects/TIE1/overrides?sort=expiresAt'))).items.map((o) => o.subject),
      ['TIE1'],
    );
    // A cursor of the other order is refused, as is a sort it does not know.
    const newest = await ok<Page>(await t.req(rm, 'GET', '/v1/overrides?status=approved&limit=1'));
    const res = await t.req(rm, 'GET', `/v1/overrides?status=approved&sort=expiresAt&cursor=${newest.nextCursor}`);
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as Problem).errors?.[0]?.path, 'query.cursor');
    const bad = await t.req(rm, 'GET', '/v1/overrides?sort=createdAt');
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as Problem).errors?.[0]?.path, 'query.sort');
  });

  it('the expiring list soonest first seeks its expiry index in order: no sort, no read of every approved override', async () => {
    const { watched, compiled } = watchStatements(f.db);
    await listOverrides(watched, t.tenantId, {
      now: START.toISOString(),
      limit: 21,
      managedBy: 'RM1',
      expiresBefore: '2025-12-31T16:00:00.000Z',
      order: 'expiresAt',
    });
    const [q] = compiled();
    assert.ok(q);
    const plan = (
      await f.db.db.executeQuery({ ...q, sql: `${f.db.dialect === 'sqlite' ? 'EXPLAIN QUERY PLAN' : 'EXPLAIN'} ${q.sql}` })
    ).rows
      .map((r) => String((r as Record<string, unknown>).detail ?? (r as Record<string, unknown>)['QUERY PLAN']))
      .join('\n');
    assert.match(plan, /overrides_tenant_status_expiry_idx/, plan);
    assert.doesNotMatch(plan, /TEMP B-TREE FOR ORDER BY|Sort Key/, plan);
  });

  it('in force, soonest first without a horizon: the dated ones then the undated ones, each a seek of the expiry index', async () => {
    const { watched, compiled } = watchStatements(f.db);
    await listOverrides(watched, t.tenantId, { now: START.toISOString(), limit: 1000, status: 'approved', order: 'expiresAt' });
    const statements = compiled();
    assert.equal(statements.length, 2, 'a page shorter than the limit reads on into those with no expiry');
    for (const q of statements) {
      const plan = (
        await f.db.db.executeQuery({ ...q, sql: `${f.db.dialect === 'sqlite' ? 'EXPLAIN QUERY PLAN' : 'EXPLAIN'} ${q.sql}` })
      ).rows
        .map((r) => String((r as Record<string, unknown>).detail ?? (r as Record<string, unknown>)['QUERY PLAN']))
        .join('\n');
      assert.match(plan, /overrides_tenant_status_expiry_idx/, plan);
      assert.doesNotMatch(plan, /TEMP B-TREE FOR ORDER BY|Sort Key/, plan);
    }
  });
});
