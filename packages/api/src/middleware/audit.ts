import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { AuditFields, Executor } from '@tierkit/db';
import type { ApiDeps, AppEnv } from '../deps.js';
import { problemResponse, toProblemError } from '../errors.js';
import { ProblemError } from '../problem.js';
import { matchRoute, type RouteEntry } from '../route-table.js';
import { appendAudit, UNAUTHENTICATED_CHAIN } from '../services/audit.js';
import { unsafeTextReason } from '../text-safety.js';

/** What the audit middleware knows of a request while it runs. */
export interface AuditState {
  /** The caller's `X-Request-Id` when it is a usable one, else one made up; echoed on the response. */
  readonly requestId: string;
  /** The seq of the intent record written before the route ran (writes only). */
  intent: number | undefined;
  /** What the write changed, as its route tells it (`auditDetail`): kept on the result record. */
  detail: Readonly<Record<string, unknown>> | undefined;
  /** Targets beyond the path's, as the route tells them (`auditTarget`): added to the result record's. */
  target?: Readonly<Record<string, string>>;
  /** Who asked for the write, as its intent record names them (writes only): for the records a route appends itself (`auditMoves`). */
  described?: { readonly actor: string; readonly credential: string; readonly method: string; readonly route: string };
  /** A read the route asks to be recorded, as a write is (`auditRead`): an audit export. */
  recorded?: boolean;
  /**
   * The seq of the request's own record once it is in the trail (`request` or `result`): what a record
   * appended after the response (an export's end) needs first, since a read whose record could not be
   * written was not served and nothing may say it was.
   */
  written?: number;
}

/**
 * Tell the audit trail what this write changed, for what the route, path and status cannot say: the
 * subject of a body, the id a POST created, the values a reviewer needs before and after. Given more
 * than once, the fields add up. Never a secret: the trail is read by admins and approvers.
 */
export function auditDetail(c: { readonly var: { readonly audit: AuditState } }, detail: Readonly<Record<string, unknown>>): void {
  const state = c.var.audit;
  state.detail = { ...state.detail, ...detail };
}

/**
 * Name one more target of this write on its result record, beside the path's parameters: the customer
 * a decision on `/v1/overrides/{overrideId}` concerns, so a search of the trail by customer finds the
 * decision as well as the request. Only ids the caller was allowed to reach: the trail is searched by them.
 */
export function auditTarget(c: { readonly var: { readonly audit: AuditState } }, target: Readonly<Record<string, string>>): void {
  const state = c.var.audit;
  state.target = { ...state.target, ...target };
}

/**
 * Record this read in the audit trail, with `detail`: a read that hands over the trail itself (an export),
 * which an examiner's review of who took what must find. Other reads are recorded only when they show names unmasked.
 */
export function auditRead(c: { readonly var: { readonly audit: AuditState } }, detail: Readonly<Record<string, unknown>>): void {
  c.var.audit.recorded = true;
  auditDetail(c, detail);
}

/** Methods that change something: each writes an intent before it runs and a result after. */
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A request id we keep as given: short, printable, nothing that could confuse a log line. */
const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The caller's `X-Request-Id` when it is a usable one, else a new one. */
export function requestIdOf(asked: string | undefined): string {
  return asked !== undefined && REQUEST_ID.test(asked) ? asked : randomUUID();
}

/** Longest parameter value or unmatched path kept in a record. */
const MAX_TARGET_CHARS = 256;

/** What the audit middlewares need from the app. */
export interface AuditOptions {
  readonly db: Executor;
  readonly now: () => Date;
  /** The app's routes (from its OpenAPI document), read at request time. */
  readonly routes: () => readonly RouteEntry[];
  readonly log: (err: unknown) => void;
}

/** Who sent a request no tenant could be trusted for: the visible prefix of a key (as `tierkit keys list` shows it), or nobody. */
function presentedBy(authorization: string | undefined): string {
  const m = /^Bearer +(tk_[A-Za-z0-9_-]{7})/i.exec(authorization ?? '');
  return m?.[1] ? `unverified:${m[1]}` : 'anonymous';
}

