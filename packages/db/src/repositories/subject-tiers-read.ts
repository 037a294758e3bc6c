import type { ExpressionBuilder } from 'kysely';
import type { AssignmentRow, Database } from '../schema.js';
import { approvedNotRevoked } from './approved-override.js';
import { ASSIGNMENT_COLUMNS, toAssignmentJson, type StoredAssignmentJson } from './assignments.js';
import { reusableQuery, type Executor } from './executor.js';
import { type SubjectForRead, toSubject } from './subjects.js';

/** {@link SubjectForRead} with the subject's current assignments, their JSON columns as stored. */
export interface SubjectForTiers extends SubjectForRead {
  /** By scheme key order; only the one scheme asked for, when one was. */
  readonly assignments: readonly StoredAssignmentJson[];
}

// The assignment's columns under names of their own: both tables have tenant_id.
const ALIASED = ASSIGNMENT_COLUMNS.map((c) => `a.${c} as a_${c}` as const);

const approvedOverrides = (eb: ExpressionBuilder<Database, 'subjects'>) =>
  eb
    .exists(eb.selectFrom('overrides as o').select('o.id').whereRef('o.subject_id', '=', 'subjects.id').where(approvedNotRevoked('o')))
    .as('approved_overrides');

// Built once each: a staff first ask of a tiers read (a bank's front page asks one scheme, its back office every one).
const allSchemes = reusableQuery((db, tenantId: string, externalId: string) =>
  db
    .selectFrom('subjects')
    .leftJoin('assignments as a', (join) => join.onRef('a.subject_id', '=', 'subjects.id').onRef('a.tenant_id', '=', 'subjects.tenant_id'))
    .selectAll('subjects')
    .select(approvedOverrides)
    .select(ALIASED)
    .where('subjects.tenant_id', '=', tenantId)
    .where('subjects.external_id', '=', externalId)
    .orderBy('a.scheme'),
);
const oneScheme = reusableQuery((db, tenantId: string, externalId: string, scheme: string) =>
  db
    .selectFrom('subjects')
    .leftJoin('assignments as a', (join) =>
      join.onRef('a.subject_id', '=', 'subjects.id').onRef('a.tenant_id', '=', 'subjects.tenant_id').on('a.scheme', '=', scheme),
    )
    .selectAll('subjects')
    .select(approvedOverrides)
    .select(ALIASED)
    .where('subjects.tenant_id', '=', tenantId)
    .where('subjects.external_id', '=', externalId),
);

/**
 * What a first ask of a tiers read needs, in one statement: the subject as {@link findSubjectForRead}
 * reads it and its assignments as `listAssignmentsJson` does — only `scheme`'s when one is named.
 * Reading them in two statements cost a first ask a second statement's own transaction (on SQLite
 * two file locks taken and dropped) and Kysely's round; one statement also reads both as of one
 * instant. A subject with no assignment (in that scheme) has none here.
 */
export async function findSubjectForTiers(
  db: Executor,
  tenantId: string,
  externalId: string,
  scheme?: string,
): Promise<SubjectForTiers | undefined> {
  const rows = scheme === undefined ? await allSchemes(db, tenantId, externalId) : await oneScheme(db, tenantId, externalId, scheme);
  const [first] = rows;
  if (!first) return undefined;
  const subject = toSubject(first);
  const assignments: StoredAssignmentJson[] = [];
  for (const r of rows) {
    if (r.a_scheme === null) continue;
    const row: Record<string, unknown> = {};
    for (const c of ASSIGNMENT_COLUMNS) row[c] = r[`a_${c}`];
    assignments.push(toAssignmentJson(row as unknown as AssignmentRow));
  }
  // SQLite answers 0 or 1, PostgreSQL a boolean.
  return { subject, hasApprovedOverride: Boolean(first.approved_overrides), assignments };
}
