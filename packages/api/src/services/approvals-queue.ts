import { bookMayDecide, deciderRole } from './book-deciders.js';
import { actorsOfPerson } from '../auth/api-keys.js';
import { booksRead } from '../auth/principal.js';
import { AUDITOR } from '../auth/roles.js';
import { civilDate, mayApproveAs, type Locale } from '@tierkit/core';
import { dayOf, startOfDay, wallTime } from '@tierkit/core/calendar';
import {
  anyPendingLevelApproval,
  findSubjectByExternalId,
  currentLevelKey,
  currentLevelsOf,
  currentReasonsOf,
  listPolicyVersions,
  anyPendingOverride,
  pendingLevelApprovalsWindow,
  pendingOverridesWindow,
  anyPendingStaffGrant,
  pendingStaffGrantsWindow,
  type ApprovalsWindow,
  type GrantViewer,
  type LevelApproval,
} from '@tierkit/db';
import { audienceOf, requireReadable, unreadableBeyondPack } from './audience.js';
import { staffBehind, staffOf } from './staff-behind.js';
import { packOf, subjectOr404, type ApiDeps } from '../deps.js';
import { invalid } from '../problem.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { levelWhy, type ApprovalItem, type PendingApproval } from './approval-item.js';
import { requestedByCaller } from './four-eyes.js';
import { pendingPolicyApprovals } from './policy-approvals.js';
import { pendingRetirementApprovals, retirementSummary } from './retirement-approvals.js';
import { approvalBlocked, approvalsBlocked, loweringBlocked } from './approvers-left.js';
import { figureMakersOfPage } from './lowering-figures.js';
import { approvalNeeds, overrideHash, overrideRuleProblems, type OverrideView } from './override-requests.js';
import { grantChange, grantRequesters, grantSummary } from './staff-grants.js';
import { pendingMetricAudienceRequests } from './metric-audience-requests.js';
import { pendingClosingRequests } from './closing-requests.js';
import { maskName } from '../mask.js';
import type { TenantPack } from './tenant-pack.js';

/**
 * A pending request as a source reads it: its place in the queue, and the item it becomes once it is
 * on the page (`ageSeconds` 0, the queue sets it) — summaries are written, and the subject's current
 * level in the scheme read (`current`, null when it has none), for a page's items only.
 */
export interface QueueEntry {
  readonly requestedAt: string;
  readonly kind: ApprovalItem['kind'];
  readonly id: string;
  readonly scheme: string;
  /** The subject's internal id, when the request is about one: whose current level the page reads. */
  readonly subjectId?: string;
  readonly item: (current: string | null) => PendingApproval;
  /**
   * A lowering request: who put in the figures it rests on (`figureMakersOfPage`) is barred from approving
   * it as its makers are — when they are all who could, the maker hears so from the queue at once.
   */
  readonly lowering?: LevelApproval;
}

/**
 * One kind of request waiting for a second person. `window`: its pending requests in the queue's
 * order (request time, then id, compared code unit by code unit), filtered, after a keyset position,
 * at most `limit`. `any`: whether one of a scheme or of a subject waits at all.
 */
export interface ApprovalSource {
  readonly kind: ApprovalItem['kind'];
  readonly window: (
    deps: ApiDeps,
    w: ApprovalsWindow,
    words: { readonly tp: TenantPack; readonly locale: Locale; readonly timeZone: string },
  ) => Promise<QueueEntry[]>;
  readonly any: (deps: ApiDeps, of: { readonly scheme?: string; readonly subject?: string }) => Promise<boolean>;
}

/** The language of summaries when the request names none: the banks' staff read Simplified Chinese. */
export const DEFAULT_SUMMARY_LOCALE: Locale = 'zh-CN';

/**
 * The words of a summary around the labels, per locale. The modes are the console's request form's
 * words, so a checker reads the term the maker chose.
 */
