import type SQLite from 'better-sqlite3';
import { rng } from '../../tests/support/book.js';

/**
 * The book the re-tier benches share (retier.bench.ts's shape, seed 42): `n` customers, each with a
 * balance for most of `months`, written with raw prepared inserts in one transaction so that setting up
 * a million customers costs seconds, not the minutes the API would take.
 */
export function writeRetierBook(raw: SQLite.Database, tenant: string, n: number, months: readonly string[], now: Date): void {
  const addSubject = raw.prepare(
    `INSERT INTO subjects (id, tenant_id, external_id, kind, display_name, attributes, created_at, updated_at) VALUES (?, ?, ?, 'customer', '客户', '{}', ?, ?)`,
  );
  const addMetric = raw.prepare('INSERT INTO metrics (tenant_id, subject_id, metric, period, value) VALUES (?, ?, ?, ?, ?)');
  const at = now.toISOString();
  raw.transaction(() => {
    const r = rng(42);
    for (let i = 0; i < n; i++) {
      const id = `c${String(i).padStart(8, '0')}`;
      const base = Math.floor(Math.exp(r() * 12 + 6)) * 100;
      addSubject.run(id, tenant, id.toUpperCase(), at, at);
      for (const m of months) if (r() > 0.05) addMetric.run(tenant, id, 'avg_daily_balance', m, Math.floor(base * (0.8 + r() * 0.4)));
    }
  })();
}
