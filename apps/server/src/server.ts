import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import {
  appendOperatorAudit,
  createApp,
  READ_CACHE_BYTES,
  startupAction,
  VERSION_TRUST_MS,
  type ApiKeysFromBrowsers,
  type AppOptions,
  type LogLine,
} from '@tierkit/api';
import { findTenant, listTenants, seedRunClaimed, type Db } from '@tierkit/db';
import {
  lastCompleteMonth,
  onOffFromEnv,
  opsSettingsFromEnv,
  REPO_ROOT,
  seedDemo,
  seedDemoStaff,
  type OpsSettings,
  wholeFromEnv,
} from '@tierkit/ops';
import { Hono } from 'hono';
import { consoleSignIn, consoleTokenUrlFromEnv, serverHomePage } from './console-sign-in.js';
import { demoTokenRoutes } from './demo-tokens.js';
import { serveFile } from './static-files.js';
import { answerClientErrors } from './client-errors.js';

// Opening the database, the admin-key bootstrap and seeding live in @tierkit/ops, shared with the CLI.
export { ensureAdminKey, lastCompleteMonth, openDatabase, provisionOnce, REPO_ROOT, withProvisioningLock } from '@tierkit/ops';

/** Settings of the server, normally from the environment (see apps/server/README.md). */
export interface ServerSettings extends OpsSettings {
  readonly port: number;
  readonly host: string;
  readonly corsOrigins: readonly string[] | undefined;
  /** Serve `/demo/embed-token` and `/demo/rm-token` (`DEMO_TOKENS=off` turns them off). */
  readonly demoTokens: boolean;
  /** `TIERKIT_CONSOLE_TOKEN_URL`: the bank's staff-token endpoint the console signs in with when demo tokens are off. */
  readonly consoleTokenUrl?: string | undefined;
  /**
   * `TIERKIT_SEED_DEMO`: `on` seeds the demo tenant even into a database that holds a bank's tenants,
   * `off` never seeds; unset, the demo is seeded into an empty database (or one holding only demo tenants).
   */
  readonly seedDemo: boolean | undefined;
  /** Bytes of subject-read bodies the API keeps (`READ_CACHE_MB`, default 32). */
  readonly readCacheBytes: number;
  /** Milliseconds a subject's version answers its kept reads without a query (`VERSION_TRUST_MS`, default 1,000). */
  readonly versionTrustMs: number;
  /** An API key sent with an `Origin` or `Sec-Fetch-Site` header: refused (default) or served (`TIERKIT_API_KEYS_FROM_BROWSERS=allow`). */
  readonly apiKeysFromBrowsers: ApiKeysFromBrowsers;
}

/** Loopback addresses: only this machine can reach a server bound to one of them. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Demo tokens stand in for a bank's authenticated backend: anyone who can reach them is "logged in",
 * and /demo/staff-token hands out any demo staff member's powers, an admin's among them. So they are on by default only
 * when the server is reachable from this machine alone; on any other address they need an explicit `DEMO_TOKENS=on`.
 */
export function demoTokensWanted(value: string | undefined, host: string): boolean {
  // The same on/off words and refusal as TIERKIT_SCHEDULE: one reader of a switch.
  return onOffFromEnv('DEMO_TOKENS', value, isLoopback(host));
}

/** Read settings from environment variables, with the demo defaults. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): ServerSettings {
  const port = Number(env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  // The demo hands out tokens to whoever asks, so by default it listens on this machine only.
  const host = env.HOST || '127.0.0.1';
  return {
    ...opsSettingsFromEnv(env),
    port,
    host,
    corsOrigins: env.CORS_ORIGINS
      ? env.CORS_ORIGINS.split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined,
    demoTokens: demoTokensWanted(env.DEMO_TOKENS, host),
    consoleTokenUrl: consoleTokenUrlFromEnv(env.TIERKIT_CONSOLE_TOKEN_URL),
    seedDemo: env.TIERKIT_SEED_DEMO ? onOffFromEnv('TIERKIT_SEED_DEMO', env.TIERKIT_SEED_DEMO, false) : undefined,
    readCacheBytes: readCacheMb(env.READ_CACHE_MB) * 1024 * 1024,
    versionTrustMs: versionTrustMs(env.VERSION_TRUST_MS),
    apiKeysFromBrowsers: apiKeysFromBrowsers(env.TIERKIT_API_KEYS_FROM_BROWSERS),
  };
}

/**
 * `TIERKIT_API_KEYS_FROM_BROWSERS`: `refuse` (default) or `allow`, in any case as the on/off settings
 * are, for a bank whose own server forwards its pages' Origin with a key on purpose. Any other word
 * stops the start: a mistyped `allow` must not quietly refuse the bank's proxy, nor a mistyped
 * `refuse` quietly allow keys in pages.
 */
