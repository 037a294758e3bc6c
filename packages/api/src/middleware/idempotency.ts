import type { MiddlewareHandler } from 'hono';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  purgeExpiredIdempotencyKeys,
  releaseIdempotencyKey,
  type Executor,
  type IdempotencyKeyRow,
  type IdempotencyScope,
} from '@tierkit/db';
import type { AppEnv } from '../deps.js';
import { invalid, ProblemError } from '../problem.js';
import { contentHash } from '../services/four-eyes.js';

/** How long a key's response is kept for replays: 24 hours. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A claim with no response after this long is taken to have died with its process, and may run again. */
export const IDEMPOTENCY_ABANDONED_MS = 5 * 60 * 1000;
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
  409: '`idempotency-key-in-use`: a request with this Idempotency-Key is still being processed; send the same request again after `Retry-After` seconds',
  422: '`idempotency-key-reused`: this Idempotency-Key was used for a different request',
} as const;

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
 */
export function idempotency(db: Executor, now: () => Date, waitMs = IDEMPOTENCY_WAIT_MS): MiddlewareHandler<AppEnv> {
  let lastPurge = 0;
  return async function idempotentPost(c, next) {
    const key = c.req.header('Idempotency-Key');
    if (c.req.method !== 'POST' || key === undefined) return next();
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

    let waitedMs = 0;
    for (;;) {
      const at = now();
      const claim = await claimIdempotencyKey(
        db,
        scope,
        requestHash,
        at.toISOString(),
        new Date(at.getTime() + IDEMPOTENCY_TTL_MS).toISOString(),
      );
      if (claim === true) break;
      if (claim.request_hash !== requestHash) {
        throw new ProblemError(
          'idempotency-key-reused',
          'This Idempotency-Key was used for a different request (method, path or body) within the last 24 hours; use a new key for a new request.',
        );
      }
      if (claim.status !== null) return replay(claim);
      if (at.getTime() - Date.parse(claim.created_at) > IDEMPOTENCY_ABANDONED_MS) {
        await releaseIdempotencyKey(db, scope);
        continue;
      }
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

    try {
      await next();
    } catch (err) {
      await releaseIdempotencyKey(db, scope);
      throw err;
    }
    const res = c.res;
    if (res.status >= 500) {
      await releaseIdempotencyKey(db, scope);
      return;
    }
    await completeIdempotencyKey(db, scope, {
      status: res.status,
      contentType: res.headers.get('Content-Type'),
      body: await res.clone().text(),
    });

    function replay(row: IdempotencyKeyRow): Response {
      c.header('Idempotent-Replayed', 'true');
      if (row.content_type) c.header('Content-Type', row.content_type);
      return c.body(row.body ?? '', row.status as 200);
    }
  };
}
