import { DEFAULT_TIME_ZONE, isTimeZone } from '@tierkit/core';
import { OpenAPIHono } from '@hono/zod-openapi';
import { jobQueueHealth, latestAppliedMigration, watchOutage, type Database } from '@tierkit/db';
import type { Kysely } from 'kysely';
import type { Context, MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { ApiKeysFromBrowsers } from './auth/access.js';
import { authenticate } from './auth/authenticate.js';
import { CREDENTIAL_CACHE_SECONDS, CredentialCache } from './auth/credential-cache.js';
import type { AppEnv, SharedDeps } from './deps.js';
import { DOCS_CSP, docsPage } from './docs-page.js';
import { problemResponse } from './errors.js';
import { auditIntent, auditTrail, type AuditOptions } from './middleware/audit.js';
import { forWrites } from './middleware/for-writes.js';
import { answersWithSecret, IDEMPOTENCY_KEY_PARAMETER, IDEMPOTENCY_RESPONSES, idempotency } from './middleware/idempotency.js';
import { limitBody } from './middleware/limit-body.js';
import { answersFastReads, fastSubjectReplies, fetchAnswers } from './middleware/fast-reads.js';
import { fixedHeaders, NO_STORE, noStore } from './middleware/no-store.js';
import { rejectUnsafeText } from './middleware/reject-unsafe-text.js';
import { requireJson } from './middleware/require-json.js';
import { UNMASK_PARAMETER, unmaskOnRequest } from './middleware/unmask.js';
import { isCsvUpload, unlessCsvUpload } from './middleware/unless-csv-upload.js';
import { isTrustedOrigin, type TrustedOrigins } from './origins.js';
import { ProblemError } from './problem.js';
import { rateLimits, type RateLimitOptions } from './rate-limit.js';
import { READ_CACHE_BYTES, ReadCache } from './read-cache.js';
import { noteWrites, SubjectVersions, VERSION_TRUST_MS } from './version-trust.js';
import { routeTable, type RouteEntry } from './route-table.js';
import { router } from './router.js';
import { analytics } from './routes/analytics.js';
import { audit } from './routes/audit.js';
import { embedTokens } from './routes/embed-tokens.js';
import { imports, MAX_IMPORT_BYTES } from './routes/imports.js';
import { jobs } from './routes/jobs.js';
import { keys } from './routes/keys.js';
import { retention } from './routes/retention.js';
import { metrics } from './routes/metrics.js';
import { governance } from './routes/governance.js';
import { matrix } from './routes/matrix.js';
import { policies } from './routes/policies.js';
import { schemes } from './routes/schemes.js';
import { session } from './routes/session.js';
import { teams } from './routes/teams.js';
import { bookLevels } from './routes/book-levels.js';
import { staff } from './routes/staff.js';
import { staffGrants } from './routes/staff-grants.js';
import { metricAudienceRequests } from './routes/metric-audience-requests.js';
import { closingRequests } from './routes/closing-requests.js';
import { subjectManager, subjectManagers } from './routes/subject-managers.js';
import { subjectList } from './routes/subject-list.js';
import { subjectReads } from './routes/subject-reads.js';
import { subjectWrites, MAX_OBSERVATIONS } from './routes/subject-writes.js';
import type { AuditAnchorsReader } from './services/audit.js';
import { TenantResultCache } from './services/matrix-cache.js';
import { TenantPacks } from './services/tenant-pack.js';
import { logError } from './log.js';

/** Options of `createApp`. */
export interface AppOptions {
  /** The database (SQLite or PostgreSQL), already migrated. */
  readonly db: Kysely<Database>;
  /** The version of the server running the app, which `/healthz` says (the server's package version). */
  readonly version?: string;
  /**
   * Origins allowed to call the API from a browser. Default: any `http://localhost:<port>` and
   * `http://127.0.0.1:<port>` (the demo). `'*'` allows every origin. An embed token is minted only for
   * origins in it (422 `origin-not-allowed`): a page elsewhere could never read the API's answers.
   */
  readonly corsOrigins?: readonly string[] | '*';
  /**
   * An API key sent with an `Origin` or `Sec-Fetch-Site` header (so by a browser page, or by a server forwarding one):
   * `'refuse'` (default) answers 403 `key-in-browser` before the route runs; `'allow'` serves it as
   * any key, for a bank's server that forwards its pages' Origin on purpose (a BFF proxy).
   */
  readonly apiKeysFromBrowsers?: ApiKeysFromBrowsers;
  /** Show display names unmasked. Default false: names are personal data (JR/T 0171 C2). */
  readonly unmaskNames?: boolean;
  /** Largest accepted request body in bytes. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Largest number of observations in one `PUT …/metrics`. Default 1,000. */
  readonly maxObservations?: number;
  /** The tenant's calendar time zone. Default `Asia/Shanghai`. */
  readonly timeZone?: string;
  /**
   * Seconds a verified credential is trusted without a database lookup. Default 5: a key revoked or
   * a signing key rotated from another process is refused within that delay (in this process, at
   * once). 0 checks the database on every request.
   */
  readonly credentialCacheSeconds?: number;
  /**
   * Bytes of subject-read bodies kept to answer repeated reads (off the JavaScript heap; a body is
   * kept on its second ask). Default 32 MiB; 0 keeps none. See read-cache.ts.
   */
  readonly readCacheBytes?: number;
  /**
   * Milliseconds a subject's version, once read, answers its kept reads without a query. Default
   * 1,000 (`VERSION_TRUST_MS`): a write through this process is seen by the next read once its
   * request is answered (see version-trust.ts for what counts), one from another process (the CLI, a
   * worker, a second server, plain SQL) within that delay. 0 asks the database on every read.
   */
  readonly subjectVersionTrustMs?: number;
  /** The clock (tests pin it). */
  readonly now?: () => Date;
  /**
   * Per-credential and failed-credential rate limits (429 problem + `Retry-After`); `false` turns
   * them off. Defaults in packages/api/README.md#rate-limits.
   */
  readonly rateLimit?: RateLimitOptions | false;
  /**
   * The client's network address, for limiting bad-credential attempts per address. The adapter
   * knows it (`apps/server` passes `@hono/node-server`'s); without it bad credentials are not limited.
   */
  readonly clientAddress?: (c: Context) => string | undefined;
  /**
   * Seconds a portfolio matrix result is shared between requests (this app's writes drop it at once).
   * Default 5; 0 turns sharing off, but the last counts still answer an empty cell's list on SQLite
   * while the data version they were read at holds (services/matrix-cells.ts).
   */
  readonly matrixCacheSeconds?: number;
  /** Largest CSV file `POST /v1/imports` accepts, in bytes (streamed, not held in memory). Default 256 MiB. */
  readonly maxImportBytes?: number;
  /**
   * Milliseconds a `POST` waits for an earlier one with its `Idempotency-Key` to finish (then replays
   * its answer) before answering 409 `idempotency-key-in-use`. Default 10,000 (`IDEMPOTENCY_WAIT_MS`).
   */
  readonly idempotencyWaitMs?: number;
  /**
   * Milliseconds a running `POST`'s reservation of its `Idempotency-Key` lasts unless renewed; it is
   * renewed every third of that. Default 15,000 (`IDEMPOTENCY_LEASE_MS`). Tests shorten it.
   */
  readonly idempotencyLeaseMs?: number;
  /**
   * Where running requests renew their `Idempotency-Key` leases. On PostgreSQL give it a connection
   * of its own (a pool of 1): on the request pool a renewal waits behind every request queued for a
   * connection, and a pool saturated for longer than two renewals lets another instance take the key
   * over and run the POST a second time. Default: `db`.
   */
  readonly idempotencyLeaseDb?: Kysely<Database>;
  /**
   * The pool the whole route handler of the long routes runs on: the portfolio matrix, analytics,
   * policy simulation and `POST /v1/imports` (its pack load and its import transaction with that
   * transaction's audit entries). Authentication, the audit intent and result records and the
   * Idempotency-Key reservation stay on `db`. On PostgreSQL give it a pool with a longer statement
   * timeout than `db`'s (the server's `TIERKIT_PG_REPORT_STATEMENT_TIMEOUT_MS`, 5 minutes): one GROUP BY
   * over a large book takes seconds to minutes, where other statements take milliseconds. Default: `db`.
   */
  readonly reportDb?: Kysely<Database>;
  /**
   * SQLite: where the reads whose cost grows with the book run — a `HeavyReads` instance's `db`
   * (@tierkit/db), whose queries run in reader processes with a time limit, so that one of them does
   * not stop every other request on the server's one thread (docs/operations.md, "SQLite: what runs
   * where"). Today: the tenant-wide subject lists sorted by gap or bounded by `nearNext`, and the
   * analytics reports. Absent (and on
   * PostgreSQL, whose pool never blocks the thread): on `db`, as before.
   */
  readonly heavyReads?: Kysely<Database>;
  /**
   * Most subjects of a scheme's kind `POST …/simulate` plans inside its request; a larger book is a
   * 409 (field code `use_simulation_job`): queue `POST …/simulations`. Default 10,000
   * (`SYNC_SIMULATION_MAX_SUBJECTS`).
   */
  readonly syncSimulationMaxSubjects?: number;
  /** Subjects per chunk of a simulation job (`POST …/simulations`). Default 1,000 (`SIMULATION_CHUNK_SUBJECTS`); tests make it small. */
  readonly simulationChunkSubjects?: number;
  /** How often `GET /v1/jobs/{id}/events` reads its job (ms). Default 500. */
  readonly jobEventsPollMs?: number;
  /**
   * Aborted when the embedding server starts to stop: open job event streams end at once instead of
   * holding the stop until its grace period cuts them (their clients reconnect elsewhere).
   */
  readonly closing?: AbortSignal;
  /**
   * The monthly schedule's settings, for `GET /v1/jobs/schedule` to say what it waits for as the
   * schedule decides: give the ones the schedule runs with (`startMonthlySchedule`). Defaults
   * `DEFAULT_SETTLE_MINUTES`, `DEFAULT_OVERDUE_DAYS`. `running`: whether this process runs the
   * schedule (the app itself never starts it), sent as `running`. Absent: sent as `null` — the app
   * cannot know whether its embedder runs `startMonthlySchedule`, so it says neither on nor off.
   */
  readonly schedule?: { readonly running?: boolean; readonly settleMinutes?: number; readonly overdueDays?: number };
  /**
   * Where unexpected errors are reported, and (as one string each) the database becoming unreachable
   * and reachable again. Default `console.error`.
   */
  readonly logError?: (err: unknown) => void;
  /**
   * The audit anchors the embedding server writes outside the database, read one tenant's at a time:
   * `GET /v1/audit/verify` then also checks the tenant's chain against them (a chain rewritten whole
   * with its head fails). apps/server gives an @tierkit/ops `AnchorsIndex` of `TIERKIT_AUDIT_ANCHOR_FILE`.
   * Absent: the verification says no anchors were checked.
   */
  readonly auditAnchors?: AuditAnchorsReader;
}

/**
 * What `hono/secure-headers` sends by default, less `Cross-Origin-Resource-Policy` and HSTS, with
 * `X-Frame-Options: DENY` — listed here so they are set like every other fixed header (see fixedHeaders).
 */
const SECURE_HEADERS = [
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'DENY'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
] as const;

/** Headers a console on another origin may read: the audit export's name and where its file ends among them. */
const EXPOSED_HEADERS = [
  'ETag',
  'Retry-After',
  'X-Request-Id',
  'Idempotent-Replayed',
  'Content-Disposition',
  'X-Audit-Export-Through-Seq',
  'X-Audit-Export-Last-Seq',
  'X-Audit-Export-Last-Hash',
  'X-Audit-Export-Limited',
] as const;

function corsOrigin(allowed: TrustedOrigins) {
  return (origin: string): string | null => {
    if (allowed === '*') return origin || '*';
    return isTrustedOrigin(allowed, origin) ? origin : null;
  };
}

/**
 * The tierkit HTTP API as a Hono app: `/v1` resources, `/openapi.json`, `/docs`, `/healthz`.
 * It knows nothing of Node's http server; serve it with any Hono adapter, or call `app.request()`.
 *
 * @example
 * const { db } = connect({ url: './data/tierkit.db' });
 * await migrateToLatest(db);
 * const app = createApp({ db });
 * const { secret } = await createApiKey(db, { tenantId: 'demo', role: 'viewer', label: 'reports' });
 * await app.request('/v1/schemes', { headers: { Authorization: `Bearer ${secret}` } });
 */
export function createApp(options: AppOptions) {
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  // A mistyped zone fails here, at start, rather than in the first request that counts a month.
  if (!isTimeZone(timeZone)) throw new RangeError(`timeZone must be an IANA time zone such as "Asia/Shanghai", got "${timeZone}"`);
  const shared: SharedDeps = {
    db: options.db,
    packs: new TenantPacks(undefined, undefined, timeZone),
    unmaskNames: options.unmaskNames ?? false,
    corsOrigins: options.corsOrigins,
    maxObservations: options.maxObservations ?? MAX_OBSERVATIONS,
    timeZone,
    now: options.now ?? (() => new Date()),
    matrices: new TenantResultCache((options.matrixCacheSeconds ?? 5) * 1000),
    ...(options.logError ? { log: options.logError } : {}),
    ...(options.auditAnchors ? { auditAnchors: options.auditAnchors } : {}),
    ...(options.heavyReads ? { heavyReads: options.heavyReads } : {}),
  };
  const limits = rateLimits(options.rateLimit);
  const report =
    options.logError ??
    ((err: unknown) => (typeof err === 'string' ? logError(`tierkit api: ${err}`) : logError('tierkit api: unexpected error', err)));
  // A database outage is logged once when it starts and once when it ends (watchOutage), not per
  // request; everything else that fails a request is still logged as it happens.
  const outage = watchOutage(options.db, report);
  const log = (err: unknown) => {
    if (!outage.failed(err)) report(err);
  };
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const keysFromBrowsers = options.apiKeysFromBrowsers ?? 'refuse';
  if (keysFromBrowsers !== 'refuse' && keysFromBrowsers !== 'allow') {
    // A JavaScript caller's typo would otherwise quietly be one of the two.
    throw new RangeError(`apiKeysFromBrowsers must be "refuse" or "allow", got "${String(keysFromBrowsers)}"`);
  }

  const credentials = new CredentialCache((options.credentialCacheSeconds ?? CREDENTIAL_CACHE_SECONDS) * 1000);
  const reads = new ReadCache(options.readCacheBytes ?? READ_CACHE_BYTES);
  const versions = new SubjectVersions(options.subjectVersionTrustMs ?? VERSION_TRUST_MS);
  const subjects = router()
    .route('/', subjectReads(reads))
    .route('/', subjectWrites(shared.maxObservations))
    .route('/', subjectList())
    .route('/', subjectManager());

  const app = new OpenAPIHono<AppEnv>();
  const allowOrigin = corsOrigin(options.corsOrigins);
  // Not when every read shows names unmasked: each such read is audited, which the chain does.
  const replies = shared.unmaskNames
    ? undefined
    : fastSubjectReplies({
        shared,
        credentials,
        reads,
        versions,
        limits,
        headers: [...SECURE_HEADERS, ...NO_STORE],
        cors: { allow: allowOrigin, expose: EXPOSED_HEADERS },
        keysFromBrowsers,
      });
  // Anything but a read may have written subjects: once it is answered, every version the fast path trusts is read again.
  app.use('*', noteWrites);
  const allowCors = cors({
    origin: allowOrigin,
    allowMethods: ['GET', 'PUT', 'POST', 'PATCH', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'If-None-Match', 'Authorization', 'X-Request-Id', 'Idempotency-Key'],
    exposeHeaders: [...EXPOSED_HEADERS],
    maxAge: 600,
  });
  // CORS headers only mean something to a browser, which sends Origin on every cross-origin request.
  // Without one (servers, same-origin pages) skip them: setting them before the route answers makes
  // Hono copy the route's response, which costs the Node adapter its fast path on every read.
  app.use('*', (c, next) => (c.req.header('Origin') === undefined ? next() : allowCors(c, next)));
  // nosniff and friends on everything the API answers; no CORP header, since widgets on the bank's
  // own pages read the API cross-origin, and no HSTS, which is the TLS terminator's to send.
  app.use('*', fixedHeaders(SECURE_HEADERS));
  // The route table of the audit trail comes from the OpenAPI document, made on first use (below).
  let table: RouteEntry[] | undefined;
  const auditing: AuditOptions = { db: shared.db, now: shared.now, log, routes: () => (table ??= routeTable(openApi())) };
  // The audit trail wraps everything under /v1, refusals included; its write-ahead intent comes last,
  // once a write has passed every check and is about to run. Authentication comes before the rest:
  // a caller without a credential learns nothing, not even that a body is too big.
  app.use(
    '/v1/*',
    auditTrail(auditing),
    noStore(),
    authenticate(
      shared,
      credentials,
      limits ? { limits, clientAddress: options.clientAddress ?? (() => undefined) } : undefined,
      keysFromBrowsers,
      auditing.routes,
    ),
    // CSV uploads stream past the JSON body limit to their own (maxImportBytes, in the route).
    forWrites(unlessCsvUpload(limitBody(maxBody)), unlessCsvUpload(requireJson())),
    rejectUnsafeText(),
    unmaskOnRequest(),
    // A CSV upload is idempotent by content (the same file twice changes nothing) and too big to buffer for a request hash.
    forWrites(
      unlessCsvUpload(
        idempotency(shared.db, shared.now, {
          ...(options.idempotencyWaitMs === undefined ? {} : { waitMs: options.idempotencyWaitMs }),
          ...(options.idempotencyLeaseMs === undefined ? {} : { leaseMs: options.idempotencyLeaseMs }),
          ...(options.idempotencyLeaseDb === undefined ? {} : { leaseDb: options.idempotencyLeaseDb }),
          log,
        }),
      ),
      auditIntent(auditing),
    ),
  );
  // On these routes the whole handler runs on `reportDb` (its own, longer statement timeout), an
  // import's transaction and its audit included. Only what ran before this point — authentication, the
  // audit intent and result records, the Idempotency-Key reservation — stays on the request pool.
  const reportDb = options.reportDb;
  if (reportDb) {
    const onReportDb: MiddlewareHandler<AppEnv> = (c, next) => {
      c.set('deps', { ...c.var.deps, db: reportDb });
      return next();
    };
    app.use('/v1/matrix/*', onReportDb);
    app.use('/v1/analytics/*', onReportDb);
    app.use('/v1/policies/:scheme/versions/:version/simulate', onReportDb);
    app.use('/v1/policies/:scheme/versions/:version/simulations', onReportDb);
    app.on('POST', '/v1/imports', onReportDb);
  }
  app.onError((err, c) => problemResponse(err, c, log));
  app.notFound((c) => problemResponse(new ProblemError('not-found', `Nothing at ${c.req.method} ${c.req.path}.`), c, log));

  const routes = app
    .route('/v1/subjects', subjects)
    .route('/v1/schemes', schemes())
    .route('/v1/matrix', matrix())
    .route('/v1/embed-tokens', embedTokens())
    .route('/v1/analytics', analytics())
    .route('/v1/audit', audit())
    .route(
      '/v1/policies',
      policies({ syncSimulationMaxSubjects: options.syncSimulationMaxSubjects, simulationChunkSubjects: options.simulationChunkSubjects }),
    )
    .route('/v1/imports', imports(options.maxImportBytes ?? MAX_IMPORT_BYTES))
    .route('/v1/jobs', jobs(options.jobEventsPollMs, options.schedule, options.closing))
    .route('/v1/staff', staff())
    .route('/v1/staff-grants', staffGrants())
    .route('/v1/metric-audience-requests', metricAudienceRequests())
    .route('/v1/closing-requests', closingRequests())
    .route('/v1/teams', teams())
    .route('/v1/books', bookLevels())
    .route('/v1/keys', keys())
    .route('/v1/retention', retention())
    .route('/v1/metrics', metrics())
    .route('/v1/subject-managers', subjectManagers())
    .route('/v1/session', session())
    .route('/v1', governance());

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description:
      'An API key (`tk_…`, for the bank’s servers and staff tools; roles viewer < analyst < officer < approver < admin) or a signed token (`tkt_…`): an embed token for one subject, or a staff token that acts with its staff member’s role and book. The tenant is the credential’s.',
  });

  const docConfig: Parameters<typeof app.getOpenAPI31Document>[0] = {
    openapi: '3.1.0',
    info: {
      title: 'tierkit API',
      version: '0.1.0',
      description:
        'Tiers, history, entitlements and portfolio matrices of a bank’s subjects. Errors are RFC 9457 problem+json. Money is integer minor units (fen).',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: [
      { name: 'auth', description: 'Embed tokens for widgets in online banking' },
      { name: 'subjects', description: 'Customers, companies, products and employees the bank tiers' },
      { name: 'schemes', description: 'Classifications and their levels' },
      { name: 'matrix', description: 'Risk × value portfolio views' },
      {
        name: 'analytics',
        description: 'Level distribution, migration, up/down rates and effect evaluation over the tier history (staff)',
      },
      { name: 'audit', description: 'The tenant’s tamper-evident audit trail' },
      { name: 'policies', description: 'Policy versions: draft, submit, approve with an effective date, retire; diff and simulation' },
      { name: 'imports', description: 'CSV imports of subjects and monthly metrics' },
      { name: 'jobs', description: 'Re-tier jobs over the whole book: queue, follow, cancel, resume' },
      { name: 'staff', description: 'Staff members, their books (who manages which customers) and the signed-in session' },
      { name: 'keys', description: 'The tenant’s API keys: issue (the secret shown once), list, revoke (admin)' },
      { name: 'retention', description: 'How long closed customers’ personal data is kept, and its erasure once that has passed (admin)' },
      { name: 'metrics', description: 'The tenant’s metric catalogue: the bank’s own metrics beside the default ones (policy authors)' },
    ],
  };
  // The document depends only on the routes, which are fixed once the app is built: make it once,
  // on first use, for both /openapi.json and /docs (and so the two can never disagree).
  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  let docsHtml: string | undefined;
  const openApi = () => (document ??= withIdempotencyKey(withUnmaskParameter(app.getOpenAPI31Document(docConfig))));
  app.get('/openapi.json', (c) => c.json(openApi()));
  app.get('/docs', (c) => {
    c.header('Content-Security-Policy', DOCS_CSP);
    return c.html((docsHtml ??= docsPage(openApi())));
  });
  // Two cheap queries (the newest migration; the running jobs' chunks) that also tell an operator
  // during a rolling deploy which schema the database has and whether workers take the queue; the
  // version says which build answered. No secret, no tenant.
  app.get('/healthz', async (c) => {
    const schema = (await latestAppliedMigration(shared.db)) ?? null;
    return c.json({
      status: 'ok',
      ...(options.version === undefined ? {} : { version: options.version }),
      schema,
      jobs: await jobsHealth(shared),
    });
  });
  // The subject reads a widget asks, before the router: they skip the chain with the same checks
  // (fast-reads.ts), and a kept one is answered without a promise. Anything else, and any read the
  // fast path leaves, is dispatched as before. `app.request()` calls `fetch` too.
  if (replies) {
    const fast = fetchAnswers(replies);
    const dispatch = routes.fetch;
    routes.fetch = (req, env, ctx) => {
      const answered = fast(req);
      if (answered === undefined) return dispatch(req, env, ctx);
      return answered instanceof Promise ? answered.then((res) => res ?? dispatch(req, env, ctx)) : answered;
    };
    // A caller below `fetch` may answer them from the same replies (fastRepliesOf; bench/api/node-listener.ts).
    answersFastReads(routes, replies);
  }
  return routes;
}