function apiKeysFromBrowsers(value: string | undefined): ApiKeysFromBrowsers {
  if (!value || /^refuse$/i.test(value)) return 'refuse';
  if (/^allow$/i.test(value)) return 'allow';
  throw new Error(`TIERKIT_API_KEYS_FROM_BROWSERS must be refuse or allow, got "${value}"`);
}

function readCacheMb(value: string | undefined): number {
  return wholeFromEnv('READ_CACHE_MB', value, READ_CACHE_BYTES / (1024 * 1024), { unit: 'MiB', min: 0, zero: 'keeps nothing' });
}

function versionTrustMs(value: string | undefined): number {
  // Past a minute another server's writes would go unseen for longer than any bank would accept.
  return wholeFromEnv('VERSION_TRUST_MS', value, VERSION_TRUST_MS, { unit: 'milliseconds', min: 0, max: 60_000, zero: 'ask every read' });
}

/**
 * Seed the demo tenant unless it was seeded before — and never a tenant someone else set up: one
 * made by `tierkit tenants create` (or anything but this seeder) is a bank's, and fake customers,
 * demo staff and their books must not be mixed into it, whatever `TIERKIT_TENANT` names.
 */
export async function seedIfNeeded(
  db: Db,
  settings: Pick<ServerSettings, 'tenant' | 'customers'> & Partial<Pick<ServerSettings, 'timeZone' | 'seedDemo'>>,
  log: LogLine,
): Promise<void> {
  if (settings.seedDemo === false) {
    log(`seed: TIERKIT_SEED_DEMO=off: no demo data seeded into tenant "${settings.tenant}"`);
    return;
  }
  const tenant = await findTenant(db.db, settings.tenant);
  if (tenant && !(await seedRunClaimed(db.db, settings.tenant))) {
    log(
      `seed: tenant "${settings.tenant}" was set up without demo data; serving it as it is (tierkit seed --tenant ${settings.tenant} adds demo data)`,
    );
    return;
  }
  // A production database started without TIERKIT_TENANT: a new `demo` tenant with an admin and
  // 10,000 fake customers beside the banks' own is not what anyone asked for.
  if (!tenant && settings.seedDemo !== true) {
    const banks = await banksTenants(db);
    if (banks > 0) {
      log(
        `seed: not seeding demo tenant "${settings.tenant}": the database already holds ${banks} tenant(s) not made by the demo seeder (set TIERKIT_TENANT to the bank's tenant, or TIERKIT_SEED_DEMO=on to seed the demo beside them)`,
      );
      return;
    }
  }
  const result = await seedDemo(db.db, {
    tenantId: settings.tenant,
    tenantName: 'Demo Bank',
    customers: settings.customers,
    endPeriod: lastCompleteMonth(new Date(), settings.timeZone),
    ...(settings.timeZone === undefined ? {} : { timeZone: settings.timeZone }),
    log,
  });
  if (result.skipped) log(`seed: tenant "${settings.tenant}" already seeded, keeping its data`);
  else
    log(
      `seed: ${result.subjects} subjects, ${result.metrics} metric rows, ${result.events} tier events in ${(result.ms / 1000).toFixed(1)} s`,
    );
  const staff = await seedDemoStaff(db.db, settings.tenant, new Date().toISOString());
  if (staff.assigned) log(`seed: demo staff created, ${staff.assigned} customers shared out among the demo RMs`);
  else if (staff.created.length > 0) log(`seed: demo staff added to an existing demo: ${staff.created.join(', ')}`);
  // The seeder commits in several transactions and makes the tenant it is recorded in: its record
  // follows the last of them, in a short append of its own (as `tierkit seed`'s), so the chain's head
  // is never held through a seed. A start that changed nothing records nothing; one that only shared
  // out demo staff or added members a newer build brings (the customers were seeded before) says no
  // counts of a seed it did not run, and names only the members it added: a sign-in that appears in an
  // existing demo (an approver, LEAD01) is a change of who may decide, as any staff member added is.
  if (result.skipped && !staff.assigned && staff.created.length === 0) return;
  const detail = {
    tenant: settings.tenant,
    ...(result.skipped ? {} : { subjects: result.subjects, metrics: result.metrics, events: result.events }),
    staff: staff.created,
    assigned: staff.assigned,
  };
  // What was seeded is committed and serves either way: a record that cannot be written is a warning
  // (the seed stays unrecorded, see the README), not a server that will not start.
  await appendOperatorAudit(db.db, settings.tenant, startupAction('DEMO_CUSTOMERS'), {
    status: 201,
    target: { tenant: settings.tenant },
    detail,
  }).catch((e: unknown) =>
    log(
      `seed: warning: the demo seed of "${settings.tenant}" is committed but unrecorded: its audit record could not be written (${e instanceof Error ? e.message : String(e)})`,
      'warn',
    ),
  );
}

