import { ERASURE_ACTOR, overrideKindLabel } from '@tierkit/core';
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { Database } from '../schema.js';
import { eraseAuditListed, eraseAuditPersonal, UNAUTHENTICATED_AUDIT_CHAIN } from './audit.js';
import { activeSince } from './customer-activity.js';
import { ERASURE_RULES, eraseFromImportErrors, eraseFromJobs, eraseIdempotentAnswers, eraseJobReasonsFromTrail } from './erasure-traces.js';
import { type KeptMentions, peopleOf, walkKeptMentions } from './erasure-walk.js';
import { chunks, isPostgres, type Executor } from './executor.js';

/**
 * The fewest whole years a closed customer's personal data is kept: the PRC AML rules (金融机构客户身份识别和
 * 客户身份资料及交易记录保存管理办法) keep identification and transaction records at least five years after
 * the relationship ends (docs/operations.md, "Retention and erasure").
 */
export const MIN_RETENTION_YEARS = 5;
/** A bound on what a tenant may set, so a typo (500) is refused rather than kept as "for ever". */
export const MAX_RETENTION_YEARS = 100;

/** The tenant's retention in whole years, or undefined when the tenant does not exist. */
export async function retentionYearsOf(db: Executor, tenantId: string): Promise<number | undefined> {
  const row = await db.selectFrom('tenants').select('retention_years').where('id', '=', tenantId).executeTakeFirst();
  return row ? Number(row.retention_years) : undefined;
}

