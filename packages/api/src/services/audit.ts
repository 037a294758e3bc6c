import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import {
  AUDIT_GENESIS,
  appendAuditRecord,
  auditHash,
  auditListedAt,
  auditPersonalAt,
  auditRecordsAfter,
  auditRecordsAt,
  findAuditHead,
  lastAuditSeq,
  listedEntryKey,
  readErasureRecord,
  UNAUTHENTICATED_AUDIT_CHAIN,
  type AuditFields,
  type AuditRecordRow,
  type Executor,
} from '@tierkit/db';
import type {
  AuditAnchorProblem as AuditAnchorProblemWire,
  AuditAnchorsResult,
  AuditProblem,
  AuditVerification,
  AuditVerifyResult,
} from '@tierkit/core';
import type { ApiKeyInfo } from '../auth/api-keys.js';
import { isListedDigest, listedDigest, mapListed, mayList, personalDigest, splitListed, splitPersonal } from './audit-personal.js';

/** The chain of requests whose credential named no tenant that could be trusted (missing, unknown, forged). */
export const UNAUTHENTICATED_CHAIN = UNAUTHENTICATED_AUDIT_CHAIN;

/** The hash of a record (one home: @tierkit/db, whose migration seals the switch-point record too). */
export { auditHash };

/** Append a record to `chain` (a tenant id, or `UNAUTHENTICATED_CHAIN`), sealed with its hash. */
export function appendAudit(db: Executor, chain: string, fields: AuditFields): Promise<AuditRecordRow> {
  // Every writer's record is split here, the one place: the numbers its lists name to `audit_listed`, then
  // the customer number and typed texts to the side row (whose detail keeps the lists' digests).
  const lists = splitListed(fields);
  const split = splitPersonal(lists.fields);
  const sealed = split.fields;
  return appendAuditRecord(
    db,
    chain,
    sealed,
    (seq, prevHash) => auditHash({ chain, seq, prev_hash: prevHash, ...sealed }),
    split.personal,
    lists.listed,
  );
}

// What a verification sends: one home, shared with the admin kit.
export type { AuditAnchorsResult, AuditProblem, AuditVerification, AuditVerifyResult };

/** Problems reported at most: past the first few, more say nothing new. */
export const MAX_PROBLEMS = 100;
const PAGE = 1000;

/**
 * Walk a chain in seq order: each record must carry the next seq, match its own hash and name the
 * previous record's hash; the head row must anchor the last record (so a cut tail shows).
 */
