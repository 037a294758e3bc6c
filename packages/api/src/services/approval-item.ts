/**
 * One entry of the approvals queue (`GET /v1/approvals`): every kind of four-eyes request in one
 * shape, so that an approver works through one queue. Its one home is core, shared with the admin kit.
 */
import { metricWithWindow, type ApprovalItem, type Locale, type LevelWhy } from '@tierkit/core';
import type { LevelReason } from '@tierkit/db';
import type { TenantPack } from './tenant-pack.js';

export type { ApprovalItem };

/**
 * An item as a source of the queue lists it, before the queue knows who asks: `requesters` are every
 * stored actor four eyes compares the decider with (the requester; a policy version's authors and submitter).
 */

/**
 * Why a customer has the level a sign-off asks to approve, as the staff tiers read explains it: the
 * rule that decided and the figures it read, each with the line the level holds by (its retention
 * line), named in `locale`. An approver signs off what they can see, not a level alone.
 */
export function levelWhy(tp: TenantPack, reason: LevelReason, locale: Locale): LevelWhy | null {
  const e = reason.explanation;
  // A row stored without a deciding rule (hand-loaded, or from before explanations were complete) has
  // nothing to show: null, as the schema says, rather than a failed queue page for every item on it.
  if (!e?.decidedBy) return null;
  const lines = new Map((reason.retention?.lines ?? []).map((l) => [l.metric, l.required]));
  return {
    period: reason.period,
    rule: e.decidedBy.label[locale] ?? e.decidedBy.id,
    ruleId: e.decidedBy.id,
    figures: (e.inputs ?? []).map((i) => ({
      metric: i.metric,
      label: metricWithWindow(tp.metrics.get(i.metric)?.label[locale] ?? i.metric, i.window, locale),
      value: i.value,
      unit: i.unit,
      ...(i.currency ? { currency: i.currency } : {}),
      threshold: lines.get(i.metric) ?? null,
    })),
  };
}
export type PendingApproval = Omit<ApprovalItem, 'requestedByYou' | 'approvalBlocked' | 'requestedByStaff'> & {
  readonly requesters: readonly string[];
};