/** Set the tenant's retention (checked by the caller); false when the tenant does not exist. */
export async function setRetentionYears(db: Executor, tenantId: string, years: number): Promise<boolean> {
  const r = await db.updateTable('tenants').set({ retention_years: years }).where('id', '=', tenantId).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * The instant `years` whole years before `now` (UTC calendar; 29 February steps to 1 March): a customer
 * who left before it has been gone longer than the retention period.
 */
export function retentionCutoff(now: Date, years: number): string {
  const d = new Date(now.getTime());
  d.setUTCFullYear(d.getUTCFullYear() - years);
  return d.toISOString();
}

/**
 * When the customer really left: `left_at` for a closing learnt late (the real date), else `closed_at`.
 * Retention runs from the end of the relationship, not from when the bank's figures count it.
 */
const leftAt = sql<string>`coalesce(subjects.left_at, subjects.closed_at)`;

/**
 * Where the retention clock stands: customers who left before `cutoff` (ISO UTC) and have no activity
 * since are past it. `activeFromPeriod` is the first month whose metrics are activity at or after the
 * cutoff (the month the instant before it falls in, in the bank's calendar): a month's figures count
 * to its end.
 */
export interface RetentionClock {
  readonly cutoff: string;
  readonly activeFromPeriod: string;
  /**
   * The months from `activeFromPeriod` to the current one, each with the instant it begins in the bank's
   * calendar (ascending): where a closing's `closed_at` falls, which the database cannot tell without
   * the bank's zone. A customer's metrics count as activity only up to that month.
   */
  readonly months: readonly { readonly period: string; readonly from: string }[];
  /** Closing requests filed at or before it have lapsed (closing-lapse.ts in the API): they hold no one. */
  readonly closingRequestsLapsedAtOrBefore: string;
}

/** Closed, by their own date, before `cutoff`, not yet erased: the customers the clock has to look at. */
function leftBefore(tenantId: string, cutoff: string) {
  return (eb: ExpressionBuilder<Database, 'subjects'>) =>
    eb.and([
      eb('subjects.tenant_id', '=', tenantId),
      eb('subjects.erased_at', 'is', null),
      eb('subjects.closed_at', 'is not', null),
      eb(leftAt, '<', cutoff),
    ]);
}

/**
 * The month the customer's current closing was recorded in (`subject_closings.recorded_at`, in the
 * bank's calendar), for the months the clock covers: '' (before every month) for one recorded before
 * them, so no month of metrics is in range. When it was recorded, not the date it gives: that date is
 * an officer's to choose, and counted up to it a feed's later months would not hold a customer closed
 * years back. A closing kept before `subject_closings` existed falls back to its own date.
 */
function closingMonth(clock: RetentionClock) {
  const months = clock.months;
  if (!months.length) return sql<string>`''`;
  // One probe of the closings by subject (their (subject_id, closed_at) index), its one row read by every branch.
  const at = sql`coalesce(max(c.recorded_at), subjects.closed_at)`;
  const branches = months.map((m, i) => sql`when ${at} < ${m.from} then ${i === 0 ? '' : months[i - 1]?.period}`);
  return sql<string>`(SELECT case ${sql.join(branches, sql` `)} else ${months[months.length - 1]?.period} end
    FROM subject_closings c WHERE c.subject_id = subjects.id AND c.tenant_id = subjects.tenant_id AND c.reopened_at IS NULL)`;
}

/**
 * The relationship ended before the cutoff: the later of the closing's date and the customer's last
 * activity (customer-activity.ts) is before it. A closing dated back past activity the book recorded
 * after it (a back-dated closing of a live customer) does not start the clock. Nor one of a customer
 * the bank first recorded after the cutoff (`created_at`): the relationship cannot have ended before it
 * began in the book, whatever date the closing gives.
 */
function recentlyActive(clock: RetentionClock) {
  const since = activeSince(clock.activeFromPeriod, clock.cutoff, closingMonth(clock));
  return (eb: ExpressionBuilder<Database, 'subjects'>) => eb.or([eb('subjects.created_at', '>=', clock.cutoff), since(eb)]);
}

/**
 * Something still open about the customer: a pending override request, a pending level sign-off or
 * lowering request, or a pending closing request. Closing withdraws them, so one here was filed or brought back (a reopening) later;
 * erasing would leave a checker to decide on a blank customer, and the request names who filed it and why.
 */
function hasPendingRequest(eb: ExpressionBuilder<Database, 'subjects'>, clock: RetentionClock) {
  return eb.or([
    eb.exists(
      eb
        .selectFrom('overrides as o')
        .select('o.id')
        .whereRef('o.tenant_id', '=', 'subjects.tenant_id')
        .whereRef('o.subject_id', '=', 'subjects.id')
        .where('o.status', '=', 'pending'),
    ),
    eb.exists(
      eb
        .selectFrom('level_approvals as la')
        .select('la.id')
        .whereRef('la.tenant_id', '=', 'subjects.tenant_id')
        .whereRef('la.subject_id', '=', 'subjects.id')
        .where('la.status', '=', 'pending'),
    ),
    // A closing dated far back waiting for a second person: a customer closed since by other means is
    // still held, so the date a checker may yet refuse never starts an erasure (closing-requests.ts).
    eb.exists(
      eb
        .selectFrom('closing_requests as cr')
        .select('cr.id')
        .whereRef('cr.tenant_id', '=', 'subjects.tenant_id')
        .whereRef('cr.subject_id', '=', 'subjects.id')
        .where('cr.status', '=', 'pending')
        // Lapsed, undecided for a month: the date nobody judged holds the customer no longer.
        .where('cr.requested_at', '>', clock.closingRequestsLapsedAtOrBefore),
    ),
  ]);
}

/** How many of the tenant's customers are past their retention: erasable, and held (by activity, a request or a legal hold). */
export interface RetentionCounts {
  readonly erasable: number;
  /**
   * Closed before the cutoff by their closing's date, kept: the book records activity of theirs since
   * (metrics of a later month, a person's decision), so the relationship did not end then.
   */
  readonly heldByActivity: number;
  readonly heldByRequest: number;
  readonly heldByLegalHold: number;
  /** Customers erased before (by earlier runs): what a second run leaves as they are. */
  readonly erasedBefore: number;
}

/** Count the tenant's customers past retention at `clock`, by what happens to them: what a dry run reports. */
export async function retentionCounts(db: Executor, tenantId: string, clock: RetentionClock): Promise<RetentionCounts> {
  const row = await db
    .selectFrom('subjects')
    .select((eb) => {
      const active = recentlyActive(clock)(eb);
      const quiet = eb.not(active);
      const count = (when: Expression<SqlBool>[]) => eb.fn.sum<number | string | null>(eb.case().when(eb.and(when)).then(1).else(0).end());
      return [
        eb.fn.countAll<number | string>().as('left'),
        count([active]).as('active'),
        count([quiet, eb('subjects.legal_hold', 'is not', null)]).as('legal'),
        count([quiet, eb('subjects.legal_hold', 'is', null), hasPendingRequest(eb, clock)]).as('pending'),
      ];
    })
    .where(leftBefore(tenantId, clock.cutoff))
    .executeTakeFirstOrThrow();
  const erased = await db
    .selectFrom('subjects')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('erased_at', 'is not', null)
    .executeTakeFirstOrThrow();
  const active = Number(row.active ?? 0);
  const legal = Number(row.legal ?? 0);
  const pending = Number(row.pending ?? 0);
  return {
    erasable: Number(row.left) - active - legal - pending,
    heldByActivity: active,
    heldByRequest: pending,
    heldByLegalHold: legal,
    erasedBefore: Number(erased.n),
  };
}

/**
 * The next `limit` customers to erase at `cutoff`, by internal id after `after` (the last of the
 * caller's previous chunk), held for the caller's transaction (PostgreSQL: the rows are locked, and one
 * a reopening or a request took meanwhile is skipped by the conditions read again under the lock).
 * Chunked by the caller: each chunk commits on its own. Without `after` every chunk read again the
 * customers held (a legal hold, a request) ahead of it: a run over a million closed customers grew
 * with the square of the book.
 */
export async function erasableSubjectIds(
  db: Executor,
  tenantId: string,
  clock: RetentionClock,
  limit: number,
  after?: string,
  options: { readonly lock?: boolean } = {},
): Promise<string[]> {
  let q = db
    .selectFrom('subjects')
    .select('subjects.id')
    .where(leftBefore(tenantId, clock.cutoff))
    .where('subjects.legal_hold', 'is', null)
    .where((eb) => eb.not(hasPendingRequest(eb, clock)))
    .where((eb) => eb.not(recentlyActive(clock)(eb)))
    .orderBy('subjects.id')
    .limit(limit);
  if (after !== undefined) q = q.where('subjects.id', '>', after);
  const rows = await (isPostgres(db) && options.lock !== false ? q.forUpdate() : q).execute();
  return rows.map((r) => r.id);
}

/**
 * The next `limit` customers to erase at `cutoff` after `after`, as {@link erasableSubjectIds} finds
 * them but unlocked, and what names them: the window of chunks a retention run walks the tenant's jobs
 * and simulation chunks for once (erasure-walk.ts), read outside the chunks' transactions.
 */
export async function walkForErasable(
  db: Executor,
  tenantId: string,
  clock: RetentionClock,
  limit: number,
  after: string | undefined,
  now: Date,
): Promise<KeptMentions> {
  const ids = await erasableSubjectIds(db, tenantId, clock, limit, after, { lock: false });
  const customers: { number: string; name: string }[] = [];
  for (const batch of chunks(ids))
    for (const r of await db
      .selectFrom('subjects')
      .select(['external_id', 'display_name'])
      .where(ofTenant(tenantId))
      .where('id', 'in', batch)
      .execute())
      customers.push({ number: r.external_id, name: r.display_name });
  return walkKeptMentions(db, tenantId, peopleOf(customers), now, ids);
}

/** What one chunk's erasure removed, summed for the run's audit record (counts only, never what they held). */
export interface ErasureCounts {
  readonly subjects: number;
  readonly metrics: number;
  readonly bookLinks: number;
  readonly notes: number;
  /** Audit records whose personal fields (customer number, typed texts) were deleted: their side rows. */
  readonly auditFields: number;
  /** Their seqs, by chain (the tenant's, and `*` for refused credentials' records): what the erasure's own records vouch for. */
  readonly auditSeqs: ReadonlyMap<string, readonly number[]>;
  /**
   * Entries of the tenant's records' lists (a list read's customers, a book move's) deleted, each its
   * record's seq and place: what the erasure's own record vouches for. Lists are written only by requests
   * a tenant's credential made, so the `*` chain has none.
   */
  readonly auditEntries: readonly { readonly seq: number; readonly pos: number }[];
  /** Re-tier jobs whose `filter.subjects` listed a customer erased (the number replaced), and whose reason named one (dropped). */
  readonly jobFilters: number;
  readonly jobReasons: number;
  /** Import row errors that named a customer erased (words and params dropped). */
  readonly importRowErrors: number;
  /**
   * Job reasons and import row errors kept though an erased name stood in them, each time within another
   * customer's name (张三 in 张三丰): what the name rule let stand, counted so the bank can look.
   */
  readonly namesWithinOthers: number;
  /** Stored levels an override decided whose label (ending with the reason typed) was cut to the override's kind. */
  readonly overrideLabels: number;
  /** Answers an Idempotency-Key would have replayed that named a customer erased (deleted). */
  readonly idempotentAnswers: number;
  /**
   * Overrides in force the erasure ended (`revoked` by `system:retention`): each with its customer's number,
   * for the trail's record of the ending, which keeps the number apart (the personal split) as a revocation's does.
   */
  readonly overridesEnded: readonly EndedOverride[];
}

/** An override an erasure ended: what its record in the trail says of it, as a revocation's does. */
export interface EndedOverride {
  readonly id: string;
  /** The customer number, as it was: the record's side row keeps it, and the same erasure deletes that. */
  readonly subject: string;
  readonly scheme: string;
  readonly level: string;
  readonly mode: string;
  readonly expiresAt: string | null;
}

/** Side rows deleted, by chain: seqs of each. */
export type ErasedAuditSeqs = Map<string, number[]>;

/** What the tenant's last erasure step deleted of the trail: side rows by chain, and list entries of the tenant's chain. */
export interface LateAuditErasure {
  readonly seqs: ErasedAuditSeqs;
  readonly entries: readonly { readonly seq: number; readonly pos: number }[];
}

function addErased(into: ErasedAuditSeqs, chain: string, seqs: readonly number[]): number {
  if (seqs.length) into.set(chain, [...(into.get(chain) ?? []), ...seqs]);
  return seqs.length;
}

/**
 * Delete the trail's personal fields naming customers erased by an earlier run: a request naming one
 * after the erasure (a write refused `erased`, a request racing the erasure on another server) is
 * recorded with the number it named, and nothing else would ever delete that side row. Once a run, in
 * one statement per chain: the side table's subject index finds them. The `*` chain (refused credentials)
 * is searched for the tenant's erased numbers too: a request with no valid key names whom it likes.
 *
 * And a list search's typed name (a side row naming no one customer, so no erasure finds it) once its
 * record is older than `cutoff`: kept as long as a closed customer's data is, and no longer.
 */
export async function eraseLateAuditPersonal(db: Executor, tenantId: string, cutoff: string): Promise<LateAuditErasure> {
  const erased: ErasedAuditSeqs = new Map();
  for (const chain of [tenantId, UNAUTHENTICATED_AUDIT_CHAIN]) {
    const rows = await db
      .deleteFrom('audit_personal')
      .where('chain', '=', chain)
      .where((eb) =>
        eb(
          'subject',
          'in',
          eb.selectFrom('subjects').select('external_id').where('tenant_id', '=', tenantId).where('erased_at', 'is not', null),
        ),
      )
      .returning('seq')
      .execute();
    addErased(
      erased,
      chain,
      rows.map((r) => Number(r.seq)),
    );
  }
  // From the side rows naming no customer (the subject index finds them: list searches still kept) to
  // their records by key, never the other way: a tenant's trail older than the cutoff is most of it.
  const searches = await db
    .deleteFrom('audit_personal')
    .where('chain', '=', tenantId)
    .where('subject', 'is', null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('audit_records')
          .select(sql.lit(1).as('one'))
          .whereRef('audit_records.chain', '=', 'audit_personal.chain')
          .whereRef('audit_records.seq', '=', 'audit_personal.seq')
          // A job's reason names no one customer either, and goes with the customers its job listed or named.
          .where('audit_records.route', '=', '/v1/subjects')
          .where('audit_records.at', '<', cutoff),
      ),
    )
    .returning('seq')
    .execute();
  addErased(
    erased,
    tenantId,
    searches.map((r) => Number(r.seq)),
  );
  // A list naming a customer erased before (a list read racing the erasure on another server).
  const entries = await db
    .deleteFrom('audit_listed')
    .where('chain', '=', tenantId)
    .where((eb) =>
      eb(
        'subject',
        'in',
        eb.selectFrom('subjects').select('external_id').where('tenant_id', '=', tenantId).where('erased_at', 'is not', null),
      ),
    )
    .returning(['seq', 'pos'])
    .execute();
  return { seqs: erased, entries: entries.map((r) => ({ seq: Number(r.seq), pos: Number(r.pos) })) };
}

