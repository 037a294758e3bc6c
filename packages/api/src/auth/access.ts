import type { Principal } from './principal.js';
import { AUDITOR, EMBEDDER, roleAtLeast, type Role } from './roles.js';

/**
 * What a route needs. Routes are matched here, in one table, so the whole access policy can be read
 * at a glance; a `/v1` path missing from the table needs an admin key (deny by default), and
 * tests/api/permissions.test.ts fails for any documented route without an entry. docs/permissions.md is
 * generated from this table (`npm run permissions-doc`).
 */
export interface Access {
  /** Least role of a key or staff token. */
  readonly role: Role;
  /** Embed tokens: `'subject'` when the path's subject must be theirs, `'any'` for shared reads, false when refused. */
  readonly embed: 'subject' | 'any' | false;
  /** Only API keys: tokens (even staff tokens) are refused. */
  readonly keyOnly: boolean;
  /** For `embed: 'subject'`: the subject id in the path. */
  readonly subject?: string;
  /** Refused to book-scoped staff (relationship managers): it reaches beyond one book. */
  readonly tenantWide?: boolean;
  /**
   * With `tenantWide`: book-scoped staff of at least this role are let in all the same, and the service
   * cuts the answer to their reach (`booksRead`): a team lead who is an approver decides their team's
   * override requests and reads their queue, never the bank's.
   */
  readonly bookScopedFrom?: Role;
  /**
   * Refused to book-scoped staff for a reason of its own, not reach: what they are told and the stable
   * field code of the 403 (`refusalCode`), so a console can say it in its own words.
   */
  readonly notBookScoped?: { readonly code: string; readonly why: string };
  /** Open to `embedder` keys too, which may call nothing else (roles.ts, `EMBEDDER`). */
  readonly embedder?: true;
  /** A governance read open to internal audit (roles.ts, `AUDITOR`), who may call nothing else: no write, no decision. */
  readonly auditor?: true;
}

