import type { MetricDef } from '@tierkit/core';
import type { TenantRow } from '../schema.js';
import { parseJson, type Executor } from './executor.js';

/** A tenant with its metric catalogue parsed. */
export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly metrics: readonly MetricDef[];
  readonly createdAt: string;
}

function toTenant(row: TenantRow): Tenant {
  return { id: row.id, name: row.name, metrics: parseJson<MetricDef[]>(row.metric_catalogue), createdAt: row.created_at };
}

/** The tenant, or undefined when it does not exist. */
export async function findTenant(db: Executor, id: string): Promise<Tenant | undefined> {
  const row = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toTenant(row) : undefined;
}

/** Every tenant, by id. */
export async function listTenants(db: Executor): Promise<Tenant[]> {
  const rows = await db.selectFrom('tenants').selectAll().orderBy('id').execute();
  return rows.map(toTenant);
}

/** Create a tenant with its metric catalogue. */
export async function insertTenant(
  db: Executor,
  tenant: { id: string; name: string; metrics: readonly MetricDef[]; now: string },
): Promise<Tenant> {
  await db
    .insertInto('tenants')
    .values({ id: tenant.id, name: tenant.name, metric_catalogue: JSON.stringify(tenant.metrics), created_at: tenant.now })
    .execute();
  return { id: tenant.id, name: tenant.name, metrics: tenant.metrics, createdAt: tenant.now };
}

/** Whether the demo seeder already ran for this tenant (seeding happens once, never on restart). */
export async function findSeedRun(db: Executor, tenantId: string): Promise<{ seed: number; customers: number } | undefined> {
  return db.selectFrom('seed_runs').select(['seed', 'customers']).where('tenant_id', '=', tenantId).executeTakeFirst();
}

/** Record that seeding finished, in the same transaction as its last rows. */
export async function insertSeedRun(db: Executor, run: { tenantId: string; seed: number; customers: number; now: string }): Promise<void> {
  await db
    .insertInto('seed_runs')
    .values({ tenant_id: run.tenantId, seed: run.seed, customers: run.customers, finished_at: run.now })
    .execute();
}
