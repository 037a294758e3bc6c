import type { PolicyRow } from '../schema.js';
import { chunks, parseJson, type Executor } from './executor.js';
import { catalogueFingerprint } from './tenants.js';

/**
 * `active` is an approved version, in force from its `effectiveFrom` until a later active version's
 * (so several may be active at once: one for each stretch of dates). `submitted` waits for a second
 * person; `rejected` and `retired` are never used again.
 */
export const POLICY_STATUSES = ['draft', 'active', 'retired', 'submitted', 'rejected'] as const;
export type PolicyStatus = (typeof POLICY_STATUSES)[number];

/** One stored policy version; `document` is the scheme definition as the engine reads it. */
export interface StoredPolicy {
  readonly id: string;
  readonly scheme: string;
  readonly version: number;
  readonly status: PolicyStatus;
  readonly document: unknown;
  readonly effectiveFrom: string;
}

/** A stored policy row as the engine reads it (policy-versions.ts adds the lifecycle). */
export function toPolicy(row: PolicyRow): StoredPolicy {
  return {
    id: row.id,
    scheme: row.scheme,
    version: row.version,
    status: row.status as PolicyStatus,
    document: parseJson<unknown>(row.document),
    effectiveFrom: row.effective_from,
  };
}

/** The active version of every scheme of a tenant, in the pack's order. */
export async function listActivePolicies(db: Executor, tenantId: string): Promise<StoredPolicy[]> {
  const rows = await db
    .selectFrom('policies')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'active')
    .orderBy('position')
    .orderBy('scheme')
    .execute();
  return rows.map(toPolicy);
}

/** A cheap fingerprint of the active policies, so a compiled pack can be cached until one changes. */
export async function activePolicyFingerprint(db: Executor, tenantId: string): Promise<string> {
  const rows = await db.selectFrom('policies').select(['id']).where('tenant_id', '=', tenantId).where('status', '=', 'active').execute();
  const tenant = await db.selectFrom('tenants').select('metric_catalogue').where('id', '=', tenantId).executeTakeFirst();
  return policyFingerprint(
    rows.map((r) => r.id),
    catalogueFingerprint(tenant?.metric_catalogue ?? ''),
  );
}

/**
 * The fingerprint of a set of policy versions (their ids), whatever order they were read in: sorted
 * here rather than by the database, whose collation may order ids differently.
 */
export function policyFingerprint(ids: readonly string[], catalogue = ''): string {
  // The metric catalogue decides too (what a scheme may read, how a value reads): its digest is part of it.
  return `${catalogue}|${[...ids].sort().join(',')}`;
}

/** Store policy versions (each `document` is serialized as JSON). */
export async function insertPolicies(
  db: Executor,
  tenantId: string,
  policies: readonly {
    id: string;
    scheme: string;
    version: number;
    position: number;
    status: PolicyStatus;
    document: unknown;
    effectiveFrom: string;
    now: string;
  }[],
): Promise<void> {
  for (const batch of chunks(policies)) {
    await db
      .insertInto('policies')
      .values(
        batch.map((p) => ({
          id: p.id,
          tenant_id: tenantId,
          scheme: p.scheme,
          version: p.version,
          position: p.position,
          status: p.status,
          document: JSON.stringify(p.document),
          effective_from: p.effectiveFrom,
          created_at: p.now,
        })),
      )
      .execute();
  }
}