const SUMMARY_WORDS: Readonly<
  Record<
    Locale,
    {
      readonly mode: Readonly<Record<'fixed' | 'floor', string>>;
      /** An override that would leave the level as it is: "never below Gold (now Diamond)". */
      readonly stays: (mode: 'fixed' | 'floor', level: string, current: string) => string;
      readonly until: string;
      readonly policy: (v: number) => string;
      /** A lowering request (docs/domain.md §4): the held level, the one proposed. */
      readonly lowering: string;
      /** Its `why.rule`: the move it asks, said plainly (the deciding rule's own label may read "keeps the level"). */
      readonly lowerTo: (held: string, proposed: string) => string;
    }
  >
> = {
  'zh-CN': {
    mode: { fixed: '固定为该等级', floor: '不低于该等级' },
    stays: (m, l, c) => `${m === 'fixed' ? '固定为' : '不低于'} ${l}（当前 ${c}）`,
    until: '，至 ',
    policy: (v) => `第 ${v} 版，待审批`,
    lowering: '降级审批',
    lowerTo: (h, p) => `数据显示应由 ${h} 降为 ${p}，待审批`,
  },
  'zh-TW': {
    mode: { fixed: '固定為該等級', floor: '不低於該等級' },
    stays: (m, l, c) => `${m === 'fixed' ? '固定為' : '不低於'} ${l}（目前 ${c}）`,
    until: '，至 ',
    policy: (v) => `第 ${v} 版，待審核`,
    lowering: '降級審核',
    lowerTo: (h, p) => `資料顯示應由 ${h} 降為 ${p}，待核准`,
  },
  en: {
    mode: { fixed: 'exactly this level', floor: 'never below this level' },
    stays: (m, l, c) => `${m === 'fixed' ? 'exactly' : 'never below'} ${l} (now ${c})`,
    until: ', until ',
    policy: (v) => `v${v}: new policy version for approval`,
    lowering: 'lowering for approval',
    lowerTo: (h, p) => `the data call for lowering ${h} to ${p}, waiting for approval`,
  },
};

/**
 * Names people read in a summary: the scheme's and its levels' labels in the policy in force. Stored
 * codes stay the fallback, for a request on a scheme or level the policy in force no longer has.
 */
function labels(tp: TenantPack, scheme: string, locale: Locale) {
  const def = tp.schemes.get(scheme);
  return {
    scheme: def?.name[locale] ?? scheme,
    level: (key: string | null) => (key === null ? '—' : (def?.levels.find((l) => l.key === key)?.name[locale] ?? key)),
  };
}

/**
 * An expiry as the bank's staff read it: the last bank day an override holds when it ends with one
 * — the console stores a day as its last second, 23:59:59, and a midnight that starts a day ends the
 * one before (`2026-12-31T16:00:00Z` in Shanghai is through 2026-12-31, not 2027-01-01) — and any
 * other instant as the bank's wall-clock time, `2026-12-31 15:30`, rather than a day that hides the hour.
 */
