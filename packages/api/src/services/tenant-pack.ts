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

/**
 * Loads and compiles each tenant's pack (metric catalogue + active policy documents), cached until
 * the set of active policy versions changes. Checking that costs one small indexed query.
 */
export class TenantPacks {
  private readonly cache = new Map<string, { fingerprint: string; value: TenantPack }>();

  async get(db: Executor, tenantId: string): Promise<TenantPack> {
    const fingerprint = await activePolicyFingerprint(db, tenantId);
    const hit = this.cache.get(tenantId);
    if (hit && hit.fingerprint === fingerprint) return hit.value;
    const value = await loadTenantPack(db, tenantId);
    this.cache.set(tenantId, { fingerprint, value });
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
    throw new Error(`stored policy pack of tenant "${tenantId}" is invalid: ${result.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
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
