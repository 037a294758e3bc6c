import { sql, type Kysely } from 'kysely';

/*
 * A tier event says which data period it describes (`period`, the month whose metrics were
 * evaluated) as well as when it was recorded (`at`). Existing rows: an event of a catch-up run noted
 * its month (`evaluated YYYY-MM`); every other one was recorded after the month it evaluated — the
 * seeder at the first instant of the next month, uploads of a month's metrics in the month after —
 * so it gets the month before its `at` (UTC).
 */

function monthBefore(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tier_events').addColumn('period', 'text').execute();
  await sql`UPDATE tier_events SET period = substr(note, 11, 7) WHERE note LIKE 'evaluated ____-__'`.execute(db);
  const months = await sql<{ month: string }>`SELECT DISTINCT substr(at, 1, 7) AS month FROM tier_events WHERE period IS NULL`.execute(db);
  for (const { month } of months.rows) {
    if (!/^\d{4}-\d{2}$/.test(month)) continue;
    await sql`UPDATE tier_events SET period = ${monthBefore(month)} WHERE period IS NULL AND substr(at, 1, 7) = ${month}`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tier_events').dropColumn('period').execute();
}
