import type { Locale } from '@tierkit/core';
import { listPendingLevelApprovals, listPendingOverrides } from '@tierkit/db';
import { packOf, subjectOr404, type ApiDeps } from '../deps.js';
import { invalid } from '../problem.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { ApprovalItem, PendingApproval } from './approval-item.js';
import { requestedByCaller } from './four-eyes.js';
import { pendingPolicyApprovals } from './policy-approvals.js';
import { overrideHash } from './override-requests.js';
import type { TenantPack } from './tenant-pack.js';

/**
 * One kind of request waiting for a second person: every pending item of the tenant, with `ageSeconds`
 * 0 (the queue sets it), its summary in `locale`.
 */
export type ApprovalSource = (deps: ApiDeps, locale: Locale) => Promise<PendingApproval[]>;

/** The language of summaries when the request names none: the banks' staff read Simplified Chinese. */
export const DEFAULT_SUMMARY_LOCALE: Locale = 'zh-CN';

/** The words of a summary around the labels, per locale. */
const SUMMARY_WORDS: Readonly<
  Record<
    Locale,
    { readonly mode: Readonly<Record<'fixed' | 'floor', string>>; readonly until: string; readonly policy: (v: number) => string }
  >
> = {
  'zh-CN': { mode: { fixed: '固定', floor: '保底' }, until: '，至 ', policy: (v) => `第 ${v} 版，待审批` },
  'zh-TW': { mode: { fixed: '固定', floor: '保底' }, until: '，至 ', policy: (v) => `第 ${v} 版，待審批` },
  en: { mode: { fixed: 'fixed', floor: 'floor' }, until: ', until ', policy: (v) => `v${v}: new policy version for approval` },
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

const pendingOverrideApprovals: ApprovalSource = async (deps, locale) => {
  const tp = await packOf(deps);
  const words = SUMMARY_WORDS[locale];
  return (await listPendingOverrides(deps.db, deps.tenantId)).map((r) => {
    const names = labels(tp, r.override.scheme, locale);
    return {
      kind: 'override',
      id: r.override.id,
      scheme: r.override.scheme,
      subject: r.subject,
      summary: `${names.scheme}: ${names.level(r.override.level)} (${words.mode[r.override.mode]})${r.override.expiresAt ? `${words.until}${r.override.expiresAt}` : ''}`,
      requestedBy: r.override.requestedBy,
      requestedAt: r.createdAt,
      ageSeconds: 0,
      contentHash: overrideHash(r),
      requesters: [r.override.requestedBy],
    };
  });
};

const pendingLevelApprovals: ApprovalSource = async (deps, locale) => {
  const tp = await packOf(deps);
  return (await listPendingLevelApprovals(deps.db, deps.tenantId)).map((a) => {
    const names = labels(tp, a.scheme, locale);
    return {
      kind: 'level',
      id: `${a.subject}:${a.scheme}`,
      scheme: a.scheme,
      subject: a.subject,
      summary: `${names.scheme}: ${names.level(a.fromLevel)} → ${names.level(a.level)} (${a.period})`,
      requestedBy: a.requestedBy,
      requestedAt: a.requestedAt,
      ageSeconds: 0,
      contentHash: a.contentHash,
      requesters: [a.requestedBy],
    };
  });
};

const pendingPolicyVersions: ApprovalSource = async (deps, locale) => {
  const tp = await packOf(deps);
  return pendingPolicyApprovals(deps, (scheme, version) => `${labels(tp, scheme, locale).scheme} ${SUMMARY_WORDS[locale].policy(version)}`);
};

/** Where the queue's items come from, one source per kind of request. */
export const APPROVAL_SOURCES: readonly ApprovalSource[] = [pendingOverrideApprovals, pendingLevelApprovals, pendingPolicyVersions];

/** Filters and page of `GET /v1/approvals`. */
export interface ApprovalsQuery {
  readonly kind?: ApprovalItem['kind'];
  readonly scheme?: string;
  readonly subject?: string;
  /** Only items waiting at least this long. */
  readonly minAgeSeconds?: number;
  /** The language of the summaries (`DEFAULT_SUMMARY_LOCALE` when none). */
  readonly locale?: Locale;
  readonly limit: number;
  readonly cursor?: string;
}

const CURSOR = 'approvals';

/**
 * The one approvals queue: every pending request of every source, oldest first (then kind, id),
 * filtered and cut into keyset pages. Sources list everything pending; a queue is expected to stay
 * short (what waits for a person), so it is merged in memory.
 */
export async function approvalsPage(
  deps: ApiDeps,
  q: ApprovalsQuery,
  sources: readonly ApprovalSource[] = APPROVAL_SOURCES,
): Promise<{ items: ApprovalItem[]; nextCursor: string | null }> {
  const after = q.cursor === undefined ? undefined : decodeCursor(CURSOR, q.cursor, ['at', 'kind', 'id']);
  const nowMs = deps.now().getTime();
  const all = (await Promise.all(sources.map((s) => s(deps, q.locale ?? DEFAULT_SUMMARY_LOCALE)))).flat();
  // A mistyped filter must not read as "nothing waits": a scheme neither in force nor in the queue
  // (a request on a retired scheme still waits) is a 400, a subject the tenant does not have a 404.
  if (q.scheme !== undefined && !all.some((i) => i.scheme === q.scheme) && !(await packOf(deps)).schemes.has(q.scheme)) {
    throw invalid([
      { path: 'query.scheme', message: `unknown scheme "${q.scheme}"`, code: 'unknown_scheme', params: { scheme: q.scheme } },
    ]);
  }
  if (q.subject !== undefined && !all.some((i) => i.subject === q.subject)) await subjectOr404(deps, q.subject);
  const key = (i: PendingApproval) => [i.requestedAt, i.kind, i.id] as const;
  const before = (a: readonly string[], b: readonly string[]) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? '') < (b[i] ?? '');
    return false;
  };
  const items = all
    .map((i) => ({ ...i, ageSeconds: Math.max(0, Math.floor((nowMs - Date.parse(i.requestedAt)) / 1000)) }))
    .filter(
      (i) =>
        (q.kind === undefined || i.kind === q.kind) &&
        (q.scheme === undefined || i.scheme === q.scheme) &&
        (q.subject === undefined || i.subject === q.subject) &&
        (q.minAgeSeconds === undefined || i.ageSeconds >= q.minAgeSeconds) &&
        (after === undefined || before([after.at, after.kind, after.id], key(i))),
    )
    .sort((a, b) => (before(key(a), key(b)) ? -1 : before(key(b), key(a)) ? 1 : 0));
  const mine = requestedByCaller(deps.db, deps.tenantId, deps.principal.actor);
  const page = await Promise.all(
    items.slice(0, q.limit).map(async ({ requesters, ...i }): Promise<ApprovalItem> => ({ ...i, requestedByYou: await mine(requesters) })),
  );
  const last = page.at(-1);
  const nextCursor = items.length > q.limit && last ? encodeCursor(CURSOR, { at: last.requestedAt, kind: last.kind, id: last.id }) : null;
  return { items: page, nextCursor };
}