/**
 * `tenant_id = ?` as a check that no planner takes for the way in. Beside `id in (…500 ids)` SQLite,
 * which keeps no statistics, chose the tenant's index and read every subject (and every closing) of the
 * tenant for each chunk: 0.4 s and 0.7 s a chunk at 160,000 closed customers, a run growing with the
 * square of them. The ids — unique across tenants, read of this tenant in the same transaction — are
 * the way in.
 */
export const ofTenant = (tenantId: string, column = 'tenant_id') => sql<boolean>`${sql.ref(column)} || '' = ${tenantId}`;

/**
 * Erase the personal data of `ids` (read by {@link erasableSubjectIds} in the same transaction),
 * keeping the row and its tier history under the internal id, which was drawn by tierkit and says
 * nothing of the person (docs/operations.md, "Retention and erasure"):
 *
 * - the row: name blanked, attributes emptied, the closing's reason dropped, `erased_at` set, and the
 *   version moved so no read kept by any server is served again;
 * - removed: metric values and who last wrote them, the customer's relationship manager and book moves;
 * - kept, their free text dropped: closings (dates, for analytics of past months), tier events and
 *   current levels (levels, reasons, months; an assignment's inputs, score and progress held metric
 *   values and are dropped), override requests, sign-offs and their decision
 *   steps (who decided what and when, for the four-eyes record).
 */
