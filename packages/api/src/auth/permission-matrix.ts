import type { RouteEntry } from '../route-table.js';
import { refusal } from './access.js';
import { PERMISSIONS, may } from './permissions.js';
import type { Principal } from './principal.js';
import { AUDITOR, EMBEDDER, ROLES } from './roles.js';

/*
 * The role × route matrix, generated from the route table (access.ts) over the routes of the OpenAPI
 * document: docs/permissions.md is this module's output (`npm run permissions-doc`), and
 * tests/api/permissions.test.ts checks the file is current and that every cell holds when the route
 * is really called with that credential.
 */

/** The subject the sample paths name, and the one an embed token in the matrix is bound to. */
export const SAMPLE_SUBJECT = 'C000001';
/** Another subject, for an embed token that is not the path's. */
export const OTHER_SUBJECT = 'C000002';

/** One column of the matrix: a kind of credential as the API sees it. */
export interface MatrixCredential {
  readonly name: string;
  readonly principal: Principal;
}

const principal = (via: Principal['via'], role: Principal['role'], subject: string | null, actor: string): Principal => ({
  tenantId: 'matrix',
  via,
  role,
  subject,
  origins: via === 'key' ? null : [],
  actor,
});

/** The staff id of the matrix's relationship manager: a book-scoped officer. */
export const SAMPLE_RM = 'RM001';

/** The staff id of the matrix's internal auditor (roles.ts, `AUDITOR`). */
export const SAMPLE_AUDITOR = 'AUD01';

/** The staff id of the matrix's team lead: a book-scoped officer leading a team that holds `SAMPLE_RM`'s book. */
export const SAMPLE_LEAD = 'LD001';

/** The staff id of the matrix's team lead approver: a book-scoped approver leading a team that holds `SAMPLE_RM`'s book. */
export const SAMPLE_LEAD_APPROVER = 'LD002';

/** The columns: a key of each role and an embedder key, a staff token, an embed token (of the path's subject and of another). */
export const MATRIX_CREDENTIALS: readonly MatrixCredential[] = [
  ...ROLES.map((role) => ({ name: `${role} key`, principal: principal('key', role, null, `key:${role}`) })),
  { name: `${EMBEDDER} key`, principal: principal('key', EMBEDDER, null, `key:${EMBEDDER}`) },
  { name: 'viewer staff token', principal: principal('staff-token', 'viewer', null, 'token:staff') },
  // Internal audit: governance reads, no write or decision, by key or staff token alike (one person, one set of rights).
  {
    name: `${AUDITOR} key`,
    principal: { ...principal('key', AUDITOR, null, `key:${AUDITOR}`), staffId: SAMPLE_AUDITOR },
  },
  {
    name: `${AUDITOR} staff token`,
    principal: { ...principal('staff-token', AUDITOR, null, `staff:${SAMPLE_AUDITOR}`), staffId: SAMPLE_AUDITOR },
  },
  // A relationship manager: what a book-scoped credential may not do whatever its role (`tenantWide`,
  // `notBookScoped` in access.ts). A key they own acts the same (authenticate.ts).
  {
    name: 'RM officer staff token',
    principal: { ...principal('staff-token', 'officer', null, `staff:${SAMPLE_RM}`), staffId: SAMPLE_RM, book: SAMPLE_RM },
  },
  // A team lead: book-scoped, reading their team's books besides their own (`Principal.books`). Decided
  // per action as an RM's: what an RM may do in their book a lead may do in the team's (file an override,
  // record a review, withdraw an RM's request), and nothing an RM may not — no metrics, no book moves,
  // no decisions, no analytics of the whole bank, no team of their own making (`/v1/teams`: tenant-wide admins).
  {
    name: 'team lead officer staff token',
    principal: {
      ...principal('staff-token', 'officer', null, `staff:${SAMPLE_LEAD}`),
      staffId: SAMPLE_LEAD,
      book: SAMPLE_LEAD,
      books: [SAMPLE_LEAD, SAMPLE_RM],
    },
  },
  // A team lead who is an approver: the first approver of their team's override requests, and their queue of
  // them (`bookScopedFrom` in access.ts); everything else a book-scoped credential is refused stays refused.
  {
    name: 'team lead approver staff token',
    principal: {
      ...principal('staff-token', 'approver', null, `staff:${SAMPLE_LEAD_APPROVER}`),
      staffId: SAMPLE_LEAD_APPROVER,
      book: SAMPLE_LEAD_APPROVER,
      books: [SAMPLE_LEAD_APPROVER, SAMPLE_RM],
    },
  },
  { name: 'embed token', principal: principal('embed-token', 'viewer', SAMPLE_SUBJECT, `token:embed:${SAMPLE_SUBJECT}`) },
];

