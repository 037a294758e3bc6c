import type { OverrideInfo, OverrideMode } from '@tierkit/core';
import type { OverrideRow } from '../schema.js';
import { rangeTenant, type Executor } from './executor.js';

function toOverride(row: OverrideRow): OverrideInfo {
  return {
    id: row.id,
    scheme: row.scheme,
    level: row.level,
    mode: row.mode as OverrideMode,
    reason: row.reason,
    expiresAt: row.expires_at,
    requestedBy: row.requested_by,
    approvedBy: row.approved_by,
  };
}

/** An override in force and when it was created (ISO 8601 UTC). */
export interface DatedOverride {
  readonly override: OverrideInfo;
  readonly createdAt: string;
}

/**
 * Overrides in force for a subject at `now` with their creation instants: approved, not revoked,
 * not expired. One per scheme — the newest wins if several were approved.
 */
export async function listActiveDatedOverrides(db: Executor, tenantId: string, subjectId: string, now: string): Promise<DatedOverride[]> {
  const rows = await db
    .selectFrom('overrides')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('subject_id', '=', subjectId)
    .where('approved_by', 'is not', null)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('created_at', 'desc')
    .execute();
  const byScheme = new Map<string, DatedOverride>();
  for (const row of rows) if (!byScheme.has(row.scheme)) byScheme.set(row.scheme, { override: toOverride(row), createdAt: row.created_at });
  return [...byScheme.values()];
}

/**
 * Overrides in force for a subject at `now`: approved, not revoked, not expired. One per scheme —
 * the newest wins if several were approved.
 */
export async function listActiveOverrides(db: Executor, tenantId: string, subjectId: string, now: string): Promise<OverrideInfo[]> {
  return (await listActiveDatedOverrides(db, tenantId, subjectId, now)).map((d) => d.override);
}

/** Store an override request (approved or not). */
export async function insertOverride(db: Executor, tenantId: string, subjectId: string, o: OverrideInfo, now: string): Promise<void> {
  await db
    .insertInto('overrides')
    .values({
      id: o.id,
      tenant_id: tenantId,
      subject_id: subjectId,
      scheme: o.scheme,
      level: o.level,
      mode: o.mode,
      reason: o.reason,
      expires_at: o.expiresAt,
      requested_by: o.requestedBy,
      approved_by: o.approvedBy,
      created_at: now,
      revoked_at: null,
    })
    .execute();
}

/**
 * {@link listActiveDatedOverrides} for every subject with an id in `first … last` (a job chunk) in
 * one query, by subject; the same rule per subject (the newest approved one per scheme wins).
 */
export async function listActiveDatedOverridesInRange(
  db: Executor,
  tenantId: string,
  first: string,
  last: string,
  now: string,
): Promise<Map<string, DatedOverride[]>> {
  const rows = await db
    .selectFrom('overrides')
    .selectAll()
    .where(rangeTenant(tenantId))
    .where('subject_id', '>=', first)
    .where('subject_id', '<=', last)
    .where('approved_by', 'is not', null)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('created_at', 'desc')
    .execute();
  const bySubject = new Map<string, Map<string, DatedOverride>>();
  for (const row of rows) {
    let byScheme = bySubject.get(row.subject_id);
    if (!byScheme) bySubject.set(row.subject_id, (byScheme = new Map()));
    if (!byScheme.has(row.scheme)) byScheme.set(row.scheme, { override: toOverride(row), createdAt: row.created_at });
  }
  return new Map([...bySubject].map(([id, m]) => [id, [...m.values()]]));
}
