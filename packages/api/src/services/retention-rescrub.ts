import {
  erasedSubjectCount,
  erasedSubjectsAfter,
  type Executor,
  markClearedToday,
  type RescrubPlace,
  rescrubErased,
  retentionYearsOf,
} from '@tierkit/db';
import { ProblemError } from '../problem.js';
import { appendOperatorAudit, type OperatorAction } from './audit.js';
import { erasedEntriesOf, erasedSeqsOf, RETENTION_CHUNK_SUBJECTS, vouchUntrusted } from './retention.js';

/** What a rescrub found and changed (docs/operations.md, "Catching up earlier erasures"): counts only, never who. */
export interface RescrubRun {
  readonly tenant: string;
  readonly dryRun: boolean;
  /** Customers the tenant erased before, under whatever rules. */
  readonly erasedCustomers: number;
  /**
   * Of them, those looked at again: erased under older clearing rules than today's, or never rescrubbed
   * since. Each is then marked cleared under today's rules (not by a dry run), so a second rescrub looks
   * at none.
   */
  readonly rescrubbed: number;
  readonly jobFilters: number;
  readonly jobReasons: number;
  readonly importRowErrors: number;
  readonly idempotentAnswers: number;
  readonly overrideLabels: number;
  readonly notes: number;
  /** The trail's side rows (numbers, typed texts) and list entries still naming them: deleted, their digests kept. */
  readonly auditFieldsErased: number;
  readonly auditEntriesErased: number;
  readonly chunks: number;
}

const COUNTED = ['jobFilters', 'jobReasons', 'importRowErrors', 'idempotentAnswers', 'overrideLabels', 'notes'] as const;

class DryRun extends Error {}

/**
 * Apply today's clearing rules to every customer the tenant erased under older ones (the erased rows keep
 * their numbers, and the rules they were cleared under), a chunk of them per transaction: what an erasure
 * by an earlier release left naming them goes now, and they are marked cleared under today's rules in the
 * same transaction, so a second rescrub walks no one. Each chunk that changed anything commits with a
 * `change` record of its counts, naming the trail's side rows and entries it deleted as a retention run's
 * records do, so verify counts them erased; a chunk that found nothing writes nothing, so a second
 * rescrub adds no record. A dry run does the same work in
 * transactions it rolls back, and says what a rescrub would change.
 */
export async function rescrubRetention(
  db: Executor,
  tenantId: string,
  options: { readonly dryRun: boolean; readonly action: OperatorAction; readonly chunkSubjects?: number },
): Promise<RescrubRun> {
  if ((await retentionYearsOf(db, tenantId)) === undefined) throw new ProblemError('not-found', `Tenant "${tenantId}" does not exist.`);
  const totals: Record<(typeof COUNTED)[number] | 'auditFieldsErased' | 'auditEntriesErased', number> = {
    jobFilters: 0,
    jobReasons: 0,
    importRowErrors: 0,
    idempotentAnswers: 0,
    overrideLabels: 0,
    notes: 0,
    auditFieldsErased: 0,
    auditEntriesErased: 0,
  };
  const erasedCustomers = await erasedSubjectCount(db, tenantId);
  let rescrubbed = 0;
  let chunks = 0;
  let after: RescrubPlace | undefined;
  for (;;) {
    let found = 0;
    const chunk = db.transaction().execute(async (trx) => {
      const subjects = await erasedSubjectsAfter(trx, tenantId, options.chunkSubjects ?? RETENTION_CHUNK_SUBJECTS, after);
      found = subjects.length;
      if (!found) return;
      const last = subjects[subjects.length - 1];
      if (last) after = { rules: last.rules, id: last.id };
      const c = await rescrubErased(trx, tenantId, subjects);
      const fields = [...c.auditSeqs.values()].reduce((n, s) => n + s.length, 0);
      for (const k of COUNTED) totals[k] += c[k];
      totals.auditFieldsErased += fields;
      totals.auditEntriesErased += c.auditEntries.length;
      if (options.dryRun) throw new DryRun();
      await markClearedToday(
        trx,
        tenantId,
        subjects.map((s) => s.id),
      );
      if (!fields && !c.auditEntries.length && COUNTED.every((k) => c[k] === 0)) return;
      await appendOperatorAudit(trx, tenantId, options.action, {
        phase: 'change',
        status: 200,
        target: { tenant: tenantId },
        detail: {
          rescrubbed: subjects.length,
          // Named one by one (not from COUNTED): the console's words are checked against the fields written.
          jobFilters: c.jobFilters,
          jobReasons: c.jobReasons,
          importRowErrors: c.importRowErrors,
          idempotentAnswers: c.idempotentAnswers,
          overrideLabels: c.overrideLabels,
          notes: c.notes,
          auditFields: fields,
          ...erasedSeqsOf(c.auditSeqs, tenantId),
          ...erasedEntriesOf(c.auditEntries),
        },
      });
      await vouchUntrusted(trx, c.auditSeqs, options.action);
    });
    await chunk.catch((e: unknown) => {
      if (!(e instanceof DryRun)) throw e;
    });
    if (!found) break;
    rescrubbed += found;
    chunks++;
  }
  return { tenant: tenantId, dryRun: options.dryRun, erasedCustomers, rescrubbed, ...totals, chunks };
}
