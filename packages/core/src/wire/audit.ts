/* What `GET /v1/audit` and `GET /v1/audit/verify` send. */

/** The methods of requests the API answers, as `GET /v1/audit?method=` filters them. */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * The methods of records written outside HTTP, beside the HTTP methods: a `tierkit` command (`CLI`),
 * the server's start-up (`START`), the server acting by itself on its schedule (`SCHEDULE`).
 */
export const OPERATOR_METHODS = ['CLI', 'START', 'SCHEDULE'] as const;

/** Every method a record can have and `GET /v1/audit?method=` accepts. */
export const AUDIT_METHODS = [...HTTP_METHODS, ...OPERATOR_METHODS] as const;
export type AuditMethod = (typeof AUDIT_METHODS)[number];

/**
 * The phases of a record, as `GET /v1/audit?phase=` filters them: `intent` a write about to run,
 * `result` how it ended, `request` a refusal or a recorded read, `change` what a write changed.
 */
export const AUDIT_PHASES = ['intent', 'result', 'request', 'change'] as const;
export type AuditPhase = (typeof AUDIT_PHASES)[number];

/**
 * What a list entry erased with its customer reads as in a record's `detail` (`listed` null at its place):
 * `sha256:` and 64 hex digits, longer than any customer number (64 characters at most), so an entry
 * written before lists were split is never taken for one. The one test the API, exports and console share.
 */
export const isListedDigest = (v: unknown): v is string => typeof v === 'string' && /^sha256:[0-9a-f]{64}$/.test(v);

/** One record of the tenant's hash-chained audit trail. */
export interface AuditRecord {
  /** Position in the tenant's chain: 1, 2, 3, … without gaps. */
  readonly seq: number;
  /** UTC time, ISO 8601. */
  readonly at: string;
  /** The `X-Request-Id` of the request. */
  readonly requestId: string;
  /**
   * `intent`: a write about to run; `result`: how it ended; `request`: a refused request or an unmasked
   * read; `change`: what a write changed, committed with it (a move between books).
   */
  readonly phase: AuditPhase;
  /** `key:<id>`, `staff:<id>`, `token:embed:<subject>`, …; `anonymous` for a refused credential. */
  readonly actor: string;
  readonly credential: string;
  readonly method: string;
  /** The route's path template, `/v1/subjects/{id}/metrics`, or the raw path when no route matched. */
  readonly route: string;
  /** The path parameters; on a `change` record what changed (a move: `subject`, `from`, `to`, `''` for no book). */
  readonly target: Readonly<Record<string, string>>;
  /** Null on an intent. */
  readonly status: number | null;
  readonly problem: string | null;
  /** Personal data (display names) was shown in full. */
  readonly unmasked: boolean;
  /** What a write changed, as its route told it (a `result` record): the subject of a minted token, the id a POST created, values before and after; null when nothing more. */
  readonly detail: Readonly<Record<string, unknown>> | null;
  readonly prevHash: string;
  readonly hash: string;
  /**
   * On a record that names a customer (written since the trail split personal fields off): the digest its
   * hash covers in place of the customer number and typed texts, and the salt it was made with while they
   * are kept (`target` and `detail` then show them as written). No `salt`: erased by a retention run —
   * `target` and `detail` hold only what names nobody.
   */
  readonly personal?: { readonly digest: string; readonly salt?: string };
  /**
   * On a record whose `detail` lists customer numbers (a list read's `subjects`, a restricted read's, a
   * book move's `subject`), written since lists were split: for each listed number in order, the salt of
   * its digest while it is kept (`detail` shows the number), null once erased with the customer (`detail`
   * shows its digest, `sha256:…`, which names nobody).
   */
  readonly listed?: (string | null)[];
  /**
   * On `GET /v1/audit` (not an export's lines, which are the stored records): the staff member behind
   * `actor` — a staff token's, or a key's owner — and their name on the staff list now, and a key actor's
   * label, so a console shows 王敏（密钥：月度导入）. Null when the actor has none. Not hashed.
   */
  readonly actorStaff?: string | null;
  readonly actorStaffName?: string | null;
  readonly actorKeyLabel?: string | null;
}

/**
 * `missing`: records absent before this one (deleted); `altered`: the record does not match its
 * hash (edited, or moved from another position); `broken-link`: it does not follow the record
 * before it; `truncated`: the chain ends before the head says it does; `head-mismatch`: the last
 * record is not the one the head anchors; `personal-deleted`: the record's personal fields (its side row)
 * are gone and no erasure record of the chain names it (deleted by hand, not by a retention run).
 */
export type AuditProblemKind = 'missing' | 'altered' | 'broken-link' | 'truncated' | 'head-mismatch' | 'personal-deleted';

/** What is wrong at one place of a chain. */
export interface AuditProblem {
  /** The position (seq) where it shows. */
  readonly seq: number;
  readonly kind: AuditProblemKind;
  readonly message: string;
}

/** The outcome of checking a chain from its first record to its head: `ok`, or the first problems in chain order. */
export interface AuditVerification {
  readonly chain: string;
  readonly ok: boolean;
  /** Records found. */
  readonly records: number;
  /** What the head row anchors: the last seq and its hash (null when nothing was ever written). */
  readonly head: { readonly seq: number; readonly hash: string } | null;
  readonly problems: readonly AuditProblem[];
}

/**
 * `anchor-mismatch`: the record at an anchored seq no longer carries the hash its anchor wrote down
 * (the chain was rewritten after it was anchored, head and all); `anchor-truncated`: the chain ends before
 * the newest anchor's seq (cut, even with its head moved back).
 */
export type AuditAnchorProblemKind = 'anchor-mismatch' | 'anchor-truncated';

/** What an anchor says is wrong, at one position of the chain. */
export interface AuditAnchorProblem {
  readonly seq: number;
  readonly kind: AuditAnchorProblemKind;
  readonly message: string;
}

/**
 * How the chain was checked against the heads the server writes down outside the database
 * (`TIERKIT_AUDIT_ANCHOR_FILE`). `checked`: the file was read and the tenant's anchors checked (none yet is
 * possible: a tenant newer than the last anchoring pass); `not-configured`: this server keeps no anchors,
 * so the chain was checked alone and a chain rewritten whole with its head would pass; `unreadable`: the
 * file could not be read, so the strong check could not be made (the verification is not ok).
 */
export interface AuditAnchorsResult {
  readonly status: 'checked' | 'not-configured' | 'unreadable';
  /** The tenant's anchors checked (0 unless `checked`). */
  readonly anchors: number;
  /** The tenant's newest anchor: the chain is vouched for through `seq`, as written down at `at` (UTC). */
  readonly newest: { readonly seq: number; readonly at: string } | null;
  /**
   * Lines of the file that are not anchors and could be this tenant's (any line not naming another tenant):
   * one could have been its newest anchor, so any fails the verification.
   */
  readonly malformedLines: number;
  readonly problems: readonly AuditAnchorProblem[];
  /** What was checked or went wrong, in a sentence; never the file's path. */
  readonly message: string;
}

/**
 * What `GET /v1/audit/verify` sends: the chain checked alone (`chainOk`, `problems`) and against the
 * server's anchors (`anchors`); `ok` only when both hold.
 */
export interface AuditVerifyResult extends AuditVerification {
  /** The chain alone verifies (what `ok` was before anchors were checked). */
  readonly chainOk: boolean;
  readonly anchors: AuditAnchorsResult;
}
