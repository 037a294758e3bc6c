import { compilePack, validatePolicyPack, type CompiledPack, type PolicyPack, type SchemeDefinition } from '@tierkit/core';
import { activePolicyFingerprint, findTenant, listActivePolicies, type Executor } from '@tierkit/db';
import { ProblemError } from '../problem.js';

/** A tenant's active configuration, validated and compiled once for many evaluations. */
export interface TenantPack {
  readonly tenantId: string;
  readonly pack: PolicyPack;
  readonly compiled: CompiledPack;
  readonly schemes: ReadonlyMap<string, SchemeDefinition>;
  readonly metrics: ReadonlyMap<string, PolicyPack['metrics'][number]>;
}

/** Milliseconds a tenant's set of active policy versions is trusted without asking the database again. */
export const PACK_CHECK_MS = 1000;

/**
 * Loads and compiles each tenant's pack (metric catalogue + active policy documents), cached until
 * the set of active policy versions changes. Checking that costs one small indexed query, asked at
 * most once per `checkMs` per tenant rather than on every read: policies change only when a tenant
 * is provisioned or a pack is imported, and then reads see it within that delay (packages/api/README.md, "Reads").
 */
export class TenantPacks {
  private readonly cache = new Map<string, { fingerprint: string; value: TenantPack; checkedAt: number }>();

  constructor(
    private readonly checkMs = PACK_CHECK_MS,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  async get(db: Executor, tenantId: string): Promise<TenantPack> {
    const hit = this.cache.get(tenantId);
    const now = this.clock();
    if (hit && now - hit.checkedAt < this.checkMs) return hit.value;
    const fingerprint = await activePolicyFingerprint(db, tenantId);
    if (hit && hit.fingerprint === fingerprint) {
      hit.checkedAt = now;
      return hit.value;
    }
    const value = await loadTenantPack(db, tenantId);
    this.cache.set(tenantId, { fingerprint, value, checkedAt: now });
    return value;
  }
}

/** Read, validate and compile a tenant's pack. A stored pack that fails validation is a server fault. */
export async function loadTenantPack(db: Executor, tenantId: string): Promise<TenantPack> {
  const tenant = await findTenant(db, tenantId);
  if (!tenant) throw new ProblemError('not-found', `Tenant "${tenantId}" does not exist.`);
  const policies = await listActivePolicies(db, tenantId);
  const result = validatePolicyPack({ metrics: tenant.metrics, schemes: policies.map((p) => p.document) });
  if (!result.ok) {
    throw new Error(
      `stored policy pack of tenant "${tenantId}" is invalid: ${result.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    );
  }
  const pack = result.pack;
  return {
    tenantId,
    pack,
    compiled: compilePack(pack),
    schemes: new Map(pack.schemes.map((s) => [s.key, s])),
    metrics: new Map(pack.metrics.map((m) => [m.key, m])),
  };
}
