import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assignManagers,
  insertSubjects,
  insertTenant,
  LIST_PLAN,
  listSubjects,
  GRACE_LEFT_UNKNOWN,
  listSubjectsByFigure,
  type FigureOrder,
  type Db,
  type ListPlan,
  type ListSubjectsQuery,
} from '@tierkit/db';
import { CompiledQuery, type KyselyPlugin, sql } from 'kysely';
import { rng } from '../support/book.js';
import { allDialects } from '../support/databases.js';
import { watchStatements } from '../support/watched-statements.js';

/*
 * A filtered page of subjects is read by walking subjects in external-id order or from a level's
 * (or a book's) index, whichever reads less (packages/db, subject-list.ts). Every way must give the
 * same pages as the definition: the subjects of the tenant passing every filter, in external-id order,
 * after the cursor. Small plans force each way on a small book; the default reads it from an index.
 */

const NOW = '2025-11-01T00:00:00.000Z';
const N = 240;
const RISK = ['low', 'medium', 'high'] as const;

interface Made {
  readonly externalId: string;
  readonly id: string;
  readonly kind: string;
  readonly levels: Readonly<Record<string, string>>;
  readonly manager: string | null;
  /** Left the bank: listed only when asked for (`closed: 'only' | 'include'`). */
  readonly closed: boolean;
  /** retail-tier before its latest evaluation (null: none), the month of that evaluation, periods below its line. */
  readonly retailBefore: string | null;
  readonly retailPeriod: string;
  readonly periodsBelow: number;
  /** retail-tier's stored money gap to the next level (null: none) and grace periods left (null: none). */
  readonly nextGap: number | null;
  readonly graceLeft: number | null;
}

/** retail-tier's levels by rank, as the call lists compare them. */
const RETAIL = ['standard', 'gold', 'platinum', 'diamond'] as const;
const RANKS: Readonly<Record<string, number>> = Object.fromEntries(RETAIL.map((l, i) => [l, i]));

/** The book, the same in both tenants' external ids, with internal ids in another order than external ones. */
function book(tenant: string): Made[] {
  const r = rng(tenant === 'bank-a' ? 7 : 8);
  const out: Made[] = [];
  for (let i = 0; i < N; i++) {
    const risk = RISK[Math.floor(r() * 3)] as string;
    let value = RISK[Math.floor(r() * 3)] as string;
    // One empty cell: nobody is high risk and high value.
    if (risk === 'high' && value === 'high') value = 'medium';
    const retail = i % 80 === 3 ? 'diamond' : i % 4 === 0 ? 'gold' : 'standard';
    // A seventh moved down a level at their latest evaluation and a seventh up (wrapping round the
    // ends, so every level moves both ways), an eleventh had no level before; a thirteenth were last
    // evaluated a month before the rest, so they moved at no latest re-tier; a fifth are in grace.
    const step = i % 7 === 1 ? 1 : i % 7 === 2 ? -1 : 0;
    out.push({
      retailBefore:
        i % 11 === 0
          ? null
          : (RETAIL[
              (RANKS[retail] as number) +
                step +
                4 * Number((RANKS[retail] as number) + step < 0) -
                4 * Number((RANKS[retail] as number) + step > 3)
            ] as string),
      retailPeriod: i % 13 === 4 ? '2025-09' : '2025-10',
      periodsBelow: i % 5 === 0 ? 1 : 0,
      // Gaps repeat (ties are ordered by internal id); the top level has none; a third of those in
      // grace have no periods left stored (an override holds their level).
      nextGap: retail === 'diamond' ? null : ((i * 37) % 50) * 100_000,
      graceLeft: i % 5 === 0 ? (i % 3 === 0 ? null : 1 + (i % 2)) : null,
      externalId: `C${String(i).padStart(4, '0')}`,
      id: `${tenant}-${String((i * 97) % N).padStart(4, '0')}-${i}`,
      kind: i % 9 === 0 ? 'employee' : 'customer',
      levels: { 'risk-band': risk, 'value-band': value, 'retail-tier': retail },
      manager: i % 31 === 5 ? 'rm-few' : i % 2 === 0 ? 'rm-many' : null,
      // A tenth, spread over every level; r() keeps the two tenants' closed customers apart.
      closed: r() < 0.1,
    });
  }
  return out;
}

