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
   * The most levels (counted by rank order) an override may set away from the level the subject holds
   * when it is filed or edited; absent: no bound. A courtesy tier for a customer near the line is one
   * step; three tiers at once is a different customer, and is refused (422 `override_jump_too_far`)
   * rather than sent to a more senior approver: the rules are what should be changed then
   * ({@link overrideJumpProblem}).
   */
  readonly maxStep?: number;
  /**
   * The scheme's levels from the strictest for the bank's controls to the loosest, each once; required
   * with `loosenNeeds`, which means nothing without it. Stated, not read off the ranks: a rank orders a
   * grade for display and for floors, and need not follow strictness (credit's `NR` ranks lowest, yet
   * a borrower held there meets the same low risk band as `AAA`; a risk band's `unassessed` sits
   * between `low` and `medium`).
   */
  readonly order?: readonly string[];
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

/**
 * Why an override to `level` breaks `rule`'s `maxStep` for a subject that holds `from` now: the number of
 * levels between them (by the order of their ranks) exceeds it. A `fixed` override is measured either
 * way; a `floor` only upwards, since one at or below the level now moves nobody. Undefined when it does
 * not, when the rule sets no bound, or when either level is unknown (no level yet: nothing to step from).
 */
export function overrideJumpProblem(
  rule: OverrideRule,
  levels: readonly LevelDef[],
  from: string | null | undefined,
  level: string,
  mode: OverrideMode = 'fixed',
): { readonly code: 'override_jump_too_far'; readonly maxStep: number; readonly steps: number; readonly from: string } | undefined {
  if (rule.maxStep === undefined || from === null || from === undefined) return undefined;
  const rank = (key: string) => levels.find((l) => l.key === key)?.rank;
  const [a, b] = [rank(level), rank(from)];
  if (mode === 'floor' && a !== undefined && b !== undefined && a <= b) return undefined;
  const steps = levelSteps(levels, from, level);
  return steps !== undefined && steps > rule.maxStep ? { code: 'override_jump_too_far', maxStep: rule.maxStep, steps, from } : undefined;
}

/** How many levels lie between `a` and `b` in rank order (0: the same level); undefined when either is not a level. */
export function levelSteps(levels: readonly LevelDef[], a: string, b: string): number | undefined {
  const ranked = [...levels].sort((x, y) => x.rank - y.rank).map((l) => l.key);
  const ia = ranked.indexOf(a);
  const ib = ranked.indexOf(b);
  return ia < 0 || ib < 0 ? undefined : Math.abs(ia - ib);
}

/** Whether `a` is a looser level than `b` under `rule`'s `order` (false when either is unknown or no order is set). */
export function looserLevel(rule: OverrideRule, a: string, b: string): boolean {
  const pa = rule.order?.indexOf(a) ?? -1;
  const pb = rule.order?.indexOf(b) ?? -1;
  return pa >= 0 && pb >= 0 && pa > pb;
}

/**
 * The weakest role that may approve an override to `level` in `mode`. It is judged against every level
 * the subject could have, not against what the rules give today: a `fixed` override pins the level from
 * both sides, so any level but the first of `order` can hold the subject looser than data yet to come
 * (a customer with no data pinned `low` stays low once PEP data arrives); a `floor` lifts the subject
 * from any lower-ranked level to its own, so it loosens when some lower-ranked level is stricter than
 * it. Such an override needs `loosenNeeds`; one that cannot loosen, `approvedBy`. This is the static
 * half: approving any override also ends the one in force, which the API checks once the rules have
 * run ({@link looserLevel}).
 */
export function overrideApproverNeeded(
  rule: OverrideRule,
  levels: readonly LevelDef[],
  level: string,
  mode: OverrideMode = 'fixed',
): { readonly role: OverrideApprover; readonly loosens: boolean } {
  const order = rule.order;
  if (rule.loosenNeeds === undefined || order === undefined || levels.length === 0) return { role: rule.approvedBy, loosens: false };
  const rank = levels.find((l) => l.key === level)?.rank;
  const at = order.indexOf(level);
  // An unknown level is judged loosening: the senior approver, not the weaker one, decides the doubt.
  const loosens =
    rank === undefined || at < 0 || (mode === 'fixed' ? at > 0 : levels.some((l) => l.rank < rank && order.indexOf(l.key) < at));
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
  held: string,
  after: string | undefined,
): { readonly role: OverrideApprover; readonly loosens: boolean } {
  const loosens = rule.loosenNeeds !== undefined && after !== undefined && looserLevel(rule, after, held);
  return { role: loosens && rule.loosenNeeds ? rule.loosenNeeds : 'approver', loosens };
}

/**
 * Who must approve moving a subject from `held` to `proposed` of `scheme`, or undefined when data may
 * move it at once: only when the scheme sets `loweringNeeds`, `held` needs a sign-off
 * (`approvalRequired`) and `proposed` is looser by `overrides.order`. Banks' AML rules ask a senior
 * person to approve lowering a high-risk grade just as raising it (docs/domain.md §4), so one officer's
 * upload of lower figures must not end it alone.
 */
export function loweringApproverNeeded(
  scheme: {
    readonly overrides?: OverrideRule | undefined;
    readonly loweringNeeds?: OverrideApprover | undefined;
    readonly levels: readonly LevelDef[];
  },
  held: string,
  proposed: string,
): OverrideApprover | undefined {
  if (scheme.loweringNeeds === undefined || scheme.overrides === undefined || held === proposed) return undefined;
  if (scheme.levels.find((l) => l.key === held)?.approvalRequired !== true) return undefined;
  return looserLevel(scheme.overrides, proposed, held) ? scheme.loweringNeeds : undefined;
}