const READ: Access = { role: 'viewer', embed: false, keyOnly: false };
/** A read of governance that internal audit examines (roles.ts, `AUDITOR`). */
const AUDITED: Pick<Access, 'auditor'> = { auditor: true };
/** What a relationship manager is told on `PUT /v1/subjects/{id}/metrics`, and its code. */
export const METRICS_NOT_FROM_BOOKS = {
  code: 'metrics_not_by_book_staff',
  why: 'A relationship manager’s credential (book-scoped) may not write metrics: balances come from the bank’s core systems (imports, integration keys). To move a customer’s tier as a courtesy, file an override (POST /v1/subjects/{id}/overrides), which an approver decides.',
} as const;
const RULES: readonly (readonly [method: string, path: RegExp, access: Access])[] = [
  ['GET', /^\/v1\/subjects\/([^/]+)\/(tiers|history|entitlements)$/, { ...READ, embed: 'subject' }],
  ['GET', /^\/v1\/schemes(\/[^/]+)?$/, { ...READ, embed: 'any', ...AUDITED }],
  ['GET', /^\/v1\/subjects$/, READ],
  ['GET', /^\/v1\/matrix\/[^/]+$/, READ],
  // A bank's balances come from its core systems (imports, integration keys), and a tier follows them: an
  // RM who could rewrite their own customer's balances would move them to any tier, past the one-step,
  // approved courtesy an override is (docs/domain.md §4, a customer-value tier). Tenant-wide writers keep it.
  ['PUT', /^\/v1\/subjects\/[^/]+\/metrics$/, { role: 'officer', embed: false, keyOnly: false, notBookScoped: METRICS_NOT_FROM_BOOKS }],
  // A customer leaving takes them out of overdue reviews and of their RM's book figures: never the
  // RM's own say on their customers, so tenant-wide staff only, as creating a subject.
  ['POST', /^\/v1\/subjects\/[^/]+\/(close|reopen)$/, { role: 'officer', embed: false, keyOnly: false, tenantWide: true }],
  // A closing dated more than three months back waits for a second person (closing-requests.ts): a
  // tenant-wide approver or admin decides it; its maker (an officer, as for closing) may take it back.
  ['POST', /^\/v1\/closing-requests\/[^/]+\/(approve|reject)$/, { role: 'approver', embed: false, keyOnly: false, tenantWide: true }],
  ['POST', /^\/v1\/closing-requests\/[^/]+\/withdraw$/, { role: 'officer', embed: false, keyOnly: false, tenantWide: true }],
  // What became of a customer's requests: those who may file one (their own) or decide one, and internal audit.
  ['GET', /^\/v1\/closing-requests$/, { role: 'officer', embed: false, keyOnly: false, tenantWide: true, ...AUDITED }],
  // Creating or renaming a subject is the bank's whole-tenant business, never one book's.
  ['PUT', /^\/v1\/subjects\/[^/]+$/, { role: 'officer', embed: false, keyOnly: false, tenantWide: true }],
  // The portal backend's embedder key, which may do nothing else; officer keys still may, as before it existed.
  ['POST', /^\/v1\/embed-tokens$/, { role: 'officer', embed: false, keyOnly: true, embedder: true }],
  // Aggregates over the whole book (counts, never a customer's name): viewers and up, by key or staff token
  // alike — one person, one set of rights (a viewer's console read them while their key got 403); never a
  // customer's token or internal audit (whose reads are governance, not the book).
  // A book-scoped credential (an RM, a team lead) reads the distribution, migration and rates of the
  // customers in its reach (booksRead, cut in SQL). The effect evaluation compares cohorts of the whole
  // bank, and its metric catalogue serves only it: tenant-wide.
  ['GET', /^\/v1\/analytics\/(distribution|migration|rates)$/, READ],
  ['GET', /^\/v1\/analytics\/(effect|metrics)$/, { ...READ, tenantWide: true }],
  // The audit trail: the checkers' (the four-eyes side reviews what was done), tenant-wide approvers and
  // admins, by key or staff token alike — one person, one set of rights (an approver's console could read
  // it while their key could not); never makers, RMs or customers' tokens. And internal audit's, who
  // decides nothing: an auditor made an approver to read it could approve what they audit.
  ['GET', /^\/v1\/audit(\/verify|\/export)?$/, { role: 'approver', embed: false, keyOnly: false, tenantWide: true, ...AUDITED }],
  // Policies: analysts read and simulate, officers draft and submit, approvers decide (four eyes in the service).
  // Internal audit reads every scheme's versions and diffs (the AML grade's too: it examines them), never
  // a simulation, whose outcome names sample customers.
  [
    'GET',
    /^\/v1\/policies(\/[^/]+\/versions(\/[^/]+(\/diff)?)?)?$/,
    { role: 'analyst', embed: false, keyOnly: false, tenantWide: true, ...AUDITED },
  ],
  ['GET', /^\/v1\/policies\/[^/]+\/versions\/[^/]+\/simulations$/, { role: 'analyst', embed: false, keyOnly: false, tenantWide: true }],
  ['POST', /^\/v1\/policies\/[^/]+\/versions\/[^/]+\/simulate$/, { role: 'analyst', embed: false, keyOnly: false, tenantWide: true }],
  // The same simulation as a job, and its cancel: whoever may simulate (a viewer does not even see such a job, routes/jobs.ts).
  [
    'POST',
    /^\/v1\/policies\/[^/]+\/versions\/[^/]+\/simulations(\/[^/]+\/cancel)?$/,
    { role: 'analyst', embed: false, keyOnly: false, tenantWide: true },
  ],
  ['POST', /^\/v1\/policies\/[^/]+\/drafts$/, { role: 'officer', embed: false, keyOnly: false, tenantWide: true }],
  ['PUT', /^\/v1\/policies\/[^/]+\/versions\/[^/]+$/, { role: 'officer', embed: false, keyOnly: false, tenantWide: true }],
  ['POST', /^\/v1\/policies\/[^/]+\/versions\/[^/]+\/submit$/, { role: 'officer', embed: false, keyOnly: false, tenantWide: true }],
  [
    'POST',
    /^\/v1\/policies\/[^/]+\/versions\/[^/]+\/(approve|reject|retire|retirement\/(approve|reject|withdraw))$/,
    { role: 'approver', embed: false, keyOnly: false, tenantWide: true },
  ],
  ['POST', /^\/v1\/imports$/, { role: 'officer', embed: false, keyOnly: false, tenantWide: true }],
  ['GET', /^\/v1\/imports(\/[^/]+)?$/, { role: 'officer', embed: false, keyOnly: false, tenantWide: true, ...AUDITED }],
  // Re-tier jobs: staff read them (the summary counts staff schemes' levels), officers start and stop them
  // — tenant-wide officers' staff tokens too, so the console can start the re-tier a policy approval defers.
  // A job's sub-routes are read by whoever may read the job, so a refusal says no more than the job's
  // own read: a simulation's affected customers were once open to a relationship manager (cut to their
  // book) who gets 403 for the job itself; a viewer gets the job's 404 (routes/jobs.ts, `seen`).
  // Internal audit reads the list and a job's summary, never its stream or its affected customers.
  ['GET', /^\/v1\/jobs(\/[^/]+)?$/, { ...READ, tenantWide: true, ...AUDITED }],
  ['GET', /^\/v1\/jobs\/[^/]+\/events$/, { ...READ, tenantWide: true }],
  // A re-tier's changed customers: a book-scoped reader (an RM, a team lead) gets those in their reach,
  // as analytics (services/retier-affected.ts); a simulation's stays the answer its job's read gives them.
  ['GET', /^\/v1\/jobs\/[^/]+\/affected$/, { ...READ, tenantWide: true, bookScopedFrom: 'viewer' }],
  ['POST', /^\/v1\/jobs(\/[^/]+\/(cancel|resume))?$/, { role: 'officer', embed: false, keyOnly: false, tenantWide: true }],
  // Four eyes (packages/api/README.md, "Four eyes"). Never an embed token: override reasons, requesters
  // and AML sign-offs are staff matters. Who may decide a given request is checked again by the service.
  ['GET', /^\/v1\/subjects\/[^/]+\/overrides$/, READ],
  ['POST', /^\/v1\/subjects\/[^/]+\/overrides$/, { role: 'officer', embed: false, keyOnly: false }],
  // A relationship manager follows the requests of their book: the list is cut to it in SQL (the route).
  ['GET', /^\/v1\/overrides$/, { ...READ, ...AUDITED }],
  // One request and its decisions: a relationship manager reads those of their book (the service cuts it).
  ['GET', /^\/v1\/overrides\/[^/]+$/, { ...READ, ...AUDITED }],
  // Only the requester may edit, the requester or the book's relationship manager withdraw (the service
  // checks): a relationship manager may request for their book and must be able to change what they asked for.
  ['PATCH', /^\/v1\/overrides\/[^/]+$/, { role: 'officer', embed: false, keyOnly: false }],
  ['POST', /^\/v1\/overrides\/[^/]+\/withdraw$/, { role: 'officer', embed: false, keyOnly: false }],
  // A book-scoped approver (a team lead) decides the requests of the customers in their reach: the service
  // finds the request as a book-scoped read does (out of reach: 404). Revoking stays the bank's approvers'.
  [
    'POST',
    /^\/v1\/overrides\/[^/]+\/(approve|reject)$/,
    { role: 'approver', embed: false, keyOnly: false, tenantWide: true, bookScopedFrom: 'approver' },
  ],
  ['POST', /^\/v1\/overrides\/[^/]+\/revoke$/, { role: 'approver', embed: false, keyOnly: false, tenantWide: true }],
  ['GET', /^\/v1\/subjects\/[^/]+\/levels\/[^/]+\/approval$/, READ],
  ['POST', /^\/v1\/subjects\/[^/]+\/levels\/[^/]+\/(approve|reject)$/, { role: 'approver', embed: false, keyOnly: false }],
  // A book-scoped approver's queue is the override requests in their reach that they may decide (the
  // service cuts it); a relationship manager decides nothing, so has no queue.
  ['GET', /^\/v1\/approvals$/, { ...READ, tenantWide: true, bookScopedFrom: 'approver', ...AUDITED }],
  // A relationship manager records the periodic reviews of their book, so lists what is due in it (the service cuts it).
  ['GET', /^\/v1\/reviews\/overdue$/, READ],
  ['POST', /^\/v1\/subjects\/[^/]+\/reviews$/, { role: 'officer', embed: false, keyOnly: false }],
  ['GET', /^\/v1\/subjects\/[^/]+\/suitability$/, READ],
  // Staff and their books (packages/api/README.md, "Staff and books"): relationship managers see only their book.
  ['GET', /^\/v1\/session$/, { ...READ, ...AUDITED }],
  ['GET', /^\/v1\/subjects\/[^/]+\/manager(\/moves)?$/, READ],
  ['GET', /^\/v1\/staff(\/[^/]+)?$/, { ...READ, ...AUDITED }],
  ['PUT', /^\/v1\/staff\/[^/]+$/, { role: 'admin', embed: false, keyOnly: false, tenantWide: true }],
  // Grants of staff power waiting for a second admin: the tenant's admins only (the service checks four eyes).
  ['GET', /^\/v1\/staff-grants(\/[^/]+)?$/, { role: 'admin', embed: false, keyOnly: false, tenantWide: true, ...AUDITED }],
  ['POST', /^\/v1\/staff-grants\/[^/]+\/(approve|reject|withdraw)$/, { role: 'admin', embed: false, keyOnly: false, tenantWide: true }],
  // API keys (packages/api/README.md, "API keys over HTTP"): the tenant's admins, by key or by the
  // console's staff token, never a book-scoped admin (a key reaches the whole tenant) or an embed token.
  ['GET', /^\/v1\/keys$/, { role: 'admin', embed: false, keyOnly: false, tenantWide: true }],
  ['POST', /^\/v1\/keys(\/[^/]+\/revoke)?$/, { role: 'admin', embed: false, keyOnly: false, tenantWide: true }],
  // Retention and erasure of closed customers (docs/operations.md, "Retention and erasure"): a tenant-wide
  // admin's, never a relationship manager's or an approver's — an erasure cannot be taken back.
  ['GET', /^\/v1\/retention$/, { role: 'admin', embed: false, keyOnly: false, tenantWide: true }],
  ['PUT', /^\/v1\/retention$/, { role: 'admin', embed: false, keyOnly: false, tenantWide: true }],
  ['POST', /^\/v1\/retention\/run$/, { role: 'admin', embed: false, keyOnly: false, tenantWide: true }],
  // The metric catalogue (docs/policy-format.md): read by whoever reads policies, written by their authors
  // (officers) and admins, tenant-wide only. Lowering a metric's audience is an admin's (the service checks).
  ['GET', /^\/v1\/metrics$/, { role: 'analyst', embed: false, keyOnly: false, tenantWide: true, ...AUDITED }],
  ['POST', /^\/v1\/metrics$/, { role: 'officer', embed: false, keyOnly: false, tenantWide: true }],
  ['PUT', /^\/v1\/metrics\/[^/]+$/, { role: 'officer', embed: false, keyOnly: false, tenantWide: true }],
  ['DELETE', /^\/v1\/metrics\/[^/]+$/, { role: 'officer', embed: false, keyOnly: false, tenantWide: true }],
  ['GET', /^\/v1\/metric-audience-requests$/, { role: 'admin', embed: false, keyOnly: false, tenantWide: true }],
  [
    'POST',
    /^\/v1\/metric-audience-requests\/[^/]+\/(approve|reject|withdraw)$/,
    { role: 'admin', embed: false, keyOnly: false, tenantWide: true },
  ],
  // Teams of books (routes/teams.ts): the bank's structure, read by its tenant-wide staff and defined by
  // a tenant-wide admin, never by a lead (who would widen their own reach) or an RM.
  ['GET', /^\/v1\/teams(\/[^/]+)?$/, { ...READ, tenantWide: true, ...AUDITED }],
  ['PUT', /^\/v1\/teams\/[^/]+$/, { role: 'admin', embed: false, keyOnly: false, tenantWide: true }],
  ['POST', /^\/v1\/teams\/[^/]+\/books$/, { role: 'admin', embed: false, keyOnly: false, tenantWide: true }],
  // Counts per book (routes/book-levels.ts): a lead's view of their RMs, an RM's of their own book, cut
  // to the books the credential reads; numbers of customers at levels, never a customer's name.
  ['GET', /^\/v1\/books\/levels$/, READ],
  ['PUT', /^\/v1\/subjects\/[^/]+\/manager$/, { role: 'officer', embed: false, keyOnly: false, tenantWide: true }],
  ['POST', /^\/v1\/subject-managers$/, { role: 'officer', embed: false, keyOnly: false, tenantWide: true }],
];
const DEFAULT: Access = { role: 'admin', embed: false, keyOnly: true };

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The table's entry for `method path`, or undefined when none matches (the route then needs an admin key). HEAD is a GET. */
export function ruleFor(method: string, path: string): Access | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  for (const [ruleMethod, pattern, access] of RULES) {
    if (ruleMethod !== m) continue;
    const match = pattern.exec(path);
    if (!match) continue;
    return access.embed === 'subject' && match[1] !== undefined ? { ...access, subject: decode(match[1]) } : access;
  }
  return undefined;
}