export async function eraseSubjects(
  db: Executor,
  tenantId: string,
  ids: readonly string[],
  nowIso: string,
  /** A run's walk of the jobs and simulation chunks for these customers among others ({@link walkForErasable}). */
  walked?: KeptMentions,
): Promise<ErasureCounts> {
  if (!ids.length)
    return {
      subjects: 0,
      metrics: 0,
      bookLinks: 0,
      notes: 0,
      auditFields: 0,
      auditSeqs: new Map(),
      auditEntries: [],
      jobFilters: 0,
      jobReasons: 0,
      importRowErrors: 0,
      namesWithinOthers: 0,
      overrideLabels: 0,
      idempotentAnswers: 0,
      overridesEnded: [],
    };
  const n = (r: { numDeletedRows?: bigint; numUpdatedRows?: bigint }) => Number(r.numDeletedRows ?? r.numUpdatedRows ?? 0n);
  // The trail's side rows name the customer by number (what its records were written with), read before
  // the subjects are marked: only customers erased now, in this transaction with the rest.
  const numbers = await db
    .selectFrom('subjects')
    .select(['id', 'external_id', 'display_name'])
    .where(ofTenant(tenantId))
    .where('id', 'in', ids)
    .where('erased_at', 'is', null)
    .execute();
  const auditSeqs: ErasedAuditSeqs = new Map();
  let auditFields = 0;
  // The `*` chain too: a request refused for its credential (none, unknown, forged) named the number as
  // any other, and it belongs to no tenant whose erasure would find it.
  for (const chain of [tenantId, UNAUTHENTICATED_AUDIT_CHAIN])
    auditFields += addErased(
      auditSeqs,
      chain,
      await eraseAuditPersonal(
        db,
        chain,
        numbers.map((r) => r.external_id),
      ),
    );
  const auditEntries = await eraseAuditListed(
    db,
    tenantId,
    numbers.map((r) => r.external_id),
  );
  const subjects = await db
    .updateTable('subjects')
    .set({
      display_name: '',
      attributes: '{}',
      closed_reason: null,
      erased_at: nowIso,
      // Cleared under today's rules, all of them below: a rescrub has nothing to add for them.
      erasure_rules: ERASURE_RULES,
      updated_at: nowIso,
      version: sql`version + 1`,
    })
    .where(ofTenant(tenantId))
    .where('id', 'in', ids)
    .where('erased_at', 'is', null)
    .executeTakeFirst();
  await db.updateTable('subject_closings').set({ reason: null }).where(ofTenant(tenantId)).where('subject_id', 'in', ids).execute();
  const metrics = await db.deleteFrom('metrics').where('tenant_id', '=', tenantId).where('subject_id', 'in', ids).executeTakeFirst();
  // The writers the release before kept apart (read for one release: migration 2026-12-25T00-00-70-metric-writers).
  await db.deleteFrom('sign_off_input_writers').where('tenant_id', '=', tenantId).where('subject_id', 'in', ids).execute();
  const managers = await db
    .deleteFrom('subject_managers')
    .where('tenant_id', '=', tenantId)
    .where('subject_id', 'in', ids)
    .executeTakeFirst();
  const moves = await db.deleteFrom('book_moves').where('tenant_id', '=', tenantId).where('subject_id', 'in', ids).executeTakeFirst();
  const events = await db
    .updateTable('tier_events')
    .set({ note: null })
    .where('tenant_id', '=', tenantId)
    .where('subject_id', 'in', ids)
    .where('note', 'is not', null)
    .executeTakeFirst();
  const overrideLabels = await stripExplanations(db, tenantId, ids);
  // An override in force would be listed as in force, with a revoke button, for a customer no one may
  // read: it ends with the erasure, by the erasure (no approver revoked it, and no one typed why).
  const ended = await db
    .updateTable('overrides')
    .set({ status: 'revoked', revoked_at: nowIso, revoked_by: ERASURE_ACTOR, updated_at: nowIso })
    .where('tenant_id', '=', tenantId)
    .where('subject_id', 'in', ids)
    .where('status', '=', 'approved')
    .returning(['id', 'subject_id', 'scheme', 'level', 'mode', 'expires_at'])
    .execute();
  const numberOf = new Map(numbers.map((r) => [r.id, r.external_id]));
  const overrides = await db
    .updateTable('overrides')
    // The evidence a filer cited is free text too (a memo, a file name about the customer).
    .set({ reason: '', evidence: null, decision_note: null, revoke_note: null })
    .where('tenant_id', '=', tenantId)
    .where('subject_id', 'in', ids)
    .executeTakeFirst();
  // Records kept for others that named them: a job's filter and reason, an import's row errors, an
  // answer an Idempotency-Key would replay (docs/operations.md, "What is erased").
  const customers = numbers.map((r) => ({ number: r.external_id, name: r.display_name }));
  const people = peopleOf(customers);
  const jobs = await eraseFromJobs(db, tenantId, people, walked && { mentions: walked, uncovered: walked.uncovered(customers) });
  // The reason of a job of several customers sits in a side row of its record, naming no one customer:
  // found through the job, as the job's own reason is.
  auditFields += addErased(auditSeqs, tenantId, await eraseJobReasonsFromTrail(db, tenantId, jobs.jobs));
  const importRowErrors = await eraseFromImportErrors(db, tenantId, people);
  const idempotentAnswers = await eraseIdempotentAnswers(db, tenantId, people);
  await db
    .updateTable('level_approvals')
    .set({ decision_note: null, proposal: null })
    .where('tenant_id', '=', tenantId)
    .where('subject_id', 'in', ids)
    .execute();
  // What staff typed about the closing they asked for or decided: free text about the customer.
  await db
    .updateTable('closing_requests')
    .set({ reason: '', decision_note: null })
    .where('tenant_id', '=', tenantId)
    .where('subject_id', 'in', ids)
    .execute();
  await db.updateTable('approval_decisions').set({ note: null }).where('tenant_id', '=', tenantId).where('subject_id', 'in', ids).execute();
  return {
    subjects: n(subjects),
    metrics: n(metrics),
    bookLinks: n(managers) + n(moves),
    notes: n(events) + n(overrides),
    auditFields,
    auditSeqs,
    auditEntries,
    jobFilters: jobs.filters,
    jobReasons: jobs.reasons,
    importRowErrors: importRowErrors.erased,
    namesWithinOthers: jobs.namesWithinOthers + importRowErrors.namesWithinOthers,
    overrideLabels,
    idempotentAnswers,
    overridesEnded: ended
      // Ended in id order: the trail's records of them come in an order a rerun would give again.
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((o) => ({
        id: o.id,
        subject: numberOf.get(o.subject_id) ?? '',
        scheme: o.scheme,
        level: o.level,
        mode: o.mode,
        expiresAt: o.expires_at,
      })),
  };
}