async function load(db: Db, tenant: string): Promise<Made[]> {
  const made = book(tenant);
  await insertTenant(db.db, { id: tenant, name: tenant, metrics: [], now: NOW });
  await insertSubjects(
    db.db,
    tenant,
    made.map((m) => ({
      id: m.id,
      externalId: m.externalId,
      kind: m.kind,
      displayName: m.externalId,
      attributes: {},
      ...(m.closed ? { closed: { at: NOW, reason: 'left' } } : {}),
    })),
    NOW,
  );
  const rows = made.flatMap((m) =>
    Object.entries(m.levels).map(([scheme, level]) => ({
      tenant_id: tenant,
      subject_id: m.id,
      scheme,
      level,
      rank: scheme === 'retail-tier' ? (RANKS[level] as number) : 0,
      periods_below: scheme === 'retail-tier' ? m.periodsBelow : 0,
      base_level: null,
      base_periods_below: 0,
      previous_level: scheme === 'retail-tier' ? m.retailBefore : level,
      explanation: '{}',
      progress: null,
      retention: null,
      approval_required: 0,
      policy_version: 1,
      period: scheme === 'retail-tier' ? m.retailPeriod : '2025-10',
      evaluated_at: NOW,
      next_gap: scheme === 'retail-tier' ? m.nextGap : null,
      grace_left: scheme === 'retail-tier' ? m.graceLeft : null,
    })),
  );
  for (let i = 0; i < rows.length; i += 200)
    await db.db
      .insertInto('assignments')
      .values(rows.slice(i, i + 200))
      .execute();
  for (const staff of ['rm-few', 'rm-many', 'rm-none']) {
    await db.db
      .insertInto('staff')
      .values({ tenant_id: tenant, id: staff, name: staff, role: 'relationship-manager', scope: 'book', created_at: NOW, updated_at: NOW })
      .execute();
  }
  await assignManagers(
    db.db,
    tenant,
    made.flatMap((m) => (m.manager ? [{ subjectId: m.id, staffId: m.manager }] : [])),
    'test',
    () => NOW,
  );
  return made;
}

type Filter = Omit<ListSubjectsQuery, 'limit' | 'afterExternalId'>;

