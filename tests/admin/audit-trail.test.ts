import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  type AuditAnchorsResult,
  type AuditRecord,
  AuditTrail,
  type AuditVerifyResult,
  anchorVerdict,
  auditDetailOf,
  bookMovesOf,
  checkAuditFilter,
  firstBreak,
} from '@tierkit/admin';
import { appendOperatorAudit, cliAction, mintStaffToken } from '@tierkit/api';
import { createClient, type HttpTierkitClient } from '@tierkit/client';
import { NOW } from '../support/api-fixture.js';
import { kitFixture } from './kit-fixture.js';

describe('AuditTrail against the real API', () => {
  const f = kitFixture();
  let checker: HttpTierkitClient;
  before(async () => {
    // A checker (approver) of the tenant: the staff session the console's audit page is for.
    assert.equal(await f.putStaff('CHK1', { name: '钱进', role: 'approver', scope: 'tenant' }), 202);
    const token = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: 'CHK1', now: NOW })).token;
    checker = createClient({
      baseUrl: 'http://tierkit.test',
      token: () => token,
      fetch: (input, init) => Promise.resolve(f.app.request(input instanceof Request ? input : String(input), init)),
    });
  });

  it('a checker pages the whole trail newest first, without a gap or a repeat', async () => {
    const t = new AuditTrail(checker, { pageSize: 7 });
    await t.load();
    assert.equal(t.state.status, 'ready');
    assert.equal(t.state.items.length, 7);
    while (t.state.nextCursor !== null) await t.loadMore();
    const seqs = t.state.items.map((r) => r.seq);
    assert.ok(seqs.length > 20, `the fixture's writes are recorded (${seqs.length})`);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => (seqs[0] ?? 0) - i),
      'newest first, every position once',
    );
    assert.equal(seqs.at(-1), 1);
  });

  it('filters by target and status, and sees a write it just caused (no cached list)', async () => {
    const t = new AuditTrail(checker);
    await t.setFilter({ target: 'K03', route: '/v1/subjects/{id}/metrics', method: 'PUT' });
    const before = t.state.items.length;
    assert.ok(before > 0);
    assert.ok(t.state.items.every((r) => r.target.id === 'K03' && r.method === 'PUT'));
    await f.client('OFF1').http.send('PUT', '/v1/subjects/K03/metrics', {
      metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 400_000_00 }],
    });
    await t.load();
    assert.equal(t.state.items.length, before + 2, 'an intent and a result');
    const [result, intent] = t.state.items;
    assert.deepEqual([result?.phase, result?.status, result?.actor], ['result', 200, 'staff:OFF1']);
    assert.deepEqual([intent?.phase, intent?.status, intent?.requestId], ['intent', null, result?.requestId]);
    await t.setFilter({ status: 599 });
    assert.equal(t.state.empty, true);
    await t.setFilter({ target: 'K03' });
    assert.ok(t.state.items.length > 0);
    await t.setFilter({ from: 'yesterday' });
    assert.deepEqual([t.state.status, t.state.error?.status], ['error', 400]);
    assert.deepEqual([t.state.items, t.state.nextCursor], [[], null], 'a refused filter shows none of the last list');
  });

  it('find reads a typed range in the bank’s zone; a bound the clocks skip or no time is refused, and nothing is read', async () => {
    let reads = 0;
    const counted: HttpTierkitClient = {
      ...checker,
      http: {
        ...checker.http,
        get: (path, o) => {
          reads++;
          return checker.http.get(path, o);
        },
      },
    };
    const t = new AuditTrail(counted);
    const NY = 'America/New_York';
    assert.equal(await t.find({ target: 'K03' }, NY), true);
    const shown = t.state.items;
    assert.ok(shown.length > 0);
    reads = 0;
    // 02:30 on 8 March 2026 never happens in New York (the clocks go from 02:00 to 03:00).
    assert.equal(await t.find({ target: 'K03', from: '2026-03-08T02:30', to: '2026-03-09T00:00' }, NY), false);
    assert.equal(t.state.fieldErrors.from?.code, 'time-skipped');
    assert.deepEqual(Object.keys(t.state.fieldErrors), ['from'], 'the other bound is a time');
    assert.equal(reads, 0, 'nothing is read with half a filter');
    assert.deepEqual([t.state.filter, t.state.items], [{ target: 'K03' }, shown], 'the list and its filter stay as they were');
    assert.equal(await t.find({ to: '2025-02-30T10:00' }, NY), false, 'no 30 February rolled into March');
    assert.deepEqual(Object.keys(t.state.fieldErrors), ['to']);
    assert.equal(t.state.fieldErrors.to?.code, 'not-a-time');
    // A half-typed time reads as '' in a browser: not "no bound".
    assert.equal(await t.find({ from: '', fromUnreadable: true }, NY), false);
    assert.equal(t.state.fieldErrors.from?.code, 'not-a-time');
    assert.equal(reads, 0);
    // Both bounds real times: read as New York's wall clock (summer time on 1 July), the errors gone.
    assert.equal(await t.find({ target: 'K03', from: '2026-03-08T03:30', to: '2026-07-01T09:00' }, NY), true);
    assert.deepEqual(t.state.filter, { target: 'K03', from: '2026-03-08T07:30:00.000Z', to: '2026-07-01T13:00:00.000Z' });
    assert.deepEqual(t.state.fieldErrors, {});
    assert.equal(t.state.status, 'ready', 'the API takes the instants');
    assert.ok(reads > 0);
    // Empty bounds are no bounds.
    assert.deepEqual(checkAuditFilter({ from: ' ', to: '' }, 'Asia/Shanghai'), { errors: {}, filter: { from: undefined, to: undefined } });
  });

  it('find in Shanghai reads both bounds as Shanghai’s wall clock and finds the records shown inside them', async () => {
    const t = new AuditTrail(checker);
    await t.setFilter({ target: 'K03' });
    const [newest] = t.state.items;
    assert.ok(newest);
    // The record's minute as the page shows it in Shanghai (UTC+8), typed back as the range: from it to a minute later.
    const minute = Math.floor(Date.parse(newest.at) / 60_000) * 60_000;
    const wall = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16);
    assert.equal(await t.find({ target: 'K03', from: wall(minute), to: wall(minute + 60_000) }, 'Asia/Shanghai'), true);
    assert.deepEqual([t.state.filter.from, t.state.filter.to], [new Date(minute).toISOString(), new Date(minute + 60_000).toISOString()]);
    assert.ok(
      t.state.items.some((r) => r.seq === newest.seq),
      'the record is inside the range its own time bounds',
    );
    assert.deepEqual(t.state.fieldErrors, {});
  });

  it('a bound in an hour the clocks show twice spans both: from the first time it is shown, to the last (New York, Berlin)', () => {
    // New York, 1 November 2026: 01:00–02:00 is shown twice (UTC−4, then UTC−5).
    const ny = checkAuditFilter({ from: '2026-11-01T01:30', to: '2026-11-01T01:45' }, 'America/New_York').filter;
    assert.deepEqual([ny?.from, ny?.to], ['2026-11-01T05:30:00.000Z', '2026-11-01T06:45:00.000Z']);
    // A record at 06:10 UTC is shown as 01:10 (winter time): inside a range that ends at 01:30, not cut off by its earlier reading.
    const nyTo = checkAuditFilter({ to: '2026-11-01T01:30' }, 'America/New_York').filter;
    assert.ok(nyTo?.to && '2026-11-01T06:10:00.000Z' < nyTo.to);
    // Berlin, 25 October 2026: 02:00–03:00 is shown twice (UTC+2, then UTC+1). A record at 00:45 UTC is shown as 02:45.
    const berlin = checkAuditFilter({ from: '2026-10-25T02:30' }, 'Europe/Berlin').filter;
    assert.equal(berlin?.from, '2026-10-25T00:30:00.000Z');
    assert.ok(berlin?.from && '2026-10-25T00:45:00.000Z' >= berlin.from, 'not skipped by a start read at its later instant');
    // Within the hour shown twice, a later To spans from the first reading of From to the last of To.
    const within = checkAuditFilter({ from: '2026-10-25T02:30', to: '2026-10-25T02:31' }, 'Europe/Berlin');
    assert.deepEqual([within.filter?.from, within.filter?.to], ['2026-10-25T00:30:00.000Z', '2026-10-25T01:31:00.000Z']);
    // Shanghai keeps no summer time: each bound is the one instant it is.
    const sh = checkAuditFilter({ from: '2026-11-01T01:30', to: '2026-11-01T01:45' }, 'Asia/Shanghai').filter;
    assert.deepEqual([sh?.from, sh?.to], ['2026-10-31T17:30:00.000Z', '2026-10-31T17:45:00.000Z']);
  });

  it('a range that ends where or before it starts is refused at `to`, and nothing is read', async () => {
    const t = new AuditTrail(checker);
    await t.setFilter({ target: 'K03' });
    const shown = t.state.items;
    assert.equal(await t.find({ target: 'K03', from: '2026-01-01T00:00', to: '2025-01-01T00:00' }, 'Asia/Shanghai'), false);
    assert.deepEqual(t.state.fieldErrors, { to: { code: 'not-after-from', message: 'must be later than the start of the range' } });
    assert.deepEqual([t.state.filter, t.state.items], [{ target: 'K03' }, shown], 'the list and its filter stay as they were');
    assert.equal(checkAuditFilter({ from: '2026-01-01T00:00', to: '2026-01-01T00:00' }, 'Asia/Shanghai').errors.to?.code, 'not-after-from');
    // A minute later is a range.
    assert.deepEqual(checkAuditFilter({ from: '2026-01-01T00:00', to: '2026-01-01T00:01' }, 'Asia/Shanghai').errors, {});
    // In an hour the clocks show twice, the widened bounds would make a backwards range an hour wide
    // (01:45 summer time to 01:15 winter time): the times as typed decide, refused at To as anywhere.
    const NY = 'America/New_York';
    for (const [from, to] of [
      ['2026-11-01T01:45', '2026-11-01T01:15'],
      ['2026-11-01T01:30', '2026-11-01T01:30'],
      ['2026-11-01T01:30:30', '2026-11-01T01:30'],
    ] as const) {
      const { errors, filter } = checkAuditFilter({ from, to }, NY);
      assert.deepEqual([Object.keys(errors), errors.to?.code, filter], [['to'], 'not-after-from', undefined], `${from} → ${to}`);
    }
    assert.equal(await t.find({ target: 'K03', from: '2026-11-01T01:45', to: '2026-11-01T01:15' }, NY), false);
    assert.deepEqual([t.state.filter, t.state.items], [{ target: 'K03' }, shown], 'nothing read');
    // Berlin's hour shown twice is the same: the same time as both ends is no range.
    assert.equal(checkAuditFilter({ from: '2026-10-25T02:30', to: '2026-10-25T02:30' }, 'Europe/Berlin').errors.to?.code, 'not-after-from');
    // 9999-12-31 23:00 in New York is past the API's last year in UTC: no time, not a page failure.
    assert.equal(checkAuditFilter({ to: '9999-12-31T23:00' }, 'America/New_York').errors.to?.code, 'not-a-time');
  });

  it('a status that is no HTTP status is refused at its field, typed or half-typed, and nothing is read', async () => {
    const t = new AuditTrail(checker);
    await t.setFilter({ target: 'K03' });
    const shown = t.state.items;
    for (const status of ['600', '99', '2e2', '200.5', '-200', 600]) {
      assert.equal(await t.find({ target: 'K03', status }, 'Asia/Shanghai'), false, String(status));
      assert.deepEqual(t.state.fieldErrors, {
        status: { code: 'not-a-status', message: 'must be an HTTP status: a whole number from 100 to 599' },
      });
    }
    // `1e` in a number field: the browser gives '' and says badInput; not "any status".
    assert.equal(await t.find({ target: 'K03', status: '', statusUnreadable: true }, 'Asia/Shanghai'), false);
    assert.equal(t.state.fieldErrors.status?.code, 'not-a-status');
    assert.deepEqual([t.state.filter, t.state.items], [{ target: 'K03' }, shown], 'the list and its filter stay as they were');
    // A status as typed, spaces around, or as a number; empty is any.
    assert.deepEqual(checkAuditFilter({ status: ' 404 ' }, 'Asia/Shanghai').filter?.status, 404);
    assert.deepEqual(checkAuditFilter({ status: 200 }, 'Asia/Shanghai').filter?.status, 200);
    assert.equal('status' in (checkAuditFilter({ status: '' }, 'Asia/Shanghai').filter ?? {}), false);
    assert.equal(await t.find({ target: 'K03', status: '200' }, 'Asia/Shanghai'), true);
    assert.deepEqual(t.state.filter, { target: 'K03', status: 200 });
    assert.deepEqual(t.state.fieldErrors, {});
    assert.ok(t.state.items.length > 0 && t.state.items.every((r) => r.status === 200));
  });

  it('a move between books is a change record between its intent and result, read as from → to ("" no book)', async () => {
    const move = (manager: string | null) =>
      f.app.request('/v1/subjects/K10/manager', {
        method: 'PUT',
        headers: { Authorization: `Bearer ${f.adminKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ manager }),
      });
    for (const manager of ['RM1', null]) {
      const res = await move(manager);
      assert.equal(res.status, 200, await res.text());
    }
    const t = new AuditTrail(checker);
    await t.setFilter({ target: 'K10', route: '/v1/subjects/{id}/manager' });
    assert.deepEqual(
      t.state.items.map((r) => r.phase),
      ['result', 'change', 'intent', 'result', 'change', 'intent'],
    );
    assert.deepEqual(t.state.items.map(bookMovesOf), [
      undefined,
      [{ subject: 'K10', from: 'RM1', to: null }],
      undefined,
      undefined,
      [{ subject: 'K10', from: null, to: 'RM1' }],
      undefined,
    ]);
    // Records written before moves were listed per request held one move in `target`: read the same.
    const old = { ...t.state.items[1]!, target: { subject: 'K10', from: '', to: 'RM1' }, detail: null };
    assert.deepEqual(bookMovesOf(old), [{ subject: 'K10', from: null, to: 'RM1' }]);
  });

  it("reads each record's detail line by line: a role's before → after, a metric's replaced value, a key's fields, a CLI record found by its method", async () => {
    const put = (path: string, body: unknown) =>
      f.app.request(path, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${f.adminKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    // Within a book below an approver, so each applies at once (a grant of power would wait for a second admin).
    assert.equal((await put('/v1/staff/PROMO1', { name: '孙升', role: 'viewer', scope: 'book' })).status, 201);
    assert.equal((await put('/v1/staff/PROMO1', { name: '孙升', role: 'officer', scope: 'book' })).status, 200);
    const t = new AuditTrail(checker);
    await t.setFilter({ route: '/v1/staff/{id}', target: 'PROMO1', method: 'PUT' });
    const [promoted, , created] = t.state.items;
    assert.ok(promoted && created);
    // Only what changed, once the person existed; everything, when the write made them.
    assert.deepEqual(auditDetailOf(promoted), [{ kind: 'change', field: 'role', before: 'viewer', after: 'officer' }]);
    assert.deepEqual(auditDetailOf(created), [
      { kind: 'change', field: 'name', before: undefined, after: '孙升' },
      { kind: 'change', field: 'role', before: undefined, after: 'viewer' },
      { kind: 'change', field: 'scope', before: undefined, after: 'book' },
    ]);
    assert.equal(
      (await put('/v1/subjects/K04/metrics', { metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 123_00 }] })).status,
      200,
    );
    await t.setFilter({ route: '/v1/subjects/{id}/metrics', target: 'K04', method: 'PUT' });
    const [metric] = auditDetailOf(t.state.items[0]!);
    assert.equal(metric?.kind, 'metric');
    // The fixture's value it replaced is whatever the fixture loaded: a number, not none.
    assert.deepEqual(metric?.kind === 'metric' && { ...metric, before: typeof metric.before }, {
      kind: 'metric',
      metric: 'avg_daily_balance',
      period: '2025-10',
      before: 'number',
      after: 123_00,
      unit: 'money',
      currency: 'CNY',
    });
    // A key the CLI revoked, found by the CLI's method: its fields as values, none of them JSON.
    await appendOperatorAudit(f.db.db, 'bank-a', cliAction('tierkit keys revoke'), {
      status: 409,
      problem: 'conflict',
      target: { key: 'key_x' },
      detail: {
        key: 'key_x',
        role: 'viewer',
        owner: null,
        label: 'old',
        revokedAt: '2025-11-01T00:00:00.000Z',
        filter: { kind: 'customer' },
      },
    });
    await t.setFilter({ method: 'CLI' });
    assert.deepEqual(
      t.state.items.map((r) => [r.method, r.credential]),
      [['CLI', 'cli']],
    );
    assert.deepEqual(auditDetailOf(t.state.items[0]!), [
      { kind: 'value', field: 'key', value: 'key_x' },
      { kind: 'value', field: 'role', value: 'viewer' },
      { kind: 'value', field: 'owner', value: null },
      { kind: 'value', field: 'label', value: 'old' },
      { kind: 'value', field: 'revokedAt', value: '2025-11-01T00:00:00.000Z' },
      { kind: 'value', field: 'filter.kind', value: 'customer' },
    ]);
  });

  it('verifies the chain: intact, then the first broken position after a record is edited', async () => {
    const t = new AuditTrail(checker);
    await t.verify();
    assert.equal(t.state.verification.status, 'ready');
    assert.equal(t.state.verification.result?.ok, true);
    assert.equal(firstBreak(t.state.verification.result), undefined);
    // This app was given no anchors: the answer says so, and the kit reads it as unchecked, not as a pass.
    assert.deepEqual(anchorVerdict(t.state.verification.result), { kind: 'not-configured' });
    await f.db.db.updateTable('audit_records').set({ status: 201 }).where('chain', '=', 'bank-a').where('seq', '=', 5).execute();
    await t.verify();
    assert.equal(t.state.verification.result?.ok, false);
    assert.equal(firstBreak(t.state.verification.result), 5);
  });

  it('a maker and an RM are refused: the 403 is the state, nothing else is', async () => {
    for (const who of ['OFF1', 'RM1']) {
      const t = new AuditTrail(f.client(who));
      await t.load();
      assert.deepEqual([t.state.status, t.state.error?.status, t.state.items.length], ['error', 403, 0], who);
      await t.verify();
      assert.equal(t.state.verification.error?.status, 403, who);
    }
  });
});

describe('auditDetailOf on a record edited to hold anything (the page that shows tampering must show it)', () => {
  // A record as the chain stores it; `detail` and `target` as someone with write access to the table left them.
  const edited = (detail: unknown, target: unknown = {}, phase: AuditRecord['phase'] = 'result'): AuditRecord =>
    ({
      seq: 7,
      at: '2025-11-15T04:00:00.000Z',
      requestId: 'r-7',
      phase,
      actor: 'key:key_a',
      credential: 'key',
      method: 'PUT',
      route: '/v1/staff/{id}',
      target,
      status: 200,
      problem: null,
      unmasked: false,
      detail,
      prevHash: 'x',
      hash: 'y',
    }) as AuditRecord;

  it('a text or a number where an object belongs is one value line, not a thrown TypeError', () => {
    assert.deepEqual(auditDetailOf(edited('role: approver')), [{ kind: 'value', field: 'detail', value: 'role: approver' }]);
    assert.deepEqual(auditDetailOf(edited(42)), [{ kind: 'value', field: 'detail', value: 42 }]);
    assert.deepEqual(auditDetailOf(edited(false)), [{ kind: 'value', field: 'detail', value: false }]);
  });

  it('an array is one value line, not fields "0", "1"', () => {
    assert.deepEqual(auditDetailOf(edited(['a', { b: 1 }])), [{ kind: 'value', field: 'detail', value: ['a', '{"b":1}'] }]);
  });

  it('a before that is no object beside an object after is shown as it is, not read as "created"', () => {
    assert.deepEqual(auditDetailOf(edited({ before: 'officer', after: { role: 'approver' } })), [
      { kind: 'value', field: 'before', value: 'officer' },
      { kind: 'value', field: 'after', value: '{"role":"approver"}' },
    ]);
    // A before of null is what the API writes when the write made the thing: that one is "created".
    assert.deepEqual(auditDetailOf(edited({ before: null, after: { role: 'approver' } })), [
      { kind: 'change', field: 'role', before: undefined, after: 'approver' },
    ]);
  });

  it('a metric month that lost its names is a value line; a unit that is no unit is dropped', () => {
    assert.deepEqual(
      auditDetailOf(
        edited({
          changed: [
            { metric: 'avg_daily_balance', period: '2025-10', before: 100, after: 200, unit: 'money', currency: 'CNY' },
            { metric: 'kyc_ok', period: '2025-10', before: 0, after: 1, unit: 'furlongs' },
            'x',
          ],
        }),
      ),
      [
        { kind: 'metric', metric: 'avg_daily_balance', period: '2025-10', before: 100, after: 200, unit: 'money', currency: 'CNY' },
        { kind: 'metric', metric: 'kyc_ok', period: '2025-10', before: 0, after: 1 },
        { kind: 'value', field: 'changed', value: 'x' },
      ],
    );
  });

  it('a change record whose target is no object names no move', () => {
    assert.equal(bookMovesOf(edited(null, null, 'change')), undefined);
    assert.equal(bookMovesOf(edited('moves', 'C1', 'change')), undefined);
  });
});

describe('anchorVerdict: what the server’s anchors say of a verification', () => {
  const result = (anchors: Partial<AuditAnchorsResult>, chain: Partial<AuditVerifyResult> = {}): AuditVerifyResult => ({
    chain: 'bank-a',
    ok: true,
    chainOk: true,
    records: 12,
    head: { seq: 12, hash: 'sha256:…' },
    problems: [],
    ...chain,
    anchors: { status: 'checked', anchors: 0, newest: null, malformedLines: 0, problems: [], message: '', ...anchors },
  });

  it('nothing before a verification', () => {
    assert.equal(anchorVerdict(undefined), undefined);
  });

  it('anchored through the newest anchor’s seq, at its time', () => {
    assert.deepEqual(anchorVerdict(result({ anchors: 3, newest: { seq: 10, at: '2025-11-15T04:00:00.000Z' } })), {
      kind: 'anchored',
      seq: 10,
      at: '2025-11-15T04:00:00.000Z',
      anchors: 3,
    });
  });

  it('a checked file without an anchor of this tenant, and a server keeping none, are not a pass', () => {
    assert.deepEqual(anchorVerdict(result({})), { kind: 'no-anchor-yet' });
    assert.deepEqual(anchorVerdict(result({ status: 'not-configured' })), { kind: 'not-configured' });
    assert.deepEqual(anchorVerdict(result({ status: 'unreadable', message: 'gone' })), { kind: 'unreadable', message: 'gone' });
  });

  it('a failure names its first position in chain order, even when the chain alone is intact', () => {
    const v = result(
      {
        anchors: 2,
        newest: { seq: 10, at: '2025-11-15T04:00:00.000Z' },
        problems: [
          { kind: 'anchor-truncated', seq: 10, message: '' },
          { kind: 'anchor-mismatch', seq: 6, message: '' },
        ],
      },
      { ok: false },
    );
    assert.deepEqual(anchorVerdict(v), { kind: 'failed', problem: 'anchor-mismatch', seq: 6 });
    assert.equal(firstBreak(v), undefined, 'the chain alone did not break');
  });

  it('lines that are not anchors fail it, anchors matching or not', () => {
    assert.deepEqual(anchorVerdict(result({ anchors: 1, newest: { seq: 4, at: '2025-11-15T04:00:00.000Z' }, malformedLines: 2 })), {
      kind: 'failed',
      problem: 'malformed',
      lines: 2,
    });
  });
});
