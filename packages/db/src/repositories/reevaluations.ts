import { writeAssignments, type AssignmentToWrite, type StoredAssignment } from './assignments.js';
import { atomically, type Executor } from './executor.js';
import { bumpOpenSubjectVersions } from './subject-versions.js';
import { writeTierEvents, type NewTierEventInput } from './tier-events.js';

/** Insert or replace the current assignments (one row per subject and scheme), bumping their subjects' versions. */
export async function upsertAssignments(db: Executor, tenantId: string, assignments: readonly StoredAssignment[]): Promise<void> {
  await storeReevaluations(db, tenantId, assignments, []);
}

/** Append tier events, bumping their subjects' versions. */
export async function appendTierEvents(db: Executor, tenantId: string, events: readonly NewTierEventInput[]): Promise<void> {
  await storeReevaluations(db, tenantId, [], events);
}

/**
 * Store what re-evaluations produced — assignments replaced, tier events appended — and bump each
 * subject's version once for both (a re-tier chunk: one statement for its thousand subjects).
 * A customer closed meanwhile gets nothing: the bump comes first and only moves subjects still open,
 * so it also waits for a closing of one of them in flight (PostgreSQL re-checks `closed_at` after the
 * wait), and a closing that comes later waits for this write. Answers the subjects left out as closed.
 * `bumped`: subjects the caller already bumped with {@link bumpOpenSubjectVersions} in this same
 * transaction (and found open): they hold their row lock and moved version, so they are written with
 * no second lock or bump (a re-tier chunk locks its subjects before it plans their sign-offs).
 * `levelKept`: assignments whose stored level the caller read as their own ({@link writeAssignments}).
 */
export async function storeReevaluations(
  db: Executor,
  tenantId: string,
  assignments: readonly AssignmentToWrite[],
  events: readonly NewTierEventInput[],
  bumped: ReadonlySet<string> = new Set(),
  levelKept?: ReadonlySet<AssignmentToWrite>,
): Promise<ReadonlySet<string>> {
  return atomically(db, async (trx) => {
    const ids = new Set<string>();
    for (const a of assignments) if (!bumped.has(a.subjectId)) ids.add(a.subjectId);
    for (const e of events) if (!bumped.has(e.subjectId)) ids.add(e.subjectId);
    const open = ids.size ? await bumpOpenSubjectVersions(trx, tenantId, ids) : ids;
    const closed = new Set<string>();
    for (const id of ids) if (!open.has(id)) closed.add(id);
    await writeAssignments(trx, tenantId, closed.size ? assignments.filter((a) => !closed.has(a.subjectId)) : assignments, levelKept);
    await writeTierEvents(trx, tenantId, closed.size ? events.filter((e) => !closed.has(e.subjectId)) : events);
    return closed;
  });
}