/** The access a request to `method path` needs: its entry, or admin keys only (deny by default). */
export function accessFor(method: string, path: string): Access {
  return ruleFor(method, path) ?? DEFAULT;
}

/**
 * Whether an app serves API keys that come with an `Origin` or `Sec-Fetch-Site` header: `'refuse'` (the default) or
 * `'allow'` (a bank's server that forwards its pages' Origin on purpose, such as a BFF proxy).
 */
export type ApiKeysFromBrowsers = 'refuse' | 'allow';

/** What a key sent from a browser page is told; the security officer wants it said plainly, at once. */
export const KEY_IN_BROWSER = 'API keys belong on servers; a browser page uses an embed token or a staff token.';

/** What marks a request as a browser's: its `Origin` and `Sec-Fetch-Site` headers, absent when not sent. */
export interface BrowserMarks {
  readonly origin: string | undefined;
  readonly fetchSite: string | undefined;
}

/**
 * Whether `p` is an API key sent by a browser that `policy` refuses. A browser sends `Origin` on a
 * cross-origin request and on any write, and `Sec-Fetch-Site` on every request from a secure context
 * (https, localhost), a same-origin GET included, which carries no `Origin`. A server sends neither
 * unless it chooses to (Node's fetch sends no `Sec-Fetch-Site`), so a key with either was most likely
 * pasted into a page, where anyone reading the page's network traffic can take it. What is left: a
 * same-origin GET from a page served over plain http, which carries neither.
 */