/**
 * What rule decided stays (policy, rule id and words, levels read); the inputs it read and a weighted
 * score were the customer's figures, and so were the ways to the next level and the money gap. Each
 * explanation stays one the engine's readers take (an `Explanation` with no inputs).
 */
export async function stripExplanations(db: Executor, tenantId: string, ids: readonly string[]): Promise<number> {
  if (!ids.length) return 0;
  let labels = 0;
  const rows = await db
    .selectFrom('assignments')
    .select(['subject_id', 'scheme', 'explanation', 'progress', 'retention', 'next_gap'])
    .where('tenant_id', '=', tenantId)
    .where('subject_id', 'in', ids)
    .execute();
  for (const r of rows) {
    // PostgreSQL may hand a json column back parsed.
    const e = (typeof r.explanation === 'string' ? JSON.parse(r.explanation) : r.explanation) as Record<string, unknown>;
    const { inputs: _inputs, score: _score, ...kept } = e;
    // An override's label ends with the reason typed about the customer (a name, an ID card number): the
    // kind and mode stay, as the customer's own read already shows it (audience-view withholds the label).
    const decidedBy = kept.decidedBy as { kind?: string; label?: unknown } | undefined;
    const override = kept.override as { mode?: 'fixed' | 'floor' } | undefined;
    if (decidedBy?.kind === 'override') {
      const label = overrideKindLabel(override?.mode ?? 'fixed');
      // Counted when cut: a customer erased before (a rescrub) whose label is the kind already is not.
      if (JSON.stringify(decidedBy.label) !== JSON.stringify(label)) labels++;
      kept.decidedBy = { ...decidedBy, label };
    }
    const stripped = JSON.stringify({ ...kept, inputs: [] });
    const was = typeof r.explanation === 'string' ? r.explanation : JSON.stringify(r.explanation);
    if (stripped === was && r.progress === null && r.retention === null && r.next_gap === null) continue;
    await db
      .updateTable('assignments')
      .set({ explanation: stripped, progress: null, retention: null, next_gap: null })
      .where('tenant_id', '=', tenantId)
      .where('subject_id', '=', r.subject_id)
      .where('scheme', '=', r.scheme)
      .execute();
  }
  return labels;
}

