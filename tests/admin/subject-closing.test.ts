import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiFieldErrors, checkClosing, checkReopening, SubjectClosing, SubjectDetail, wallToInstant, whyNoClosing } from '@tierkit/admin';
import { type Principal, refusal } from '@tierkit/api';
import { type HttpTierkitClient, type Session, TierkitApiError } from '@tierkit/client';
import type { SubjectRef } from '@tierkit/core';
import { CLOSING_WORDS } from '../../apps/admin/src/pages/closing.words.js';
import { sayCheck } from '../../apps/admin/src/why-failed.js';
import { NOW } from '../support/api-fixture.js';
import { kitFixture } from './kit-fixture.js';

const SHANGHAI = 'Asia/Shanghai';

describe('checkClosing: what the API would refuse, said before sending', () => {
  const o = { timeZone: SHANGHAI, now: NOW };

  it('reads the typed time as the bank’s wall clock and sends the UTC instant it is', () => {
    // Midnight of 1 November in Shanghai is 16:00 UTC the day before.
    assert.deepEqual(checkClosing({ reason: '  客户主动销户 ', at: '2025-11-01T00:00' }, o), {
      errors: {},
      body: { reason: '客户主动销户', at: '2025-10-31T16:00:00.000Z' },
    });
    assert.equal(wallToInstant('2025-11-01T00:00', 'America/New_York'), '2025-11-01T04:00:00.000Z');
    // No time: the API's now, so none is sent.
    assert.deepEqual(checkClosing({ reason: '销户', at: '' }, o).body, { reason: '销户' });
  });

  it('refuses an empty or too long reason, a time that is none, in the future or before 2000', () => {
    assert.equal(checkClosing({ reason: '   ' }, o).errors.reason?.code, 'reason-required');
    const long = checkClosing({ reason: 'x'.repeat(201) }, o).errors.reason;
    assert.equal(long?.code, 'reason-too-long');
    assert.equal(long?.max, 200);
    assert.deepEqual(checkClosing({ reason: 'x'.repeat(200) }, o).errors, {}, '200 characters are allowed');
    assert.equal(
      checkClosing({ reason: 'a', at: '2025-02-30T10:00' }, o).errors.at?.code,
      'not-a-time',
      'no 30 February rolled into March',
    );
    assert.equal(checkClosing({ reason: 'a', at: 'tomorrow' }, o).errors.at?.code, 'not-a-time');
    // 12:01 in Shanghai is 04:01 UTC, a minute after NOW.
    assert.equal(checkClosing({ reason: 'a', at: '2025-11-15T12:01' }, o).errors.at?.code, 'in-future');
    assert.deepEqual(checkClosing({ reason: 'a', at: '2025-11-15T12:00' }, o).errors, {}, 'now itself is allowed');
    assert.equal(checkClosing({ reason: 'a', at: '1999-12-31T23:59' }, { timeZone: 'UTC', now: NOW }).errors.at?.code, 'before-2000');
    const both = checkClosing({ reason: '', at: 'x' }, o);
    assert.deepEqual(Object.keys(both.errors).sort(), ['at', 'reason']);
    assert.equal(both.body, undefined);
  });

  it('a closing said to be learnt late sends `late` with its time; late with no time is refused (now is never late)', () => {
    assert.deepEqual(checkClosing({ reason: '分行补报', at: '2025-09-20T10:00', late: true }, o).body, {
      reason: '分行补报',
      at: '2025-09-20T02:00:00.000Z',
      late: true,
    });
    assert.equal(checkClosing({ reason: '分行补报', at: '2025-09-20T10:00', late: false }, o).body?.late, undefined, 'only when said');
    const none = checkClosing({ reason: '分行补报', at: ' ', late: true }, o);
    assert.equal(none.errors.at?.code, 'late-needs-time');
    assert.equal(none.body, undefined);
  });

  it('a half-typed time (the browser reads it as empty) is not a time, never “now”', () => {
    const r = checkClosing({ reason: '销户', at: '', atUnreadable: true }, o);
    assert.equal(r.errors.at?.code, 'not-a-time');
    assert.equal(r.body, undefined, 'nothing to send: an empty `at` would be recorded as now');
  });

  it('a wall time the clocks skip (daylight saving) is refused, not moved an hour; both readings of a repeated hour are times', () => {
    const ny = { timeZone: 'America/New_York', now: NOW };
    // 2026-03-08 02:00 → 03:00 in New York; 2026-03-29 01:00 → 02:00 in London.
    const now = new Date('2026-12-01T00:00:00Z');
    for (const [timeZone, at] of [
      ['America/New_York', '2026-03-08T02:30'],
      ['America/New_York', '2026-03-08T02:00'],
      ['Europe/London', '2026-03-29T01:30'],
      ['Europe/London', '2026-03-29T01:00'],
    ] as const) {
      const r = checkClosing({ reason: '销户', at }, { timeZone, now });
      assert.equal(r.errors.at?.code, 'time-skipped', `${timeZone} ${at}`);
      assert.equal(r.body, undefined);
      assert.equal(wallToInstant(at, timeZone), undefined);
    }
    // Either side of the gap is a time, and kept as typed.
    assert.equal(checkClosing({ reason: 'a', at: '2026-03-08T01:59' }, { ...ny, now }).body?.at, '2026-03-08T06:59:00.000Z');
    assert.equal(checkClosing({ reason: 'a', at: '2026-03-08T03:00' }, { ...ny, now }).body?.at, '2026-03-08T07:00:00.000Z');
    assert.equal(
      checkClosing({ reason: 'a', at: '2026-03-29T02:00' }, { timeZone: 'Europe/London', now }).body?.at,
      '2026-03-29T01:00:00.000Z',
    );
    // 01:30 on 1 November happens twice in New York, 02:30 on 25 October in Berlin: a time all the
    // same, the first of the two in either (west or east of UTC), not whichever the zone's offset picks.
    assert.equal(checkClosing({ reason: 'a', at: '2026-11-01T01:30' }, { ...ny, now }).body?.at, '2026-11-01T05:30:00.000Z');
    assert.equal(
      checkClosing({ reason: 'a', at: '2026-10-25T02:30' }, { timeZone: 'Europe/Berlin', now }).body?.at,
      '2026-10-25T00:30:00.000Z',
    );
    // The words for it, in every console language.
    for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) assert.ok(CLOSING_WORDS[locale].checks['time-skipped']().length > 0);
  });

  it('2000 is the bank’s year: 05:00 on 1 January 2000 in Shanghai (still 1999 in UTC) is not refused as before 2000', () => {
    assert.deepEqual(checkClosing({ reason: 'a', at: '2000-01-01T05:00' }, o).errors, {});
    assert.equal(checkClosing({ reason: 'a', at: '1999-12-31T23:59' }, o).errors.at?.code, 'before-2000');
  });

  it('a reopening’s note is optional and trimmed, at most 200 characters', () => {
    assert.deepEqual(checkReopening(undefined), { errors: {}, body: {} });
    assert.deepEqual(checkReopening('  '), { errors: {}, body: {} });
    assert.deepEqual(checkReopening(' 误操作 '), { errors: {}, body: { note: '误操作' } });
    assert.equal(checkReopening('x'.repeat(201)).errors.note?.code, 'reason-too-long');
  });
});

