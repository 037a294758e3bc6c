import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  ERASED_REQUEST_HASH,
  purgeExpiredIdempotencyKeys,
  releaseIdempotencyKey,
  renewIdempotencyLease,
  takeOverIdempotencyKey,
  type Executor,
  type IdempotencyKeyRow,
  type IdempotencyScope,
} from '@tierkit/db';
import type { AppEnv } from '../deps.js';
import { invalid, ProblemError } from '../problem.js';
import { contentHash } from '../services/four-eyes.js';
import { logError } from '../log.js';

/** How long a key's response is kept for replays: 24 hours. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * How long a running request's reservation of its key lasts unless renewed. A request renews it every
 * third of that (5 s) while it runs, so a reservation lapses only when its holder stopped: its process
 * was killed or lost the database. Then a retry sent to any instance takes the key over within about
 * this long, instead of being refused until a fixed expiry. Two renewals may be missed (a slow
 * database, a garbage-collection pause) before another request could run the same POST again.
 */
export const IDEMPOTENCY_LEASE_MS = 15_000;
/** A reservation written before leases existed is taken to have died with its process after this long. */
export const IDEMPOTENCY_ABANDONED_MS = 5 * 60 * 1000;
/** How the middleware waits, leases and renews; every field has a default. */
export interface IdempotencyOptions {
  /** How long a duplicate waits for the first request before a 409 (ms; {@link IDEMPOTENCY_WAIT_MS}). */
  readonly waitMs?: number;
  /** How long a reservation lasts unless renewed (ms; {@link IDEMPOTENCY_LEASE_MS}); renewed every third of it. */
  readonly leaseMs?: number;
  /** Where renewals are written: a connection of their own, so a saturated request pool does not delay them. Default: `db`. */
  readonly leaseDb?: Executor;
  /** Told when a running request lost its reservation to another (default: stderr). */
  readonly log?: (err: unknown) => void;
}

const defaultLog = (err: unknown) => logError('tierkit api:', err);

/** How long a duplicate waits for the first request with its key to finish before a 409, by default. */
export const IDEMPOTENCY_WAIT_MS = 10_000;
/** Seconds a duplicate refused while the first still runs is told to wait before sending it again. */
const IN_USE_RETRY_AFTER_SECONDS = '1';
const POLL_MS = 25;
const PURGE_EVERY_MS = 60_000;

/** A key as RFC drafts and the big payment APIs use them: 1–255 visible ASCII characters (a UUID fits). */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** The OpenAPI parameter that documents `Idempotency-Key` on the `POST`s that take it. */
export const IDEMPOTENCY_KEY_PARAMETER = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', pattern: KEY_PATTERN.source },
  description:
    'Makes a retry safe: the same key with the same request within 24 hours gets the first answer again (`Idempotent-Replayed: true`) and runs nothing. 1–255 visible ASCII characters (a UUID, say).',
} as const;

/** What the idempotency middleware adds to a `POST`'s answers, by status, for the OpenAPI document. */
export const IDEMPOTENCY_RESPONSES = {
  409: '`idempotency-key-in-use`: a request with this Idempotency-Key is still being processed; send the same request again after `Retry-After` seconds. `idempotency-key-erased`: the request already ran, and its kept answer named a customer since erased: it is not run again nor replayed',
  422: '`idempotency-key-reused`: this Idempotency-Key was used for a different request',
} as const;

/**
 * Whether a `POST`'s answer holds a secret that is shown once and never stored (`POST /v1/keys`): a
 * replay would need it kept in the idempotency table, in clear, for a day. Such a POST refuses an
 * `Idempotency-Key` rather than quietly running twice on a retry that expected a replay.
 */