/**
 * Work waiting this long while no chunk anywhere holds a live lease: no worker is taking work (all
 * dead, none started, `TIERKIT_WORKER` off everywhere). A worker polls every second by default, so
 * five minutes is no queue that is merely busy. docs/operations.md, "Health".
 */
export const JOBS_STALLED_AFTER_SECONDS = 300;

/**
 * The queue's health for `/healthz`, which anyone may call: counts and ages over all tenants, never a
 * tenant, job id or owner, so a monitor learns that work is stuck and not whose.
 */
async function jobsHealth(shared: SharedDeps) {
  const now = shared.now();
  const q = await jobQueueHealth(shared.db, now.toISOString());
  const age = (iso: string | null) => (iso === null ? null : Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / 1000)));
  const oldestWaitingSeconds = age(q.oldestWaitingSince);
  const lastChunkDoneSeconds = age(q.lastChunkDoneAt);
  return {
    waitingChunks: q.waitingChunks,
    oldestWaitingSeconds,
    leasedChunks: q.leasedChunks,
    lastChunkDoneSeconds,
    // A worker between two chunks of a long job holds no lease for a moment: it is the chunk it just
    // finished that says it lives, so only a queue with no chunk done within the threshold is stalled.
    stalled:
      q.waitingChunks > 0 &&
      q.leasedChunks === 0 &&
      (oldestWaitingSeconds ?? 0) >= JOBS_STALLED_AFTER_SECONDS &&
      (lastChunkDoneSeconds === null || lastChunkDoneSeconds >= JOBS_STALLED_AFTER_SECONDS),
  };
}

