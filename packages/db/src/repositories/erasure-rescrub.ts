import { eraseAuditListed, eraseAuditPersonal, UNAUTHENTICATED_AUDIT_CHAIN } from './audit.js';
import { ERASURE_RULES, eraseFromImportErrors, eraseFromJobs, eraseIdempotentAnswers, eraseJobReasonsFromTrail } from './erasure-traces.js';
import type { Executor } from './executor.js';
import { ofTenant, stripExplanations } from './retention.js';

/** Where a rescrub's walk stands: the last customer looked at, by the rules they were cleared under and their id. */
export interface RescrubPlace {
  readonly rules: number;
  readonly id: string;
}

/**
 * The next `limit` customers erased under older clearing rules than today's ({@link ERASURE_RULES}), in
 * (rules, internal id) order after `after`, with the number each still has on its row: what `tierkit
 * retention rescrub` goes through, a chunk per transaction. Customers cleared under today's rules (by
 * their erasure, or a rescrub before) are not read at all: the index holds them apart.
 */
export async function erasedSubjectsAfter(
  db: Executor,
  tenantId: string,
  limit: number,
  after?: RescrubPlace,
): Promise<{ readonly id: string; readonly number: string; readonly rules: number }[]> {
  let q = db
    .selectFrom('subjects')
    .select(['id', 'external_id', 'erasure_rules'])
    .where('tenant_id', '=', tenantId)
    .where('erased_at', 'is not', null)
    .where('erasure_rules', '<', ERASURE_RULES)
    .orderBy('erasure_rules')
    .orderBy('id')
    .limit(limit);
  if (after !== undefined) q = q.where((eb) => eb(eb.refTuple('erasure_rules', 'id'), '>', eb.tuple(after.rules, after.id)));
  return (await q.execute()).map((r) => ({ id: r.id, number: r.external_id, rules: Number(r.erasure_rules) }));
}

/** How many of the tenant's customers were erased, under whatever rules. */
export async function erasedSubjectCount(db: Executor, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('subjects')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('erased_at', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Mark customers as cleared under today's rules, in the transaction that cleared them: the next rescrub passes them by. */
export async function markClearedToday(db: Executor, tenantId: string, ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  await db
    .updateTable('subjects')
    .set({ erasure_rules: ERASURE_RULES })
    .where(ofTenant(tenantId))
    .where('id', 'in', ids)
    .where('erased_at', 'is not', null)
    .execute();
}

/** What re-applying today's clearing rules changed for customers erased before: counts, and the trail's places for the run's record. */
export interface RescrubCounts {
  readonly jobFilters: number;
  readonly jobReasons: number;
  readonly importRowErrors: number;
  readonly idempotentAnswers: number;
  readonly overrideLabels: number;
  /** Free-text notes still held on their rows (overrides' reasons, evidence and notes; tier events' notes; closings' reasons): cleared. */
  readonly notes: number;
  readonly auditSeqs: ReadonlyMap<string, readonly number[]>;
  readonly auditEntries: readonly { readonly seq: number; readonly pos: number }[];
}

const changed = (r: { numUpdatedRows?: bigint }) => Number(r.numUpdatedRows ?? 0n);

/**
 * Apply to customers already erased (`subjects`: their internal ids and the numbers kept on their rows)
 * what an erasure clears today, for what an earlier release's erasure left: a job reason naming them
 * (before reasons were matched by a whole token), a filter or a simulation's sample, an import row
 * error, a stored answer, a side row or list entry of the trail, an override's label or note. By number
 * only: their names were blanked by the erasure and are known nowhere any more, so a text naming them by
 * name alone is not found (docs/operations.md, "Catching up earlier erasures"). Changes only what still
 * names them, so a second pass changes nothing. Records of the trail hashed whole (before its switch
 * point) are not touched: their hashes are named by anchors and exported months.
 */
export async function rescrubErased(
  db: Executor,
  tenantId: string,
  subjects: readonly { readonly id: string; readonly number: string }[],
): Promise<RescrubCounts> {
  const ids = subjects.map((s) => s.id);
  const people = { numbers: subjects.map((s) => s.number), names: [] as string[] };
  const jobs = await eraseFromJobs(db, tenantId, people);
  const auditSeqs = new Map<string, number[]>();
  const add = (chain: string, seqs: readonly number[]) => {
    if (seqs.length) auditSeqs.set(chain, [...(auditSeqs.get(chain) ?? []), ...seqs]);
  };
  add(tenantId, await eraseJobReasonsFromTrail(db, tenantId, jobs.jobs));
  for (const chain of [tenantId, UNAUTHENTICATED_AUDIT_CHAIN]) add(chain, await eraseAuditPersonal(db, chain, people.numbers));
  const auditEntries = await eraseAuditListed(db, tenantId, people.numbers);
  const importRowErrors = await eraseFromImportErrors(db, tenantId, people);
  const idempotentAnswers = await eraseIdempotentAnswers(db, tenantId, people);
  const overrideLabels = await stripExplanations(db, tenantId, ids);
  let notes = 0;
  if (ids.length) {
    // The ids are the way in, the tenant a check (ofTenant, as eraseSubjects does): beside `tenant_id = ?`
    // SQLite took the tenant's index and read all its rows for each chunk.
    notes += changed(
      await db
        .updateTable('overrides')
        .set({ reason: '', evidence: null, decision_note: null, revoke_note: null })
        .where(ofTenant(tenantId))
        .where('subject_id', 'in', ids)
        .where((eb) =>
          eb.or([
            eb('reason', '!=', ''),
            eb('evidence', 'is not', null),
            eb('decision_note', 'is not', null),
            eb('revoke_note', 'is not', null),
          ]),
        )
        .executeTakeFirst(),
    );
    notes += changed(
      await db
        .updateTable('tier_events')
        .set({ note: null })
        .where(ofTenant(tenantId))
        .where('subject_id', 'in', ids)
        .where('note', 'is not', null)
        .executeTakeFirst(),
    );
    notes += changed(
      await db
        .updateTable('subject_closings')
        .set({ reason: null })
        .where(ofTenant(tenantId))
        .where('subject_id', 'in', ids)
        .where('reason', 'is not', null)
        .executeTakeFirst(),
    );
  }
  return {
    jobFilters: jobs.filters,
    jobReasons: jobs.reasons,
    importRowErrors: importRowErrors.erased,
    idempotentAnswers,
    overrideLabels,
    notes,
    auditSeqs,
    auditEntries,
  };
}
