import type { OverrideMode } from './override.js';
import type { LevelDef } from './scheme.js';

/**
 * Who may file an override of a scheme. `book`: any officer or above, a relationship manager (staff
 * scoped to a book) for their own customers too. `tenant`: officers and above who see the whole bank
 * only — a grade a relationship manager should not steer (AML, credit), since the customer's
 * relationship is what they are judged on. `none`: nobody; the rules alone decide.
 */
export const OVERRIDE_REQUESTERS = ['book', 'tenant', 'none'] as const;
export type OverrideRequester = (typeof OVERRIDE_REQUESTERS)[number];

/** The weakest role that may approve: `approver` (approver or admin), or `admin` alone. */
export const OVERRIDE_APPROVERS = ['approver', 'admin'] as const;
export type OverrideApprover = (typeof OVERRIDE_APPROVERS)[number];

/**
 * A scheme's rule for overrides, in its document (`overrides`). A scheme without one keeps the rule
 * every scheme had before there were rules ({@link DEFAULT_OVERRIDE_RULE}).
 */
export interface OverrideRule {
  readonly requestedBy: OverrideRequester;
  readonly approvedBy: OverrideApprover;
  /**
   * null: an override may run without end. A number: every override needs an expiry at most this many
   * days after it is filed (or edited, or approved): an exception to a graded risk must come back for
   * review, no later than the grade itself would.
   */
  readonly maxDays: number | null;
  /**
   * Who must approve an override that lowers the level the rules give, or that moves a subject off a
   * level whose sign-off is required (`approvalRequired`): loosening a control needs the senior approver
   * that level's sign-off stands for. Absent: `approvedBy`. Never weaker than `approvedBy`.
   */
  readonly lowerNeeds?: OverrideApprover;
}

/** What every scheme allowed before schemes had a rule: any officer files, any approver approves, no end required. */
export const DEFAULT_OVERRIDE_RULE: OverrideRule = { requestedBy: 'book', approvedBy: 'approver', maxDays: null };

/** The rule of `scheme`: its own, or {@link DEFAULT_OVERRIDE_RULE}. */
export function overrideRuleOf(scheme: { readonly overrides?: OverrideRule | undefined }): OverrideRule {
  return scheme.overrides ?? DEFAULT_OVERRIDE_RULE;
}

/** Who is asking, as far as the rule cares: their role and whether they are limited to one book. */
export interface OverrideCaller {
  readonly role: string;
  readonly bookScoped: boolean;
}

const ROLE_ORDER = ['viewer', 'analyst', 'officer', 'approver', 'admin'];
const atLeast = (role: string, needed: string) => ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(needed) && ROLE_ORDER.includes(role);

/** Whether `caller` may file (or edit) an override of a scheme with `rule`. */
export function mayRequestOverride(rule: OverrideRule, caller: OverrideCaller): boolean {
  if (!atLeast(caller.role, 'officer') || rule.requestedBy === 'none') return false;
  return rule.requestedBy === 'book' || !caller.bookScoped;
}

/** Whether `role` may approve what needs `needed`. */
export function mayApproveAs(role: string, needed: OverrideApprover): boolean {
  return atLeast(role, needed);
}

/** The day an override filed at `now` may run to at the latest under `rule` (ISO UTC), or null: no bound. */
export function latestOverrideExpiry(rule: OverrideRule, now: Date): string | null {
  return rule.maxDays === null ? null : new Date(now.getTime() + rule.maxDays * 86_400_000).toISOString();
}

/** Why an override's expiry breaks `rule` at `now`: `expiry_required`, `expiry_too_late`; undefined when it does not. */
export function overrideExpiryProblem(
  rule: OverrideRule,
  expiresAt: string | null,
  now: Date,
): { readonly code: 'expiry_required' | 'expiry_too_late'; readonly maxDays: number; readonly latest: string } | undefined {
  const latest = latestOverrideExpiry(rule, now);
  if (latest === null || rule.maxDays === null) return undefined;
  if (expiresAt === null) return { code: 'expiry_required', maxDays: rule.maxDays, latest };
  return Date.parse(expiresAt) > Date.parse(latest) ? { code: 'expiry_too_late', maxDays: rule.maxDays, latest } : undefined;
}

/**
 * The weakest role that may approve an override to `level` of a scheme whose rules give `rulesLevel`
 * now (undefined: not known, as for a subject with no data yet). An override that loosens — a lower
 * rank than the rules', or off a level that needs its own sign-off — needs `lowerNeeds`. A `floor` never
 * loosens: it only keeps the level from dropping below its own, and the rules' higher grade stands.
 */
export function overrideApproverNeeded(
  rule: OverrideRule,
  levels: readonly LevelDef[],
  level: string,
  rulesLevel: string | undefined,
  mode: OverrideMode = 'fixed',
): { readonly role: OverrideApprover; readonly loosens: boolean } {
  if (mode === 'floor') return { role: rule.approvedBy, loosens: false };
  const to = levels.find((l) => l.key === level);
  const from = rulesLevel === undefined ? undefined : levels.find((l) => l.key === rulesLevel);
  const loosens =
    to !== undefined && from !== undefined && (to.rank < from.rank || (from.approvalRequired === true && to.key !== from.key));
  return { role: loosens ? (rule.lowerNeeds ?? rule.approvedBy) : rule.approvedBy, loosens };
}