describe('whyNoClosing: who is offered to close a customer', () => {
  const session = (role: Session['role'], book: string | null = null): Session => ({
    tenantId: 't',
    via: 'staff-token',
    role,
    actor: 'staff:X',
    staff: null,
    book,
    timeZone: SHANGHAI,
    can: { readSubjects: true, writeSubjects: true, assignManagers: book === null, manageStaff: false },
  });

  it('tenant-wide officers and above; never a relationship manager, a viewer or analyst', () => {
    assert.equal(whyNoClosing(session('officer')), undefined);
    assert.equal(whyNoClosing(session('admin')), undefined);
    assert.equal(whyNoClosing(session('approver')), undefined);
    assert.equal(whyNoClosing(session('officer', 'RM1')), 'book-scoped');
    assert.equal(whyNoClosing(session('analyst')), 'role');
    assert.equal(whyNoClosing(session('viewer')), 'role');
    assert.equal(whyNoClosing(undefined), 'no-session');
  });
});

describe('the API’s refusal of a closing’s time, as the console says it', () => {
  const refused = (code: string, params: Record<string, string | boolean>) =>
    apiFieldErrors(
      new TierkitApiError({
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        errors: [{ path: 'body.at', message: 'x', code, params }],
      }),
      ['at'],
    ).at;

  it('names the bank’s time and zone, never a raw UTC instant', () => {
    const early = refused('too_small', { minimum: '2025-09-30T16:00:00.000Z', inclusive: true, origin: 'instant' });
    const late = refused('too_big', { maximum: '2025-11-15T04:00:00.000Z', inclusive: true, origin: 'instant' });
    const floor = refused('too_small', { minimum: '2000-01-01T00:00:00.000Z', inclusive: true, origin: 'instant' });
    assert.ok(early && late && floor);
    for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) {
      const say = (c: NonNullable<typeof early>) => sayCheck(c, CLOSING_WORDS[locale].checks, locale);
      assert.match(say(early), /2025-10-01 00:00 \(Asia\/Shanghai\)/, locale);
      assert.match(say(late), /2025-11-15 12:00 \(Asia\/Shanghai\)/, locale);
      // The API's floor is 2000 in UTC: 08:00 in Shanghai, so "in 2000 or later" would be false for 05:00.
      assert.match(say(floor), /2000-01-01 08:00 \(Asia\/Shanghai\)/, locale);
      for (const c of [early, late, floor]) assert.doesNotMatch(say(c), /\d{2}:\d{2}:\d{2}\.\d{3}Z/, locale);
    }
  });

  it('a refusal of a field the form has not is not a field error', () => {
    const err = new TierkitApiError({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      errors: [
        { path: 'body.at', message: 'bad', code: 'invalid_format' },
        { path: 'query.x', message: 'bad' },
      ],
    });
    assert.deepEqual(Object.keys(apiFieldErrors(err, ['reason', 'at', 'note'])), ['at']);
    assert.deepEqual(Object.keys(apiFieldErrors(err)).sort(), ['at', 'query.x']);
  });
});

