import type { OverrideInfo, OverrideMode } from '@tierkit/core';
import type { OverrideRow } from '../schema.js';
import type { Executor } from './executor.js';

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

/**
 * Overrides in force for a subject at `now`: approved, not revoked, not expired. One per scheme —
 * the newest wins if several were approved.
 */
export async function listActiveOverrides(db: Executor, tenantId: string, subjectId: string, now: string): Promise<OverrideInfo[]> {
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
  const byScheme = new Map<string, OverrideInfo>();
  for (const row of rows) if (!byScheme.has(row.scheme)) byScheme.set(row.scheme, toOverride(row));
  return [...byScheme.values()];
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