const FILTERS: Record<string, Filter> = {
  'a common level': { levels: [{ scheme: 'retail-tier', level: 'standard' }] },
  'a rare level': { levels: [{ scheme: 'retail-tier', level: 'diamond' }] },
  'a level nobody holds': { levels: [{ scheme: 'retail-tier', level: 'platinum' }] },
  'a matrix cell': {
    levels: [
      { scheme: 'risk-band', level: 'low' },
      { scheme: 'value-band', level: 'medium' },
    ],
  },
  'the empty cell': {
    levels: [
      { scheme: 'risk-band', level: 'high' },
      { scheme: 'value-band', level: 'high' },
    ],
  },
  'a big book': { levels: [], managedBy: 'rm-many' },
  'a small book': { levels: [], managedBy: 'rm-few' },
  'an empty book': { levels: [], managedBy: 'rm-none' },
  'a cell in a book, customers': {
    levels: [
      { scheme: 'risk-band', level: 'medium' },
      { scheme: 'value-band', level: 'low' },
    ],
    managedBy: 'rm-many',
    kind: 'customer',
  },
  // On PostgreSQL, under 'walk, then the matches by id', pages from the last inside the matches' ids.
  'a cell in a book, customers, from the last': {
    levels: [
      { scheme: 'risk-band', level: 'medium' },
      { scheme: 'value-band', level: 'low' },
    ],
    managedBy: 'rm-many',
    kind: 'customer',
    descending: true,
  },
  'ids starting C02': { levels: [], externalIdPrefix: 'C02' },
  'ids starting C02, from the last': { levels: [], externalIdPrefix: 'C02', descending: true },
  'ids starting c0 (another case)': { levels: [], externalIdPrefix: 'c0' },
  'ids starting C9 (none)': { levels: [], externalIdPrefix: 'C9' },
  'ids starting C02 in a small book': { levels: [], externalIdPrefix: 'C02', managedBy: 'rm-few' },
  'the closed only': { levels: [], closed: 'only' },
  'the closed only, from the last': { levels: [], closed: 'only', descending: true },
  'the closed only, a common level': { levels: [{ scheme: 'retail-tier', level: 'standard' }], closed: 'only' },
  'the closed only, in a big book': { levels: [], managedBy: 'rm-many', closed: 'only' },
  'the closed only, ids starting C1': { levels: [], externalIdPrefix: 'C1', closed: 'only' },
  'open and closed, a common level': { levels: [{ scheme: 'retail-tier', level: 'standard' }], closed: 'include' },
  'a level, ids starting C01, from the last': {
    levels: [{ scheme: 'retail-tier', level: 'gold' }],
    externalIdPrefix: 'C01',
    descending: true,
  },
  'closed customers only': { levels: [], closed: 'only' },
  'closed ones included': { levels: [], closed: 'include', descending: true },
  'a common level, closed only': { levels: [{ scheme: 'retail-tier', level: 'standard' }], closed: 'only' },
  'a rare level, closed included': { levels: [{ scheme: 'retail-tier', level: 'diamond' }], closed: 'include' },
  'a matrix cell, closed only, from the last': {
    levels: [
      { scheme: 'risk-band', level: 'low' },
      { scheme: 'value-band', level: 'medium' },
    ],
    closed: 'only',
    descending: true,
  },
  'the empty cell, closed included': {
    levels: [
      { scheme: 'risk-band', level: 'high' },
      { scheme: 'value-band', level: 'high' },
    ],
    closed: 'include',
  },
  'a small book, closed only': { levels: [], managedBy: 'rm-few', closed: 'only' },
  'ids starting C02, closed included': { levels: [], externalIdPrefix: 'C02', closed: 'include' },
  'moved down': { levels: [], change: { scheme: 'retail-tier', direction: 'down', ranks: RANKS } },
  'moved up, from the last': { levels: [], change: { scheme: 'retail-tier', direction: 'up', ranks: RANKS }, descending: true },
  'moved either way, in a big book': {
    levels: [],
    change: { scheme: 'retail-tier', direction: 'any', ranks: RANKS },
    managedBy: 'rm-many',
  },
  'moved down, gold now': {
    levels: [{ scheme: 'retail-tier', level: 'gold' }],
    change: { scheme: 'retail-tier', direction: 'down', ranks: RANKS },
  },
  'moved in a scheme never evaluated': { levels: [], change: { scheme: 'credit', direction: 'any', ranks: {} } },
  'in grace': { levels: [], graceIn: 'retail-tier' },
  'near the next level': { levels: [], nearNext: { scheme: 'retail-tier', within: 1_500_000 } },
  'near the next level, in a big book, from the last': {
    levels: [],
    nearNext: { scheme: 'retail-tier', within: 2_000_000 },
    managedBy: 'rm-many',
    descending: true,
  },
  'near the next level and in grace, a level': {
    levels: [{ scheme: 'retail-tier', level: 'gold' }],
    nearNext: { scheme: 'retail-tier', within: 3_000_000 },
    graceIn: 'retail-tier',
  },
  'in grace, a common cell, closed included': {
    levels: [
      { scheme: 'risk-band', level: 'low' },
      { scheme: 'value-band', level: 'medium' },
    ],
    graceIn: 'retail-tier',
    closed: 'include',
  },
  'in grace and moved, in a small book': {
    levels: [],
    graceIn: 'retail-tier',
    change: { scheme: 'retail-tier', direction: 'any', ranks: RANKS },
    managedBy: 'rm-few',
  },
  'ids holding 1 in a small book': { levels: [], externalIdContains: '1', managedBy: 'rm-few' },
  'ids holding 02 in a big book, in grace': { levels: [], externalIdContains: '02', managedBy: 'rm-many', graceIn: 'retail-tier' },
};