describe('whyNoClosing mirrors the API’s own access check', () => {
  const roles = ['viewer', 'analyst', 'officer', 'approver', 'admin'] as const;
  it('for every role, book-scoped or not, by key or staff token: offered exactly when the API allows close and reopen', () => {
    let cases = 0;
    for (const role of roles)
      for (const book of [null, 'RM1'])
        for (const via of ['staff-token', 'key'] as const) {
          const principal: Principal = {
            tenantId: 't',
            via,
            role,
            subject: null,
            origins: via === 'key' ? null : ['https://console.example'],
            actor: 'staff:RM1',
            staffId: 'RM1',
            ...(book ? { book } : {}),
          };
          const session: Session = {
            tenantId: 't',
            via,
            role,
            actor: 'staff:RM1',
            staff: null,
            book,
            timeZone: SHANGHAI,
            can: { readSubjects: true, writeSubjects: true, assignManagers: false, manageStaff: false },
          };
          for (const action of ['close', 'reopen']) {
            const api = refusal(principal, 'POST', `/v1/subjects/K01/${action}`, undefined) === undefined;
            // The console offers the dialog exactly when this is undefined (apps/admin, subject-closing.ts).
            assert.equal(whyNoClosing(session) === undefined, api, `${role} ${book ?? 'tenant-wide'} ${via} ${action}`);
            cases++;
          }
        }
    assert.equal(cases, 40);
  });
});

