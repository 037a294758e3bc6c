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
 * Which way along the ranks a scheme's grade loosens the bank's controls: `lower` (AML: a lower risk
 * grade, fewer checks) or `higher` (credit: a better grade, more credit on easier terms).
 */
export const OVERRIDE_LOOSER = ['lower', 'higher'] as const;
export type OverrideLooser = (typeof OVERRIDE_LOOSER)[number];

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
  /** Which way the grade loosens; required with `loosenNeeds`, which means nothing without it. */
  readonly looser?: OverrideLooser;
  /**
   * Who must approve an override that can hold the subject on the looser side, and who must revoke one
   * when the level after revocation is looser than the one held ({@link overrideApproverNeeded},
   * {@link revocationApproverNeeded}). Absent: `approvedBy` approves, any approver revokes. Never weaker
   * than `approvedBy`.
   */
  readonly loosenNeeds?: OverrideApprover;
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

/** Whether `a` is a looser level than `b` under `rule` (false when either is unknown or no direction is set). */
function looserThan(rule: OverrideRule, levels: readonly LevelDef[], a: string, b: string): boolean {
  const ra = levels.find((l) => l.key === a)?.rank;
  const rb = levels.find((l) => l.key === b)?.rank;
  if (ra === undefined || rb === undefined || rule.looser === undefined) return false;
  return rule.looser === 'lower' ? ra < rb : ra > rb;
}

/**
 * The weakest role that may approve an override to `level` in `mode`. It is judged against every level
 * the subject could have, not against what the rules give today: a `fixed` override pins the level from
 * both sides, so any level but the strictest end can hold the subject looser than data yet to come (a
 * customer with no data pinned `low` stays low once PEP data arrives); a `floor` holds the subject on
 * the looser side only when the grade loosens upwards and the floor is above the lowest level. Such an
 * override needs `loosenNeeds`; one that cannot loosen, `approvedBy`.
 */
export function overrideApproverNeeded(
  rule: OverrideRule,
  levels: readonly LevelDef[],
  level: string,
  mode: OverrideMode = 'fixed',
): { readonly role: OverrideApprover; readonly loosens: boolean } {
  if (rule.loosenNeeds === undefined || rule.looser === undefined || levels.length === 0) return { role: rule.approvedBy, loosens: false };
  const ranks = levels.map((l) => l.rank);
  const rank = levels.find((l) => l.key === level)?.rank;
  const [lowest, highest] = [Math.min(...ranks), Math.max(...ranks)];
  // An unknown level is judged loosening: the senior approver, not the weaker one, decides the doubt.
  const loosens =
    rank === undefined ||
    (mode === 'fixed' ? rank !== (rule.looser === 'lower' ? highest : lowest) : rule.looser === 'higher' && rank > lowest);
  return { role: loosens ? rule.loosenNeeds : rule.approvedBy, loosens };
}

/**
 * The weakest role that may revoke an approved override holding `held`, when the subject's level after
 * revocation would be `after` (undefined: the scheme gives none). Taking an override away that held the
 * subject stricter than the rules do loosens the grade as surely as approving a lower one, so it needs
 * `loosenNeeds`; otherwise any approver (revoking was always an approver's).
 */
export function revocationApproverNeeded(
  rule: OverrideRule,
  levels: readonly LevelDef[],
  held: string,
  after: string | undefined,
): { readonly role: OverrideApprover; readonly loosens: boolean } {
  const loosens = rule.loosenNeeds !== undefined && after !== undefined && looserThan(rule, levels, after, held);
  return { role: loosens && rule.loosenNeeds ? rule.loosenNeeds : 'approver', loosens };
}
