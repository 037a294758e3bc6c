import { ERASURE_ACTOR } from '@tierkit/core';
import {
  ERASED_AUDIT_ENTRIES,
  eraseAuditPersonal,
  ERASED_AUDIT_SEQS,
  erasedEntriesText,
  eraseLateAuditPersonal,
  erasedSeqsText,
  eraseSubjects,
  erasableSubjectIds,
  MAX_RETENTION_YEARS,
  MIN_RETENTION_YEARS,
  retentionCounts,
  retentionCutoff,
  retentionYearsOf,
  walkForErasable,
  type EndedOverride,
  type ErasureCounts,
  type Executor,
  type KeptMentions,
  type RetentionClock,
} from '@tierkit/db';
import { periodEnd } from '@tierkit/core';
import { addMonths, periodOf } from '../periods.js';
import { invalid, ProblemError } from '../problem.js';
import { appendOperatorAudit, type OperatorAction, UNAUTHENTICATED_CHAIN } from './audit.js';
import { lapsedAtOrBefore, recordLapses } from './closing-lapse.js';

/** Customers erased per transaction: a million closed customers never hold one transaction (nor SQLite's write lock) for long. */
export const RETENTION_CHUNK_SUBJECTS = 500;

/**
 * Chunks of customers a run walks the tenant's jobs and simulation chunks for at once (erasure-walk.ts
 * in packages/db): one read of them per 40 chunks instead of one a chunk, the window's numbers and
 * names held in memory meanwhile (docs/operations.md, "Retention and erasure").
 */
export const RETENTION_WALK_CHUNKS = 40;

/** What a retention run found and did (docs/operations.md, "Retention and erasure"). Counts only: never who. */
export interface RetentionRun {
  readonly tenant: string;
  readonly retentionYears: number;
  /** Customers who left before this instant (ISO UTC) are past their retention. */
  readonly cutoff: string;
  readonly dryRun: boolean;
  /** Past retention and free to erase when the run began (a dry run: what a run would erase). */
  readonly erasable: number;
  /** Erased by this run (0 on a dry run). */
  readonly erased: number;
  /**
   * Closed before the cutoff by their closing's date, kept: the book records activity of theirs since
   * (metrics of a later month, a person's decision), so the relationship did not end then.
   */
  readonly heldByActivity: number;
  /** Past retention, kept: a pending override request, sign-off or lowering request. */
  readonly heldByRequest: number;
  /** Past retention, kept: a legal hold. */
  readonly heldByLegalHold: number;
  /** Erased by earlier runs. */
  readonly erasedBefore: number;
  /** Transactions the erasure took. */
  readonly chunks: number;
  /**
   * Audit records of the customers erased whose personal fields (customer number, typed texts) were
   * deleted with them; their digests stay and the chain verifies. Records written before the trail split
   * personal fields off (its switch point) keep them: docs/operations.md, "Erasing the trail's personal fields".
   */
  readonly auditFieldsErased: number;
  /** Customer numbers deleted from the tenant's records' lists (a list read's customers, a book move's): entries, not records. */
  readonly auditEntriesErased: number;
}

/** A retention setting checked: whole years from the minimum (5) to 100, or a 400 saying which it takes. */
export function checkRetentionYears(years: unknown, path = 'years'): number {
  if (typeof years !== 'number' || !Number.isInteger(years))
    throw invalid([{ path, message: 'must be a whole number of years', code: 'invalid_type', params: { expected: 'int' } }]);
  if (years < MIN_RETENTION_YEARS)
    throw invalid([
      {
        path,
        message: `must be at least ${MIN_RETENTION_YEARS}: customer identification and transaction records are kept at least five years after the relationship ends (AML rules)`,
        code: 'too_small',
        params: { minimum: MIN_RETENTION_YEARS, inclusive: true, origin: 'number' },
      },
    ]);
  if (years > MAX_RETENTION_YEARS)
    throw invalid([
      {
        path,
        message: `must be at most ${MAX_RETENTION_YEARS}`,
        code: 'too_big',
        params: { maximum: MAX_RETENTION_YEARS, inclusive: true, origin: 'number' },
      },
    ]);
  return years;
}