describe('SubjectClosing against the real API', () => {
  const f = kitFixture();

  async function opened(who: string, id: string) {
    const client = f.client(who);
    const detail = new SubjectDetail(client);
    await detail.open(id);
    const tiers = detail.state.tiers;
    assert.ok(tiers);
    const closing = new SubjectClosing(client, { timeZone: SHANGHAI, now: () => NOW });
    closing.open(tiers.subject);
    return { client, detail, closing };
  }

  it('a tenant-wide officer closes a customer: form, confirmation, the API’s answer; the detail reads it at once; reopens', async () => {
    const { detail, closing } = await opened('OFF1', 'K03');
    assert.equal(closing.state.closedAt, null);
    closing.begin('close');
    assert.equal(closing.state.phase, 'editing');
    assert.equal(closing.review({ reason: '' }), false);
    assert.equal(closing.state.fieldErrors.reason?.code, 'reason-required');
    assert.equal(closing.state.phase, 'editing');

    assert.equal(closing.review({ reason: ' 客户主动销户 ', at: '2025-11-15T09:30' }), true);
    assert.equal(closing.state.phase, 'confirming');
    assert.deepEqual(closing.state.pending, { reason: '客户主动销户', at: '2025-11-15T01:30:00.000Z' });
    assert.equal(await closing.confirm(), true);
    assert.equal(closing.state.phase, 'done');
    assert.equal(closing.state.closedAt, '2025-11-15T01:30:00.000Z');
    assert.equal(closing.state.closedReason, '客户主动销户');
    assert.equal(closing.state.done?.action, 'close');

    // The client forgot what it kept of the subject: no reload, no refresh past the cache.
    await detail.open('K03');
    assert.equal(detail.state.tiers?.subject.closedAt, '2025-11-15T01:30:00.000Z');

    closing.begin('reopen');
    assert.equal(await closing.reopen(' 误操作 '), true);
    assert.equal(closing.state.closedAt, null);
    assert.equal(closing.state.done?.action, 'reopen');
    await detail.open('K03');
    assert.equal(detail.state.tiers?.subject.closedAt, undefined);
  });

  it('a closing someone recorded meanwhile is a conflict to read again, and nothing changes', async () => {
    const a = await opened('OFF1', 'K04');
    const b = await opened('admin', 'K04');
    a.closing.begin('close');
    assert.ok(a.closing.review({ reason: '第一笔' }));
    assert.ok(await a.closing.confirm());

    b.closing.begin('close');
    assert.ok(b.closing.review({ reason: '第二笔' }));
    assert.equal(await b.closing.confirm(), false);
    assert.equal(b.closing.state.phase, 'refused');
    assert.equal(b.closing.state.actionError?.status, 409);
    assert.equal(b.closing.state.conflict, 'closed');
    await b.detail.open('K04');
    assert.equal(b.detail.state.tiers?.subject.closedReason, '第一笔', 'the first closing kept; b’s client forgot its stale read');

    // Reopened by one, reopened again by the other: `open` already.
    a.closing.begin('reopen');
    assert.ok(await a.closing.reopen());
    b.closing.open({ id: 'K04', kind: 'customer', displayName: '', closedAt: '2025-11-15T04:00:00.000Z', closedReason: '第一笔' });
    b.closing.begin('reopen');
    assert.equal(await b.closing.reopen(), false);
    assert.equal(b.closing.state.conflict, 'open');
  });

  it('a time the API refuses (before the final months, or in its future) comes back as the field’s error, in the form', async () => {
    const { closing } = await opened('OFF1', 'K05');
    // The kit only knows 2000; the API knows where the final months end.
    const early = new SubjectClosing(f.client('OFF1'), { timeZone: SHANGHAI, now: () => new Date('2030-01-01T00:00:00Z') });
    early.open({ id: 'K05', kind: 'customer', displayName: '' });
    early.begin('close');
    assert.ok(early.review({ reason: '销户', at: '2025-12-01T00:00' }), 'not in the future by its own clock');
    assert.equal(await early.confirm(), false);
    assert.equal(early.state.phase, 'editing');
    assert.equal(early.state.fieldErrors.at?.code, undefined, 'the API’s refusal, not the kit’s');
    assert.equal(early.state.fieldErrors.at?.api?.code, 'too_big');
    assert.deepEqual(early.state.pending, { reason: '销户', at: '2025-11-30T16:00:00.000Z' }, 'what was sent is kept to correct');

    closing.begin('close');
    assert.ok(closing.review({ reason: '销户', at: '2000-01-01T12:00' }));
    assert.equal(await closing.confirm(), false);
    assert.equal(closing.state.phase, 'editing');
    assert.equal(closing.state.fieldErrors.at?.api?.code, 'too_small');
    // The end of the last final month (2025-09 in the fixture), for the host to say which instant is the first allowed.
    assert.equal(closing.state.fieldErrors.at?.api?.params?.minimum, '2025-09-30T16:00:00.000Z');
    assert.equal(closing.state.closedAt, null);
  });

  it('a closing learnt late: refused as typed, then sent as late, it keeps the real date beside the one counted', async () => {
    // A customer last seen in September (the fixture's have October's metrics, and a closing before a
    // customer's recorded activity is refused): learnt only now to have left on 20 September.
    const put = (path: string, body: unknown) =>
      f.app.request(path, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${f.adminKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    assert.equal((await put('/v1/subjects/K11', { kind: 'customer', displayName: '李晓红' })).status, 201);
    const seen = await put('/v1/subjects/K11/metrics', { metrics: [{ metric: 'avg_daily_balance', period: '2025-09', value: 10_000_00 }] });
    assert.equal(seen.status, 200, await seen.text());
    const { detail, closing } = await opened('OFF1', 'K11');
    closing.begin('close');
    assert.ok(closing.review({ reason: '分行补报销户', at: '2025-09-20T10:00' }));
    assert.equal(await closing.confirm(), false);
    assert.equal(closing.state.fieldErrors.at?.api?.code, 'too_small', 'a date in a final month, not said to be late');
    assert.ok(closing.review({ reason: '分行补报销户', at: '2025-09-20T10:00', late: true }));
    assert.deepEqual(closing.state.pending, { reason: '分行补报销户', at: '2025-09-20T02:00:00.000Z', late: true });
    assert.equal(await closing.confirm(), true);
    assert.equal(closing.state.closedAt, '2025-09-30T16:00:00.000Z', 'counted from the end of the last final month');
    assert.equal(closing.state.leftAt, '2025-09-20T02:00:00.000Z');
    await detail.open('K11');
    assert.equal(detail.state.tiers?.subject.leftAt, '2025-09-20T02:00:00.000Z');

    closing.begin('reopen');
    assert.ok(await closing.reopen());
    assert.equal(closing.state.leftAt, null);
  });

  it('a closing dated more than three months back goes to a second person (202): the customer stays open, the page reads it waiting, its maker withdraws it', async () => {
    const put = (path: string, body: unknown) =>
      f.app.request(path, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${f.adminKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    assert.equal((await put('/v1/subjects/K12', { kind: 'customer', displayName: '陈建国' })).status, 201);
    const seen = await put('/v1/subjects/K12/metrics', { metrics: [{ metric: 'avg_daily_balance', period: '2025-06', value: 10_000_00 }] });
    assert.equal(seen.status, 200, await seen.text());
    // Known to the bank for years (a closing of a customer recorded since would start no clock earlier,
    // and apply at once): its last activity is June's metrics, so a June closing moves the clock back.
    await f.db.db.updateTable('subjects').set({ created_at: '2018-01-10T02:00:00.000Z' }).where('external_id', '=', 'K12').execute();
    const { detail, closing } = await opened('OFF1', 'K12');
    closing.begin('close');
    assert.ok(closing.review({ reason: '分行补报销户', at: '2025-06-20T10:00', late: true }));
    assert.equal(await closing.confirm(), true);
    assert.equal(closing.state.filed, true, 'filed, not closed');
    assert.equal(closing.state.done, undefined);
    assert.equal(closing.state.closedAt, null);
    assert.equal(closing.state.subject, 'K12', 'still the customer, not the request');
    assert.equal(closing.state.waiting?.at, '2025-06-20T02:00:00.000Z');
    assert.equal(closing.state.waiting?.requestedByYou, true);
    await detail.open('K12');
    assert.equal(detail.state.tiers?.subject.closedAt, undefined, 'the customer stays open');

    // The customer's page opened again reads the request that waits.
    const again = await opened('OFF1', 'K12');
    again.closing.open(again.detail.state.tiers!.subject, (await f.client('OFF1').getSession()) as Session);
    await again.closing.readWaiting();
    assert.equal(again.closing.state.waiting?.id, closing.state.waiting?.id);
    assert.equal(again.closing.state.waiting?.late, true);
    assert.equal(await again.closing.withdrawWaiting(), true);
    assert.equal(again.closing.state.waiting, undefined);
    await again.closing.readWaiting();
    assert.equal(again.closing.state.waiting, undefined, 'withdrawn: nothing waits');
  });

  it('a relationship manager is refused by the API too: the refusal is the dialog’s, the customer unchanged', async () => {
    const { detail, closing } = await opened('RM1', 'K01');
    closing.begin('close');
    assert.ok(closing.review({ reason: '销户' }));
    assert.equal(await closing.confirm(), false);
    assert.equal(closing.state.phase, 'refused');
    assert.equal(closing.state.actionError?.status, 403);
    assert.equal(closing.state.closedAt, null);
    await detail.refresh();
    assert.equal(detail.state.tiers?.subject.closedAt, undefined);
  });

  it('a closing cancelled after it was sent (the page left): the reads are forgotten, the store is not left saving', async () => {
    const client = f.client('OFF1');
    const detail = new SubjectDetail(client);
    await detail.open('K08');
    assert.equal(detail.state.tiers?.subject.closedAt, undefined);
    // The POST reaches the API and is recorded; its answer is still on the way when the page goes.
    let recorded!: () => void;
    const wasRecorded = new Promise<void>((r) => {
      recorded = r;
    });
    const slow: Pick<HttpTierkitClient, 'http' | 'invalidate'> = {
      invalidate: (prefix) => client.invalidate(prefix),
      http: {
        ...client.http,
        send: async <T>(method: 'POST' | 'PUT' | 'PATCH', path: string, body: unknown, o?: { signal?: AbortSignal }) => {
          await client.http.send<T>(method, path, body);
          recorded();
          return new Promise<T>((_, reject) =>
            o?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')), { once: true }),
          );
        },
      },
    };
    const closing = new SubjectClosing(slow, { timeZone: SHANGHAI, now: () => NOW });
    closing.open(detail.state.tiers?.subject as SubjectRef);
    closing.begin('close');
    assert.ok(closing.review({ reason: '客户离开' }));
    const saved = closing.confirm();
    await wasRecorded;
    assert.equal(closing.state.phase, 'saving');
    closing.cancel();
    assert.equal(await saved, false);
    assert.equal(closing.state.phase, 'idle', 'not stuck in saving');
    assert.equal(closing.state.action, undefined);
    // The client's read of K08 was forgotten: the detail reads the closing the API recorded.
    await detail.open('K08');
    assert.equal(detail.state.tiers?.subject.closedReason, '客户离开');
  });

  it('leaving the dialog forgets its errors; another subject cancels the first one’s dialog', async () => {
    const { closing } = await opened('OFF1', 'K06');
    closing.begin('close');
    closing.review({ reason: '' });
    closing.dismiss();
    assert.equal(closing.state.phase, 'idle');
    assert.deepEqual(closing.state.fieldErrors, {});
    closing.begin('close');
    closing.open({ id: 'K07', kind: 'customer', displayName: '' });
    assert.equal(closing.state.action, undefined);
    assert.equal(closing.state.subject, 'K07');
    assert.equal(await closing.confirm(), false, 'nothing to confirm');
  });
});