const clip = (s: string) => (s.length > MAX_TARGET_CHARS ? `${s.slice(0, MAX_TARGET_CHARS)}…` : s);

/** Who did what to which target: the fields every record of a request shares. */
function describe(c: Context<AppEnv>, options: AuditOptions, deps: ApiDeps | undefined) {
  // The raw (percent-encoded) path: a refused request's path was never checked for storable text.
  const path = new URL(c.req.url).pathname;
  const matched = matchRoute(options.routes(), c.req.method, path);
  let target = matched ? Object.fromEntries(Object.entries(matched.params).map(([k, v]) => [k, clip(v)])) : {};
  if (Object.values(target).some((v) => unsafeTextReason(v) !== undefined)) target = { path: clip(path) };
  return {
    actor: deps?.principal.actor ?? presentedBy(c.req.header('Authorization')),
    credential: deps?.principal.via ?? 'none',
    method: c.req.method,
    route: matched?.template ?? clip(path),
    target: JSON.stringify(target),
  };
}

/**
 * The outer half of the audit trail, first under `/v1`: takes or makes the request id, and after the
 * request writes its record — for every write (its result), every refusal (401, 403) and every read
 * that showed names unmasked or asked to be recorded (`auditRead`). A 429 writes nothing: recording each would let a flood write to the
 * database at the flood's rate, which the limit exists to stop. See packages/api/README.md, "Audit".
 */
export function auditTrail(options: AuditOptions): MiddlewareHandler<AppEnv> {
  return async function auditRequest(c, next) {
    const requestId = requestIdOf(c.req.header('X-Request-Id'));
    c.header('X-Request-Id', requestId);
    const state: AuditState = { requestId, intent: undefined, detail: undefined };
    c.set('audit', state);
    await next();
    const status = c.res.status;
    if (status === 429) return;
    const deps = c.get('deps') as ApiDeps | undefined;
    const unmasked = status < 400 && deps?.unmaskNames === true;
    if (!MUTATING.has(c.req.method) && status !== 401 && status !== 403 && !unmasked && !(state.recorded && status < 400)) return;
    const described = describe(c, options, deps);
    if (state.target !== undefined)
      described.target = JSON.stringify({ ...(JSON.parse(described.target) as Record<string, string>), ...state.target });
    const fields: AuditFields = {
      at: options.now().toISOString(),
      request_id: requestId,
      phase: state.intent === undefined ? 'request' : 'result',
      ...described,
      status,
      problem: c.error ? toProblemError(c.error).kind : status === 404 ? 'not-found' : null,
      unmasked: unmasked ? 1 : 0,
      detail: state.detail !== undefined ? JSON.stringify(state.detail) : null,
    };
    try {
      state.written = (await appendAudit(options.db, deps?.tenantId ?? UNAUTHENTICATED_CHAIN, fields)).seq;
    } catch (err) {
      options.log(err);
      // Names leave only with their record: a read whose record could not be written is not served; nor
      // is an export, whose record is what tells an examiner who took the trail.
      if (unmasked || state.recorded) {
        await c.res.body?.cancel().catch(() => undefined);
        c.res = problemResponse(
          new ProblemError('internal', 'The read could not be recorded in the audit trail, so it was not served.'),
          c,
          options.log,
        );
      }
    }
  };
}

/**
 * The inner half, last before the routes: a write's intent record, committed before the route can
 * commit anything. A change is never in the database without a record of who asked for it; when the
 * process dies between the change and its result record, the intent stays, with no result after it.
 */
export function auditIntent(options: AuditOptions): MiddlewareHandler<AppEnv> {
  return async function auditWriteIntent(c, next) {
    if (!MUTATING.has(c.req.method)) return next();
    const deps = c.var.deps;
    const described = describe(c, options, deps);
    const row = await appendAudit(options.db, deps.tenantId, {
      at: options.now().toISOString(),
      request_id: c.var.audit.requestId,
      phase: 'intent',
      ...described,
      status: null,
      problem: null,
      unmasked: 0,
    });
    c.var.audit.intent = row.seq;
    c.var.audit.described = described;
    await next();
  };
}
