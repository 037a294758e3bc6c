import type { AssignmentRow } from '../schema.js';
import { approvedOverridesColumn } from './approved-override.js';
import { ASSIGNMENT_COLUMNS, toAssignmentJson, type StoredAssignmentJson } from './assignments.js';
import { reusableQuery, type Executor } from './executor.js';
import { type SubjectForRead, toSubject } from './subjects.js';

/** {@link SubjectForRead} with the subject's current assignments, their JSON columns as stored. */
export interface SubjectForTiers extends SubjectForRead {
  /** The one scheme's assignment, or none. */
  readonly assignments: readonly StoredAssignmentJson[];
}

// The assignment's columns under names of their own: both tables have tenant_id.
const ALIASED = ASSIGNMENT_COLUMNS.map((c) => `a.${c} as a_${c}` as const);

// Built once: a front page's first ask (a staff tiers read of one scheme).
const oneScheme = reusableQuery((db, tenantId: string, externalId: string, scheme: string) =>
  db
    .selectFrom('subjects')
    .leftJoin('assignments as a', (join) =>
      join.onRef('a.subject_id', '=', 'subjects.id').onRef('a.tenant_id', '=', 'subjects.tenant_id').on('a.scheme', '=', scheme),
    )
    .selectAll('subjects')
    .select(approvedOverridesColumn)
    .select(ALIASED)
    .where('subjects.tenant_id', '=', tenantId)
    .where('subjects.external_id', '=', externalId),
);

/**
 * What a first ask of a tiers read of one scheme (a bank's front page) needs, in one statement: the
 * subject as {@link findSubjectForRead} reads it and its assignment in `scheme` as `listAssignmentsJson`
 * does. Two statements cost a first ask the second one's own read transaction (on SQLite two file locks
 * taken and dropped) and Kysely's round: 46 against 37 µs a customer (BENCHMARKS.md, api bench, session
 * 34). Not for every scheme: the join repeats the subject's columns in each of its rows, and nine rows
 * cost more than the second statement saves (128 against 94 µs). One statement also reads both as of
 * one instant, which holds only as long as nothing else is read for the same body: a read that goes on
 * to read the subject's overrides must read the assignment again after them (buildTiers). A subject with
 * no assignment in the scheme has none here.
 */
export async function findSubjectForTiers(
  db: Executor,
  tenantId: string,
  externalId: string,
  scheme: string,
): Promise<SubjectForTiers | undefined> {
  const [row] = await oneScheme(db, tenantId, externalId, scheme);
  if (!row) return undefined;
  const assignments: StoredAssignmentJson[] = [];
  if (row.a_scheme !== null) {
    const assignment: Record<string, unknown> = {};
    for (const c of ASSIGNMENT_COLUMNS) assignment[c] = row[`a_${c}`];
    assignments.push(toAssignmentJson(assignment as unknown as AssignmentRow));
  }
  // SQLite answers 0 or 1, PostgreSQL a boolean.
  return { subject: toSubject(row), hasApprovedOverride: Boolean(row.approved_overrides), assignments };
}