export async function verifyAuditChain(db: Executor, chain: string): Promise<AuditVerification> {
  const problems: AuditProblem[] = [];
  const report = (p: AuditProblem) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  let expected = 1;
  let prevHash = AUDIT_GENESIS;
  let records = 0;
  let last: AuditRecordRow | undefined;
  // Records whose side row is gone, and the seqs the chain's erasure records say they deleted: told apart at the end.
  const sealedOnly: number[] = [];
  const vouched = new Set<number>();
  // The same for list entries: each gone (its record's seq and place), and those an erasure named.
  const entriesGone: { seq: number; pos: number }[] = [];
  const vouchedEntries = new Set<string>();
  for (;;) {
    const rows = await auditRecordsAfter(db, chain, last?.seq ?? 0, PAGE);
    // A digest is checked against its side row while the row is kept; once erased, the chain alone vouches.
    const sides = await auditPersonalAt(
      db,
      chain,
      rows.filter((r) => r.personal_digest !== null).map((r) => r.seq),
    );
    const lists = await auditListedAt(
      db,
      chain,
      rows.filter(mayList).map((r) => r.seq),
    );
    for (const row of rows) {
      records++;
      const gap = row.seq !== expected;
      if (gap) {
        const range = row.seq - 1 === expected ? `record ${expected} is` : `records ${expected}…${row.seq - 1} are`;
        report({ seq: expected, kind: 'missing', message: `${range} missing (deleted)` });
      }
      const side = sides.get(row.seq);
      if (row.personal_digest !== null && !side) sealedOnly.push(row.seq);
      const sealed = auditHash(row) === row.hash;
      // Only a record that is as it was written vouches: one edited to name more is reported, not believed.
      if (sealed) readErasureRecord(row, vouched, vouchedEntries);
      const listedWrong = sealed ? checkListed(row, lists.get(row.seq) ?? [], entriesGone) : undefined;
      if (!sealed) {
        report({
          seq: row.seq,
          kind: 'altered',
          message: `record ${row.seq} does not match its hash: edited, or moved from another position`,
        });
      } else if (side && personalDigest(side) !== row.personal_digest) {
        report({
          seq: row.seq,
          kind: 'altered',
          message: `record ${row.seq}'s personal fields do not match its digest: the customer number or a typed text was edited`,
        });
      } else if (listedWrong !== undefined) {
        report({ seq: row.seq, kind: 'altered', message: `record ${row.seq}'s listed customer numbers ${listedWrong}` });
      } else if (!gap && row.prev_hash !== prevHash) {
        report({
          seq: row.seq,
          kind: 'broken-link',
          message: `record ${row.seq} does not follow record ${row.seq - 1}: records were removed, replaced or reordered`,
        });
      }
      prevHash = row.hash;
      expected = row.seq + 1;
      last = row;
    }
    if (rows.length < PAGE) break;
  }
  for (const seq of sealedOnly)
    if (!vouched.has(seq))
      report({
        seq,
        kind: 'personal-deleted',
        message: `record ${seq}'s personal fields are gone, and no erasure record of the chain names it: its side row was deleted by hand`,
      });
  for (const { seq, pos } of entriesGone)
    if (!vouchedEntries.has(listedEntryKey(seq, pos)))
      report({
        seq,
        kind: 'personal-deleted',
        message: `record ${seq}'s listed customer number at place ${pos} is gone, and no erasure record of the chain names it: its entry was deleted by hand`,
      });
  const head = (await findAuditHead(db, chain)) ?? null;
  const lastSeq = last?.seq ?? 0;
  if (head && head.seq > lastSeq) {
    report({
      seq: lastSeq + 1,
      kind: 'truncated',
      message: `the chain ends at record ${lastSeq} but its head anchors record ${head.seq}: records ${lastSeq + 1}…${head.seq} were cut`,
    });
  } else if ((head?.seq ?? 0) < lastSeq || (head && last && head.hash !== last.hash)) {
    report({
      seq: lastSeq,
      kind: 'head-mismatch',
      message: `the head anchors record ${head?.seq ?? 0} (${head?.hash ?? 'none'}), not the last record ${lastSeq}`,
    });
  }
  return { chain, ok: problems.length === 0, records, head: head ? { seq: head.seq, hash: head.hash } : null, problems };
}

/**
 * A sealed record's listed entries against its kept rows (`audit_listed`): each kept number must be the one
 * its place's digest was made of; a place whose row is gone is added to `gone` (an erasure, or a hand).
 * Returns what is wrong, in words, or undefined.
 */
function checkListed(
  row: AuditRecordRow,
  kept: readonly { readonly pos: number; readonly subject: string; readonly salt: string }[],
  gone: { seq: number; pos: number }[],
): string | undefined {
  if (!mayList(row) && !kept.length) return undefined;
  let detail: Record<string, unknown>;
  try {
    detail = JSON.parse(row.detail ?? 'null') as Record<string, unknown>;
  } catch {
    return kept.length ? 'are kept for a record whose detail is not JSON' : undefined;
  }
  if (typeof detail !== 'object' || detail === null) return kept.length ? 'are kept for a record that lists none' : undefined;
  const byPos = new Map(kept.map((e) => [e.pos, e]));
  let wrong: string | undefined;
  mapListed(detail, (v, pos) => {
    const e = byPos.get(pos);
    byPos.delete(pos);
    if (!isListedDigest(v)) {
      if (e) wrong ??= `keep a number at place ${pos}, which the record lists as written before lists were split`;
    } else if (!e) gone.push({ seq: row.seq, pos });
    else if (listedDigest(e.salt, e.subject) !== v) wrong ??= `do not match their digests (place ${pos}): a number was edited`;
    return v;
  });
  if (byPos.size) wrong ??= `keep ${byPos.size === 1 ? 'a number' : `${byPos.size} numbers`} at places the record does not list: added`;
  return wrong;
}

/**
 * A chain's head as it was written down outside the database at `at` (ISO UTC): the chain (a tenant
 * id, or `UNAUTHENTICATED_CHAIN`), the seq of its last record then, and that record's hash. `line` is
 * where it was read from (1-based), so a failing anchor can be found.
 */
export interface AuditAnchor {
  readonly chain: string;
  readonly seq: number;
  readonly hash: string;
  readonly at: string;
  readonly line?: number;
}

/** What an anchor says is wrong (the wire's, shared with the admin kit), and the line of the file it was read from. */
export interface AuditAnchorProblem extends AuditAnchorProblemWire {
  readonly line?: number;
}

