import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assignManagers,
  callListChanges,
  insertTenant,
  LIST_PLAN,
  listSubjects,
  markRetiered,
  type Db,
  type ListPlan,
  type ListSubjectsQuery,
} from '@tierkit/db';
import { sql } from 'kysely';
import { allDialects } from '../support/databases.js';
import { writeBook, type BookEvent } from '../support/history-book.js';

/*
 * A call list of month P (2025-10, the latest re-tier) while the job of 2025-11 has re-tiered some
 * customers already (packages/db, subject-list.ts, changedHolding): each of those is on it by their
 * history's change at P — their level at P against the month before, levels read as the analytics
 * read them (level-history.ts) — counted here by hand:
 *
 *        08          09        10 (P)                         11 (the running job)   listed
 *   A1   standard              → gold                         re-tiered, kept        up
 *   A2   platinum              → gold                         → standard             down (its P change)
 *   A3   gold                  → platinum                     not re-tiered yet      up (its assignment)
 *   A4   standard              → gold → standard              re-tiered, kept        no: moved and back within P
 *   A5   standard  → platinum  → gold                         re-tiered, kept        no: 09's platinum recorded
 *                    (recorded after 10's gold)                                          after 10's gold supersedes it
 *   A6                         gold (first tiered)            re-tiered, kept        no: nothing to change from
 *   A7   diamond               → platinum                     re-tiered, kept        down
 *   A8   gold                                                 → standard             no: moved at 11 only
 *   A9   standard  → gold                                     re-tiered, kept        no: moved at 09
 *
 * bank-b holds the same book, nobody re-tiered past P: never listed for bank-a, its own lists whole.
 * Each plan of the list (small ones force every way of reading a page) pages through it two at a time.
 */

const NOW = '2025-11-20T00:00:00.000Z';
const RANKS: Readonly<Record<string, number>> = { standard: 0, gold: 1, platinum: 2, diamond: 3 };
const EVENTS: BookEvent[] = [
  { subject: 'A1', period: '2025-08', from: null, to: 'standard' },
  { subject: 'A1', period: '2025-10', from: 'standard', to: 'gold' },
  { subject: 'A2', period: '2025-08', from: null, to: 'platinum' },
  { subject: 'A2', period: '2025-10', from: 'platinum', to: 'gold' },
  { subject: 'A3', period: '2025-08', from: null, to: 'gold' },
  { subject: 'A3', period: '2025-10', from: 'gold', to: 'platinum' },
  { subject: 'A4', period: '2025-08', from: null, to: 'standard' },
  { subject: 'A4', period: '2025-10', from: 'standard', to: 'gold' },
  { subject: 'A4', period: '2025-10', from: 'gold', to: 'standard' },
  { subject: 'A5', period: '2025-08', from: null, to: 'standard' },
  { subject: 'A5', period: '2025-10', from: 'standard', to: 'gold' },
  { subject: 'A5', period: '2025-09', from: 'gold', to: 'platinum' },
  { subject: 'A6', period: '2025-10', from: null, to: 'gold' },
  { subject: 'A7', period: '2025-08', from: null, to: 'diamond' },
  { subject: 'A7', period: '2025-10', from: 'diamond', to: 'platinum' },
  { subject: 'A8', period: '2025-08', from: null, to: 'gold' },
  { subject: 'A9', period: '2025-08', from: null, to: 'standard' },
  { subject: 'A9', period: '2025-09', from: 'standard', to: 'gold' },
];
/** The running job's moves at 2025-11. */
const NEXT: BookEvent[] = [
  { subject: 'A2', period: '2025-11', from: 'gold', to: 'standard' },
  { subject: 'A8', period: '2025-11', from: 'gold', to: 'standard' },
];
/** The level before 2025-10 its re-tier stored, of those it evaluated (history's level at 2025-09). */
const BEFORE_P: Record<string, string | null> = {
  A1: 'standard',
  A2: 'platinum',
  A3: 'gold',
  A4: 'standard',
  A5: 'platinum',
  A6: null,
  A7: 'diamond',
};
const RE_TIERED = ['A1', 'A2', 'A4', 'A5', 'A6', 'A7', 'A8', 'A9'];

const PLANS: Record<string, ListPlan> = {
  default: LIST_PLAN,
  'walk, then index': { fewMatches: 1, scanPerRow: 1 },
  'walk finds the page': { fewMatches: 1, scanPerRow: 1_000 },
  'walk, then the matches by id': { fewMatches: 30, scanPerRow: 1 },
};

const change = (direction: 'down' | 'up' | 'any') => ({ scheme: 'retail-tier', direction, ranks: RANKS });
const FILTERS: [string, Omit<ListSubjectsQuery, 'limit' | 'afterExternalId'>, string][] = [
  ['either way', { levels: [], change: change('any') }, 'A1,A2,A3,A7'],
  ['down', { levels: [], change: change('down') }, 'A2,A7'],
  ['up', { levels: [], change: change('up') }, 'A1,A3'],
  ['either way, from the last', { levels: [], change: change('any'), descending: true }, 'A7,A3,A2,A1'],
  ['either way, in rm-1’s book', { levels: [], change: change('any'), managedBy: 'rm-1' }, 'A1,A2'],
  ['either way, gold now', { levels: [{ scheme: 'retail-tier', level: 'gold' }], change: change('any') }, 'A1'],
];