/**
 * The retention clock at `now`: customers whose relationship ended — the later of their closing's date
 * and their last recorded activity — more than `years` before it are past their retention. A month's
 * metrics are activity to the month's end in the bank's calendar (`timeZone`), so the first month that
 * keeps a customer is the one the instant before the cutoff falls in.
 */
export function retentionClock(now: Date, years: number, timeZone: string): RetentionClock {
  const cutoff = retentionCutoff(now, years);
  const activeFromPeriod = periodOf(new Date(Date.parse(cutoff) - 1), timeZone);
  const current = periodOf(now, timeZone);
  const months: { period: string; from: string }[] = [];
  for (let p = activeFromPeriod; p <= current; p = addMonths(p, 1)) months.push({ period: p, from: periodEnd(addMonths(p, -1), timeZone) });
  return { cutoff, activeFromPeriod, months, closingRequestsLapsedAtOrBefore: lapsedAtOrBefore(now) };
}

/**
 * Erase the personal data of the tenant's customers closed longer than its retention period, a chunk
 * per transaction; each chunk commits with its audit record (`change`: how many, under which retention),
 * so a run stopped half-way leaves a trail of what it did and the next run goes on from there: a
 * customer erased is never found again, so a second run erases nothing more. The caller records the
 * run's outcome (the API's middleware, the CLI's result record). A dry run counts and changes nothing.
 */
