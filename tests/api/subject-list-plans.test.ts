import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assignManagers,
  insertSubjects,
  insertTenant,
  LIST_PLAN,
  listSubjects,
  type Db,
  type ListPlan,
  type ListSubjectsQuery,
} from '@tierkit/db';
import { CompiledQuery, type QueryId, type RootOperationNode } from 'kysely';
import { rng } from '../support/book.js';
import { allDialects } from '../support/databases.js';

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
  /** Left the bank: listed only with `closed: 'include' | 'only'`. */
  readonly closed: boolean;
}

/** The book, the same in both tenants' external ids, with internal ids in another order than external ones. */
function book(tenant: string): Made[] {
  const r = rng(tenant === 'bank-a' ? 7 : 8);
  const out: Made[] = [];
  for (let i = 0; i < N; i++) {
    const risk = RISK[Math.floor(r() * 3)] as string;
    let value = RISK[Math.floor(r() * 3)] as string;
    // One empty cell: nobody is high risk and high value.
    if (risk === 'high' && value === 'high') value = 'medium';
    out.push({
      externalId: `C${String(i).padStart(4, '0')}`,
      id: `${tenant}-${String((i * 97) % N).padStart(4, '0')}-${i}`,
      kind: i % 9 === 0 ? 'employee' : 'customer',
      levels: { 'risk-band': risk, 'value-band': value, 'retail-tier': i % 80 === 3 ? 'diamond' : i % 4 === 0 ? 'gold' : 'standard' },
      manager: i % 31 === 5 ? 'rm-few' : i % 2 === 0 ? 'rm-many' : null,
      closed: i % 17 === 4,
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
      rank: 0,
      periods_below: 0,
      base_level: null,
      base_periods_below: 0,
      previous_level: null,
      explanation: '{}',
      progress: null,
      retention: null,
      approval_required: 0,
      policy_version: 1,
      period: '2025-10',
      evaluated_at: NOW,
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
};

/** The definition: every subject passing the filter, in external-id order. */
function expected(made: readonly Made[], f: Filter): string[] {
  const ids = made
    .filter(
      (m) =>
        f.levels.every((c) => m.levels[c.scheme] === c.level) &&
        (f.managedBy === undefined || m.manager === f.managedBy) &&
        (f.kind === undefined || m.kind === f.kind) &&
        (f.externalIdPrefix === undefined || m.externalId.startsWith(f.externalIdPrefix)) &&
        (f.closed === 'include' || m.closed === (f.closed === 'only')),
    )
    .map((m) => m.externalId)
    .sort();
  return f.descending ? ids.reverse() : ids;
}

const PLANS: Record<string, ListPlan> = {
  default: LIST_PLAN,
  'walk, then index': { fewMatches: 1, scanPerRow: 1 },
  'walk finds the page': { fewMatches: 1, scanPerRow: 1_000 },
};

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
        const nodes: { node: RootOperationNode; queryId: QueryId }[] = [];
        const watched = db.db.withPlugin({
          transformQuery(args) {
            nodes.push(args);
            return args.node;
          },
          async transformResult(args) {
            return args.result;
          },
        });
        const page = await listSubjects(watched, 'bank-a', { levels: [], closed: 'only', limit: 7 });
        assert.deepEqual(
          page.map((s) => s.externalId),
          expected(made, { levels: [], closed: 'only' }).slice(0, 7),
        );
        const plans: string[] = [];
        for (const { node, queryId } of nodes) {
          const q = db.db.getExecutor().compileQuery(node, queryId);
          const rows = await db.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${q.sql}`, [...q.parameters]));
          plans.push(rows.rows.map((r) => r.detail).join(' | '));
        }
        const page_ = plans.at(-1) ?? '';
        assert.match(page_, /subjects_closed_idx/, page_);
        // Walking the tenant is a scan of subjects in external-id order; sorting the few found is a temp B-tree.
        assert.doesNotMatch(page_, /SCAN s\b/, page_);
      });
    }

    it('the test book reaches each way: a rare filter, a common one, and common ones that meet rarely', () => {
      assert.ok(expected(made, FILTERS['a rare level'] as Filter).length > 0);
      assert.ok(expected(made, FILTERS['a common level'] as Filter).length > 100);
      assert.equal(expected(made, FILTERS['the empty cell'] as Filter).length, 0);
      assert.ok(expected(made, FILTERS['a cell in a book, customers'] as Filter).length > 0);
    });
  });
}