/** The outcome of checking a chain against its anchors. */
export interface AuditAnchorCheck {
  readonly chain: string;
  readonly ok: boolean;
  /** Anchors of the chain that were checked. */
  readonly anchors: number;
  /** The anchor of the highest seq (the one a truncation is measured by); null without anchors. */
  readonly newest: { readonly seq: number; readonly at: string } | null;
  readonly problems: readonly AuditAnchorProblem[];
}

/** Anchors grouped by chain in one pass: a year of anchors is not scanned again for each chain. */
export function anchorsByChain(anchors: readonly AuditAnchor[]): Map<string, AuditAnchor[]> {
  const byChain = new Map<string, AuditAnchor[]>();
  for (const a of anchors) {
    const list = byChain.get(a.chain);
    if (list) list.push(a);
    else byChain.set(a.chain, [a]);
  }
  return byChain;
}

/**
 * Check `chain` against anchors of its head kept outside the database: each anchored record must still be
 * there with the hash it had (a chain rewritten and re-hashed consistently, head included, passes
 * `verifyAuditChain` but not this), and the chain must reach the newest anchor (truncation). `anchors` are
 * the chain's own, as `anchorsByChain` groups them once for every chain (an anchor of another chain is a
 * caller's mistake, and throws).
 */
export async function verifyAuditAnchors(db: Executor, chain: string, anchors: readonly AuditAnchor[]): Promise<AuditAnchorCheck> {
  const stray = anchors.find((a) => a.chain !== chain);
  if (stray) throw new Error(`verifyAuditAnchors: an anchor of chain "${stray.chain}" passed for "${chain}"`);
  const found = new Map<number, string>();
  const seqs = [...new Set(anchors.map((a) => a.seq))];
  // Bounded IN lists: a year of anchors is tens of thousands of positions.
  for (let i = 0; i < seqs.length; i += PAGE) {
    for (const r of await auditRecordsAt(db, chain, seqs.slice(i, i + PAGE))) found.set(r.seq, r.hash);
  }
  const lastSeq = await lastAuditSeq(db, chain);
  const problems: AuditAnchorProblem[] = [];
  const report = (p: AuditAnchorProblem) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const where = (a: AuditAnchor) => `the anchor of ${a.at}${a.line !== undefined ? ` (line ${a.line})` : ''}`;
  const newest = anchors.reduce<AuditAnchor | undefined>((n, a) => (n && n.seq >= a.seq ? n : a), undefined);
  if (newest && newest.seq > lastSeq) {
    report({
      kind: 'anchor-truncated',
      seq: newest.seq,
      ...(newest.line !== undefined ? { line: newest.line } : {}),
      message: `the chain ends at record ${lastSeq} but ${where(newest)} names record ${newest.seq}: records ${lastSeq + 1}…${newest.seq} were cut`,
    });
  }
  for (const a of anchors) {
    const hash = found.get(a.seq);
    // A missing record below the end is the plain verification's `missing`; past the end, the truncation above.
    if (hash === undefined || hash === a.hash) continue;
    report({
      kind: 'anchor-mismatch',
      seq: a.seq,
      ...(a.line !== undefined ? { line: a.line } : {}),
      message: `record ${a.seq} has hash ${hash} but ${where(a)} says ${a.hash}: the chain was rewritten after it was anchored`,
    });
  }
  return {
    chain,
    ok: problems.length === 0,
    anchors: anchors.length,
    newest: newest ? { seq: newest.seq, at: newest.at } : null,
    problems,
  };
}

/**
 * One chain's anchors as the server keeps them, and how many lines of its file are not anchors and count
 * against that chain (those naming it, and those naming no chain: @tierkit/ops' `countsAgainst`, the rule
 * `tierkit audit verify --anchors` applies too). Only that chain's: what a tenant is told never counts another's.
 */
export interface ChainAnchorsRead {
  readonly anchors: readonly AuditAnchor[];
  readonly malformed: number;
}

/**
 * Reads one chain's anchors from where the server writes them (`createApp`'s `auditAnchors`; apps/server
 * gives an @tierkit/ops `AnchorsIndex` of `TIERKIT_AUDIT_ANCHOR_FILE`). Throws when it cannot read them.
 */
export type AuditAnchorsReader = (chain: string) => Promise<ChainAnchorsRead>;

/**
 * Why an anchors file could not be read, in words a tenant's admin may see: by its error code, never its
 * message, which names the path (the server's layout is its operator's, and the log has it).
 */