/** A path of the template with every parameter set to the sample subject. */
export function samplePath(template: string): string {
  return template.replace(/\{[^}]+\}/g, SAMPLE_SUBJECT);
}

/** What a credential may do on a route: `yes`, `no`, or (embed tokens) `own subject` only. */
export type Cell = 'yes' | 'no' | 'own subject';

/** Whether a principal may call the route, decided exactly as the auth middleware decides. */
export function cellOf(route: Pick<RouteEntry, 'method' | 'template'>, credential: MatrixCredential): Cell {
  const path = samplePath(route.template);
  const allowed = refusal(credential.principal, route.method, path, undefined) === undefined;
  if (!allowed) return 'no';
  if (credential.principal.via !== 'embed-token') return 'yes';
  const other = { ...credential.principal, subject: OTHER_SUBJECT, actor: `token:embed:${OTHER_SUBJECT}` };
  return refusal(other, route.method, path, undefined) === undefined ? 'yes' : 'own subject';
}

/** The routes under `/v1`, in path then method order. */
function v1(routes: readonly RouteEntry[]): RouteEntry[] {
  return routes
    .filter((r) => r.template.startsWith('/v1/'))
    .sort((a, b) => a.template.localeCompare(b.template) || a.method.localeCompare(b.method));
}

const MARK: Record<Cell, string> = { yes: '✓', no: '—', 'own subject': 'own subject' };

