import { defaultPolicyPack, validatePolicyPack, type PolicyPack } from '@tierkit/core';
import { atomically, findTenant, insertPolicies, insertSigningKey, insertTenant, type Executor } from '@tierkit/db';
import { newSigningSecret, randomId } from '../auth/secrets.js';

/**
 * What a tenant id may be: it travels in every signed token (at most 64 characters there) and in
 * URLs and logs, so letters, digits, `-`, `_`, `.`, starting with a letter or digit.
 */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Create a tenant with a policy pack (the default pack unless given): its metric catalogue and one
 * active policy version per scheme, and a secret to sign its embed tokens. Does nothing when the tenant exists. Returns whether it created it.
 */
export async function provisionTenant(db: Executor, tenant: { id: string; name: string; pack?: PolicyPack; now?: Date }): Promise<boolean> {
  if (!TENANT_ID_PATTERN.test(tenant.id))
    throw new RangeError(`"${tenant.id}" is not a tenant id: 1–64 letters, digits, "-", "_" or ".", starting with a letter or digit`);
  if (!tenant.name.trim()) throw new RangeError('a tenant needs a name');
  if (await findTenant(db, tenant.id)) return false;
  const pack = tenant.pack ?? defaultPolicyPack;
  const checked = validatePolicyPack(pack, { authoring: true });
  if (!checked.ok)
    throw new Error(`policy pack for tenant "${tenant.id}" is invalid: ${checked.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  const now = (tenant.now ?? new Date()).toISOString();
  // Inside a caller's transaction when given one: the CLI commits the tenant with its audit record.
  await atomically(db, async (trx) => {
    await insertTenant(trx, { id: tenant.id, name: tenant.name, metrics: pack.metrics, now });
    await insertSigningKey(trx, { id: randomId('sk_'), tenantId: tenant.id, secret: newSigningSecret(), createdAt: now });
    await insertPolicies(
      trx,
      tenant.id,
      pack.schemes.map((s, position) => ({
        id: `${tenant.id}:${s.key}:v${s.policy.version}`,
        scheme: s.key,
        version: s.policy.version,
        position,
        status: 'active' as const,
        document: s,
        effectiveFrom: now,
        now,
      })),
    );
  });
  return true;
}