/**
 * Put the customer `externalId` under a legal hold (`reason`), or take it off (null): a customer under
 * hold is never erased, whatever their closing date. False when the tenant has no such customer.
 */
export async function setLegalHold(db: Executor, tenantId: string, externalId: string, reason: string | null): Promise<boolean> {
  const r = await db
    .updateTable('subjects')
    .set({ legal_hold: reason })
    .where('tenant_id', '=', tenantId)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Of these customer numbers, those whose personal data was erased. The bulk writers (imports,
 * `POST /v1/subject-managers`) look customers up by number, not through the API's subject check, and
 * must refuse these: a metric value or a book written under an erased customer would undo the erasure.
 */
export async function erasedExternalIds(
  db: Executor,
  tenantId: string,
  externalIds: readonly string[],
  options: { readonly share?: boolean } = {},
): Promise<Set<string>> {
  const out = new Set<string>();
  // With `share` on PostgreSQL, every listed row is read FOR SHARE, erased or not: a row locked only
  // where it was already erased would let an erasure running now mark the others after this read and
  // before the caller's commit. Locked, the erasure's update waits for the caller's transaction (and
  // then finds what it stored), or this read waits for the erasure's commit and sees its erased_at.
  const share = options.share === true && isPostgres(db);
  for (const batch of chunks([...new Set(externalIds)])) {
    let q = db
      .selectFrom('subjects')
      .select(['external_id', 'erased_at'])
      .where('tenant_id', '=', tenantId)
      .where('external_id', 'in', batch);
    q = share ? q.forShare() : q.where('erased_at', 'is not', null);
    for (const r of await q.execute()) if (r.erased_at !== null) out.add(r.external_id);
  }
  return out;
}
