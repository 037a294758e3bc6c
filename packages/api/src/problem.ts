import type { Problem, ProblemFieldError, ProblemParam } from '@tierkit/core';

/** Base of the stable `type` URIs of problem documents; each is also a section of `/docs`. */
export const PROBLEM_BASE = 'https://tierkit.dev/problems/';

/** Every kind of problem the API reports, with its status and title. Keys are the URI suffixes. */
export const PROBLEMS = {
  validation: { status: 400, title: 'The request is not valid' },
  'malformed-json': { status: 400, title: 'The request body is not valid JSON' },
  'bad-cursor': { status: 400, title: 'The cursor is not one this API issued' },
  unauthorized: { status: 401, title: 'Authentication required' },
  'invalid-token': { status: 401, title: 'The credential is not valid' },
  forbidden: { status: 403, title: 'The credential does not allow this' },
  'key-in-browser': { status: 403, title: 'An API key was sent from a browser page' },
  'embedder-key': { status: 403, title: 'An embedder key may only mint embed tokens' },
  'not-found': { status: 404, title: 'No such resource' },
  'subject-not-found': { status: 404, title: 'No such subject' },
  'subject-erased': { status: 404, title: 'The customer’s personal data was erased after its retention period' },
  'scheme-not-found': { status: 404, title: 'No such scheme' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  'four-eyes': { status: 403, title: 'The approver must be someone other than the requester' },
  'content-changed': { status: 409, title: 'The content changed after it was submitted for approval' },
  'last-admin-key': { status: 409, title: 'Revoking this key would leave nobody able to administer the tenant over HTTP' },
  'last-admin-staff': {
    status: 409,
    title: 'This change would leave the tenant without a tenant-wide admin, or without an admin key over HTTP',
  },
  'staff-grant-pending': { status: 409, title: 'A grant of power for this staff member already waits for a second admin' },
  'own-key': { status: 409, title: 'A request may not revoke the key it is authenticated with' },
  'idempotency-key-reused': { status: 422, title: 'The Idempotency-Key was already used for a different request' },
  'idempotency-key-in-use': { status: 409, title: 'A request with this Idempotency-Key is still being processed' },
  'idempotency-key-erased': {
    status: 409,
    title: 'The answer kept for this Idempotency-Key named a customer whose personal data was since erased',
  },
  unprocessable: { status: 422, title: 'The request is well-formed but cannot be carried out' },
  'origin-not-allowed': { status: 422, title: 'The server’s CORS allow-list does not include the origin' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'headers-too-large': { status: 431, title: 'The request headers are too large' },
  'malformed-request': { status: 400, title: 'The request is not valid HTTP' },
  'unsupported-media-type': { status: 415, title: 'The request body is of a media type this endpoint does not take' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal server error' },
  'database-busy': { status: 503, title: 'The database is busy with another writer' },
  'database-unavailable': { status: 503, title: 'The database cannot be reached' },
  'heavy-read-timeout': { status: 503, title: 'The read ran past the server’s time limit and was stopped' },
  'heavy-reads-busy': { status: 503, title: 'The server is already running as many long reads as it allows' },
  'heavy-read-failed': { status: 503, title: 'The process running the read ended before it answered' },
  'import-rejected': { status: 422, title: 'Rows of the file have errors; nothing was imported' },
  'period-without-data': { status: 422, title: 'The month has no data to evaluate; nothing was queued' },
} as const satisfies Record<string, { status: number; title: string }>;
export type ProblemKind = keyof typeof PROBLEMS;

/**
 * One offending field: a path into the request (`metrics[0].value`, `query.limit`), what is wrong,
 * and for a schema check its stable `code` and `params` (`ProblemFieldError`).
 */
export type FieldError = ProblemFieldError;

/**
 * A field error's stable `code` and the `params` its words need, as an error thrown below a route
 * (a file the import cannot read) carries them to the problem. The codes are listed in the README, "Errors".
 */
export interface FieldCode {
  readonly code: string;
  readonly params?: Readonly<Record<string, ProblemParam>>;
}

/**
 * Thrown by handlers and services; the app's single `onError` turns it into problem+json.
 * Throwing (not returning) keeps every error on one path, so none can escape unshaped.
 */
export class ProblemError extends Error {
  readonly kind: ProblemKind;
  readonly detail: string | undefined;
  readonly errors: readonly FieldError[] | undefined;
  /** Response headers the problem needs (`WWW-Authenticate` on 401s). */
  readonly headers: Readonly<Record<string, string>>;
  constructor(kind: ProblemKind, detail?: string, errors?: readonly FieldError[], headers: Readonly<Record<string, string>> = {}) {
    super(detail ?? PROBLEMS[kind].title);
    this.name = 'ProblemError';
    this.kind = kind;
    this.detail = detail;
    this.errors = errors;
    this.headers = headers;
  }

  get status(): number {
    return PROBLEMS[this.kind].status;
  }

  /** The RFC 9457 body. */
  toProblem(instance?: string): Problem {
    const { status, title } = PROBLEMS[this.kind];
    return {
      type: PROBLEM_BASE + this.kind,
      title,
      status,
      ...(this.detail !== undefined ? { detail: this.detail } : {}),
      ...(instance !== undefined ? { instance } : {}),
      ...(this.errors !== undefined ? { errors: this.errors } : {}),
    };
  }
}

/** Shorthand for a validation problem with field paths. */
export function invalid(errors: readonly FieldError[], detail?: string): ProblemError {
  return new ProblemError('validation', detail ?? errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
}

/**
 * Join a validation issue path the way `@tierkit/core` reports policy errors, so every field path
 * a client sees reads the same: `metrics[0].value`, `query.limit`, `params.id`.
 */
export function fieldPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const s of path) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out ? `.${String(s)}` : String(s);
  }
  return out;
}

/** What a 409 `subject_closed` says of the closing: a subject as read, or null when none is known. */
export interface ClosedAsRead {
  readonly closedAt: string | null;
  /** When the customer really left, for a closing learnt late (earlier than `closedAt`, which it counts from). */
  readonly leftAt: string | null;
}

/**
 * A customer who left the bank (销户) is asked for something only a customer has — a token for online
 * banking, an override of their level: 409 `conflict`, code `subject_closed`, at `path`. The message
 * names when they really left (`leftAt` of a closing learnt late, else `closedAt`); `params` carries both.
 */
export function subjectClosed(externalId: string, closed: ClosedAsRead | null, path: string, refused: string): ProblemError {
  // Unknown only when a closing committed between a caller's read and its write.
  const closedAt = closed?.closedAt ?? null;
  const leftAt = closedAt === null ? null : (closed?.leftAt ?? null);
  const since = closedAt ? ` since ${leftAt ?? closedAt}` : '';
  const params = closedAt ? { params: { closedAt, ...(leftAt ? { leftAt } : {}) } } : {};
  return new ProblemError('conflict', `Subject "${externalId}" is closed (the customer left the bank${since}); ${refused}.`, [
    { path, message: 'is closed', code: 'subject_closed', ...params },
  ]);
}
