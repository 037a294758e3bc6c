// The million-customer book the matrix benches read, written straight into the tables (no seeder):
// two axis schemes, risk-band and value-band, each level a third of the book, 1% of customers closed,
// and one empty cell, high × high (its customers moved to value medium). The same levels for customer
// i on SQLite (writeMatrixBook) and, in SQL, on PostgreSQL (writeMatrixBookPostgres).
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { createApiKey, provisionTenant } from '@tierkit/api';
import { connect, migrateToLatest, type Db } from '@tierkit/db';

/** Create the book in `file` (a new database) for tenant `demo`; the secret of a viewer key. */
export async function writeMatrixBook(file: string, customers: number): Promise<string> {
  const db: Db = connect({ url: file });
  await migrateToLatest(db.db);
  await provisionTenant(db.db, { id: 'demo', name: 'Demo Bank' });
  const { secret } = await createApiKey(db.db, { tenantId: 'demo', role: 'viewer', label: 'bench' });
  await db.close();
  const raw = new SQLite(file);
  raw.pragma('journal_mode = WAL');
  const subject = raw.prepare(
    "INSERT INTO subjects (id, tenant_id, external_id, kind, display_name, attributes, created_at, updated_at, closed_at, closed_reason) VALUES (?, 'demo', ?, 'customer', '张三', '{}', '2025-01-01', '2025-01-01', ?, ?)",
  );
  const closing = raw.prepare(
    "INSERT INTO subject_closings (tenant_id, subject_id, closed_at, reason, reopened_at, recorded_at) VALUES ('demo', ?, ?, '销户', NULL, ?)",
  );
  const assignment = raw.prepare(
    "INSERT INTO assignments (tenant_id, subject_id, scheme, level, rank, periods_below, base_level, base_periods_below, previous_level, explanation, progress, retention, approval_required, policy_version, period, evaluated_at) VALUES ('demo', ?, ?, ?, 0, 0, NULL, 0, NULL, '{}', NULL, NULL, 0, 1, '2025-10', '2025-11-01T00:00:00.000Z')",
  );
  const levels = ['low', 'medium', 'high'];
  raw.transaction(() => {
    for (let i = 0; i < customers; i++) {
      const id = `S${String(i).padStart(7, '0')}`;
      // One customer in a hundred has left the bank: the matrix leaves them out, the GROUP BY does not.
      const closedAt = i % 100 === 99 ? '2025-09-15T02:00:00.000Z' : null;
      subject.run(id, `M${String(i).padStart(7, '0')}`, closedAt, closedAt && '销户');
      if (closedAt) closing.run(id, closedAt, closedAt);
      const risk = levels[(i * 7) % 3] as string;
      const value = levels[(i * 13 + (i >> 4)) % 3] as string;
      assignment.run(id, 'risk-band', risk);
      // One empty cell, high × high: the subject list's hardest page.
      assignment.run(id, 'value-band', risk === 'high' && value === 'high' ? 'medium' : value);
    }
  })();
  raw.close();
  return secret;
}

/**
 * The same book in a migrated PostgreSQL database with tenant `tenant` provisioned, then analysed.
 * Run it on a connection with no statement timeout: a million rows in one statement take longer than
 * any of the server's pools allow.
 */
export async function writeMatrixBookPostgres(db: Db, tenant: string, customers: number): Promise<void> {
  const levels = sql`(ARRAY['low','medium','high'])`;
  // i*7 and i*13 overflow int4 past 165 million customers only.
  const risk = sql`${levels}[((i * 7) % 3) + 1]`;
  const value = sql`${levels}[((i * 13 + (i >> 4)) % 3) + 1]`;
  await sql`INSERT INTO subjects (id, tenant_id, external_id, kind, display_name, attributes, created_at, updated_at, closed_at, closed_reason)
    SELECT 'S' || lpad(i::text, 7, '0'), ${tenant}, 'M' || lpad(i::text, 7, '0'), 'customer', '张三', '{}', '2025-01-01', '2025-01-01',
      CASE WHEN i % 100 = 99 THEN '2025-09-15T02:00:00.000Z' END, CASE WHEN i % 100 = 99 THEN '销户' END
    FROM generate_series(0, ${customers - 1}) AS i`.execute(db.db);
  await sql`INSERT INTO subject_closings (tenant_id, subject_id, closed_at, reason, reopened_at, recorded_at)
    SELECT ${tenant}, 'S' || lpad(i::text, 7, '0'), '2025-09-15T02:00:00.000Z', '销户', NULL, '2025-09-15T02:00:00.000Z'
    FROM generate_series(0, ${customers - 1}) AS i WHERE i % 100 = 99`.execute(db.db);
  const assignment = (scheme: string, level: ReturnType<typeof sql>) => sql`
    INSERT INTO assignments (tenant_id, subject_id, scheme, level, rank, periods_below, base_level, base_periods_below,
      previous_level, explanation, progress, retention, approval_required, policy_version, period, evaluated_at)
    SELECT ${tenant}, 'S' || lpad(i::text, 7, '0'), ${scheme}, ${level}, 0, 0, NULL, 0, NULL, '{}', NULL, NULL, 0, 1, '2025-10', '2025-11-01T00:00:00.000Z'
    FROM generate_series(0, ${customers - 1}) AS i`;
  await assignment('risk-band', risk).execute(db.db);
  // One empty cell, high × high: the subject list's hardest page.
  await assignment('value-band', sql`CASE WHEN ${risk} = 'high' AND ${value} = 'high' THEN 'medium' ELSE ${value} END`).execute(db.db);
  await sql`ANALYZE`.execute(db.db);
}