function unreadableReason(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
  if (code === 'ENOENT') return 'the server’s anchors file is gone (moved or deleted since the server started)';
  if (code === 'EACCES' || code === 'EPERM') return 'the server may not read its anchors file';
  if (code === 'EISDIR') return 'the server’s anchors file is a folder, not a file';
  return `the server could not read its anchors file${code ? ` (${code})` : ''}`;
}

/**
 * The tenant's chain, verified alone and against the server's anchors when it keeps them: what
 * `GET /v1/audit/verify` sends. The anchors are the tenant's only, and nothing of the file reaches the
 * answer but what concerns them: no path, no line numbers (they would tell where the tenant's lines sit
 * among other tenants'), no other tenant's count. A file that cannot be read is logged (`log`, with its
 * path) and answered as such, the verification not ok: the strong check was asked for and not made.
 */
export async function verifyTenantAudit(
  db: Executor,
  chain: string,
  reader: AuditAnchorsReader | undefined,
  log: (err: unknown) => void,
): Promise<AuditVerifyResult> {
  const plain = await verifyAuditChain(db, chain);
  const withAnchors = (anchors: AuditAnchorsResult, anchorsOk: boolean): AuditVerifyResult => ({
    ...plain,
    ok: plain.ok && anchorsOk,
    chainOk: plain.ok,
    anchors,
  });
  const none = { anchors: 0, newest: null, malformedLines: 0, problems: [] };
  if (!reader)
    return withAnchors(
      {
        status: 'not-configured',
        ...none,
        message:
          'This server keeps no anchors (TIERKIT_AUDIT_ANCHOR_FILE is not set): the chain was checked alone, and a chain rewritten whole with its head would pass.',
      },
      true,
    );
  let read: ChainAnchorsRead;
  try {
    read = await reader(chain);
  } catch (err) {
    log(err);
    return withAnchors(
      { status: 'unreadable', ...none, message: `The anchors were not checked: ${unreadableReason(err)}. Ask the server’s operator.` },
      false,
    );
  }
  // Without `line`: a problem's message would otherwise name the line.
  const check = await verifyAuditAnchors(
    db,
    chain,
    read.anchors.map(({ line: _line, ...a }) => a),
  );
  const problems = check.problems.map(({ seq, kind, message }) => ({ seq, kind, message }));
  const malformed =
    read.malformed === 0
      ? ''
      : ` The anchors file has ${read.malformed === 1 ? 'a line' : `${read.malformed} lines`} that ${read.malformed === 1 ? 'is' : 'are'} not an anchor and could have been this chain’s (naming it, or no chain): the server’s operator finds ${read.malformed === 1 ? 'it' : 'them'} with tierkit audit verify --anchors.`;
  const message = problems.length
    ? `The chain does not match its anchors: ${problems.length === 1 ? '1 problem' : `${problems.length} problems`}.${malformed}`
    : check.newest
      ? `The chain matches its ${check.anchors === 1 ? 'anchor' : `${check.anchors} anchors`}: vouched for through record ${check.newest.seq}, anchored at ${check.newest.at}.${malformed}`
      : `The anchors file has no anchor of this chain yet (a tenant newer than the last anchoring pass): the chain was checked alone.${malformed}`;
  return withAnchors(
    { status: 'checked', anchors: check.anchors, newest: check.newest, malformedLines: read.malformed, problems, message },
    check.ok && read.malformed === 0,
  );
}

/**
 * A governed action taken outside HTTP — a `tierkit` command, the server's start-up — as its audit
 * records name it: who (`cli:<OS user>@<host>`), by which way in (`credential` `cli`, `config` for the
 * server's environment), and a method and route that read as the command (`CLI`, `tierkit keys create`).
 * Every record of one command shares its `requestId`.
 */
export interface OperatorAction {
  readonly requestId: string;
  readonly actor: string;
  readonly credential: string;
  readonly method: string;
  readonly route: string;
}

/**
 * Who runs a command on this machine: the operating system's account and host, which its access control
 * vouches for. Never an `--actor` of the command line: a name anyone may type could pass for a staff
 * member's credential (`key:…`, `token:staff`), and the prefix marks it as a machine account, not a key.
 */
export function operatorName(prefix: 'cli' | 'server' = 'cli'): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // A container's uid may have no account entry: its number is still who it is.
    user = `uid-${process.getuid?.() ?? 'unknown'}`;
  }
  return `${prefix}:${user}@${hostname()}`;
}