export function keyFromBrowser(p: Principal, marks: BrowserMarks, policy: ApiKeysFromBrowsers): boolean {
  return p.via === 'key' && policy === 'refuse' && (marks.origin !== undefined || marks.fetchSite !== undefined);
}

/** What an embedder key is told on any route but minting; the 403's code is `embedder-key` (`refusalKind`). */
export const EMBEDDER_ONLY =
  'An embedder key may only mint embed tokens (POST /v1/embed-tokens); reads and staff work need a key of a staff role.';

/** What internal audit is told on any route but the governance reads it examines (`Access.auditor`). */
export const AUDITOR_READS_ONLY =
  'Internal audit reads the trail and governance (approvals, decisions, policies, jobs, imports, staff, grants) and decides or writes nothing; customers’ data is read through the trail.';

/** What a book-scoped auditor (made before the scope was refused) is told on every route. */
export const AUDITOR_IN_ONE_BOOK =
  'An auditor is tenant-wide: this one is book-scoped, and a trail read for one book is no audit. An admin gives them scope "tenant" (PUT /v1/staff/{id}).';

/** The problem a refusal of `p` is reported as: `embedder-key` for an embedder key, `forbidden` otherwise. */
export function refusalKind(p: Principal): 'embedder-key' | 'forbidden' {
  return p.role === EMBEDDER ? 'embedder-key' : 'forbidden';
}

