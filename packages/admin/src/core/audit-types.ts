/* Wire types of `GET /v1/audit` and `GET /v1/audit/verify` (packages/api/src/routes/audit.ts). */

/** One record of the tenant's hash-chained audit trail. */
export interface AuditRecord {
  /** Position in the tenant's chain: 1, 2, 3, … without gaps. */
  readonly seq: number;
  /** UTC time, ISO 8601. */
  readonly at: string;
  /** The `X-Request-Id` of the request. */
  readonly requestId: string;
  /** `intent`: a write about to run; `result`: how it ended; `request`: a refused request or an unmasked read. */
  readonly phase: 'intent' | 'result' | 'request';
  /** `key:<id>`, `staff:<id>`, `token:embed:<subject>`, …; `anonymous` for a refused credential. */
  readonly actor: string;
  readonly credential: string;
  readonly method: string;
  /** The route's path template, `/v1/subjects/{id}/metrics`, or the raw path when no route matched. */
  readonly route: string;
  /** The path parameters. */
  readonly target: Readonly<Record<string, string>>;
  /** Null on an intent. */
  readonly status: number | null;
  readonly problem: string | null;
  /** Personal data (display names) was shown in full. */
  readonly unmasked: boolean;
  readonly prevHash: string;
  readonly hash: string;
}

/** Filters of `GET /v1/audit`, each an exact match; `from`/`to` are UTC instants (`2025-11-01T00:00:00Z`). */
export interface AuditFilter {
  readonly actor?: string;
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly route?: string;
  /** A path parameter value: a subject's id, an override's id, … */
  readonly target?: string;
  readonly status?: number;
  /** At or after this UTC instant. */
  readonly from?: string;
  /** Before this UTC instant. */
  readonly to?: string;
}

export type AuditProblemKind = 'missing' | 'altered' | 'broken-link' | 'truncated' | 'head-mismatch';

/** The chain checked end to end: `ok`, or the first problems in chain order. */
export interface AuditVerification {
  readonly chain: string;
  readonly ok: boolean;
  readonly records: number;
  readonly head: { readonly seq: number; readonly hash: string } | null;
  readonly problems: readonly { readonly seq: number; readonly kind: AuditProblemKind; readonly message: string }[];
}
