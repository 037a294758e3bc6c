import { randomUUID } from 'node:crypto';
import type { EventReason } from '@tierkit/core';
import { appendTierEvents, insertMetrics, insertSubjects, type Executor } from '@tierkit/db';

/** One tier event of a hand-built book: `period` null is an event recorded without a month. */
export interface BookEvent {
  readonly subject: string;
  readonly period: string | null;
  readonly from: string | null;
  readonly to: string;
  readonly scheme?: string;
  /** Default `rule`: the policy's move. */
  readonly reason?: EventReason;
}

/** A small book written straight into the tables, so analytics tests know every row behind an answer. */
export interface Book {
  readonly events: readonly BookEvent[];
  /** subject → period → value of `metric`. */
  readonly metrics?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly metric?: string;
}

let recorded = 0;

/**
 * Write `book` for `tenantId`: its subjects (external ids as given), its events recorded in the
 * order listed (`at` increases, so the later of two events of one month is the one listed later),
 * and its metric values. Subjects already written are not written again.
 */
export async function writeBook(db: Executor, tenantId: string, book: Book, known: Set<string> = new Set()): Promise<void> {
  const id = (external: string) => `${tenantId}/${external}`;
  const subjects = [...new Set([...book.events.map((e) => e.subject), ...Object.keys(book.metrics ?? {})])].filter((s) => !known.has(s));
  await insertSubjects(
    db,
    tenantId,
    subjects.map((s) => ({ id: id(s), externalId: s, kind: 'customer', displayName: '测试客户', attributes: {} })),
    '2026-01-01T00:00:00.000Z',
  );
  for (const s of subjects) known.add(s);
  await appendTierEvents(
    db,
    tenantId,
    book.events.map((e) => ({
      id: randomUUID(),
      subjectId: id(e.subject),
      scheme: e.scheme ?? 'retail-tier',
      from: e.from,
      to: e.to,
      at: new Date(Date.UTC(2026, 0, 1) + ++recorded * 1000).toISOString(),
      reason: e.reason ?? 'rule',
      ruleId: null,
      note: null,
      actor: 'test',
      approvedBy: null,
      policyVersion: 1,
      ...(e.period !== null ? { period: e.period } : {}),
    })),
  );
  const rows = Object.entries(book.metrics ?? {}).flatMap(([s, byPeriod]) =>
    Object.entries(byPeriod).map(([period, value]) => ({
      tenant_id: tenantId,
      subject_id: id(s),
      metric: book.metric ?? 'avg_daily_balance',
      period,
      value,
    })),
  );
  await insertMetrics(db, rows);
}
