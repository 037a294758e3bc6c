import { writeAssignments, type AssignmentToWrite, type StoredAssignment } from './assignments.js';
import { atomically, type Executor } from './executor.js';
import { bumpSubjectVersions } from './subject-versions.js';
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
 */
export async function storeReevaluations(
  db: Executor,
  tenantId: string,
  assignments: readonly AssignmentToWrite[],
  events: readonly NewTierEventInput[],
): Promise<void> {
  await atomically(db, async (trx) => {
    await writeAssignments(trx, tenantId, assignments);
    await writeTierEvents(trx, tenantId, events);
    const ids = new Set<string>();
    for (const a of assignments) ids.add(a.subjectId);
    for (const e of events) ids.add(e.subjectId);
    await bumpSubjectVersions(trx, ids);
  });
}
