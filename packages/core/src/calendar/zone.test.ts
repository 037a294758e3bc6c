import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dayOf, instantAt, instantsAt, isTimeZone, periodEnd, periodOf, startOfDay, zonedIso } from './zone.js';

describe("the bank's calendar", () => {
  it('a month ends at midnight in the zone', () => {
    assert.equal(periodEnd('2026-11', 'Asia/Shanghai'), '2026-11-30T16:00:00.000Z');
    assert.equal(periodEnd('2026-12', 'Asia/Shanghai'), '2026-12-31T16:00:00.000Z', 'December rolls over to January');
    assert.equal(periodEnd('2026-11', 'UTC'), '2026-12-01T00:00:00.000Z');
    assert.equal(periodEnd('2026-02', 'Asia/Taipei'), '2026-02-28T16:00:00.000Z');
    assert.equal(periodEnd('2028-02', 'Asia/Hong_Kong'), '2028-02-29T16:00:00.000Z', 'a leap year');
  });

  it('counts the offset in force at the instant (summer time)', () => {
    // New York: UTC−4 in summer, UTC−5 in winter; summer time ends on 1 November 2026.
    assert.equal(periodEnd('2026-06', 'America/New_York'), '2026-07-01T04:00:00.000Z');
    assert.equal(periodEnd('2026-10', 'America/New_York'), '2026-11-01T04:00:00.000Z');
    assert.equal(periodEnd('2026-11', 'America/New_York'), '2026-12-01T05:00:00.000Z');
    assert.equal(startOfDay({ year: 2026, month: 3, day: 9 }, 'America/New_York').toISOString(), '2026-03-09T04:00:00.000Z');
  });

  it('keeps each zone and month apart when asked again (the ends are kept)', () => {
    for (let round = 0; round < 2; round++) {
      assert.equal(periodEnd('2026-11', 'Asia/Shanghai'), '2026-11-30T16:00:00.000Z');
      assert.equal(periodEnd('2026-11', 'America/New_York'), '2026-12-01T05:00:00.000Z');
      assert.equal(periodEnd('2026-10', 'America/New_York'), '2026-11-01T04:00:00.000Z');
    }
    // More months than are kept: the oldest are computed again, never answered for another month.
    for (let i = 0; i < 1500; i++) {
      const period = `${2000 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
      assert.equal(periodEnd(period, 'UTC'), new Date(Date.UTC(2000 + Math.floor(i / 12), (i % 12) + 1, 1)).toISOString());
    }
    assert.equal(periodEnd('2026-11', 'Asia/Shanghai'), '2026-11-30T16:00:00.000Z');
  });

  it('names the month and day an instant falls on there', () => {
    const instant = new Date('2026-11-30T16:30:00Z');
    assert.equal(periodOf(instant, 'Asia/Shanghai'), '2026-12');
    assert.equal(periodOf(instant, 'UTC'), '2026-11');
    assert.deepEqual(dayOf(instant, 'Asia/Shanghai'), { year: 2026, month: 12, day: 1 });
    // Asked again within the minute in another zone: each zone keeps its own answer.
    assert.equal(periodOf(new Date('2026-11-30T16:30:10Z'), 'Asia/Shanghai'), '2026-12');
    assert.equal(periodOf(new Date('2026-11-30T16:30:10Z'), 'UTC'), '2026-11');
  });

  it('says every instant a wall time is: none in the spring gap, both of an autumn hour, in either hemisphere', () => {
    const at = (year: number, month: number, day: number, hour: number, minute: number, zone: string) =>
      instantsAt({ year, month, day, hour, minute, second: 0 }, zone).map((d) => d.toISOString());
    // New York (west of UTC) and Berlin (east of it) repeat an hour in autumn: both, earliest first.
    assert.deepEqual(at(2026, 11, 1, 1, 30, 'America/New_York'), ['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z']);
    assert.deepEqual(at(2026, 10, 25, 2, 30, 'Europe/Berlin'), ['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z']);
    // Sydney (southern hemisphere) repeats its hour in April.
    assert.deepEqual(at(2026, 4, 5, 2, 30, 'Australia/Sydney'), ['2026-04-04T15:30:00.000Z', '2026-04-04T16:30:00.000Z']);
    // Spring: the clocks jump over it.
    assert.deepEqual(at(2026, 3, 8, 2, 30, 'America/New_York'), []);
    assert.deepEqual(at(2026, 3, 29, 2, 30, 'Europe/Berlin'), []);
    // Shanghai: one reading today; two in 1986, when China kept summer time.
    assert.deepEqual(at(2026, 10, 25, 2, 30, 'Asia/Shanghai'), ['2026-10-24T18:30:00.000Z']);
    assert.deepEqual(at(1986, 9, 14, 1, 30, 'Asia/Shanghai'), ['1986-09-13T16:30:00.000Z', '1986-09-13T17:30:00.000Z']);
    assert.deepEqual(at(2025, 2, 30, 10, 0, 'Asia/Shanghai'), [], '30 February is no day, not 2 March');
  });

  it('reads years before 100 as themselves, not as 19xx', () => {
    // New York's clocks kept local mean time then (UTC−4:56:02); Date.UTC alone would read year 99 as 1999.
    assert.equal(
      instantAt({ year: 100, month: 1, day: 1, hour: 0, minute: 0, second: 0 }, 'America/New_York').toISOString(),
      '0100-01-01T04:56:02.000Z',
    );
    assert.deepEqual(
      instantsAt({ year: 100, month: 1, day: 1, hour: 0, minute: 0, second: 0 }, 'America/New_York').map((d) => d.toISOString()),
      ['0100-01-01T04:56:02.000Z'],
    );
  });

  it('tells a zone the runtime knows from one it does not', () => {
    assert.equal(isTimeZone('Asia/Shanghai'), true);
    assert.equal(isTimeZone('UTC'), true);
    assert.equal(isTimeZone('Asia/Shanghi'), false);
    assert.equal(isTimeZone(''), false);
  });

  it('refuses a malformed month', () => {
    assert.throws(() => periodEnd('2026-13', 'UTC'), RangeError);
    assert.throws(() => periodEnd('2026-1', 'UTC'), RangeError);
    // Refused every time, not only the first: a refusal is not kept as an answer.
    assert.throws(() => periodEnd('2026-13', 'UTC'), RangeError);
  });

  it('writes an instant as the zone’s wall clock with the offset in force then (zonedIso)', () => {
    assert.equal(zonedIso(new Date('2025-11-15T04:00:00.123Z'), 'Asia/Shanghai'), '2025-11-15T12:00:00.123+08:00');
    assert.equal(zonedIso(new Date('2025-11-30T16:30:00.000Z'), 'Asia/Shanghai'), '2025-12-01T00:30:00.000+08:00', 'the next day there');
    assert.equal(zonedIso(new Date('2026-07-01T04:00:00.000Z'), 'America/New_York'), '2026-07-01T00:00:00.000-04:00');
    assert.equal(zonedIso(new Date('2026-12-01T05:00:00.000Z'), 'America/New_York'), '2026-12-01T00:00:00.000-05:00');
    assert.equal(zonedIso(new Date('2026-01-01T00:00:00.000Z'), 'Asia/Kolkata'), '2026-01-01T05:30:00.000+05:30');
    assert.equal(zonedIso(new Date('2026-01-01T00:00:00.000Z'), 'UTC'), '2026-01-01T00:00:00.000+00:00');
  });
});