/** Moved at retail-tier's latest re-tier (2025-10) the way `direction` says. */
function moved(m: Made, direction: 'down' | 'up' | 'any'): boolean {
  if (m.retailPeriod !== '2025-10' || m.retailBefore === null || m.retailBefore === m.levels['retail-tier']) return false;
  const before = RANKS[m.retailBefore] as number;
  const now = RANKS[m.levels['retail-tier'] as string] as number;
  return direction === 'any' || (direction === 'down' ? before > now : before < now);
}

/** The definition: every subject passing the filter, in external-id order. */
function expected(made: readonly Made[], f: Filter): string[] {
  const ids = made
    .filter(
      (m) =>
        f.levels.every((c) => m.levels[c.scheme] === c.level) &&
        (f.managedBy === undefined || m.manager === f.managedBy) &&
        (f.kind === undefined || m.kind === f.kind) &&
        (f.externalIdPrefix === undefined || m.externalId.startsWith(f.externalIdPrefix)) &&
        (f.externalIdContains === undefined || m.externalId.includes(f.externalIdContains)) &&
        (f.graceIn === undefined || m.periodsBelow > 0) &&
        (f.nearNext === undefined || (m.nextGap !== null && m.nextGap <= f.nearNext.within)) &&
        (f.change === undefined || (f.change.scheme === 'retail-tier' && moved(m, f.change.direction))) &&
        (f.closed === 'include' || (f.closed === 'only') === m.closed),
    )
    .map((m) => m.externalId)
    .sort();
  return f.descending ? ids.reverse() : ids;
}

/** Filters read in the order of a figure of retail-tier: its gap to the next level, or its grace periods left. */
const SORTED: readonly (readonly [string, Filter, FigureOrder['by']])[] = [
  ['the whole scheme by gap', { levels: [] }, 'gap'],
  ['near the next level by gap', FILTERS['near the next level'] as Filter, 'gap'],
  ['near, a big book, by gap', { levels: [], nearNext: { scheme: 'retail-tier', within: 2_000_000 }, managedBy: 'rm-many' }, 'gap'],
  ['near, closed only, by gap', { levels: [], nearNext: { scheme: 'retail-tier', within: 3_000_000 }, closed: 'only' }, 'gap'],
  [
    'a level and a cell, by gap',
    {
      levels: [
        { scheme: 'retail-tier', level: 'standard' },
        { scheme: 'risk-band', level: 'low' },
      ],
    },
    'gap',
  ],
  ['in grace by periods left', { levels: [], graceIn: 'retail-tier' }, 'graceLeft'],
  [
    'in grace, a big book, customers, by periods left',
    { levels: [], graceIn: 'retail-tier', managedBy: 'rm-many', kind: 'customer' },
    'graceLeft',
  ],
  ['in grace and near, by gap', { levels: [], graceIn: 'retail-tier', nearNext: { scheme: 'retail-tier', within: 4_000_000 } }, 'gap'],
];

const PLANS: Record<string, ListPlan> = {
  default: LIST_PLAN,
  'walk, then index': { fewMatches: 1, scanPerRow: 1 },
  'walk finds the page': { fewMatches: 1, scanPerRow: 1_000 },
  // On PostgreSQL, sparse matches fewer than fewMatches are found by id (matchingIds, byIds), more than it from an index.
  'walk, then the matches by id': { fewMatches: 30, scanPerRow: 1 },
};

/**
 * `db` watched: every statement run through `watched` is kept, and `plans()` gives each one's
 * `EXPLAIN QUERY PLAN` (SQLite), its lines joined by ` | `.
 */
