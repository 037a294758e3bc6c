import type { CustomerDrop } from './api.js';
import type { LocalizedText } from './locale.js';

export const EVENT_REASONS = ['rule', 'override', 'policy-change', 'override-expired', 'initial', 'lowering-approved'] as const;
export type EventReason = (typeof EVENT_REASONS)[number];

/**
 * One entry of the append-only tier history. `at` is when it was recorded (ISO 8601 in UTC, `…Z`);
 * `period` is the month whose data it describes (`YYYY-MM`): October's metrics uploaded on
 * 3 November give `period: '2026-10'`, `at: '2026-11-03T…Z'`. The timeline shows the period.
 */
export interface TierEvent {
  readonly id: string;
  readonly scheme: string;
  readonly from: string | null;
  readonly to: string;
  readonly at: string;
  readonly reason: EventReason;
  /** Rule or override id that caused the change, when there is one. */
  readonly ruleId: string | null;
  readonly note: string | null;
  /** Who caused it: `system` for batch evaluation, else a person or key id. */
  readonly actor: string;
  readonly approvedBy: string | null;
  readonly policyVersion: number;
  /**
   * The month (`YYYY-MM`) of the metrics evaluated. Every event the API returns has it; optional in
   * the type only so that events built by hand (fixtures, older clients' caches) still type-check.
   */
  readonly period?: string;
  /**
   * Only in a customer's history, on an event a rule decided that reads a staff metric (a savings grade
   * forced to 风险 by a bad loan): "please contact your branch", shown instead of the reason, as
   * `/tiers` shows that level's.
   */
  readonly notice?: LocalizedText;
  /**
   * Only in a read, on a level the rules lowered: why, in the criteria of the level lost — the sentence a
   * customer's history gives, and for staff naming every metric's line (audience/level-drop.ts).
   */
  readonly because?: CustomerDrop;
}

/**
 * The reasons a customer is told, in coarse words of their own (首次评定 / 政策调整): the first assessment,
 * and a change of the bank's criteria — a disclosure the bank owes them. A rule's, an override's and an
 * override's expiry stay staff's: they say how the bank decided or who intervened.
 */
export const CUSTOMER_EVENT_REASONS = ['initial', 'policy-change'] as const satisfies readonly EventReason[];
export type CustomerEventReason = (typeof CUSTOMER_EVENT_REASONS)[number];

/** What every history event holds, whoever reads it: when, which scheme, the move, its month, a notice. */
type EventMove = Pick<TierEvent, 'id' | 'scheme' | 'from' | 'to' | 'at' | 'period' | 'notice'>;

/**
 * What a customer's history (an embed token's read) keeps of an event: when, which scheme, the move, the
 * month it describes, `reason` only when it is a `CustomerEventReason` and, for a level a staff metric
 * decided, `notice`. The rest is how the bank runs its policies (a rule or override reason, rule id, policy
 * version) or its internal record (who made or approved it, the note), so those fields are absent, not
 * emptied (packages/api/README.md, "What a customer sees").
 */
export type CustomerTierEvent = EventMove & {
  readonly reason?: CustomerEventReason;
  /** On a level the rules lowered: why, in the customer scheme's published criteria (`CustomerDrop`). */
  readonly because?: CustomerDrop;
};

/**
 * One entry of a history page: a whole `TierEvent` for staff, a `CustomerTierEvent` for a customer (the
 * page's `audience` says which). The staff fields are optional here so one type reads both.
 */
export type HistoryEvent = EventMove & Partial<Omit<TierEvent, keyof EventMove>>;