for (const harness of allDialects()) {
  describe(`call lists of a month a running re-tier has moved some customers past (${harness.dialect})`, () => {
    let db: Db;
    const book = async (tenant: string, running: boolean) => {
      await insertTenant(db.db, { id: tenant, name: tenant, metrics: [], now: NOW });
      await writeBook(db.db, tenant, { events: running ? [...EVENTS, ...NEXT] : EVENTS });
      // As the re-tiers stored them: the rank of the level, the level before (writeBook stores none).
      for (const [subject, previous] of Object.entries(BEFORE_P))
        await db.db
          .updateTable('assignments')
          .set({ previous_level: previous })
          .where('tenant_id', '=', tenant)
          .where('subject_id', '=', `${tenant}/${subject}`)
          .where('period', '=', '2025-10')
          .execute();
      await db.db
        .updateTable('assignments')
        .set({
          rank: sql`case level when 'standard' then 0 when 'gold' then 1 when 'platinum' then 2 else 3 end`,
        })
        .where('tenant_id', '=', tenant)
        .execute();
      if (running) {
        // The job's rows: at 2025-11, each level kept (previous = level) but A2's and A8's, which moved.
        const ids = RE_TIERED.map((s) => `${tenant}/${s}`);
        await db.db
          .updateTable('assignments')
          .set({ period: '2025-11', previous_level: sql`level` })
          .where('tenant_id', '=', tenant)
          .where('subject_id', 'in', ids)
          .where('period', '<', '2025-11')
          .execute();
        await db.db
          .updateTable('assignments')
          .set({ previous_level: 'gold' })
          .where('tenant_id', '=', tenant)
          .where('subject_id', 'in', [`${tenant}/A2`, `${tenant}/A8`])
          .execute();
      }
      await markRetiered(db.db, tenant, [{ scheme: 'retail-tier', period: '2025-10' }], NOW);
      await db.db
        .insertInto('staff')
        .values({
          tenant_id: tenant,
          id: 'rm-1',
          name: 'rm-1',
          role: 'relationship-manager',
          scope: 'book',
          created_at: NOW,
          updated_at: NOW,
        })
        .execute();
      await assignManagers(
        db.db,
        tenant,
        ['A1', 'A2', 'A4'].map((s) => ({ subjectId: `${tenant}/${s}`, staffId: 'rm-1' })),
        'test',
        () => NOW,
      );
    };
    before(async () => {
      db = await harness.open();
      await book('bank-a', true);
      await book('bank-b', false);
    });
    after(() => harness.stopAll());

    it('the book is as the table says: the running job has re-tiered A1, A2 and A4–A9 at 2025-11, A3 not', async () => {
      const rows = await db.db
        .selectFrom('assignments')
        .select(['subject_id', 'period'])
        .where('tenant_id', '=', 'bank-a')
        .where('period', '=', '2025-10')
        .execute();
      assert.deepEqual(
        rows.map((r) => r.subject_id),
        ['bank-a/A3'],
      );
    });

    for (const [planName, plan] of Object.entries(PLANS)) {
      it(`lists everyone who changed at 2025-10, page by page (${planName})`, async () => {
        for (const [name, filter, want] of FILTERS) {
          for (const [tenant, expected] of [
            ['bank-a', want],
            // Nobody past P there: its assignments alone list the same customers but the ones the job moved,
            // as its own (A1–A9 of bank-b): never bank-a's.
            ['bank-b', name.includes('gold now') ? 'A1,A2' : want],
          ] as const) {
            const got: string[] = [];
            let after: string | undefined;
            for (let pages = 0; pages < 20; pages++) {
              const page = await listSubjects(db.db, tenant, { ...filter, limit: 2, ...(after ? { afterExternalId: after } : {}) }, plan);
              assert.ok(
                page.every((s) => s.tenantId === tenant),
                `${name}: only ${tenant}`,
              );
              got.push(...page.map((s) => s.externalId));
              if (page.length < 2) break;
              after = page[page.length - 1]?.externalId;
            }
            assert.equal(got.join(','), expected, `${tenant}, ${name}`);
          }
        }
      });
    }

    it('each listed customer’s change is the one at 2025-10, not where the running job put them', async () => {
      const changes = await callListChanges(
        db.db,
        'bank-a',
        'retail-tier',
        ['A1', 'A2', 'A3', 'A4', 'A7', 'A8'].map((s) => `bank-a/${s}`),
      );
      assert.deepEqual(Object.fromEntries([...changes].map(([id, c]) => [id, `${c.period} ${c.from}→${c.to}`])), {
        'bank-a/A1': '2025-10 standard→gold',
        'bank-a/A2': '2025-10 platinum→gold',
        'bank-a/A3': '2025-10 gold→platinum',
        'bank-a/A7': '2025-10 diamond→platinum',
      });
    });
  });
}