/** A `tierkit` command's action (`route` is the command, e.g. `tierkit keys create`), run by this machine's user. */
export function cliAction(route: string): OperatorAction {
  return { requestId: randomUUID(), actor: operatorName('cli'), credential: 'cli', method: 'CLI', route };
}

/**
 * The server's start-up acting on its environment (`route` the setting, e.g. `TIERKIT_ADMIN_KEY`): run
 * by this machine's user (`server:<OS user>@<host>`), credential `config`, method `START`.
 */
export function startupAction(route: string): OperatorAction {
  return { requestId: randomUUID(), actor: operatorName('server'), credential: 'config', method: 'START', route };
}

/**
 * What the server does by itself, unasked — the monthly schedule queuing a month's re-tier: `actor`
 * `system:<what>` (`system:schedule`), credential `system` (no credential was presented: the server's
 * own timer), method `SCHEDULE`, `route` what it did (`monthly re-tier`).
 */
export function systemAction(what: string, route: string): OperatorAction {
  return { requestId: randomUUID(), actor: `system:${what}`, credential: 'system', method: 'SCHEDULE', route };
}

/** How an operator action ended, as the API's record of its equivalent request would say it. */
export interface OperatorOutcome {
  /** The status the API gives the same outcome: 201 created, 200 done, 404 no such thing, 409 not in a state for it. */
  readonly status: number;
  /** The problem kind of a refusal (`not-found`, `conflict`, …), as the API's problem responses name it. */
  readonly problem?: string | null;
  /** What the action was done to: ids, as a route's path parameters are (`{ key: 'key_…' }`). */
  readonly target?: Readonly<Record<string, string>>;
  /** What it changed, as a route's `auditDetail` tells it. Never a secret (secret-shaped text is cut: `withoutSecrets`). */
  readonly detail?: Readonly<Record<string, unknown>> | null;
  /**
   * `intent` before a change too long for one transaction (an import); else `result`, or `request` for
   * a refusal. `change`: something an action in progress did, between its `intent` and its `result`
   * (an interrupted import an import marked on its way), with no status of its own, as a move's records.
   */
  readonly phase?: 'intent' | 'result' | 'request' | 'change';
  readonly at?: Date;
}

/*
 * Secret-shaped text: an API key secret (`tk_` and more than the 7 characters `keys list` shows of it)
 * and a signed token (`tkt_…`). An operator's argument can be one (a key's secret pasted where its id
 * belongs), and the audit chain keeps what it is given for good.
 */
const KEY_SECRET_TEXT = /(?<![A-Za-z0-9_])tk_[A-Za-z0-9_-]{8,}/g;
const TOKEN_TEXT = /(?<![A-Za-z0-9_])tkt_[A-Za-z0-9_.-]+/g;

/** `json` with every secret cut to what `keys list` shows of a key (`tk_abcdefg…`) and every token to `tkt_…`. */
function withoutSecrets(json: string): string {
  return json.replace(KEY_SECRET_TEXT, (m) => `${m.slice(0, 10)}…`).replace(TOKEN_TEXT, 'tkt_…');
}

/**
 * Append the record of an operator action to `chain` (its tenant; `UNAUTHENTICATED_CHAIN` when the
 * tenant it named does not exist). Pass the change's transaction, so the change commits with its record
 * or not at all; a refusal is recorded after its rollback, on its own.
 */
export function appendOperatorAudit(
  db: Executor,
  chain: string,
  action: OperatorAction,
  outcome: OperatorOutcome,
): Promise<AuditRecordRow> {
  // An intent has no outcome yet, and a change's is its action's `result`.
  const pending = outcome.phase === 'intent' || outcome.phase === 'change';
  return appendAudit(db, chain, {
    at: (outcome.at ?? new Date()).toISOString(),
    request_id: action.requestId,
    phase: outcome.phase ?? (outcome.status < 400 ? 'result' : 'request'),
    actor: action.actor,
    credential: action.credential,
    method: action.method,
    route: action.route,
    target: withoutSecrets(JSON.stringify(outcome.target ?? {})),
    status: pending ? null : outcome.status,
    problem: outcome.problem ?? null,
    unmasked: 0,
    detail: outcome.detail ? withoutSecrets(JSON.stringify(outcome.detail)) : null,
  });
}

/** What an API key's audit record says of it, as `tierkit keys list` shows it: never its secret, nor the secret's prefix. */
export function keyAuditDetail(k: ApiKeyInfo): Record<string, unknown> {
  return { key: k.id, role: k.role, owner: k.staffId, label: k.label };
}