function planned(db: Db) {
  const { watched, compiled } = watchStatements(db);
  const plans = async () => {
    const out: string[] = [];
    for (const q of compiled()) {
      const rows = await db.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${q.sql}`, [...q.parameters]));
      out.push(rows.rows.map((r) => r.detail).join(' | '));
    }
    return out;
  };
  return { watched, plans };
}

for (const harness of allDialects()) {
  describe(`listing subjects by filter, every way of reading a page (${harness.dialect})`, () => {
    let db: Db;
    let made: Made[];
    before(async () => {
      db = await harness.open();
      made = await load(db, 'bank-a');
      // The same external ids in another tenant, in other levels: never listed for bank-a.
      await load(db, 'bank-b');
    });
    after(() => harness.stopAll());

    for (const [planName, plan] of Object.entries(PLANS)) {
      it(`pages through each filter as defined (${planName})`, async () => {
        for (const [name, filter] of Object.entries(FILTERS)) {
          const want = expected(made, filter);
          const got: string[] = [];
          let after: string | undefined;
          for (let pages = 0; pages < 100; pages++) {
            const page = await listSubjects(db.db, 'bank-a', { ...filter, limit: 7, ...(after ? { afterExternalId: after } : {}) }, plan);
            assert.ok(
              page.every((s) => s.tenantId === 'bank-a'),
              `${name}: only bank-a`,
            );
            got.push(...page.map((s) => s.externalId));
            if (page.length < 7) break;
            after = page[page.length - 1]?.externalId;
          }
          assert.deepEqual(got, want, `${name} (${want.length} subjects)`);
        }
      });
    }

    if (harness.dialect === 'sqlite') {
      it('the closed only are read from the partial index of closed subjects, not by walking the tenant', async () => {
        const { watched, plans } = planned(db);
        const page = await listSubjects(watched, 'bank-a', { levels: [], closed: 'only', limit: 7 });
        assert.deepEqual(
          page.map((s) => s.externalId),
          expected(made, { levels: [], closed: 'only' }).slice(0, 7),
        );
        const statements = await plans();
        const page_ = statements.at(-1) ?? '';
        assert.match(page_, /subjects_closed_idx/, page_);
        // Walking the tenant is a scan of subjects in external-id order; sorting the few found is a temp B-tree.
        assert.doesNotMatch(page_, /SCAN s\b/, page_);
      });
    }

    if (harness.dialect === 'sqlite') {
      it('the call lists are read from their partial indexes, testing no assignment row', async () => {
        for (const [filter, index] of [
          [FILTERS['moved down'] as Filter, 'assignments_changed_idx'],
          [FILTERS['in grace'] as Filter, 'assignments_grace_idx'],
        ] as const) {
          const { watched, plans } = planned(db);
          const page = await listSubjects(watched, 'bank-a', { ...filter, limit: 7 });
          assert.deepEqual(
            page.map((s) => s.externalId),
            expected(made, filter).slice(0, 7),
          );
          const statements = await plans();
          const last = statements.at(-1) ?? '';
          assert.match(last, new RegExp(index), last);
          // Every assignment the list tests is read from an index that holds it (`SCAN e` alone is the
          // walk of a subquery's own rows): no assignment row, with its JSON, is read to decide.
          const text = statements.join('\n');
          assert.doesNotMatch(text, /SCAN assignments/, text);
          for (const m of text.matchAll(/SEARCH (?:e|h\d+|assignments) [^|\n]*/g)) assert.match(m[0], /COVERING INDEX/, m[0]);
        }
      });
    }

    if (harness.dialect === 'sqlite') {
      // A cell is one level's index checked against the other level per entry. Left to itself SQLite
      // checks through the unique (subject, scheme) key and reads each assignment's whole row (its
      // explanation and progress) to see its level: a third of a million rows for a nearly empty cell
      // of a million customers. The level index holds every column the check reads.
      it('checks the other level of a cell through the level index, reading no assignment row', async () => {
        for (const [planName, plan] of Object.entries(PLANS))
          for (const filter of [FILTERS['the empty cell'], FILTERS['a matrix cell'], FILTERS['a cell in a book, customers']] as Filter[]) {
            const { watched, plans } = planned(db);
            const page = await listSubjects(watched, 'bank-a', { ...filter, limit: 7 }, plan);
            assert.deepEqual(
              page.map((s) => s.externalId),
              expected(made, filter).slice(0, 7),
            );
            // A book's check (subject_managers) is its own key's seek, not a level's.
            const probes = (await plans())
              .flatMap((p) => p.split(' | '))
              .filter((d) => /^SEARCH h\d+ /.test(d) && !/subject_managers/.test(d));
            assert.ok(probes.length > 0, `${planName}: the other level is checked per entry`);
            for (const p of probes) assert.match(p, /USING COVERING INDEX assignments_tenant_scheme_level_idx/, `${planName}: ${p}`);
          }
      });
    }

    it('pages through the lists sorted by gap and by grace periods left as defined', async () => {
      for (const [name, filter, by] of SORTED) {
        // Sorting the grace list keeps everyone in grace: one whose level an override holds has no
        // periods left stored and comes last (GRACE_LEFT_UNKNOWN), not dropped.
        const figure = (m: Made) => (by === 'gap' ? m.nextGap : m.periodsBelow > 0 ? (m.graceLeft ?? GRACE_LEFT_UNKNOWN) : null);
        const want = made
          .filter((m) => figure(m) !== null && expected(made, filter).includes(m.externalId))
          .sort((a, b) => (figure(a) as number) - (figure(b) as number) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
          .map((m) => `${m.externalId}:${figure(m)}`);
        const got: string[] = [];
        let after: FigureOrder['after'];
        for (let pages = 0; pages < 100; pages++) {
          const page = await listSubjectsByFigure(
            db.db,
            'bank-a',
            { ...filter, limit: 7 },
            { scheme: 'retail-tier', by, ...(after ? { after } : {}) },
          );
          assert.ok(
            page.every((r) => r.subject.tenantId === 'bank-a'),
            `${name}: only bank-a`,
          );
          got.push(...page.map((r) => `${r.subject.externalId}:${r.value}`));
          const last = page[page.length - 1];
          if (page.length < 7 || !last) break;
          after = { value: last.value, subjectId: last.subject.id };
        }
        assert.ok(want.length > 0, `${name}: the book has some`);
        if (by === 'graceLeft')
          assert.ok(
            want.some((w) => w.endsWith(`:${GRACE_LEFT_UNKNOWN}`)),
            `${name}: some with no periods left stored`,
          );
        assert.deepEqual(got, want, `${name} (${want.length} subjects)`);
      }
    });

    it('keeps no index of the gap to the next level, which a monthly re-tier would rewrite for most rows', async () => {
      // BENCHMARKS.md, "Re-tier with the 潜力客户 figures": such an index cost the re-tier's writer ≈ +45 % CPU.
      const indexes =
        harness.dialect === 'sqlite'
          ? await sql<{ name: string; def: string }>`SELECT name, sql AS def FROM sqlite_master
              WHERE type = 'index' AND tbl_name = 'assignments' AND sql IS NOT NULL`.execute(db.db)
          : await sql<{ name: string; def: string }>`SELECT indexname AS name, indexdef AS def FROM pg_indexes
              WHERE tablename = 'assignments'`.execute(db.db);
      const names = indexes.rows.map((r) => r.name);
      assert.ok(names.includes('assignments_grace_left_idx'), names.join(', '));
      assert.deepEqual(
        indexes.rows.filter((r) => /next_gap/.test(r.def)).map((r) => r.name),
        [],
      );
    });

    if (harness.dialect === 'sqlite') {
      it('the sorted lists: a book from its index, tenant-wide a scan of the scheme sorted, grace from its own indexes', async () => {
        for (const [filter, by, wanted] of [
          // Tenant-wide by gap: the scheme's rows, sorted (no gap index: see the test above).
          [
            { levels: [], nearNext: { scheme: 'retail-tier', within: 1_500_000 } },
            'gap',
            [/SEARCH d USING INDEX assignments_tenant_scheme_\w+ \(tenant_id=\? AND scheme=\?\)/, /TEMP B-TREE FOR ORDER BY/],
          ],
          [
            { levels: [] },
            'gap',
            [/SEARCH d USING INDEX assignments_tenant_scheme_\w+ \(tenant_id=\? AND scheme=\?\)/, /TEMP B-TREE FOR ORDER BY/],
          ],
          // A book by gap: its customers from the book index, each one's row by its key, then sorted.
          [
            { levels: [], managedBy: 'rm-many', nearNext: { scheme: 'retail-tier', within: 1_500_000 } },
            'gap',
            [
              /SEARCH m USING/,
              /SEARCH d USING INDEX sqlite_autoindex_assignments_1 \(subject_id=\? AND scheme=\?\)/,
              /TEMP B-TREE FOR ORDER BY/,
            ],
          ],
          [{ levels: [], graceIn: 'retail-tier' }, 'graceLeft', [/SEARCH d USING COVERING INDEX assignments_grace_left_idx/]],
          [
            { levels: [], graceIn: 'retail-tier', managedBy: 'rm-few' },
            'graceLeft',
            [/SEARCH m USING/, /SEARCH d USING COVERING INDEX assignments_grace_idx/],
          ],
        ] as const) {
          const { watched, plans } = planned(db);
          await listSubjectsByFigure(watched, 'bank-a', { ...filter, limit: 7 }, { scheme: 'retail-tier', by });
          const statements = await plans();
          const text = statements.join('\n');
          for (const w of wanted) assert.match(text, w, text);
          assert.doesNotMatch(text, /SCAN (assignments|d)\b/, text);
          // The grace lists stay ordered by their index: a page stops at its last row, nothing is sorted.
          if (by === 'graceLeft' && filter.managedBy === undefined) assert.doesNotMatch(text, /TEMP B-TREE/, text);
        }
      });
    }

    it('the test book reaches each way: a rare filter, a common one, and common ones that meet rarely', () => {
      assert.ok(expected(made, FILTERS['a rare level'] as Filter).length > 0);
      assert.ok(expected(made, FILTERS['a common level'] as Filter).length > 100);
      assert.equal(expected(made, FILTERS['the empty cell'] as Filter).length, 0);
      assert.ok(expected(made, FILTERS['a cell in a book, customers'] as Filter).length > 0);
      // Closed customers in the filters that ask for them, so leaving them out (or in) is seen.
      for (const name of ['closed customers only', 'a common level, closed only', 'a matrix cell, closed only, from the last']) {
        assert.ok(expected(made, FILTERS[name] as Filter).length > 0, name);
      }
      assert.ok(
        made.some((m) => m.closed && m.levels['retail-tier'] === 'diamond'),
        'a rare level holds a closed customer',
      );
    });

    if (harness.dialect === 'postgres') {
      // PostgreSQL takes two levels for independent, so it expects thousands of customers in an empty
      // cell and, left to merge the page's query, walks every subject in external-id order instead of
      // reading the matches from a level's index. 20,000 customers, analysed, are enough for it to
      // choose that walk; a plan's shape, not its time, is checked.
      /** 20,000 customers in two axis levels, a third each, high × high empty (as in the benches), analysed. */
      const bigBook = async () => {
        const big = await harness.open();
        await insertTenant(big.db, { id: 'big', name: 'big', metrics: [], now: NOW });
        await sql`INSERT INTO subjects (id, tenant_id, external_id, kind, display_name, attributes, created_at, updated_at)
          SELECT 'S' || lpad(i::text, 6, '0'), 'big', 'M' || lpad(i::text, 6, '0'), 'customer', 'x', '{}', ${NOW}, ${NOW}
          FROM generate_series(0, 19999) AS i`.execute(big.db);
        const levels = sql`(ARRAY['low','medium','high'])`;
        const risk = sql`${levels}[((i * 7) % 3) + 1]`;
        const value = sql`${levels}[((i * 13 + (i >> 4)) % 3) + 1]`;
        for (const [scheme, level] of [
          ['risk-band', risk],
          // One empty cell, high × high, as in the benches.
          ['value-band', sql`CASE WHEN ${risk} = 'high' AND ${value} = 'high' THEN 'medium' ELSE ${value} END`],
        ] as const) {
          await sql`INSERT INTO assignments (tenant_id, subject_id, scheme, level, rank, periods_below, base_level, base_periods_below,
              previous_level, explanation, progress, retention, approval_required, policy_version, period, evaluated_at)
            SELECT 'big', 'S' || lpad(i::text, 6, '0'), ${scheme}, ${level}, 0, 0, NULL, 0, NULL, '{}', NULL, NULL, 0, 1, '2025-10', ${NOW}
            FROM generate_series(0, 19999) AS i`.execute(big.db);
        }
        await sql`ANALYZE`.execute(big.db);
        return big;
      };
      const CELL = [
        { scheme: 'risk-band', level: 'high' },
        { scheme: 'value-band', level: 'high' },
      ];

      // The planner still takes the levels for independent after the walk found no page: it expects
      // hundreds of matches where there are 20 and hash-joins them to every subject row (a sequential
      // scan of subjects: 1,000,000 rows and 2.3 s at a million customers, BENCHMARKS.md). The matches'
      // ids are read from the levels' indexes alone, and only their subjects by key.
      it('reads a nearly empty cell of an analysed 20,000-customer book without scanning subjects', async () => {
        const big = await bigBook();
        const moved = await sql<{ id: string }>`UPDATE assignments SET level = 'high'
          WHERE tenant_id = 'big' AND scheme = 'value-band' AND subject_id IN (
            SELECT subject_id FROM assignments WHERE tenant_id = 'big' AND scheme = 'risk-band' AND level = 'high' ORDER BY subject_id DESC LIMIT 20)
          RETURNING subject_id AS id`.execute(big.db);
        assert.equal(moved.rows.length, 20);
        const { watched, compiled } = watchStatements(big);
        // Each level here is a third of 20,000, not of a million: a bound below them reads the cell as
        // the default reads a million customers' (a walk, then the matches).
        const page = await listSubjects(watched, 'big', { levels: CELL, limit: 51 }, { ...LIST_PLAN, fewMatches: 1_000 });
        assert.deepEqual(
          page.map((s) => s.id),
          moved.rows.map((r) => r.id).sort(),
          'S and M ids share their order',
        );
        for (const q of compiled()) {
          const plan = await big.db.executeQuery<Record<string, string>>({ ...q, sql: `EXPLAIN ${q.sql}` });
          const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
          assert.doesNotMatch(text, /Seq Scan on subjects/, `${q.sql}\n${text}`);
        }
      });

      // PostgreSQL takes two levels for independent, so it expects thousands of customers in an empty
      // cell and, left to merge the page's query, walks every subject in external-id order instead of
      // reading the matches from a level's index. 20,000 customers, analysed, are enough for it to
      // choose that walk; a plan's shape, not its time, is checked.
      it('reads the empty cell of an analysed 20,000-customer book from an index, not by walking subjects in id order', async () => {
        const big = await bigBook();
        const seen: CompiledQuery[] = [];
        const noting: KyselyPlugin = {
          transformQuery({ node, queryId }) {
            seen.push(big.db.getExecutor().compileQuery(node, queryId));
            return node;
          },
          transformResult: async ({ result }) => result,
        };
        assert.deepEqual(await listSubjects(big.db.withPlugin(noting), 'big', { levels: CELL, limit: 50 }), []);
        // The last statement reads the page from the driving level's index (a bounded walk may come first).
        const page = seen.at(-1) as CompiledQuery;
        const plan = await big.db.executeQuery<Record<string, string>>({ ...page, sql: `EXPLAIN ${page.sql}` });
        const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
        assert.match(text, /assignments_tenant_scheme_level_idx/, text);
        assert.doesNotMatch(text, /subjects_tenant_external_uq/, text);
      });
    }
  });
}