export function expiryText(at: string, timeZone: string): string {
  const instant = new Date(at);
  const t = wallTime(instant, timeZone);
  if (t.hour === 23 && t.minute === 59 && t.second === 59) return civilDate(t);
  if (startOfDay(dayOf(instant, timeZone), timeZone).getTime() === instant.getTime()) {
    return civilDate(dayOf(new Date(instant.getTime() - 1), timeZone));
  }
  const hm = `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
  return `${civilDate(t)} ${t.second === 0 ? hm : `${hm}:${String(t.second).padStart(2, '0')}`}`;
}

/**
 * Whether an override would change the subject's level: a floor above the level now, a fixed level
 * other than it, either when the subject has none. A floor at or below the level now changes nothing
 * until the rules would drop the subject under it.
 */
function overrideMoves(tp: TenantPack, scheme: string, current: string | null, o: { level: string; mode: 'fixed' | 'floor' }): boolean {
  if (current === null) return true;
  if (o.mode === 'fixed' || o.level === current) return o.level !== current;
  const rank = (key: string) => tp.schemes.get(scheme)?.levels.find((l) => l.key === key)?.rank;
  const asked = rank(o.level);
  const now = rank(current);
  // A level the policy in force no longer ranks: say the change rather than hide one.
  return asked === undefined || now === undefined || asked > now;
}

/**
 * Who may approve an override request, by the policy in force now (`approvalNeeds`, the rule the
 * approval checks). A scheme or level the policy no longer has cannot be approved at all (a 422 says
 * why): any approver may read that answer, and reject.
 */
export function approvalNeedsOf(tp: TenantPack, o: { readonly scheme: string; readonly level: string; readonly mode: 'fixed' | 'floor' }) {
  const scheme = tp.schemes.get(o.scheme);
  return scheme === undefined ? 'approver' : approvalNeeds(scheme, o).role;
}

/**
 * A pending request as its maker's answer (filing, editing) gives it: with who may approve it and,
 * when nobody on staff but the maker could now, why (`approvalBlocked`) — the maker hears at once that
 * it waits for a promotion rather than finding out from a queue nobody works.
 */
export async function withApprovers(deps: ApiDeps, o: OverrideView): Promise<OverrideView> {
  if (o.status !== 'pending') return o;
  const tp = await packOf(deps);
  const needs = approvalNeedsOf(tp, o);
  // Who reaches the customer counts too (a team lead who is an approver) when the scheme is the line's
  // own to decide (book-deciders.ts): the request's subject, by its number.
  const subject = bookMayDecide(tp.schemes.get(o.scheme)) ? await findSubjectByExternalId(deps.db, deps.tenantId, o.subject) : undefined;
  return {
    ...o,
    approvalNeeds: needs,
    approvalBlocked: await approvalBlocked(deps.db, deps.tenantId, needs, [o.requestedBy], subject?.id),
  };
}

const pendingOverrideApprovals: ApprovalSource = {
  kind: 'override',
  window: async (deps, w, { tp, locale, timeZone }) =>
    (await pendingOverridesWindow(deps.db, deps.tenantId, w)).map((r) => ({
      requestedAt: r.createdAt,
      kind: 'override',
      id: r.override.id,
      scheme: r.override.scheme,
      subjectId: r.subjectId,
      item: (current) => {
        const names = labels(tp, r.override.scheme, locale);
        const words = SUMMARY_WORDS[locale];
        const o = r.override;
        const moves = overrideMoves(tp, o.scheme, current, o);
        const what =
          moves || current === null
            ? `${names.level(current)} → ${names.level(o.level)} (${words.mode[o.mode]})`
            : words.stays(o.mode, names.level(o.level), names.level(current));
        return {
          kind: 'override',
          id: o.id,
          scheme: o.scheme,
          subject: r.subject,
          subjectName: deps.unmaskNames ? r.subjectName : maskName(r.subjectName),
          summary: `${names.scheme}: ${what}${o.expiresAt ? `${words.until}${expiryText(o.expiresAt, timeZone)}` : ''}`,
          reason: o.reason,
          ...(o.reasonCategory !== undefined ? { reasonCategory: o.reasonCategory } : {}),
          ...(o.evidence !== undefined ? { evidence: o.evidence } : {}),
          currentLevel: current,
          fromLevel: moves ? current : null,
          level: o.level,
          mode: o.mode,
          expiresAt: o.expiresAt,
          period: null,
          requestedBy: o.requestedBy,
          requestedAt: r.createdAt,
          ageSeconds: 0,
          contentHash: overrideHash(r),
          approvalNeeds: approvalNeedsOf(tp, o),
          ruleProblems: overrideRuleProblems(tp.schemes.get(o.scheme), o, current, deps.now()),
          requesters: [r.override.requestedBy],
        };
      },
    })),
  any: (deps, of) => anyPendingOverride(deps.db, deps.tenantId, of),
};

/**
 * A lowering request's `why`: the figures and the rule id that proposed it, with `rule` saying the move
 * asked — the deciding rule's label can be the grace period's "保留原等级" (keeps the level), which a
 * compliance officer read beside a proposed 高→中 as the opposite of what was asked.
 */
function loweringWhy(
  why: ReturnType<typeof levelWhy>,
  names: ReturnType<typeof labels>,
  held: string,
  proposed: string,
  locale: Locale,
): ReturnType<typeof levelWhy> {
  return why && { ...why, rule: SUMMARY_WORDS[locale].lowerTo(names.level(held), names.level(proposed)) };
}

const pendingLevelApprovals: ApprovalSource = {
  kind: 'level',
  window: async (deps, w, { tp, locale }) =>
    (await pendingLevelApprovalsWindow(deps.db, deps.tenantId, w)).map((a) => ({
      requestedAt: a.requestedAt,
      kind: 'level',
      id: `${a.subject}:${a.scheme}`,
      scheme: a.scheme,
      subjectId: a.subjectId,
      ...(a.proposedLevel ? { lowering: a } : {}),
      item: (current) => {
        const names = labels(tp, a.scheme, locale);
        // A lowering request: the held level stays until it is approved; what it asks is the move
        // away from it, on the figures that proposed the lower level (kept on the request).
        const lowering = a.proposedLevel
          ? {
              proposedLevel: a.proposedLevel,
              why: a.proposal
                ? loweringWhy(levelWhy(tp, { level: a.proposedLevel, ...a.proposal }, locale), names, a.level, a.proposedLevel, locale)
                : null,
            }
          : {};
        return {
          kind: 'level',
          id: `${a.subject}:${a.scheme}`,
          scheme: a.scheme,
          subject: a.subject,
          summary: a.proposedLevel
            ? `${names.scheme}: ${SUMMARY_WORDS[locale].lowering} ${names.level(a.level)} → ${names.level(a.proposedLevel)} (${a.period})`
            : `${names.scheme}: ${names.level(a.fromLevel)} → ${names.level(a.level)} (${a.period})`,
          reason: null,
          currentLevel: current,
          fromLevel: a.fromLevel,
          level: a.level,
          mode: null,
          expiresAt: null,
          period: a.period,
          requestedBy: a.requestedBy,
          requestedAt: a.requestedAt,
          ageSeconds: 0,
          contentHash: a.contentHash,
          // A sign-off is any approver's: the access table's role; a lowering request, its scheme's
          // `loweringNeeds` (what decideLevel checks).
          approvalNeeds: a.proposedLevel ? (tp.schemes.get(a.scheme)?.loweringNeeds ?? 'approver') : 'approver',
          requesters: [a.requestedBy],
          ...lowering,
        };
      },
    })),
  any: (deps, of) => anyPendingLevelApproval(deps.db, deps.tenantId, of),
};

/**
 * Policy versions waiting for a decision stay few — a submission is a person's draft of a scheme's
 * rules, not a job's output — so this source reads them all and cuts its window in memory, with the
 * same code-unit comparisons the other sources make in SQL.
 */
const pendingPolicyVersions: ApprovalSource = {
  kind: 'policy',
  window: async (deps, w, { tp, locale }) => {
    const shown = await deciderOrAsker(deps);
    const items = await pendingPolicyApprovals(
      deps,
      (scheme, version) => `${labels(tp, scheme, locale).scheme} ${SUMMARY_WORDS[locale].policy(version)}`,
    );
    return inMemoryWindow(deps, w, 'policy', items.filter(shown));
  },
  any: async (deps, of) => {
    if (of.subject !== undefined) return false;
    const shown = await deciderOrAsker(deps);
    return (await pendingPolicyApprovals(deps)).some((v) => shown(v) && (of.scheme === undefined || v.scheme === of.scheme));
  },
};

/**
 * `items` of a source read whole (few: a person asked for each) cut to the window `w` in memory, with
 * the same code-unit comparisons and the same `notSchemes` the other sources apply in SQL — a policy
 * version of the AML grade (its rules, its summary) is no more a viewer's than a customer's 高 in it.
 * About no subject.
 */
function inMemoryWindow(deps: ApiDeps, w: ApprovalsWindow, kind: ApprovalItem['kind'], items: readonly PendingApproval[]): QueueEntry[] {
  const r = w.requesters;
  // As the SQL sources filter (approvals-window.ts requesterCondition): any of its requesters, or
  // none. Without their jobs: these are asked by people, never by a re-tier job.
  const byRequester = (of: readonly string[]) =>
    r === undefined || ('only' in r ? of.some((a) => r.only.includes(a)) : !of.some((a) => r.except.includes(a)));
  return items
    .filter(
      (v) =>
        w.subject === undefined &&
        (w.scheme === undefined || v.scheme === w.scheme) &&
        !w.notSchemes?.includes(v.scheme) &&
        (w.requestedAtOrBefore === undefined || v.requestedAt <= w.requestedAtOrBefore) &&
        byRequester(v.requesters) &&
        (w.beyondRole === undefined || (!w.beyondRole.all && mayApproveAs(deps.principal.role, v.approvalNeeds))) &&
        (w.after === undefined || v.requestedAt > w.after.at || (v.requestedAt === w.after.at && w.after.id !== null && v.id > w.after.id)),
    )
    .sort((a, b) => compareKeys(entryKey(a), entryKey(b)))
    .slice(0, w.limit)
    .map((v) => ({ requestedAt: v.requestedAt, kind, id: v.id, scheme: v.scheme, item: () => v }));
}

/** Retirements of policy versions waiting for a second person (`POST …/retire` asked one). */
const pendingRetirements: ApprovalSource = {
  kind: 'retirement',
  window: async (deps, w, { tp, locale }) => {
    const shown = await deciderOrAsker(deps);
    const items = await pendingRetirementApprovals(deps, (scheme, r, note) =>
      retirementSummary(labels(tp, scheme, locale).scheme, r, note, locale),
    );
    return inMemoryWindow(deps, w, 'retirement', items.filter(shown));
  },
  any: async (deps, of) => {
    if (of.subject !== undefined) return false;
    const shown = await deciderOrAsker(deps);
    return (await pendingRetirementApprovals(deps, () => '')).some((v) => shown(v) && (of.scheme === undefined || v.scheme === of.scheme));
  },
};

/**
 * Which policy versions and retirements the caller's queue holds: those they may decide (a tenant-wide
 * approver or admin, whom the access table lets decide) and those they asked for (wrote, submitted, or
 * asked to retire) — as a staff grant's. The queue is what waits on the caller's decision: a viewer or
 * an analyst decides neither, and a colleague's version or reason for taking one out of force, before
 * anyone agreed, is not theirs to read there, nor a count of them. An analyst follows the policies
 * they may read at `GET /v1/policies`, which lists every version pending.
 */
async function deciderOrAsker(deps: ApiDeps): Promise<(v: PendingApproval) => boolean> {
  const p = deps.principal;
  if (p.book === undefined && mayApproveAs(p.role, 'approver')) return () => true;
  // Internal audit reads the whole queue it examines, deciding none of it (the access table refuses it every decision).
  if (p.role === AUDITOR) return () => true;
  const mine = await actorsOfPerson(deps.db, deps.tenantId, p.actor);
  return (v) => v.requesters.some((a) => mine.includes(a));
}

/**
 * Grants of staff power waiting for a second admin (`PUT /v1/staff/{id}` answered 202), unexpired:
 * about no scheme or subject, so a queue filtered by either lists none. Four eyes bars its maker and
 * the member it promotes (`requesters`), so `requestedByYou` is true for both and neither is offered
 * a decision.
 */
const pendingStaffGrants: ApprovalSource = {
  kind: 'staff',
  window: async (deps, w, { locale }) =>
    (await pendingStaffGrantsWindow(deps.db, deps.tenantId, w, deps.now().toISOString(), grantViewer(deps))).map((g) => ({
      requestedAt: g.requestedAt,
      kind: 'staff',
      id: g.id,
      scheme: '',
      item: () => ({
        kind: 'staff',
        id: g.id,
        scheme: '',
        subject: null,
        summary: grantSummary(g, locale),
        reason: null,
        currentLevel: null,
        fromLevel: null,
        level: null,
        mode: null,
        expiresAt: g.expiresAt,
        period: null,
        requestedBy: g.requestedBy,
        requestedAt: g.requestedAt,
        ageSeconds: 0,
        contentHash: g.contentHash,
        approvalNeeds: 'admin',
        staff: grantChange(g),
        ...(g.team ? { team: g.team } : {}),
        requesters: grantRequesters(g),
      }),
    })),
  any: async (deps, of) =>
    of.scheme === undefined &&
    of.subject === undefined &&
    anyPendingStaffGrant(deps.db, deps.tenantId, deps.now().toISOString(), grantViewer(deps)),
};

/**
 * Which grants the caller's queue holds: only a tenant-wide admin decides one (docs/permissions.md),
 * and sees all but those promoting them; anyone else sees only what they asked for. A grant names a
 * colleague's coming powers: a viewer across the bank has no business in it, nor a count of them.
 */
function grantViewer(deps: ApiDeps): GrantViewer {
  const p = deps.principal;
  const staffId = p.staffId !== undefined ? { staffId: p.staffId } : {};
  // Internal audit sees every grant as a deciding admin does, and decides none (the access table refuses it).
  return (p.role === 'admin' || p.role === AUDITOR) && p.book === undefined
    ? { decider: true, ...staffId }
    : { decider: false, actor: p.actor, ...staffId };
}

/** Where the queue's items come from, one source per kind of request. */
export const APPROVAL_SOURCES: readonly ApprovalSource[] = [
  pendingOverrideApprovals,
  pendingLevelApprovals,
  pendingPolicyVersions,
  pendingStaffGrants,
  pendingRetirements,
  pendingMetricAudienceRequests,
  pendingClosingRequests,
];

/**
 * What `role` may not decide under the policy in force (`approvalNeeds`, as each item states it): the
 * override requests by scheme, level and mode, the lowering requests by scheme — or everything, below
 * an approver. `GET /v1/approvals?mine=false` leaves them out in SQL, so its pages and its empty state
 * are the queue the caller can act on; `mine` absent ("all") keeps them, marked with who may decide.
 */
export function beyondRole(tp: TenantPack, role: string): NonNullable<ApprovalsWindow['beyondRole']> {
  if (!mayApproveAs(role, 'approver')) return { all: true, overrides: [], loweringSchemes: [] };
  const overrides: { scheme: string; level: string; mode: 'fixed' | 'floor' }[] = [];
  const loweringSchemes: string[] = [];
  for (const [scheme, def] of tp.schemes) {
    for (const l of def.levels)
      for (const mode of ['fixed', 'floor'] as const)
        if (!mayApproveAs(role, approvalNeedsOf(tp, { scheme, level: l.key, mode }))) overrides.push({ scheme, level: l.key, mode });
    if (!mayApproveAs(role, def.loweringNeeds ?? 'approver')) loweringSchemes.push(scheme);
  }
  return { all: false, overrides, loweringSchemes };
}

/** Filters and page of `GET /v1/approvals`. */
export interface ApprovalsQuery {
  readonly kind?: ApprovalItem['kind'];
  readonly scheme?: string;
  readonly subject?: string;
  /** Only items waiting at least this long. */
  readonly minAgeSeconds?: number;
  /**
   * true: only requests the caller made (as `requestedByYou` says: any credential of their person);
   * false: only those someone else made that the caller's role may decide ({@link beyondRole}) — what
   * waits for the caller. Absent: every request.
   */
  readonly mine?: boolean;
  /** The language of the summaries (`DEFAULT_SUMMARY_LOCALE` when none). */
  readonly locale?: Locale;
  readonly limit: number;
  readonly cursor?: string;
}

const CURSOR = 'approvals';

/** The queue's order: request time, then kind, then id — JS string order (UTF-16 code units). */
function entryKey(e: Pick<QueueEntry, 'requestedAt' | 'kind' | 'id'>): readonly [string, string, string] {
  return [e.requestedAt, e.kind, e.id];
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? '') < (b[i] ?? '') ? -1 : 1;
  return 0;
}

/**
 * The one approvals queue: every pending request of every source, oldest first (then kind, id),
 * filtered and cut into keyset pages. Each source reads only the head of its window — filters and
 * cursor in SQL, `limit + 1` rows — and the page is the merge of those heads, so a page costs the
 * same with fifty thousand sign-offs waiting as with fifty.
 */
export async function approvalsPage(
  deps: ApiDeps,
  q: ApprovalsQuery,
  sources: readonly ApprovalSource[] = APPROVAL_SOURCES,
): Promise<{ items: ApprovalItem[]; nextCursor: string | null }> {
  const after = q.cursor === undefined ? undefined : decodeCursor(CURSOR, q.cursor, ['at', 'kind', 'id']);
  const nowMs = deps.now().getTime();
  // Age in whole seconds ≥ n ⇔ requested at or before now − n s; stored times are `toISOString()`
  // text, whose string order is time order. Age 0 takes everything, a clock-skewed future time too.
  const cutoff = q.minAgeSeconds !== undefined && q.minAgeSeconds > 0 ? new Date(nowMs - q.minAgeSeconds * 1000).toISOString() : undefined;
  const tp = await packOf(deps);
  if (q.scheme !== undefined) requireReadable(deps.principal, tp, q.scheme, 'query.scheme');
  const locale = q.locale ?? DEFAULT_SUMMARY_LOCALE;
  // In SQL, by every actor of the caller's person: a page of "mine" is as cheap as a page of all.
  // A book-scoped approver (a team lead) decides override requests of the customers in their reach and
  // nothing else (docs/permissions.md): their queue is those they may decide — `mine` absent reads as
  // false — or, with `mine=true`, those they filed there. Every other kind is the bank's approvers'.
  const books = booksRead(deps.principal);
  const mineAsked = books !== undefined && q.mine === undefined ? false : q.mine;
  const actors = mineAsked === undefined ? undefined : await actorsOfPerson(deps.db, deps.tenantId, deps.principal.actor);
  const requesters = actors === undefined ? undefined : mineAsked ? { only: actors } : { except: actors };
  const beyond = mineAsked === false ? beyondRole(tp, deciderRole(deps.principal)) : undefined;
  // A request about a scheme the caller may not read (an AML 高, its override, a version of its rules,
  // for a viewer) is not theirs to see (`readers`); a staff grant is about no scheme. Left out in each
  // source's window (SQL, or inMemoryWindow for those read whole): left out of the merged heads, a page held fewer than `limit` while more waited, or none
  // with a cursor — and a month's re-tier leaves thousands of AML sign-offs pending at once.
  const readable = audienceOf(deps.principal, tp);
  const stored = await listPolicyVersions(deps.db, deps.tenantId);
  const notSchemes = [
    ...[...tp.schemes.keys()].filter((k) => !readable.sees(k)),
    ...unreadableBeyondPack(deps.principal, tp, stored),
    // A lead decides only the line's own exceptions (book-deciders.ts): the bank-wide schemes' are not theirs,
    // nor a scheme retired since (no rule in force says the line may decide it; approving it is a 422 for
    // anyone, rejecting it a 403 for a lead): a bank-wide approver rejects it, so it waits in their queue.
    ...(books !== undefined ? [...tp.schemes.values()].filter((s) => !bookMayDecide(s)).map((s) => s.key) : []),
    ...(books !== undefined ? [...new Set(stored.map((v) => v.scheme))].filter((k) => !tp.schemes.has(k)) : []),
  ];
  const heads = await Promise.all(
    sources
      .filter((s) => (q.kind === undefined || s.kind === q.kind) && (books === undefined || s.kind === 'override'))
      .map((s) =>
        s.window(
          deps,
          {
            ...(q.scheme !== undefined ? { scheme: q.scheme } : {}),
            ...(q.subject !== undefined ? { subject: q.subject } : {}),
            ...(cutoff !== undefined ? { requestedAtOrBefore: cutoff } : {}),
            ...(requesters !== undefined ? { requesters } : {}),
            ...(beyond !== undefined ? { beyondRole: beyond } : {}),
            ...(notSchemes.length > 0 ? { notSchemes } : {}),
            ...(books !== undefined ? { books } : {}),
            // At the cursor's instant a kind sorting before the cursor's is behind it, one after ahead.
            ...(after !== undefined
              ? { after: { at: after.at, id: s.kind < after.kind ? null : s.kind === after.kind ? after.id : '' } }
              : {}),
            limit: q.limit + 1,
          },
          { tp, locale, timeZone: deps.timeZone },
        ),
      ),
  );
  const merged = heads.flat().sort((a, b) => compareKeys(entryKey(a), entryKey(b)));
  const onPage = merged.slice(0, q.limit);
  // A mistyped filter must not read as "nothing waits": a scheme neither in force nor in the queue
  // (a request on a retired scheme still waits) is a 400, a subject the tenant does not have a 404.
  // Only an empty page asks whether anything of it waits at all, one row of each source.
  const waits = async (of: { scheme?: string; subject?: string }) =>
    onPage.length > 0 || (await Promise.all(sources.map((s) => s.any(deps, of)))).some(Boolean);
  // One the caller may not read waits for them no more than a scheme nobody has: the same 400.
  if (q.scheme !== undefined && !tp.schemes.has(q.scheme) && (notSchemes.includes(q.scheme) || !(await waits({ scheme: q.scheme })))) {
    throw invalid([
      { path: 'query.scheme', message: `unknown scheme "${q.scheme}"`, code: 'unknown_scheme', params: { scheme: q.scheme } },
    ]);
  }
  if (q.subject !== undefined && !(await waits({ subject: q.subject }))) await subjectOr404(deps, q.subject);
  const mine = requestedByCaller(deps.db, deps.tenantId, deps.principal.actor);
  const blocked = approvalsBlocked(deps.db, deps.tenantId);
  // The levels now of this page's subjects only: one query of at most a page's pairs.
  const about = onPage.flatMap((e) => (e.subjectId === undefined ? [] : [{ subjectId: e.subjectId, scheme: e.scheme }]));
  const levels = await currentLevelsOf(deps.db, deps.tenantId, about);
  // What a level sign-off approves, explained beside it: a page's level items only.
  const signOffs = onPage.flatMap((e) =>
    e.kind === 'level' && e.subjectId !== undefined ? [{ subjectId: e.subjectId, scheme: e.scheme }] : [],
  );
  const reasons = await currentReasonsOf(deps.db, deps.tenantId, signOffs);
  // Who filed it, as a person: a key shows as its owner (the approver saw key:key_… and could not tell
  // whose it was). Only a staff token or a key: a job's item links to the job, not to who started it.
  const behind = await staffBehind(
    deps.db,
    deps.tenantId,
    onPage.map((e) => e.item(null).requestedBy),
  );
  const made = onPage.map((e) => e.item(e.subjectId === undefined ? null : (levels.get(currentLevelKey(e.subjectId, e.scheme)) ?? null)));
  // An override request may be decided by a book-scoped approver who reaches its customer: asked of its subject.
  const byRequesters = await Promise.all(
    made.map((i, n) =>
      blocked(
        i.approvalNeeds,
        i.requesters,
        i.kind === 'override' && bookMayDecide(tp.schemes.get(i.scheme)) ? onPage[n]?.subjectId : undefined,
      ),
    ),
  );
  // Someone other than the makers may approve: unless everyone who may also put in the figures. Worked
  // out only for lowerings their requesters alone do not block, and for all of them at once.
  const lowerings = onPage.flatMap((e, n) => (e.lowering && byRequesters[n] === null ? [{ n, a: e.lowering }] : []));
  const figureMakers = new Map<number, readonly string[]>();
  if (lowerings.length > 0) {
    const found = await figureMakersOfPage(
      deps.db,
      deps,
      tp,
      lowerings.map((l) => l.a),
    );
    for (const [k, l] of lowerings.entries()) figureMakers.set(l.n, found[k] ?? []);
  }
  const page = await Promise.all(
    onPage.map(async (e, n): Promise<ApprovalItem> => {
      const { requesters, ...i } = made[n] as PendingApproval;
      const reason = e.kind === 'level' && e.subjectId !== undefined ? reasons.get(currentLevelKey(e.subjectId, e.scheme)) : undefined;
      return {
        ...i,
        ...(e.kind === 'level' && i.why === undefined
          ? { why: reason && reason.level === i.level ? levelWhy(tp, reason, locale) : null }
          : {}),
        ageSeconds: Math.max(0, Math.floor((nowMs - Date.parse(i.requestedAt)) / 1000)),
        requestedByStaff: staffOf(behind, i.requestedBy),
        requestedByYou: await mine(requesters),
        approvalBlocked: byRequesters[n] ?? (await loweringBlocked(blocked, i.approvalNeeds, requesters, figureMakers.get(n) ?? [])),
      };
    }),
  );
  const last = onPage.at(-1);
  const nextCursor = merged.length > q.limit && last ? encodeCursor(CURSOR, { at: last.requestedAt, kind: last.kind, id: last.id }) : null;
  return { items: page, nextCursor };
}
