import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { EventReason } from '@tierkit/core';
import { insertOverride } from '@tierkit/db';
import { client, forEachDialect } from '../support/api-fixture.js';
import { writeBook, type BookEvent } from '../support/history-book.js';

/*
 * The analytics answers on a random book (a fixed seed) against a reference that follows the
 * definitions one subject at a time, in plain loops (packages/api/README.md "Analytics", docs/domain.md
 * §10) — nothing of the SQL the API runs. The hand-worked books in analytics.test.ts and
 * effect-evaluation.test.ts pin the numbers; this one the definitions, over many more cases.
 */

const LEVELS = ['standard', 'gold', 'platinum', 'diamond'];
const MONTHS = Array.from({ length: 14 }, (_, i) => `${2024 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);

/** Park–Miller: the same book on every run and both dialects. */
function prng(seed: number) {
  let s = seed;
  const next = () => {
    s = (s * 48_271) % 2_147_483_647;
    return s / 2_147_483_647;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
}

interface Subject {
  readonly id: string;
  /** In recorded order, months never decreasing. */
  readonly events: { period: string; to: string; reason: EventReason }[];
  readonly balance: Record<string, number>;
  /**
   * One approved override per event of reason `override`, at that event's level, decided in its
   * month (the 15th) and expiring on the 20th of `until` (null: never). It ends by the month of the
   * first event after it that is not another override's approval (the rules, or its end, moved the
   * level: it no longer decided), or sooner, drawn: an expiry that changes no level records none.
   */
  readonly overrides: { from: string; level: string; until: string | null }[];
}

function randomBook(): Subject[] {
  const r = prng(20_261_203);
  // Why each event was written, from a stream of its own (the levels stay those of the book before overrides were drawn).
  const why = prng(4_242);
  const reason = (): EventReason => (why.next() < 0.2 ? (why.next() < 0.5 ? 'override' : 'override-expired') : 'rule');
  // How long each override lasts, from a third stream (the book's levels and reasons stay as they were).
  const ends = prng(777);
  return Array.from({ length: 80 }, (_, n) => {
    const events: Subject['events'] = [];
    let m = r.int(0, 6);
    while (m < MONTHS.length) {
      const period = MONTHS[m] as string;
      events.push({ period, to: LEVELS[r.int(0, 3)] as string, reason: reason() });
      if (r.next() < 0.2) events.push({ period, to: LEVELS[r.int(0, 3)] as string, reason: reason() });
      m += r.int(1, 4);
    }
    const balance: Record<string, number> = {};
    // Few bands, so strata hold both movers and stayers.
    const scale = 2 ** r.int(20, 23);
    for (const p of MONTHS) if (r.next() < 0.85) balance[p] = Math.floor(scale * (1 + r.next()));
    const overrides = events.flatMap((e, k) => {
      if (e.reason !== 'override') return [];
      const lasts = ends.int(0, 6);
      const drawn = lasts === 0 ? null : (MONTHS[MONTHS.indexOf(e.period) + lasts] ?? '2026-01');
      const ended = events.slice(k + 1).find((x) => x.reason !== 'override')?.period ?? null;
      const until = drawn === null ? ended : ended === null || drawn < ended ? drawn : ended;
      return [{ from: e.period, level: e.to, until }];
    });
    return { id: `R${n}`, events, balance, overrides };
  });
}

const rank = (level: string) => LEVELS.indexOf(level);

function levelAt(s: Subject, month: string): string | undefined {
  let level: string | undefined;
  for (const e of s.events) if (e.period <= month) level = e.to;
  return level;
}

/** What set the level a subject holds at the end of `month`, when an event of that month did. */
function causeIn(s: Subject, month: string): 'policy' | 'override' | undefined {
  let cause: 'policy' | 'override' | undefined;
  for (const e of s.events)
    if (e.period === month) cause = e.reason === 'override' || e.reason === 'override-expired' ? 'override' : 'policy';
  return cause;
}

/** The subject's last event at or before `to`, when it is after `from`: what set the level held at `to` since `from`. */
function lastEventSince(s: Subject, from: string, to: string): Subject['events'][number] | undefined {
  let last: Subject['events'][number] | undefined;
  for (const e of s.events) if (e.period <= to) last = e;
  return last && last.period > from ? last : undefined;
}

/** The subject's last event at or before `month`. */
function lastEventAt(s: Subject, month: string): Subject['events'][number] | undefined {
  let last: Subject['events'][number] | undefined;
  for (const e of s.events) if (e.period <= month) last = e;
  return last;
}

/**
 * The level of the override deciding the subject when `month` closes (packages/api/README.md "Four
 * eyes"): of those approved in or before it and not expired by its end, the one approved last.
 */
function decidingAt(s: Subject, month: string): string | undefined {
  let deciding: string | undefined;
  for (const o of s.overrides) if (o.from <= month && (o.until === null || o.until > month)) deciding = o.level;
  return deciding;
}

/** An override holds the subject's level at `month`'s close: the one deciding then is at that level. */
function holds(s: Subject, month: string): boolean {
  const level = levelAt(s, month);
  return level !== undefined && decidingAt(s, month) === level;
}

/**
 * Held in place by an override from `from` to `to`: at the same level, set by an override's approval
 * (whenever: before `from` too) and held by the override deciding at the end of `to`.
 */
function heldInPlace(s: Subject, from: string, to: string): boolean {
  const a = levelAt(s, from);
  return a !== undefined && a === levelAt(s, to) && lastEventAt(s, to)?.reason === 'override' && holds(s, to);
}

/** The reason of the subject's last event in `month`, when it has one. */
function lastReasonIn(s: Subject, month: string): EventReason | undefined {
  let reason: EventReason | undefined;
  for (const e of s.events) if (e.period === month) reason = e.reason;
  return reason;
}

const monthAt = (month: string, by: number): string | undefined => MONTHS[MONTHS.indexOf(month) + by];

/**
 * The rules moved the subject in `month` and an override's approval set it back the month after (an
 * override is decided once a month's data are in, and recorded in the month decided): held in `month`.
 */
function heldNext(s: Subject, month: string): boolean {
  const prev = monthAt(month, -1);
  const next = monthAt(month, 1);
  const a = prev === undefined ? undefined : levelAt(s, prev);
  const reason = lastReasonIn(s, month);
  return (
    a !== undefined &&
    reason !== undefined &&
    reason !== 'override' &&
    reason !== 'override-expired' &&
    levelAt(s, month) !== a &&
    next !== undefined &&
    lastReasonIn(s, next) === 'override' &&
    levelAt(s, next) === a
  );
}

/** The override's approval of {@link heldNext}, in the month after the rules' move: no move of its own. */
function setsBack(s: Subject, month: string): boolean {
  const prev = monthAt(month, -1);
  return prev !== undefined && heldNext(s, prev);
}

/** Held at its level by an override in `month` (against the month before): see packages/api/README.md. */
function heldIn(s: Subject, month: string): boolean {
  const prev = monthAt(month, -1);
  const same = prev !== undefined && levelAt(s, prev) !== undefined && levelAt(s, prev) === levelAt(s, month);
  return (same && lastReasonIn(s, month) === 'override') || heldNext(s, month);
}

function band(v: number): number {
  let b = 0;
  while (b < 53 && 2 ** b <= v) b++;
  return b;
}

const money = (x: number) => {
  const r = Math.sign(x) * Math.round(Math.abs(x));
  return r === 0 ? 0 : r;
};

function referenceEffect(
  book: Subject[],
  period: string,
  before: string,
  months: string[],
  direction: 'up' | 'down',
  overrides: 'exclude' | 'include' = 'exclude',
) {
  const all = book.flatMap((s) => {
    const a = levelAt(s, before);
    const b = levelAt(s, period);
    if (a === undefined || b === undefined) return [];
    const moved = (direction === 'up' ? rank(b) > rank(a) : rank(b) < rank(a))
      ? overrides === 'exclude' && causeIn(s, period) === 'override'
        ? 'override-moved'
        : 'moved'
      : undefined;
    const held = heldNext(s, period) || (setsBack(s, period) && (a !== b || holds(s, period))) || heldInPlace(s, before, period);
    const group = held ? 'held-by-override' : a === b ? 'stayed' : moved;
    return group ? [{ s, group, start: a }] : [];
  });
  const groups = all.filter((g) => g.group === 'moved' || g.group === 'stayed');
  const withBase = groups.filter((g) => g.s.balance[period] !== undefined);
  const stratum = (g: (typeof withBase)[number]) => `${g.start}/${band(g.s.balance[period] as number)}`;
  const moverStrata = new Set(withBase.filter((g) => g.group === 'moved').map(stratum));
  const effect = months.map((m) => {
    const rows = withBase.filter((g) => g.s.balance[m] !== undefined);
    const change = (g: (typeof rows)[number]) => (g.s.balance[m] as number) - (g.s.balance[period] as number);
    const strata = new Map<string, { moved: number[]; stayed: number[] }>();
    for (const g of rows) {
      const key = stratum(g);
      const st = strata.get(key) ?? { moved: [], stayed: [] };
      st[g.group as 'moved' | 'stayed'].push(change(g));
      strata.set(key, st);
    }
    let nMoved = 0;
    let nStayed = 0;
    let movedTotal = 0;
    let stayedWeighted = 0;
    for (const st of strata.values()) {
      if (st.moved.length === 0 || st.stayed.length === 0) continue;
      nMoved += st.moved.length;
      nStayed += st.stayed.length;
      movedTotal += st.moved.reduce((x, y) => x + y, 0);
      stayedWeighted += (st.moved.length * st.stayed.reduce((x, y) => x + y, 0)) / st.stayed.length;
    }
    const moved = rows.filter((g) => g.group === 'moved');
    return {
      stayedCount: rows.filter((g) => g.group === 'stayed' && moverStrata.has(stratum(g))).length,
      movedCount: moved.length,
      movedMeanValue: moved.length ? money(moved.reduce((x, g) => x + (g.s.balance[m] as number), 0) / moved.length) : null,
      matchedMoved: nMoved,
      matchedStayed: nStayed,
      effect: nMoved ? (movedTotal - stayedWeighted) / nMoved : null,
    };
  });
  return {
    cohorts: {
      moved: groups.filter((g) => g.group === 'moved').length,
      stayed: groups.filter((g) => g.group === 'stayed').length,
      overrideMoved: all.filter((g) => g.group === 'override-moved').length,
      heldByOverride: all.filter((g) => g.group === 'held-by-override').length,
    },
    effect,
  };
}

forEachDialect('analytics: a random book against a subject-by-subject reference', (f) => {
  const api = client(f, () => f.keys.roles.analyst);
  const book = randomBook();
  before(async () => {
    const events: BookEvent[] = book.flatMap((s) =>
      s.events.map((e, i) => ({
        subject: s.id,
        period: e.period,
        from: i === 0 ? null : (s.events[i - 1]?.to ?? null),
        to: e.to,
        reason: e.reason,
      })),
    );
    await writeBook(f.db.db, 'bank-a', { events, metrics: Object.fromEntries(book.map((s) => [s.id, s.balance])) });
    for (const s of book)
      for (const [i, o] of s.overrides.entries())
        await insertOverride(
          f.db.db,
          'bank-a',
          `bank-a/${s.id}`,
          {
            id: `${s.id}-o${i}`,
            scheme: 'retail-tier',
            level: o.level,
            mode: 'fixed',
            reason: 'retention',
            expiresAt: o.until === null ? null : `${o.until}-20T02:00:00.000Z`,
            requestedBy: 'rm',
            approvedBy: 'approver',
          },
          // Minutes apart, in the order approved: the one approved last decides.
          `${o.from}-15T02:${String(i).padStart(2, '0')}:00.000Z`,
        );
  });

  it('distribution and rates, every month', async () => {
    const from = MONTHS[0] as string;
    const to = MONTHS.at(-1) as string;
    const dist = await (await api.get(`/v1/analytics/distribution?scheme=retail-tier&from=${from}&to=${to}`)).json();
    for (const [i, month] of MONTHS.entries()) {
      for (const level of LEVELS) {
        const expected = book.filter((s) => levelAt(s, month) === level).length;
        assert.equal(dist.series.find((x: { level: string }) => x.level === level).counts[i], expected, `${level} in ${month}`);
      }
    }
    // The last month the rules wrote anything in (the book has no stored levels).
    const through = book
      .flatMap((s) => s.events.filter((e) => e.reason === 'rule').map((e) => e.period))
      .sort()
      .at(-1);
    assert.equal(dist.evaluatedThrough, through);
    assert.deepEqual(
      dist.evaluated,
      MONTHS.map((m) => m <= (through ?? '')),
    );
    const rates = await (await api.get(`/v1/analytics/rates?scheme=retail-tier&from=${MONTHS[1]}&to=${to}`)).json();
    for (const [i, month] of MONTHS.slice(1).entries()) {
      const prev = MONTHS[i] as string;
      const tiered = book.filter((s) => levelAt(s, prev) !== undefined && levelAt(s, month) !== undefined);
      // Held customers, and the override's approval that set one back the month before, are no move.
      const pairs = tiered.flatMap((s) => {
        const a = levelAt(s, prev) as string;
        const b = levelAt(s, month) as string;
        return heldIn(s, month) || setsBack(s, month) ? [] : [[a, b, causeIn(s, month)] as const];
      });
      assert.equal(rates.base[i], tiered.length, `base ${month}`);
      assert.equal(rates.heldByOverride[i], tiered.filter((s) => heldIn(s, month)).length, `held by an override ${month}`);
      assert.equal(rates.upgrades[i], pairs.filter(([a, b]) => rank(b) > rank(a)).length, `upgrades ${month}`);
      assert.equal(rates.downgrades[i], pairs.filter(([a, b]) => rank(b) < rank(a)).length, `downgrades ${month}`);
      for (const cause of ['policy', 'override'] as const) {
        const mine = pairs.filter(([, , c]) => c === cause);
        assert.equal(rates[cause].upgrades[i], mine.filter(([a, b]) => rank(b) > rank(a)).length, `${cause} upgrades ${month}`);
        assert.equal(rates[cause].downgrades[i], mine.filter(([a, b]) => rank(b) < rank(a)).length, `${cause} downgrades ${month}`);
      }
      assert.equal(rates.entered[i], book.filter((s) => levelAt(s, prev) === undefined && levelAt(s, month) !== undefined).length);
    }
    assert.ok(rates.upgrades.some((n: number) => n > 0) && rates.downgrades.some((n: number) => n > 0), 'the book has moves both ways');
    assert.ok(
      MONTHS.some((m) => book.some((s) => heldNext(s, m))),
      'the book has customers the rules moved and an override set back the month after',
    );
    for (const cause of ['policy', 'override'] as const)
      assert.ok(
        rates[cause].upgrades.some((n: number) => n > 0),
        `the book has ${cause} upgrades`,
      );
  });

  it('migration between several pairs of months', async () => {
    let heldSeen = 0;
    let heldLongSeen = 0;
    let endedSeen = 0;
    for (const [from, to] of [
      ['2024-01', '2025-02'],
      ['2024-03', '2024-09'],
      ['2024-06', '2024-07'],
      ['2024-08', '2024-08'],
      // An override ended (without a change of level) between these two: a stayer, no longer held.
      ['2024-10', '2025-01'],
    ] as const) {
      const body = await (await api.get(`/v1/analytics/migration?scheme=retail-tier&from=${from}&to=${to}`)).json();
      for (const [i, a] of LEVELS.entries()) {
        for (const [j, b] of LEVELS.entries()) {
          const pair = book.filter((s) => levelAt(s, from) === a && levelAt(s, to) === b);
          assert.equal(body.matrix[i][j], pair.length, `${a} → ${b}, ${from} → ${to}`);
          const byOverride = pair.filter((s) => {
            const last = lastEventSince(s, from, to);
            // Held in place since before `from`: nothing moved it since, but an override sets its level.
            if (last === undefined) return heldInPlace(s, from, to);
            return last.reason === 'override' || last.reason === 'override-expired';
          });
          assert.equal(body.override.matrix[i][j], byOverride.length, `${a} → ${b}, ${from} → ${to}, by an override`);
          assert.equal(body.policy.matrix[i][j], pair.length - byOverride.length, `${a} → ${b}, ${from} → ${to}, by the rules`);
        }
        assert.equal(body.entered[i], book.filter((s) => levelAt(s, from) === undefined && levelAt(s, to) === a).length);
      }
      let heldSinceBefore = 0;
      const held = book.filter((s) => {
        if (levelAt(s, from) === undefined) return false;
        const last = lastEventSince(s, from, to);
        if (last === undefined) {
          if (heldInPlace(s, from, to)) heldSinceBefore++;
          return heldInPlace(s, from, to);
        }
        const back = setsBack(s, last.period) && (levelAt(s, from) !== levelAt(s, to) || holds(s, to));
        return heldNext(s, to) || back || heldInPlace(s, from, to);
      });
      heldLongSeen += heldSinceBefore;
      endedSeen += book.filter(
        (s) =>
          levelAt(s, from) !== undefined &&
          levelAt(s, from) === levelAt(s, to) &&
          lastEventAt(s, to)?.reason === 'override' &&
          !holds(s, to),
      ).length;
      assert.equal(body.totals.heldByOverride, held.length, `held by an override, ${from} → ${to}`);
      heldSeen += held.length;
    }
    assert.ok(heldSeen > 0, 'the book has customers held by an override');
    assert.ok(heldLongSeen > 0, 'the book has customers held by an override approved before `from`');
    assert.ok(endedSeen > 0, 'the book has customers whose override ended without a change of level: stayers, not held');
  });

  it('effect evaluation, both directions, several months', async () => {
    let compared = 0;
    let overrideMovers = 0;
    for (const period of ['2024-05', '2024-08', '2024-10']) {
      for (const [direction, overrides] of [
        ['up', 'exclude'],
        ['down', 'exclude'],
        ['up', 'include'],
      ] as const) {
        const body = await (
          await api.get(`/v1/analytics/effect?scheme=retail-tier&period=${period}&direction=${direction}&months=3&overrides=${overrides}`)
        ).json();
        const ref = referenceEffect(book, period, body.before, body.periods, direction, overrides);
        overrideMovers += ref.cohorts.overrideMoved;
        assert.deepEqual(body.cohorts, ref.cohorts, `${period} ${direction} cohorts`);
        for (const [k, e] of ref.effect.entries()) {
          const at = `${period} ${direction} +${k}`;
          assert.equal(body.moved.counts[k], e.movedCount, `${at} movers`);
          assert.equal(body.stayed.counts[k], e.stayedCount, `${at} stayers of strata with movers`);
          assert.equal(body.moved.meanValue[k], e.movedMeanValue, `${at} movers' mean`);
          assert.equal(body.matched.moved.counts[k], e.matchedMoved, `${at} matched movers`);
          assert.equal(body.matched.stayed.counts[k], e.matchedStayed, `${at} matched stayers`);
          if (e.effect === null) assert.equal(body.matched.effect[k], null, at);
          // Summed in another order than the API's: a last-bit difference may round the other way.
          else assert.ok(Math.abs(body.matched.effect[k] - e.effect) <= 0.5 + 1e-6, `${at}: ${body.matched.effect[k]} vs ${e.effect}`);
          if (e.matchedMoved > 0 && k > 0) compared++;
        }
      }
    }
    assert.ok(compared >= 6, `enough matched months to compare (${compared})`);
    assert.ok(overrideMovers > 0, 'some movers were an override’s, and were left out');
  });
});