export async function runRetention(
  db: Executor,
  tenantId: string,
  options: {
    readonly now: Date;
    /** The bank's calendar (`TIERKIT_TIME_ZONE`): where a month's metrics end. */
    readonly timeZone: string;
    readonly dryRun: boolean;
    readonly action: OperatorAction;
    readonly chunkSubjects?: number;
    /** Chunks per walk of the jobs and simulation chunks ({@link RETENTION_WALK_CHUNKS}). */
    readonly walkChunks?: number;
    /** After each chunk: erased so far, of how many found erasable at the start. */
    readonly onChunk?: (erased: number, erasable: number) => void | Promise<void>;
  },
): Promise<RetentionRun> {
  const years = await retentionYearsOf(db, tenantId);
  if (years === undefined) throw new ProblemError('not-found', `Tenant "${tenantId}" does not exist.`);
  const clock = retentionClock(options.now, years, options.timeZone);
  const { cutoff } = clock;
  const counts = await retentionCounts(db, tenantId, clock);
  const base = { tenant: tenantId, retentionYears: years, cutoff, dryRun: options.dryRun, ...counts };
  if (options.dryRun) return { ...base, erased: 0, chunks: 0, auditFieldsErased: 0, auditEntriesErased: 0 };
  // Requests that lapsed hold no one (the counts above): the run writes them so, each in the trail once.
  await db.transaction().execute((trx) => recordLapses(trx, tenantId, options.now, options.action));
  const size = options.chunkSubjects ?? RETENTION_CHUNK_SUBJECTS;
  let erased = 0;
  let chunks = 0;
  let auditFieldsErased = 0;
  let auditEntriesErased = 0;
  // Where the last chunk ended: each customer is looked at once per run (one held is passed once).
  let after: string | undefined;
  // The walk for the next chunks, and how many chunks it has left: a walk covers the customers the next
  // chunks find as it found them; one a chunk finds otherwise (held meanwhile, renamed) is looked for
  // by that chunk's own read of every record, as without a walk.
  const walkChunks = options.walkChunks ?? RETENTION_WALK_CHUNKS;
  let walked: KeptMentions | undefined;
  let walkLeft = 0;
  let walkAgain = false;
  for (;;) {
    // Walked again too when a chunk found a job the walk did not read (erasure-traces.ts, eraseFromJobs):
    // that chunk read everything itself, and every later chunk of the walk would have to as well.
    // And when a chunk's customers were not all in the walk's window (two runs at once, holds placed
    // after the walk shift the chunks past it): once for that chunk, which otherwise reads everything
    // for those customers.
    const fresh = walkLeft === 0 || walked?.outdated === true || walkAgain;
    if (fresh) {
      walked = await walkForErasable(db, tenantId, clock, size * walkChunks, after, new Date());
      walkLeft = walkChunks;
    }
    walkAgain = false;
    walkLeft--;
    const nowIso = new Date().toISOString();
    const done = await db.transaction().execute(async (trx) => {
      const ids = await erasableSubjectIds(trx, tenantId, clock, size, after);
      if (!ids.length) {
        // Last, what named a customer already erased since their erasure (a refused write), and list
        // searches' typed names past the retention period: recorded, not kept.
        const late = await eraseLateAuditPersonal(trx, tenantId, cutoff);
        const lateCount = (late.seqs.get(tenantId)?.length ?? 0) + (late.seqs.get(UNAUTHENTICATED_CHAIN)?.length ?? 0);
        if (lateCount || late.entries.length)
          await appendOperatorAudit(trx, tenantId, options.action, {
            phase: 'change',
            status: 200,
            target: { tenant: tenantId },
            detail: {
              retentionYears: years,
              cutoff,
              erased: 0,
              auditFields: lateCount,
              ...erasedSeqsOf(late.seqs, tenantId),
              ...erasedEntriesOf(late.entries),
            },
          });
        await vouchUntrusted(trx, late.seqs, options.action);
        auditFieldsErased += lateCount;
        auditEntriesErased += late.entries.length;
        return 0;
      }
      if (!fresh && walked && !walked.inWindow(ids)) {
        walkAgain = true;
        return undefined;
      }
      after = ids[ids.length - 1];
      const c = await withEndingsRecorded(trx, tenantId, options.action, await eraseSubjects(trx, tenantId, ids, nowIso, walked), nowIso);
      await appendOperatorAudit(trx, tenantId, options.action, {
        phase: 'change',
        status: 200,
        target: { tenant: tenantId },
        detail: {
          retentionYears: years,
          cutoff,
          erased: c.subjects,
          metrics: c.metrics,
          bookLinks: c.bookLinks,
          notes: c.notes,
          // What records kept for others lost: counts only (docs/operations.md, "What is erased").
          jobFilters: c.jobFilters,
          jobReasons: c.jobReasons,
          importRowErrors: c.importRowErrors,
          namesWithinOthers: c.namesWithinOthers,
          overrideLabels: c.overrideLabels,
          idempotentAnswers: c.idempotentAnswers,
          overridesEnded: c.overridesEnded.length,
          auditFields: c.auditFields,
          ...erasedSeqsOf(c.auditSeqs, tenantId),
          ...erasedEntriesOf(c.auditEntries),
        },
      });
      await vouchUntrusted(trx, c.auditSeqs, options.action);
      auditFieldsErased += c.auditFields;
      auditEntriesErased += c.auditEntries.length;
      return c.subjects;
    });
    if (done === undefined) continue;
    if (done === 0) break;
    erased += done;
    chunks += 1;
    await options.onChunk?.(erased, counts.erasable);
  }
  return { ...base, erased, chunks, auditFieldsErased, auditEntriesErased };
}

/**
 * Each override the erasure ended gets its own record, as a revocation does (`revokedBy`
 * `system:retention`, in the run's request): which override, its scheme, level and mode, and the
 * customer's number — which the personal split keeps in a side row, deleted here in the same
 * transaction, as the erasure deletes every other record's naming them. The chunk's record, written
 * after, names these seqs with the rest, so verify counts them erased, not deleted by hand; nothing
 * of the number is left in clear.
 */
