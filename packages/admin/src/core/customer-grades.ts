import type { Assignment, Locale, MetricDef, SchemeSummary, TiersResponse } from '@tierkit/core';
import { formatGap, formatValue, metricWithWindow } from '@tierkit/core/format';

/** One input of the rule that decided a level, as a relationship manager reads it. */
export interface GradeInput {
  readonly metric: string;
  /** "月日均资产（近3个月平均）": the metric's name, with its window when it has one. */
  readonly label: string;
  /** "¥380,000": money through core's one money formatter, other units with theirs. */
  readonly value: string;
}

/** A customer's level in one scheme and why they are at it. */
export interface Grade {
  readonly scheme: string;
  readonly schemeName: string;
  readonly level: string;
  readonly levelName: string;
  /** The rule, band, trigger or override that decided, in the reader's language. */
  readonly decidedBy: string;
  /** `override`: a manual level in force; `default`: no rule matched. */
  readonly decidedByKind: Assignment['explanation']['decidedBy']['kind'];
  /**
   * On a level the rules lowered at its latest re-tier (staff reads only): why, in the criteria of the
   * level lost — what the customer's app tells them, so the RM can say the same. Null otherwise.
   */
  readonly because: string | null;
  readonly inputs: readonly GradeInput[];
  /** The month evaluated (`YYYY-MM`). */
  readonly period: string;
  /** The level waits for a second person's sign-off. */
  readonly approvalRequired: boolean;
  /**
   * A lowering request waits (staff reads only): the looser level data proposed while `level` stays in
   * force, and its name — 降级待审批 → 中 (docs/domain.md §4). Null otherwise.
   */
  readonly loweringTo: { readonly level: string; readonly name: string } | null;
  /**
   * What keeps the level (the API's `retention`): each line the customer must get back above, by how
   * much, and the grace periods used and allowed. Null at the lowest level, or while an override holds it.
   */
  readonly keep: GradeKeep | null;
}

/** One line that keeps a level (any one of them does). */
export interface GradeKeepLine {
  readonly metric: string;
  readonly label: string;
  /** How much more keeps the level, whole yuan rounded up ("¥1,227"); for a yes/no metric, what it must be ("是"). */
  readonly gap: string;
  /** A yes/no metric: there is no "more" of it, only the value it must have. */
  readonly flag: boolean;
  /** The customer is below this line now. */
  readonly below: boolean;
}

/** What keeps a level, as a relationship manager reads it. */
export interface GradeKeep {
  /** The level it drops to when the grace periods run out, and its name. */
  readonly toLevel: string;
  readonly toLevelName: string;
  /** Each line the customer is below (or at) now: the metric and how much more keeps the level. */
  readonly lines: readonly GradeKeepLine[];
  readonly periodsBelow: number;
  readonly periodsAllowed: number;
}

/**
 * Every grade in a tiers answer, in the answer's order, with its deciding rule and inputs named and
 * formatted. Only what the API sent: which schemes a credential may see (a customer's token only
 * customer schemes, staff by role) is the API's to decide, never widened here.
 */
export function customerGrades(tiers: TiersResponse, locale: Locale): Grade[] {
  const metrics = new Map(tiers.metrics.map((m) => [m.key, m]));
  return tiers.assignments.map((a) => {
    const level = a.schemeInfo.levels.find((l) => l.key === a.level);
    const e = a.explanation;
    return {
      scheme: a.scheme,
      schemeName: a.schemeInfo.name[locale] ?? a.scheme,
      level: a.level,
      levelName: level?.name[locale] ?? a.level,
      decidedBy: e.decidedBy.label[locale] ?? ('id' in e.decidedBy ? e.decidedBy.id : e.decidedBy.kind),
      decidedByKind: e.decidedBy.kind,
      because: 'because' in a && a.because ? a.because.text[locale] : null,
      inputs: e.inputs.map((i) => {
        const label = metricWithWindow(metrics.get(i.metric)?.label[locale] ?? i.metric, i.window, locale);
        return { metric: i.metric, label, value: formatValue(i.value, i.unit, i.currency, locale) };
      }),
      period: a.period,
      approvalRequired: a.approvalRequired,
      loweringTo: lowering(a, locale),
      keep: keepOf(a, metrics, locale),
    };
  });
}

function lowering(a: TiersResponse['assignments'][number], locale: Locale): Grade['loweringTo'] {
  const to = 'loweringTo' in a ? a.loweringTo : undefined;
  return to ? { level: to, name: a.schemeInfo.levels.find((l) => l.key === to)?.name[locale] ?? to } : null;
}

function keepOf(a: TiersResponse['assignments'][number], metrics: ReadonlyMap<string, MetricDef>, locale: Locale): GradeKeep | null {
  const r = a.retention;
  if (!r) return null;
  return {
    toLevel: r.toLevel,
    toLevelName: a.schemeInfo.levels.find((l) => l.key === r.toLevel)?.name[locale] ?? r.toLevel,
    lines: r.lines.map((l) => ({
      metric: l.metric,
      label: metricWithWindow(metrics.get(l.metric)?.label[locale] ?? l.metric, l.window, locale),
      // A gap as the customer and the call list are told it: whole yuan rounded up (¥1,226.38 → "¥1,227").
      gap: l.unit === 'boolean' ? formatValue(l.required, l.unit, l.currency, locale) : formatGap(l.gap, l.unit, l.currency, locale),
      flag: l.unit === 'boolean',
      below: l.gap > 0,
    })),
    periodsBelow: r.periodsBelow,
    periodsAllowed: r.periodsAllowed,
  };
}

/**
 * The tenant's main customer scheme: the first of its schemes (in the pack's order) that grades
 * customers and that customers see themselves — the card tier a bank names a customer by (`retail-tier`
 * in the default pack). Undefined when it has none.
 */
export function mainCustomerScheme(schemes: readonly SchemeSummary[]): SchemeSummary | undefined {
  return schemes.find((s) => s.subjectKind === 'customer' && s.audience === 'customer');
}
