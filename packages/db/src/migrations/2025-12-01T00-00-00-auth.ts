import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';

/*
 * Authentication: API keys (only a SHA-256 hash of each secret is stored) and per-tenant signing
 * secrets for embed and staff tokens. Existing tenants get a signing secret here, so tokens work
 * right after the upgrade; new tenants get one when they are provisioned.
 */

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('api_keys_tenant_idx').on('api_keys').columns(['tenant_id', 'created_at']).execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('retired_at', 'text')
    .execute();
  await db.schema.createIndex('signing_keys_tenant_idx').on('signing_keys').columns(['tenant_id', 'created_at']).execute();

  const tenants = (await db.selectFrom('tenants').select('id').execute()) as { id: string }[];
  const now = new Date().toISOString();
  for (const t of tenants) {
    await db
      .insertInto('signing_keys')
      .values({
        id: `sk_${randomBytes(9).toString('base64url')}`,
        tenant_id: t.id,
        secret: randomBytes(32).toString('base64url'),
        created_at: now,
        retired_at: null,
      })
      .execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('signing_keys').ifExists().execute();
  await db.schema.dropTable('api_keys').ifExists().execute();
}
