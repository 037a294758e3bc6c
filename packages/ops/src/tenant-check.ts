import { findTenant, listTenants, type Executor } from '@tierkit/db';

/**
 * Why `tenant` (`TIERKIT_TENANT`, `--tenant`) names no tenant, or undefined when it names one. A typo
 * there used to be served or listed as an empty tenant ("no jobs", "no API keys"), which reads as a
 * bank with nothing in it. Says how many tenants there are, never their ids: a log line is read by
 * more people than the operator.
 */
export async function missingTenantReason(db: Executor, tenant: string): Promise<string | undefined> {
  if (await findTenant(db, tenant)) return undefined;
  const known = (await listTenants(db)).length;
  return `tenant "${tenant}" does not exist (the database holds ${known === 1 ? '1 tenant' : `${known} tenants`}; tierkit tenants list names them)`;
}