/** How many tenants the database holds that the demo seeder did not make: a bank's, set up with `tierkit tenants create`. */
async function banksTenants(db: Db): Promise<number> {
  let n = 0;
  for (const t of await listTenants(db.db)) if (!(await seedRunClaimed(db.db, t.id))) n++;
  return n;
}

/** This server's version (its package.json's), as `/healthz` says it. */
export const SERVER_VERSION: string = (
  JSON.parse(readFileSync(resolve(REPO_ROOT, 'apps/server/package.json'), 'utf8')) as { version: string }
).version;

const API_PATHS = /^\/(v1\/|openapi\.json$|docs$|healthz$)/;

/** The console's lazily loaded chunks are named by their content (apps/admin/build.mjs): a new build, a new name. */
export const CONSOLE_ASSETS = { immutable: (rel: string) => /^chunks\/[^/]+-[A-Z0-9]{8}\.js$/.test(rel) };

/** Whether an absolute request URL's path starts with `/v1/`, without parsing the URL. */
function isApiUrl(url: string): boolean {
  return url.startsWith('/v1/', url.indexOf('/', url.indexOf('//') + 2));
}

/**
 * The API plus the demo pages at `/`, the widget bundle at `/widgets/`, and (unless turned off) the
 * demo's token endpoints standing in for the bank's backend.
 */
export function serverApp(
  db: Db,
  settings: Pick<ServerSettings, 'tenant' | 'corsOrigins' | 'demoTokens'> &
    // `timeZone` (TIERKIT_TIME_ZONE): the bank's calendar, for the API as for the schedule (background.ts).
    Partial<Pick<ServerSettings, 'readCacheBytes' | 'versionTrustMs' | 'timeZone' | 'apiKeysFromBrowsers' | 'consoleTokenUrl'>>,
  apiOptions: Pick<
    AppOptions,
    'rateLimit' | 'matrixCacheSeconds' | 'schedule' | 'closing' | 'reportDb' | 'idempotencyLeaseDb' | 'auditAnchors' | 'heavyReads'
  > = {},
) {
  const api = createApp({
    version: SERVER_VERSION,
    ...apiOptions,
    ...(settings.timeZone === undefined ? {} : { timeZone: settings.timeZone }),
    ...(settings.readCacheBytes === undefined ? {} : { readCacheBytes: settings.readCacheBytes }),
    ...(settings.versionTrustMs === undefined ? {} : { subjectVersionTrustMs: settings.versionTrustMs }),
    ...(settings.apiKeysFromBrowsers === undefined ? {} : { apiKeysFromBrowsers: settings.apiKeysFromBrowsers }),
    db: db.db,
    ...(settings.corsOrigins ? { corsOrigins: settings.corsOrigins } : {}),
    // Node's socket address: bad-credential attempts are limited per client. `app.request()` has none.
    clientAddress: (c) => (c.env && typeof c.env === 'object' && 'incoming' in c.env ? getConnInfo(c).remote.address : undefined),
  });
  const demoRoot = resolve(REPO_ROOT, 'apps/portal-demo/public');
  const widgetsRoot = resolve(REPO_ROOT, 'packages/components/dist');
  // The admin console: its page and stylesheet, and its bundle (`npm run build -w @tierkit/admin-console`).
  const consoleRoot = resolve(REPO_ROOT, 'apps/admin/public');
  const consoleAssets = resolve(REPO_ROOT, 'apps/admin/dist');
  const app = new Hono();
  if (settings.demoTokens) app.route('/', demoTokenRoutes(db.db, settings.tenant, settings.corsOrigins));
  const site = app
    // The widgets run on the bank's own pages, another origin, which load them as module scripts (CORS
    // mode): any origin may, since the bundle is public code fetched without credentials (README).
    .get('/widgets/*', async (c, next) => (await serveFile(c, widgetsRoot, '/widgets/', { anyOrigin: true })) ?? next())
    .get('/admin', (c) => c.redirect('/admin/', 301))
    .get('/admin/sign-in.json', (c) => c.json(consoleSignIn(settings), 200, { 'Cache-Control': 'no-cache' }))
    .get('/admin/assets/*', async (c, next) => (await serveFile(c, consoleAssets, '/admin/assets/', CONSOLE_ASSETS)) ?? next())
    .get('/admin/*', async (c, next) => (await serveFile(c, consoleRoot, '/admin/')) ?? next())
    // Without demo tokens the demo pages cannot load a thing: `/` says what this server is instead.
    .get('*', async (c, next) => {
      if (API_PATHS.test(c.req.path)) return next();
      if (!settings.demoTokens) return c.req.path === '/' ? serverHomePage(settings) : next();
      return (await serveFile(c, demoRoot, '/')) ?? next();
    })
    .all('*', (c) => api.fetch(c.req.raw, c.env));
  // The API's own paths skip the site's routes: one Hono dispatch per read instead of two, about 5% of a
  // kept read's CPU. Nothing above serves a `/v1/` path, so the answer is the same either way.
  const siteFetch = site.fetch;
  site.fetch = (req, env, ctx) => (isApiUrl(req.url) ? api.fetch(req, env) : siteFetch(req, env, ctx));
  return site;
}

