import type { PolicyVersionLifecycle } from '@tierkit/core';
import type { PolicyRow, PolicyTable } from '../schema.js';
import { parseJson, type Executor } from './executor.js';
import { toPolicy, type PolicyStatus, type StoredPolicy } from './policies.js';

/** A policy version with its lifecycle: who drafted, submitted and decided it, and when. */
export interface PolicyVersion extends StoredPolicy, PolicyVersionLifecycle {
  readonly position: number;
}

function toVersion(row: PolicyRow): PolicyVersion {
  return {
    ...toPolicy(row),
    position: row.position,
    createdAt: row.created_at,
    authors: row.authors === null ? [] : parseJson<string[]>(row.authors),
    submittedBy: row.submitted_by,
    submittedAt: row.submitted_at,
    contentHash: row.content_hash,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    note: row.note,
    retiredBy: row.retired_by,
    retiredAt: row.retired_at,
    retireNote: row.retire_note,
    retireRequestedBy: row.retire_requested_by ?? null,
    retireRequestedAt: row.retire_requested_at ?? null,
    retireRequestNote: row.retire_request_note ?? null,
    draftNote: row.draft_note ?? null,
    submitNote: row.submit_note ?? null,
  };
}

/** Every version of a tenant's policies (of one scheme when given), by pack position, scheme and version. */
export async function listPolicyVersions(db: Executor, tenantId: string, scheme?: string): Promise<PolicyVersion[]> {
  let q = db.selectFrom('policies').selectAll().where('tenant_id', '=', tenantId);
  if (scheme !== undefined) q = q.where('scheme', '=', scheme);
  const rows = await q.orderBy('position').orderBy('scheme').orderBy('version').execute();
  return rows.map(toVersion);
}

/** The versions of a tenant in the given statuses (e.g. every `active` one, whatever its effective date). */
export async function listPolicyVersionsIn(db: Executor, tenantId: string, statuses: readonly PolicyStatus[]): Promise<PolicyVersion[]> {
  const rows = await db
    .selectFrom('policies')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('status', 'in', statuses)
    .orderBy('position')
    .orderBy('scheme')
    .orderBy('version')
    .execute();
  return rows.map(toVersion);
}

/** One version, or undefined. */
export async function findPolicyVersion(
  db: Executor,
  tenantId: string,
  scheme: string,
  version: number,
): Promise<PolicyVersion | undefined> {
  const row = await db
    .selectFrom('policies')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('scheme', '=', scheme)
    .where('version', '=', version)
    .executeTakeFirst();
  return row ? toVersion(row) : undefined;
}

/** The number the next version of `scheme` gets (1 for a scheme without versions), and its pack position. */
export async function nextPolicySlot(db: Executor, tenantId: string, scheme: string): Promise<{ version: number; position: number }> {
  const own = await db
    .selectFrom('policies')
    .select((eb) => [eb.fn.max('version').as('version'), eb.fn.max('position').as('position')])
    .where('tenant_id', '=', tenantId)
    .where('scheme', '=', scheme)
    .executeTakeFirst();
  if (own?.version != null) return { version: Number(own.version) + 1, position: Number(own.position) };
  // A new scheme goes after every scheme the tenant has.
  const all = await db
    .selectFrom('policies')
    .select((eb) => eb.fn.max('position').as('position'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  return { version: 1, position: all?.position == null ? 0 : Number(all.position) + 1 };
}

/** Store a new draft version (the unique (tenant, scheme, version) key refuses a second one). */
export async function insertPolicyDraft(
  db: Executor,
  tenantId: string,
  draft: {
    id: string;
    scheme: string;
    version: number;
    position: number;
    document: unknown;
    author: string;
    now: string;
    note?: string | null;
  },
): Promise<void> {
  await db
    .insertInto('policies')
    .values({
      id: draft.id,
      tenant_id: tenantId,
      scheme: draft.scheme,
      version: draft.version,
      position: draft.position,
      status: 'draft',
      document: JSON.stringify(draft.document),
      // Set for real when the version is approved; until then it is in force for no period.
      effective_from: '',
      created_at: draft.now,
      authors: JSON.stringify([draft.author]),
      ...(draft.note ? { draft_note: draft.note } : {}),
    })
    .execute();
}

/** What a lifecycle step may change; `document` is serialized as JSON. */
export interface PolicyVersionChange {
  readonly status?: PolicyStatus;
  readonly document?: unknown;
  readonly authors?: readonly string[];
  readonly effectiveFrom?: string;
  readonly submittedBy?: string | null;
  readonly submittedAt?: string | null;
  readonly contentHash?: string | null;
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  readonly note?: string | null;
  readonly retiredBy?: string;
  readonly retiredAt?: string;
  readonly retireNote?: string | null;
  readonly retireRequestedBy?: string | null;
  readonly retireRequestedAt?: string | null;
  readonly retireRequestNote?: string | null;
  readonly submitNote?: string | null;
}

/**
 * Apply a lifecycle step only if the version is still in `from` status (and, when given, still has
 * the content hash `hash`, and the pending retirement asked at `retireRequestedAt` — null: none
 * waiting): two concurrent decisions cannot both apply. Returns whether it did.
 */
export async function updatePolicyVersion(
  db: Executor,
  tenantId: string,
  scheme: string,
  version: number,
  from: PolicyStatus,
  change: PolicyVersionChange,
  hash?: string,
  retireRequestedAt?: string | null,
): Promise<boolean> {
  const set: Partial<PolicyTable> = {};
  if (change.status !== undefined) set.status = change.status;
  if (change.document !== undefined) set.document = JSON.stringify(change.document);
  if (change.authors !== undefined) set.authors = JSON.stringify(change.authors);
  if (change.effectiveFrom !== undefined) set.effective_from = change.effectiveFrom;
  if (change.submittedBy !== undefined) set.submitted_by = change.submittedBy;
  if (change.submittedAt !== undefined) set.submitted_at = change.submittedAt;
  if (change.contentHash !== undefined) set.content_hash = change.contentHash;
  if (change.decidedBy !== undefined) set.decided_by = change.decidedBy;
  if (change.decidedAt !== undefined) set.decided_at = change.decidedAt;
  if (change.note !== undefined) set.note = change.note;
  if (change.retiredBy !== undefined) set.retired_by = change.retiredBy;
  if (change.retiredAt !== undefined) set.retired_at = change.retiredAt;
  if (change.retireNote !== undefined) set.retire_note = change.retireNote;
  if (change.retireRequestedBy !== undefined) set.retire_requested_by = change.retireRequestedBy;
  if (change.retireRequestedAt !== undefined) set.retire_requested_at = change.retireRequestedAt;
  if (change.retireRequestNote !== undefined) set.retire_request_note = change.retireRequestNote;
  if (change.submitNote !== undefined) set.submit_note = change.submitNote;
  let q = db
    .updateTable('policies')
    .set(set)
    .where('tenant_id', '=', tenantId)
    .where('scheme', '=', scheme)
    .where('version', '=', version)
    .where('status', '=', from);
  if (hash !== undefined) q = q.where('content_hash', '=', hash);
  if (retireRequestedAt === null) q = q.where('retire_requested_at', 'is', null);
  else if (retireRequestedAt !== undefined) q = q.where('retire_requested_at', '=', retireRequestedAt);
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
