import { createHash } from 'node:crypto';
import type { MetricDef } from '@tierkit/core';
import type { TenantRow } from '../schema.js';
import { isPostgres, parseJson, type Executor } from './executor.js';

/** A tenant with its metric catalogue parsed. */
export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly metrics: readonly MetricDef[];
  readonly createdAt: string;
  /**
   * The catalogue as stored (`metric_catalogue`): what a change names as the one it was checked against
   * (`replaceMetricCatalogue`). Its `catalogueFingerprint` is part of the packs' cache key.
   */
  readonly catalogueText: string;
}

/**
 * A short digest of a stored catalogue. Every process keeps a tenant's compiled packs and asks only for
 * a fingerprint of what decides them (`activePolicyFingerprint`): a metric's audience or unit changes
 * what a scheme may read and how a value reads, so a change made by one server is seen by the others
 * within a second. Taken from the text already stored, so no column (and no migration) is needed, and
 * a database of an earlier release reads the same.
 */
export function catalogueFingerprint(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    name: row.name,
    metrics: parseJson<MetricDef[]>(row.metric_catalogue),
    createdAt: row.created_at,
    catalogueText: row.metric_catalogue,
  };
}

/** The tenant, or undefined when it does not exist. */
export async function findTenant(db: Executor, id: string): Promise<Tenant | undefined> {
  const row = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toTenant(row) : undefined;
}

/**
 * The tenant, its row held to the end of `trx` on PostgreSQL (FOR NO KEY UPDATE: other tables' foreign
 * keys to it take KEY SHARE, which this lets be, so no insert of the tenant waits for it). Every change
 * of the metric catalogue, and every submission and approval of a policy version, takes it before it
 * checks one against the other: a metric removed on one server and a version reading it approved on
 * another are then decided one after the other, the second seeing the first. SQLite needs no lock: its
 * one writer runs one transaction at a time, and the caller's check runs inside its transaction.
 *
 * No deadlock: every transaction that takes this row takes it first, and while holding it touches only
 * policy_versions, metric_audience_requests and this row — never a subject (a re-tier chunk's subject
 * locks, taken in id order, are never followed by this row). Other writers of the tenant's tables take
 * KEY SHARE through their foreign keys, which FOR NO KEY UPDATE lets be; the retention setting's UPDATE
 * is its own transaction's first lock. Hold it briefly: an approval re-evaluates the month only after
 * this transaction commits, so a catalogue change or a submission waits for checks and one write, never
 * for a re-evaluation (a waiter is still bound by `statement_timeout`).
 */
export async function lockTenant(trx: Executor, id: string): Promise<Tenant | undefined> {
  const q = trx.selectFrom('tenants').selectAll().where('id', '=', id);
  const row = await (isPostgres(trx) ? q.forNoKeyUpdate() : q).executeTakeFirst();
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
  const catalogueText = JSON.stringify(tenant.metrics);
  await db
    .insertInto('tenants')
    .values({ id: tenant.id, name: tenant.name, metric_catalogue: catalogueText, created_at: tenant.now })
    .execute();
  return { id: tenant.id, name: tenant.name, metrics: tenant.metrics, createdAt: tenant.now, catalogueText };
}

/**
 * Replace the tenant's metric catalogue, if it is still `expected` (the stored text the caller read and
 * checked). False when another writer changed it in between — the caller's checks were made on a
 * catalogue that is gone, so nothing is written.
 */
export async function replaceMetricCatalogue(
  db: Executor,
  tenantId: string,
  expected: string,
  metrics: readonly MetricDef[],
): Promise<boolean> {
  const r = await db
    .updateTable('tenants')
    .set({ metric_catalogue: JSON.stringify(metrics) })
    .where('id', '=', tenantId)
    .where('metric_catalogue', '=', expected)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Whether the demo seeder finished for this tenant (seeding happens once, never on restart). A row
 * with an empty `finished_at` is a claim (`claimSeedRun`): the seeder made the tenant and has not
 * finished yet.
 */
export async function findSeedRun(db: Executor, tenantId: string): Promise<{ seed: number; customers: number } | undefined> {
  return db
    .selectFrom('seed_runs')
    .select(['seed', 'customers'])
    .where('tenant_id', '=', tenantId)
    .where('finished_at', '<>', '')
    .executeTakeFirst();
}

/**
 * Mark a tenant as the demo seeder's, right after the seeder created it: a start stopped before the
 * seed committed leaves a claimed, unfinished tenant, which the next start seeds — unlike a tenant
 * someone else set up (`tierkit tenants create`), which has no row and is never given demo data.
 */
export async function claimSeedRun(db: Executor, run: { tenantId: string; seed: number }): Promise<void> {
  await db
    .insertInto('seed_runs')
    .values({ tenant_id: run.tenantId, seed: run.seed, customers: 0, finished_at: '' })
    .onConflict((oc) => oc.column('tenant_id').doNothing())
    .execute();
}

/** Whether the demo seeder made this tenant (finished or not): see `claimSeedRun`. */
export async function seedRunClaimed(db: Executor, tenantId: string): Promise<boolean> {
  return (await db.selectFrom('seed_runs').select('tenant_id').where('tenant_id', '=', tenantId).executeTakeFirst()) !== undefined;
}

/** Record that seeding finished, in the same transaction as its last rows (over its claim, if any). */
export async function insertSeedRun(db: Executor, run: { tenantId: string; seed: number; customers: number; now: string }): Promise<void> {
  await db
    .insertInto('seed_runs')
    .values({ tenant_id: run.tenantId, seed: run.seed, customers: run.customers, finished_at: run.now })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ seed: run.seed, customers: run.customers, finished_at: run.now }))
    .execute();
}