/** docs/permissions.md: the matrix as Markdown. */
export function permissionsMarkdown(routes: readonly RouteEntry[]): string {
  const head = ['Route', ...MATRIX_CREDENTIALS.map((c) => c.name)];
  const lines = [
    '# Permissions: role × route',
    '',
    '<!-- Generated from packages/api/src/auth/access.ts over the routes of /openapi.json by `npm run permissions-doc`; do not edit. tests/api/permissions.test.ts fails when it is out of date. -->',
    '',
    'What each kind of credential may call (✓), may not (—: a 403 `forbidden` problem), or may call only for',
    'the subject it is bound to (embed tokens). Every route needs a credential (401 without one). A route',
    'missing from the table in `packages/api/src/auth/access.ts` needs an admin key, and a test fails until',
    'it is given an entry. Decided by one function, `refusal` in that file, which the auth middleware calls',
    'on every request; the test calls every route with every credential and checks each cell.',
    '',
    'A key owned by a staff member (`tierkit keys create … --staff ID`) acts with the lower of its role and',
    'its owner’s current role, and only within their book when they are book-scoped, as their staff token',
    'does. Who may decide a given four-eyes request is checked again by the service, between people: an',
    'owned key, its owner’s other keys and their staff token are one person, an unowned key a person of its',
    'own (packages/api/README.md, "Four eyes").',
    '',
    'Issuing keys (`/v1/keys`) is an admin’s, by an admin key or the staff token of a tenant-wide admin (not',
    'a book-scoped one: a key reaches the whole tenant). Whoever issues a key holds its secret, so a key',
    'that files four-eyes requests or decides them (officer, approver, admin: `FOUR_EYES_ROLES`) is issued',
    'over HTTP only in the caller’s own name: `staff` must be the caller’s own staff id (of their staff',
    'token, or the owner of their key). Issued for another, or for nobody, it would let one person ask',
    'with one credential and approve with the other. A caller who is no staff member (an unowned admin key)',
    'issues only viewer and analyst keys, whose owner is optional; keys for others, and unowned integration',
    'keys, are the operator’s CLI’s (`tierkit keys create --staff`). An owned key’s role may not be above',
    'its owner’s. A key’s secret is in the create answer only; revoking is at once here, within the',
    'credential cache’s seconds in other processes. Revoking over HTTP never locks the tenant out of its',
    'administration: its last admin key that can administer it (unowned, or owned by a tenant-wide admin on',
    'staff) is a 409 `last-admin-key`, the key a request is authenticated with a 409 `own-key`; the',
    'operator’s CLI (`tierkit keys revoke`) revokes any key, and is the way back. Nor does a staff change',
    '(`PUT /v1/staff/{id}`): demoting the last tenant-wide admin on staff, or making them book-scoped, or so',
    'demoting the owner of the last admin key that administers over HTTP, is a 409 `last-admin-staff`:',
    'promote another first. With no other admin credential, the way back is the operator’s CLI: issue an',
    'admin key (`tierkit keys create --tenant T --role admin --label ops --unowned`), promote someone else with it, then demote — or change',
    'staff directly with `tierkit staff add|role|disable`, under the same last-admin guard. Staff changes',
    'that give power (a role raised, a book widened to the tenant, a new approver, admin or tenant-wide member)',
    'are four eyes over HTTP: `PUT /v1/staff/{id}` answers 202 with a grant that another tenant-wide admin —',
    'never its maker nor the member it promotes — approves at `POST /v1/staff-grants/{id}/approve`; taking',
    'power away is immediate, and supersedes a grant still waiting for the member (audited: `supersededGrant`).',
    'A pending grant appears in `GET /v1/approvals` only for those who may decide it (tenant-wide admins it',
    "does not promote) and for its maker; anyone else's queue is without it. Two admins deciding one grant at",
    'once: one decides, the other gets 409 `conflict`, code `already_decided`. The CLI’s are the operator’s break-glass, each recorded with the operator as',
    'actor and `detail.breakGlass: true` (packages/cli/README.md, "Staff").',
    '',
    'The maker of a four-eyes request never decides it, with any credential of theirs. A request that needs',
    'an admin (or an approver) and that nobody on staff but its maker holds that role for — say, filed by',
    'the tenant’s only tenant-wide admin — is filed, and says so at once: `approvalBlocked: no-other-admin`',
    '(or `no-other-approver`) on the filing answer and its item in `GET /v1/approvals`, until someone is',
    'promoted (packages/api/README.md, "Four eyes"). Two checkers deciding one override request, sign-off',
    'or lowering request at once — each through a server of their own, on SQLite as on PostgreSQL — get one',
    'decision; the other hears 409 `conflict`, code `already_decided` (the content they sent was decided first).',
    '',
    "**Policy versions.** A policy version is any approver's to decide — unless its document weakens the",
    'governance the version in force sets (or a version already approved for a later day, which it would follow): a level marked `approvalRequired` no longer marked (or removed),',
    '`loweringNeeds` removed or given to a weaker role, an override rule that lets weaker staff file',
    '(`requestedBy`), approve (`approvedBy`) or loosen (`loosenNeeds`), runs longer (`maxDays`, `maxStep`),',
    'a review cycle (`reviewMonths`) lengthened, a sign-off level whose restrictions wait for the',
    'sign-off (`whilePending: previous`), a staff scheme shown to customers (`audience: customer`) or its blocks',
    'noticed to them (`customerBlocks: notice`), its levels read by more staff (`readers` widened or dropped),',
    'a reordered `overrides.order` while a guard reads it — or, in a scheme with sign-off levels, a sign-off',
    'level made harder to reach (a band’s floor raised; a trigger or rule into it removed, or its threshold',
    'moved so fewer customers meet it: `reach:…`), reached less often while its own way in stays (something',
    'now decides first: a trigger to another level moved ahead, added, or made easier to meet, a level ranked',
    'above it: `precedence:…`; another level’s band put above its band: `reach:band:<level>/ceiling`; a score',
    'factor’s weight moved, the factor removed or its transform made stingier — weights add up to 100, so',
    'moving them has no order: `reach:factor:…`) or a restriction that blocks less (`blocks:…`). A',
    'threshold moved the easier way, a new trigger into the sign-off level or a new block is no weakening.',
    'Such a version needs the strongest role the version in force asks for anywhere (`overrides.approvedBy`,',
    "`overrides.loosenNeeds`, `loweringNeeds`; **admin** in the default pack's AML and credit schemes): the",
    'approvals queue says so (`approvalNeeds`), and anyone weaker is refused with 403 `forbidden`, field code',
    "`governance_weakened` on `document` (params `needs`, `weakens`: the guards' keys), nothing approved. A",
    'compliance officer found an officer and an approver could together delete every AML guard the policy',
    "reserved for an admin. The comparison is the whole scheme document's (`governanceWeakenings`,",
    'packages/core/src/diff). And the approval of a version of a scheme with sign-off levels (in force or in',
    'the version) names the completed simulation of it its checker saw (`simulationJobId`), else 422',
    '`unprocessable`, field code `simulation_required`; the trail keeps it (`shown.simulation`).',
    'Retiring a version takes two people too: an approver asks (`…/retire`, 202: nothing changes in force),',
    'another person approves (`…/retirement/approve`) or rejects it (`…/retirement/reject`; the asker gets 403',
    '`four-eyes` for either), and only the asker withdraws it (`…/retirement/withdraw`). The approval is held to',
    'the same gate: retiring the version in force (or one approved for a later day) puts back the one before it,',
    'and when that one governs more weakly the approval needs the role the retired version asks for (403',
    '`forbidden`, `governance_weakened`, nothing retired) — else one approver alone could undo what an admin approved.',
    'A pending version or retirement appears in `GET /v1/approvals` only for tenant-wide approvers and admins',
    '(who may decide it) and for its makers (a version’s authors and submitter, a retirement’s asker): never for',
    'a viewer or an analyst otherwise, who decide neither (an analyst follows the versions pending at',
    '`GET /v1/policies`); two checkers deciding one at once get one decision, the other 409 `conflict`, code `already_decided`.',
    '',
    '**Jobs.** A job’s sub-routes (`…/events`, `…/affected`, `…/cancel`, `…/resume`) are for whoever may read',
    'the job (`GET /v1/jobs/{id}`), and give anyone else the answer that read gives them, the same for a job',
    'that does not exist: 403 to a book-scoped credential, 404 to another tenant, and for a policy simulation',
    '404 to a viewer (a draft’s outcome with sample customers: whoever may simulate, analyst or higher, sees',
    'it). So the ✓ of a viewer on `…/affected` is that 404 for every simulation. A re-tier job’s `…/affected` is',
    'the customers whose level it changed (scheme, level before and after, month): the whole bank’s to a',
    'tenant-wide reader, and to a book-scoped one (an RM, a team lead) — let in for this file alone — those',
    'in their reach now, as analytics count them; a simulation’s stays their 403.',
    'The audit trail (`GET /v1/audit`, its export and its verification) is the checkers’: tenant-wide approvers',
    'and admins, by key or staff token alike — one person holds one set of rights whichever credential they',
    'use. Never a maker (viewer, analyst, officer), a relationship manager or a customer’s token. And',
    'internal audit’s (below), who reads it without the power to decide what it audits.',
    '',
    '**Internal audit.** The auditor columns are the `auditor` role’s: a bank’s third line of defence, independent',
    'of what it audits, so outside the order viewer < … < admin — no role check passes it, and it may call only',
    'the governance reads the route table marks for it: the trail (list, export, verify), the approvals queue',
    'whole (every kind, whoever may decide it) and override requests and their decisions, every scheme’s policy',
    'versions and diffs (the AML grade’s too, whatever its `readers` say: those audited may not narrow their',
    'scheme out of the auditor’s sight), jobs and imports summaries, the metric catalogue, schemes, staff,',
    'teams and pending staff grants, and its session. Every write and decision is a 403 `forbidden`, nothing',
    'changed. What it reads of customers is what it audits — decisions and what they were made on: in the',
    'approvals queue and override requests, the customer’s number and masked name (never unmasked: it has no',
    '`unmask-names`), the level held, asked for or proposed, the requester’s reason, evidence and notes, and a',
    'sign-off’s figures (each metric’s value and the line the level holds by); in the trail, what each write',
    'recorded (customer numbers, a decision’s note, a closing’s reason). It reads no customer’s standing apart',
    'from a decision: a customer’s tiers, history, entitlements and the lists of subjects, the matrix,',
    'analytics, a simulation’s outcome and a job’s affected customers are a 403 `forbidden`. An import it reads',
    'as it went — file, counts, and each refused row’s line, column and code — without the refused cell’s text',
    '(a customer number, a balance mistyped: “the cell is not an amount …”). It finds what one person did with',
    'any of their credentials by `GET /v1/audit?person=<staff id>`. An auditor is tenant-wide — a trail read',
    'for one book is no audit — so a book-scoped one is refused over HTTP (400 on `scope`), by the CLI',
    '(`tierkit staff add|role`: exit 2 for `--scope book`, exit 1 and recorded for a book-scoped member made',
    'an auditor without `--scope tenant`), and one made before is refused every route (403). A member is',
    'made an auditor by a staff grant another admin approves, as any change to or from the role; their key is issued',
    'by the operator’s CLI only (`tierkit keys create --tenant T --role auditor --staff AUD01 --label audit`),',
    'never over HTTP by an admin it audits, who would hold its secret (400 on `role`). An auditor key owned',
    'by someone who is no longer an auditor, or an auditor owning a key of another role, authenticates nothing.',
    '',
    '**Who reads a scheme’s levels.** A scheme may name the staff roles that read its levels (`readers`,',
    'docs/domain.md §4, "Who reads a grade"); the default pack’s AML grade is read by officers, approvers and',
    'admins of the whole bank — not by viewers, analysts or relationship managers. The credit rating names no',
    'readers, by decision: every staff role reads it, a relationship manager for their own book’s customers,',
    'whose credit applications they prepare on it; they may read it, not override it (docs/domain.md §4,',
    '"Whether a relationship manager reads the credit grade"). For anyone else such a',
    'scheme is absent from every read of several schemes (a subject’s tiers, history and entitlements,',
    '`GET /v1/schemes`, override requests, simulation jobs and the approvals queue — every kind in it, policy',
    'versions and their retirements too, uncounted and never cut at by a cursor; a scheme not yet or no longer',
    'in force goes there by its stored versions’ `readers`, and naming it is the 400 of a scheme nobody has: an override request or a',
    'simulation job of it is a 404 by id; a re-tier job’s parameters and summary — its migration cells, changes',
    'and sign-off count, by id, in the list and on its event stream — come without it, and a re-tier of such',
    'schemes alone, or of the customers at one of its levels, is a 404 by id and absent from the list), and a read that names it (`?scheme=`, `levelOf`, the matrix,',
    'analytics, `GET /v1/schemes/{key}`, a pending sign-off, a policy version’s simulations, a simulation’s',
    'affected customers) is a 403 `forbidden`, field code',
    '`scheme_not_readable` (params `scheme`), never an empty answer that tells by absence. A benefit it blocks',
    'reads to them as blocked with the staff notice (core `STAFF_UNAVAILABLE_NOTICE`: “suspended by a grade you may not read: refer it to compliance, and do not tell the customer why”), never why nor the customer’s “contact your branch”; a band read from it keeps its',
    'level for them but not the rule that names the grade. Every staff read that returns',
    'its levels for named customers writes one audit record (`detail.restrictedRead`: the schemes and the',
    'customers’ ids, a page at most). Embed tokens never read a staff scheme. Widening `readers` weakens',
    'governance (below). Its policy is its readers’ too — the AML grade’s thresholds are what a customer under',
    'watch must never learn: `GET /v1/policies` leaves the scheme out, and every route under',
    '`/v1/policies/{scheme}` — its versions, a version, its diff, simulations and their cancelling, and every',
    'write (draft, edit, submit, approve, reject, retire and its decisions) — is the 403 `scheme_not_readable`',
    'on `params.scheme` before anything is read or changed; a scheme not in force goes by the strictest of its',
    'stored versions’ `readers`. Nor may anyone write a version whose `readers` leave them out (403',
    '`scheme_not_readable` on `document.readers`, nothing stored): it would be written blind. No role reads a',
    'scheme implicitly, an admin’s neither, so `readers` must keep a role that decides its versions (the',
    'strongest its guards ask for, or above: 422 `unprocessable`, `readers_without_decider`, nothing stored) —',
    'else nobody could approve its next version, not one widening `readers` again. `GET /v1/metrics` names in',
    'a metric’s `usedBy` only the schemes whose policy the caller reads (which metrics the AML grade reads is',
    'its policy); the catalogue’s metrics themselves, there and in `GET /v1/policies`, are the tenant’s.',
    '',
    'An embedder key (`tierkit keys create --tenant T --role embedder --label portal`, or `POST /v1/keys` with `role: embedder`) is what a',
    'bank’s internet-facing portal backend holds: it may mint embed tokens (`POST /v1/embed-tokens`) and nothing',
    'else — every other route is a 403 `embedder-key`, never a read of a customer. It is outside the staff roles',
    '(no role check passes it) and has no owner. An officer key may still mint, but also reads every customer’s',
    'AML and credit grades, files overrides and runs imports: keep it off the portal backend.',
    '',
    'The key columns are a key called from a server. A key sent with an `Origin` or `Sec-Fetch-Site` header (from a browser page)',
    'is a 403 `key-in-browser` on every route, whatever its role, unless the app is told',
    '`apiKeysFromBrowsers: \'allow\'` (packages/api/README.md, "Authentication").',
    '',
    'The staff-token column is a tenant-wide viewer’s. A staff token acts with its staff member’s role, and',
    'calls exactly what a key of that role may — one person, one set of rights — except routes only a key may',
    'call (a viewer’s console read the analytics while their key got 403, until the two were made one); a book-scoped one (a',
    'relationship manager) only within their book, and none of the routes that reach beyond one book',
    '(packages/api/README.md, "Staff and books").',
    '',
    'The RM column is a book-scoped officer’s (a relationship manager’s staff token, or a key they own): within',
    'a route they reach only their own book’s customers (another is a 404), and they may not write metrics',
    '(`PUT /v1/subjects/{id}/metrics`, 403 `forbidden`, field code `metrics_not_by_book_staff`): a bank’s',
    'balances come from its core systems (imports, integration keys), and an RM moves a tier only by an',
    'override an approver decides (docs/domain.md §4). Nor do they record the periodic review of a level',
    'that needs a sign-off (`approvalRequired`: AML 高): that is the role that signs it off, an approver',
    '(403 `forbidden`, field code `review_needs_sign_off_role`, checked by the service).',
    '',
    'The team lead column is a book-scoped officer who leads a team of books (`/v1/teams`, defined by a',
    'tenant-wide admin; `tierkit teams …`): they read their own book and the team’s — customer lists, tiers,',
    'call lists, grace and 潜力 lists, reviews due, override requests, the matrix, and the counts per book',
    '(`GET /v1/books/levels`) — and may do in them what an RM may do in their own book, nothing more: a',
    'lead is refused whatever a book-scoped credential is refused. Analytics of the whole bank stay closed to',
    'both. A lead does not define their own team (that would widen their own reach). Naming a lead (a new',
    'team with one too) or adding books to a team that has one widens the lead’s reach, so it is four eyes as',
    'a staff grant is: 202, and another tenant-wide admin — neither its maker nor the lead — approves at',
    '`POST /v1/staff-grants/{id}/approve`. Taking a lead away, taking a book out and renaming apply at once',
    'and supersede a waiting grant they contradict; the operator’s `tierkit teams` is break-glass',
    '(`breakGlass: true`) and supersedes it too. The grant is over the team’s books, not a list of customers:',
    'a customer put in a team RM’s book (`PUT /v1/subjects/{id}/manager`, `POST /v1/subject-managers`, a',
    'managers import: tenant-wide officers and up) is the lead’s to read at once, as it is the RM’s, with no',
    'grant — assigning customers is the bank’s daily book-keeping, kept as moves (`…/manager/moves`) and',
    'audited — and moved out, it is neither’s. What widens whose books a lead reads is the grant.',
    '',
    'The team lead approver column is a lead of role approver, scope book (made so by a staff grant a second',
    'admin approves: it gives power). In a bank the first approver of an RM’s override request is their team',
    'lead; so within their reach (their book and their teams’) they approve and reject override requests — never',
    'their own (four eyes) — and read the approvals queue, which for them is exactly those requests they may',
    'decide (`mine` absent reads as `false`; `mine=true`: those they filed), no other kind. A customer moved',
    'out of their reach while a request waits is no longer theirs to decide (404, as any out-of-book read). A',
    'request’s `approvalBlocked` counts a book-scoped approver who reaches its customer, and not one who does not.',
    'A lead decides only the line’s own exceptions, and as an approver whatever their role: requests of a scheme',
    'whose overrides only tenant-wide staff may file (`overrides.requestedBy: tenant`, the AML and credit grades)',
    'are a control function’s, a 403 `forbidden` (code `tenant_wide_decision`) to a lead; a rule asking for an',
    'admin (`approvedBy` or `loosenNeeds`: the senior approval) is a tenant-wide admin’s even when the lead was',
    'made a book-scoped admin. Neither is in the lead’s queue nor counted in `approvalBlocked`, whose count',
    'leaves disabled staff out too. Nor is a request on a scheme retired since it was filed: no rule in force',
    'makes it the line’s, so a lead is refused it (403, code `scheme_not_in_force`; asking their queue for it,',
    '`?scheme=`, is the 400 `unknown_scheme` of a scheme they do not have) and it waits in the bank’s approvers’',
    'queue, marked `ruleProblems: scheme_not_in_force` (the console: 方案已停用), who may reject it (approving it',
    'is a 422 `scheme_not_in_force` for anyone).',
    'Policy versions, retirements, staff grants, sign-offs and lowerings of an `approvalRequired` level (AML),',
    'revoking an override, jobs and retention stay with tenant-wide approvers: each reaches beyond one team',
    '(a version or a job changes every customer’s level; a sign-off is compliance’s independent judgement, not',
    'the sales line’s). A relationship manager decides nothing: `GET /v1/approvals` is a 403 for them.',
    '',
    'Analytics: `GET /v1/analytics/distribution`, `…/migration` and `…/rates` answer a book-scoped credential',
    '(an RM, a lead) with the customers in its reach now, their history before they came included — the',
    'team’s book as it stands, as the matrix counts it. The effect evaluation (`…/effect`, `…/metrics`) stays',
    'tenant-wide: its comparison groups need the whole bank. A re-tier job’s changed customers',
    '(`GET /v1/jobs/{id}/affected`) answer a book-scoped credential with those in its reach; the job itself,',
    'its list and its summary (totals over the whole bank, staff schemes’ sign-offs counted) stay refused to',
    'it, and so does a simulation’s file. A lead reads a job’s id on a customer’s tier history (“重评任务 #…”)',
    'or from the bank’s notice of the month’s re-tier.',
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...v1(routes).map((r) => `| \`${r.method} ${r.template}\` | ${MATRIX_CREDENTIALS.map((c) => MARK[cellOf(r, c)]).join(' | ')} |`),
    '',
    '## Permissions within a route',
    '',
    `| Permission | What it allows | ${MATRIX_CREDENTIALS.map((c) => c.name).join(' | ')} |`,
    `|---|---|${MATRIX_CREDENTIALS.map(() => '---').join('|')}|`,
    ...Object.entries(PERMISSIONS).map(
      ([name, p]) =>
        `| \`${name}\` | ${p.description} | ${MATRIX_CREDENTIALS.map((c) => (may(c.principal, name as keyof typeof PERMISSIONS) ? '✓' : '—')).join(' | ')} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