/** A running server. */
export interface RunningServer {
  readonly url: string;
  /**
   * Stop taking connections, let the requests in progress finish (up to `SHUTDOWN_GRACE_MS`), then
   * close the database.
   */
  close(): Promise<void>;
}

/**
 * How long a stopping server lets the requests it is answering finish before it cuts their
 * connections: behind a load balancer an instance is stopped (SIGTERM) while it serves, and a write
 * cut off before its answer leaves its caller not knowing whether it happened. A job's event stream
 * (`/v1/jobs/{id}/events`) never ends by itself while its job runs: the app is told the server is
 * stopping (`closing`) and ends it at once, and its client reconnects.
 */
export const SHUTDOWN_GRACE_MS = 10_000;

/** Listen on the settings' port; resolves once listening. */
export function listen(
  app: { fetch: (req: Request) => Response | Promise<Response> },
  settings: Pick<ServerSettings, 'port' | 'host'>,
  db: Db,
): Promise<RunningServer> {
  return new Promise((resolveListening, reject) => {
    let server: ServerType;
    try {
      server = serve({ fetch: app.fetch, port: settings.port, hostname: settings.host }, (info) => {
        const http = server as Server;
        let closing = false;
        // A keep-alive connection asked again while the server stops is answered, then closed.
        // Before the app's listener, which may write its answer in the same tick.
        http.prependListener('request', (_req, res) => {
          if (closing && !res.headersSent) res.setHeader('Connection', 'close');
        });
        resolveListening({
          url: `http://localhost:${info.port}`,
          close: () =>
            new Promise<void>((done) => {
              closing = true;
              // Idle keep-alive connections would hold close() open, and one may turn idle at any
              // moment while the others finish: close those as they appear, and the rest at the deadline.
              const idle = setInterval(() => http.closeIdleConnections(), 50);
              const deadline = setTimeout(() => http.closeAllConnections(), SHUTDOWN_GRACE_MS);
              http.close(() => {
                clearInterval(idle);
                clearTimeout(deadline);
                void db.close().then(done, done);
              });
              http.closeIdleConnections();
            }),
        });
      });
      server.once('error', reject);
      // serve() makes a node:http server unless told to make another.
      answerClientErrors(server as Server);
    } catch (error) {
      reject(error);
    }
  });
}

/** Whether the widget bundle has been built (`npm run build -w @tierkit/components`). */
export function consoleBuilt(): boolean {
  return existsSync(resolve(REPO_ROOT, 'apps/admin/dist/console.js'));
}

export function widgetsBuilt(): boolean {
  return existsSync(resolve(REPO_ROOT, 'packages/components/dist'));
}