/**
 * Why `p` may not send `method path` (from a page at `origin`), or undefined when it may: the role and
 * origin decision that both the auth middleware and the generated role × route matrix
 * (docs/permissions.md) use. The middleware checks `keyFromBrowser` first; that refusal depends on
 * the app's `apiKeysFromBrowsers`, not on the route, so the matrix states it once in prose.
 */
export function refusal(p: Principal, method: string, path: string, origin: string | undefined): string | undefined {
  // A token names the pages that may use it; a page elsewhere holding it is a leak, not a customer.
  if (p.origins !== null && origin !== undefined && !p.origins.includes(origin)) return `This token may not be used from ${origin}.`;
  const access = accessFor(method, path);
  if (p.via === 'embed-token') {
    if (access.embed === false) return 'An embed token may only read its own subject’s tiers, history and entitlements, and the schemes.';
    if (access.embed === 'subject' && access.subject !== p.subject) return 'An embed token may only read its own subject.';
    return undefined;
  }
  if (p.role === EMBEDDER) return access.embedder ? undefined : EMBEDDER_ONLY;
  if (access.keyOnly && p.via !== 'key') return 'This needs an API key; tokens cannot do it.';
  if (p.role === AUDITOR) {
    // One made book-scoped before that was refused everywhere: it would read a partial trail.
    if (p.book !== undefined) return AUDITOR_IN_ONE_BOOK;
    if (!access.auditor) return AUDITOR_READS_ONLY;
  } else if (!roleAtLeast(p.role, access.role)) return `This needs the ${access.role} role or higher (the credential has ${p.role}).`;
  const inReach = access.bookScopedFrom !== undefined && roleAtLeast(p.role, access.bookScopedFrom);
  if (access.tenantWide && p.book !== undefined && !inReach)
    return 'A book-scoped staff credential may not do this: it reaches beyond its book.';
  if (access.notBookScoped && p.book !== undefined) return access.notBookScoped.why;
  return undefined;
}

/**
 * The stable field code of `refusal`'s answer, when the refusal has one of its own (`notBookScoped`):
 * the 403's `errors[0].code`, at `path`. Undefined for the plain role and reach refusals.
 */
export function refusalCode(method: string, path: string, why: string): string | undefined {
  const own = accessFor(method, path).notBookScoped;
  return own !== undefined && own.why === why ? own.code : undefined;
}
