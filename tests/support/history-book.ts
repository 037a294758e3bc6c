import { randomUUID } from 'node:crypto';
import type { EventReason, OverrideMode } from '@tierkit/core';
import {
  appendTierEvents,
  insertAssignments,
  insertMetrics,
  insertOverride,
  insertSubjects,
  type Executor,
  type StoredAssignment,
} from '@tierkit/db';

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
    // Recorded before any month a book holds: a closing is refused before the customer was recorded.
    '2000-01-01T00:00:00.000Z',
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
  await insertAssignments(
    db,
    tenantId,
    assignmentsOf(
      book.events.filter((e) => subjects.includes(e.subject)),
      id,
    ),
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

const OVERRIDE_REASONS: readonly (EventReason | undefined)[] = ['override', 'override-expired'];

/**
 * The assignment each subject of the events would have stored, per scheme, as a re-evaluation stores
 * it: at the latest month the rules evaluated (the latest period of its events other than overrides'
 * — an override's move may be dated in a later month than the data evaluated), at the level of its
 * last-recorded event. Analytics take "evaluated through" from these, as from a real book's.
 */
function assignmentsOf(events: readonly BookEvent[], id: (external: string) => string): StoredAssignment[] {
  const last = new Map<string, { subject: string; scheme: string; level: string; period: string | null }>();
  for (const e of events) {
    if (e.period === null) continue;
    const scheme = e.scheme ?? 'retail-tier';
    const key = `${e.subject}\u0000${scheme}`;
    const seen = last.get(key);
    let period = seen?.period ?? null;
    if (!OVERRIDE_REASONS.includes(e.reason) && (period === null || e.period > period)) period = e.period;
    last.set(key, { subject: e.subject, scheme, level: e.to, period });
  }
  return [...last.values()].flatMap(({ subject, scheme, level, period }) =>
    period === null
      ? []
      : [
          {
            subjectId: id(subject),
            scheme,
            level,
            rank: 0,
            periodsBelow: 0,
            base: { level, periodsBelow: 0 },
            previousLevel: null,
            explanation: {
              policyId: scheme,
              policyVersion: 1,
              decidedBy: { kind: 'default', id: 'book', label: { 'zh-CN': '测试', 'zh-TW': '測試', en: 'test' } },
              inputs: [],
            },
            progress: null,
            retention: null,
            approvalRequired: false,
            policyVersion: 1,
            period,
            evaluatedAt: '2026-01-01T00:00:00.000Z',
          },
        ],
  );
}

/** An approved override of `retail-tier` for a subject of a book, as the overrides table holds it, decided at `decidedAt`. */
export async function insertApprovedOverride(
  db: Executor,
  o: {
    readonly tenant: string;
    readonly subject: string;
    readonly id: string;
    readonly level: string;
    readonly decidedAt: string;
    readonly expiresAt?: string | null;
    readonly mode?: OverrideMode;
  },
): Promise<void> {
  await insertOverride(
    db,
    o.tenant,
    `${o.tenant}/${o.subject}`,
    {
      id: o.id,
      scheme: 'retail-tier',
      level: o.level,
      mode: o.mode ?? 'fixed',
      reason: 'retention',
      expiresAt: o.expiresAt ?? null,
      requestedBy: 'rm',
      approvedBy: 'approver',
    },
    o.decidedAt,
  );
}
