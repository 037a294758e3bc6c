// The million-customer book the matrix benches read, written straight into the tables (no seeder):
// two axis schemes, risk-band and value-band, each level a third of the book, 1% of customers closed,
// and one empty cell, high × high (its customers moved to value medium).
import SQLite from 'better-sqlite3';
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