export function answersWithSecret(method: string, path: string): boolean {
  return method === 'POST' && (path === '/v1/keys' || path === '/v1/keys/');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `Idempotency-Key` on every `POST` under `/v1` (see packages/api/README.md, "Idempotency"). The first
 * request with a key claims it (a row whose primary key makes the claim atomic on both dialects), runs,
 * and stores its status and body; the same key and the same request (method, path, canonical JSON body)
 * from the same credential's actor replays that response with `Idempotent-Replayed: true` and does
 * nothing again; the same key with another request is a 422 `idempotency-key-reused`. A duplicate
 * arriving while the first runs waits for it (then replays), up to `waitMs` (then a 409
 * `idempotency-key-in-use` with `Retry-After`: its own type, so a client can tell "send the same
 * request again shortly" from a `conflict` with the data, which no retry mends).
 * A 5xx is not kept: the key is released so a retry runs again.
 *
 * The reservation is a lease (`leaseMs`, {@link IDEMPOTENCY_LEASE_MS}) the running request renews every
 * third of it; a duplicate that finds the lease lapsed takes the key over with one conditional update
 * and runs. A key this instance holds is never taken over here, however late its renewal: only
 * another instance's dead request is. Leases are written and judged by the database's clock.
 */
export function idempotency(db: Executor, now: () => Date, options: IdempotencyOptions = {}): MiddlewareHandler<AppEnv> {
  const { waitMs = IDEMPOTENCY_WAIT_MS, leaseMs = IDEMPOTENCY_LEASE_MS, leaseDb = db, log = defaultLog } = options;
  let lastPurge = 0;
  /** Keys a request in this process holds, so a stalled renewal here never lets a duplicate here run. */
  const heldHere = new Set<string>();
  return async function idempotentPost(c, next) {
    const key = c.req.header('Idempotency-Key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (answersWithSecret(c.req.method, c.req.path)) {
      throw invalid([
        {
          path: 'headers.idempotency-key',
          message:
            'not taken here: the answer holds a secret that is never stored, so it could not be replayed; send the request without it (a retry after a lost answer may create a second key: list the keys and revoke it)',
          code: 'unrecognized_keys',
          params: { keys: ['Idempotency-Key'] },
        },
      ]);
    }
    if (!KEY_PATTERN.test(key)) {
      throw invalid([
        {
          path: 'headers.idempotency-key',
          message: 'must be 1–255 visible ASCII characters (a UUID, say)',
          code: 'invalid_format',
          params: { format: 'idempotency_key' },
        },
      ]);
    }
    const deps = c.var.deps;
    const scope: IdempotencyScope = { tenantId: deps.tenantId, actor: deps.principal.actor, key };
    const text = await c.req.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: the route reports it; the raw text still tells requests apart
    }
    const url = new URL(c.req.url);
    const requestHash = contentHash({ method: c.req.method, path: url.pathname + url.search, body });
    const started = now().getTime();
    if (started - lastPurge > PURGE_EVERY_MS) {
      lastPurge = started;
      await purgeExpiredIdempotencyKeys(db, new Date(started).toISOString());
    }

    const holder = randomUUID();
    const lease = { holder, leaseMs };
    const here = JSON.stringify([scope.tenantId, scope.actor, key]);
    let waitedMs = 0;
    for (;;) {
      const at = now();
      const claim = await claimIdempotencyKey(
        db,
        scope,
        requestHash,
        at.toISOString(),
        new Date(at.getTime() + IDEMPOTENCY_TTL_MS).toISOString(),
        lease,
      );
      if (claim === true) break;
      // An erased answer keeps no hash of its request (it held the customer's number): any request with its key is refused below.
      if (claim.request_hash !== requestHash && claim.request_hash !== ERASED_REQUEST_HASH) {
        throw new ProblemError(
          'idempotency-key-reused',
          'This Idempotency-Key was used for a different request (method, path or body) within the last 24 hours; use a new key for a new request.',
        );
      }
      if (claim.status !== null && claim.body === null) {
        // The request ran; a retention run since deleted its answer, which named an erased customer. Run
        // again, a job or an import of several customers would be applied twice: refused, and said why.
        throw new ProblemError(
          'idempotency-key-erased',
          'The request with this Idempotency-Key already ran, and is not run again. Its answer named a customer whose personal data has since been erased, so it is no longer kept to be sent again: look up the outcome (the audit trail, the job or import lists) rather than retrying it.',
        );
      }
      if (claim.status !== null) return replay(claim);
      // Whether the lease lapsed is the database's to say (its clock), in the same update that takes it.
      if (
        !heldHere.has(here) &&
        (await takeOverIdempotencyKey(db, scope, requestHash, new Date(at.getTime() - IDEMPOTENCY_ABANDONED_MS).toISOString(), lease))
      )
        break;
      if (waitedMs >= waitMs) {
        throw new ProblemError(
          'idempotency-key-in-use',
          'A request with this Idempotency-Key is still being processed; send the same request again with the same key shortly, and it will get that request’s answer.',
          undefined,
          { 'Retry-After': IN_USE_RETRY_AFTER_SECONDS },
        );
      }
      await sleep(POLL_MS);
      waitedMs += POLL_MS;
    }

    heldHere.add(here);
    // Renewals go through `leaseDb` (the server gives it a connection of its own), so they do not queue
    // behind requests waiting for the request pool. A failed renewal (the database briefly out of reach)
    // is tried again at the next beat; the lease leaves room for two misses. A renewal that finds the key
    // no longer this request's means another instance took it over: this POST may run twice, said loudly.
    // Once the request has finished (`done`), a renewal still in flight may land after the key was
    // completed or released and update nothing; that is not a takeover, so it is not reported as one.
    let lost = false;
    let done = false;
    const renew = async () => {
      if (lost || done) return;
      if (await renewIdempotencyLease(leaseDb, scope, lease)) return;
      if (done) return;
      lost = true;
      log(
        new Error(
          `Idempotency-Key "${key}" (tenant ${scope.tenantId}, ${scope.actor}): its lease lapsed while this POST ${url.pathname} was still running and another request took the key over; the POST may have run twice`,
        ),
      );
    };
    const heartbeat = setInterval(() => void renew().catch(() => undefined), leaseMs / 3);
    heartbeat.unref();
    try {
      try {
        await next();
      } catch (err) {
        done = true;
        await releaseIdempotencyKey(db, scope, holder);
        throw err;
      }
      done = true;
      const res = c.res;
      if (res.status >= 500) {
        await releaseIdempotencyKey(db, scope, holder);
        return;
      }
      await completeIdempotencyKey(
        db,
        scope,
        { status: res.status, contentType: res.headers.get('Content-Type'), body: await res.clone().text() },
        holder,
      );
    } finally {
      clearInterval(heartbeat);
      heldHere.delete(here);
    }

    function replay(row: IdempotencyKeyRow): Response {
      c.header('Idempotent-Replayed', 'true');
      if (row.content_type) c.header('Content-Type', row.content_type);
      return c.body(row.body ?? '', row.status as 200);
    }
  };
}
