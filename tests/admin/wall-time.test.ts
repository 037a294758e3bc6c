// The kit's one reading of a typed wall-clock time (`readWallTime`, `wallToInstant`): what a closing's
// time and the audit trail's range are read with, in the bank's zone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readWallTime, wallToInstant } from '@tierkit/admin';

describe('a wall time typed in the bank’s zone', () => {
  it('is the UTC instant the API takes; an empty or malformed value is none', () => {
    assert.equal(wallToInstant('2025-11-15T12:00', 'Asia/Shanghai'), '2025-11-15T04:00:00.000Z');
    assert.equal(wallToInstant('2025-11-01T03:00', 'Asia/Shanghai'), '2025-10-31T19:00:00.000Z');
    assert.equal(wallToInstant(' 2025-11-15T12:00:30 ', 'Asia/Shanghai'), '2025-11-15T04:00:30.000Z', 'seconds, and spaces around');
    assert.equal(wallToInstant('', 'Asia/Shanghai'), undefined);
    assert.equal(wallToInstant('15/11/2025', 'Asia/Shanghai'), undefined);
    assert.equal(wallToInstant('2025-11-15T12:00', 'Asia/Shanghi'), undefined, 'a zone nobody knows');
    assert.equal(wallToInstant('2026-07-01T09:00', 'America/New_York'), '2026-07-01T13:00:00.000Z', 'summer time');
    assert.equal(wallToInstant('2026-07-01T09:00', 'Europe/London'), '2026-07-01T08:00:00.000Z');
  });

  it('a time the clocks skip is none, not moved an hour', () => {
    assert.equal(wallToInstant('2026-03-08T01:59', 'America/New_York'), '2026-03-08T06:59:00.000Z');
    assert.deepEqual(readWallTime('2026-03-08T02:30', 'America/New_York'), { error: 'time-skipped' });
    assert.deepEqual(readWallTime('2026-03-29T01:30', 'Europe/London'), { error: 'time-skipped' });
  });

  it('an hour the clocks show twice is both instants, the first as `at`, east and west of UTC alike', () => {
    // New York, 1 November 2026: 01:30 summer time (UTC−4), then again an hour later in winter time (UTC−5).
    assert.deepEqual(readWallTime('2026-11-01T01:30', 'America/New_York'), {
      at: '2026-11-01T05:30:00.000Z',
      latest: '2026-11-01T06:30:00.000Z',
      wall: '2026-11-01T01:30:00',
    });
    // Berlin, 25 October 2026: 02:30 at UTC+2, then at UTC+1. The first as `at` here too, not the zone's pick.
    assert.deepEqual(readWallTime('2026-10-25T02:30', 'Europe/Berlin'), {
      at: '2026-10-25T00:30:00.000Z',
      latest: '2026-10-25T01:30:00.000Z',
      wall: '2026-10-25T02:30:00',
    });
    assert.equal(wallToInstant('2026-10-25T02:30', 'Europe/Berlin'), '2026-10-25T00:30:00.000Z');
    // Shanghai keeps no summer time: one instant, the same either way.
    assert.deepEqual(readWallTime('2026-11-01T01:30', 'Asia/Shanghai'), {
      at: '2026-10-31T17:30:00.000Z',
      latest: '2026-10-31T17:30:00.000Z',
      wall: '2026-11-01T01:30:00',
    });
  });

  it('says the time as typed, seconds written out, so two typed times compare as text', () => {
    const wall = (v: string) => {
      const r = readWallTime(v, 'America/New_York');
      return 'wall' in r ? r.wall : r.error;
    };
    assert.equal(wall(' 2026-11-01T01:45 '), '2026-11-01T01:45:00');
    assert.equal(wall('2026-11-01T01:45:30'), '2026-11-01T01:45:30');
    assert.equal(wall('0100-01-01T00:00'), '0100-01-01T00:00:00', 'four digits of year, never a six-digit one');
    assert.ok(wall('2026-11-01T01:15') < wall('2026-11-01T01:45'), 'though 01:15’s last instant is after 01:45’s first');
  });

  it('a time outside the years the API takes (0000–9999 in UTC) is no time; year 0100 is one', () => {
    // 23:00 on the last day of 9999 in New York is already the year 10000 in UTC: `+010000-…`, which the API refuses.
    assert.deepEqual(readWallTime('9999-12-31T23:00', 'America/New_York'), { error: 'not-a-time' });
    assert.equal(wallToInstant('9999-12-31T18:59', 'America/New_York'), '9999-12-31T23:59:00.000Z');
    assert.equal(wallToInstant('9999-12-31T23:00', 'Asia/Shanghai'), '9999-12-31T15:00:00.000Z');
    // New York kept local mean time (UTC−4:56:02) then: a time, not one the clocks skipped.
    assert.equal(wallToInstant('0100-01-01T00:00', 'America/New_York'), '0100-01-01T04:56:02.000Z');
    assert.deepEqual(readWallTime('0099-12-31T23:00', 'Asia/Shanghai'), { error: 'not-a-time' }, 'a browser reads 0099 as 1999');
  });
});