type Responses = Record<string, { description: string; content?: unknown }>;

/** Document `Idempotency-Key` and the answers it adds on every `POST` the middleware serves (all under /v1 but the CSV upload and key creation). */
function withIdempotencyKey<D extends { paths?: object }>(doc: D): D {
  for (const [path, item] of Object.entries(doc.paths ?? {}) as [
    string,
    { post?: { parameters?: unknown[]; responses?: Responses } } | undefined,
  ][]) {
    const post = item?.post;
    if (!post || !path.startsWith('/v1/') || isCsvUpload('POST', path) || answersWithSecret('POST', path)) continue;
    post.parameters = [...(post.parameters ?? []), IDEMPOTENCY_KEY_PARAMETER];
    const responses: Responses = (post.responses ??= {});
    for (const [status, said] of Object.entries(IDEMPOTENCY_RESPONSES)) {
      const given = responses[status];
      responses[status] = given
        ? { ...given, description: `${given.description}; or ${said}` }
        : { description: said, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
    }
  }
  return doc;
}

/** Document `?unmask=` on the subject reads, which return display names; the middleware serves it on every route. */
function withUnmaskParameter<D extends { paths?: object }>(doc: D): D {
  for (const [path, item] of Object.entries(doc.paths ?? {}) as [string, { get?: { parameters?: unknown[] } } | undefined][]) {
    const get = item?.get;
    if (get && path.startsWith('/v1/subjects')) get.parameters = [...(get.parameters ?? []), UNMASK_PARAMETER];
  }
  return doc;
}

/** The app's type, for a typed client (`hc<AppType>`). */
export type AppType = ReturnType<typeof createApp>;