async function withEndingsRecorded(
  db: Executor,
  tenantId: string,
  action: OperatorAction,
  c: ErasureCounts,
  nowIso: string,
): Promise<ErasureCounts> {
  if (!c.overridesEnded.length) return c;
  const system: OperatorAction = { ...action, actor: ERASURE_ACTOR, credential: 'system' };
  for (const o of c.overridesEnded)
    await appendOperatorAudit(db, tenantId, system, {
      phase: 'change',
      status: 200,
      target: { override: o.id, subject: o.subject },
      detail: endedDetail(o, nowIso),
    });
  const seqs = await eraseAuditPersonal(db, tenantId, [...new Set(c.overridesEnded.map((o) => o.subject))]);
  const auditSeqs = new Map(c.auditSeqs);
  auditSeqs.set(tenantId, [...(auditSeqs.get(tenantId) ?? []), ...seqs]);
  return { ...c, auditSeqs, auditFields: c.auditFields + seqs.length };
}

/** An ended override's record, in a revocation's words (`override`, `subject`, what it held) and who ended it. */
function endedDetail(o: EndedOverride, nowIso: string): Record<string, unknown> {
  return {
    override: o.id,
    subject: o.subject,
    scheme: o.scheme,
    level: o.level,
    mode: o.mode,
    expiresAt: o.expiresAt,
    status: 'revoked',
    revokedBy: ERASURE_ACTOR,
    revokedAt: nowIso,
  };
}

/**
 * The seqs of `chain`'s records whose side rows an erasure deleted, for its own record (`erasedAuditSeqs`):
 * what lets verify tell an erasure from a side row deleted by hand. Seqs only: never whom they named.
 */
export function erasedSeqsOf(seqs: ReadonlyMap<string, readonly number[]>, chain: string): Record<string, string> {
  const of = seqs.get(chain);
  return of?.length ? { [ERASED_AUDIT_SEQS]: erasedSeqsText(of) } : {};
}

/**
 * The list entries an erasure deleted (`erasedAuditEntries`: `seq:places;…`), with how many: what lets
 * verify tell an erased entry from one deleted by hand. Places only: never whom they named.
 */
export function erasedEntriesOf(entries: readonly { readonly seq: number; readonly pos: number }[]): Record<string, string | number> {
  return entries.length ? { auditEntries: entries.length, [ERASED_AUDIT_ENTRIES]: erasedEntriesText(entries) } : {};
}

/**
 * Side rows of the `*` chain (requests refused for their credential) are vouched for in that chain, whose
 * verify reads only its own records; the record names no tenant, since `*` is no tenant's.
 */
export async function vouchUntrusted(db: Executor, seqs: ReadonlyMap<string, readonly number[]>, action: OperatorAction): Promise<void> {
  const vouched = erasedSeqsOf(seqs, UNAUTHENTICATED_CHAIN);
  if (!Object.keys(vouched).length) return;
  await appendOperatorAudit(db, UNAUTHENTICATED_CHAIN, action, {
    phase: 'change',
    status: 200,
    target: {},
    detail: { auditFields: seqs.get(UNAUTHENTICATED_CHAIN)?.length ?? 0, ...vouched },
  });
}

/** What the run's own audit record says of it: counts, the retention used, never a customer. */
export function retentionAuditDetail(run: RetentionRun): Record<string, unknown> {
  return {
    tenant: run.tenant,
    retentionYears: run.retentionYears,
    cutoff: run.cutoff,
    dryRun: run.dryRun,
    erasable: run.erasable,
    erased: run.erased,
    heldByActivity: run.heldByActivity,
    heldByRequest: run.heldByRequest,
    heldByLegalHold: run.heldByLegalHold,
    chunks: run.chunks,
    auditFieldsErased: run.auditFieldsErased,
    auditEntriesErased: run.auditEntriesErased,
  };
}
