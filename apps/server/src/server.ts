import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { addMonths, createApp, ensureApiKey, periodOf, type AppOptions } from '@tierkit/api';
import { connect, isPostgresUrl, migrateToLatest, type Db } from '@tierkit/db';
import { Hono } from 'hono';
import { demoTokenRoutes } from './demo-tokens.js';
import { seedDemo, seedDemoStaff } from './seed/index.js';
import { serveFile } from './static-files.js';

/** The repository root: `./data`, the demo pages and the widget bundle are found from here. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Settings of the server, normally from the environment (see apps/server/README.md). */
export interface ServerSettings {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  readonly tenant: string;
  readonly customers: number;
  readonly corsOrigins: readonly string[] | undefined;
  /** `TIERKIT_ADMIN_KEY`: an admin key secret to make sure exists for `tenant` (ops bootstrap). */
  readonly adminKey: string | undefined;
  /** Serve `/demo/embed-token` and `/demo/rm-token` (`DEMO_TOKENS=off` turns them off). */
  readonly demoTokens: boolean;
}

/** Loopback addresses: only this machine can reach a server bound to one of them. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Demo tokens stand in for a bank's authenticated backend: anyone who can reach them is "logged in",
 * and /demo/rm-token reads the whole tenant. So they are on by default only when the server is
 * reachable from this machine alone; on any other address they need an explicit `DEMO_TOKENS=on`.
 */
export function demoTokensWanted(value: string | undefined, host: string): boolean {
  if (value && /^(off|false|0|no)$/i.test(value)) return false;
  if (value && /^(on|true|1|yes)$/i.test(value)) return true;
  if (value) throw new Error(`DEMO_TOKENS must be on or off, got "${value}"`);
  return isLoopback(host);
}

/** Read settings from environment variables, with the demo defaults. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): ServerSettings {
  const port = Number(env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  const customers = Number(env.DEMO_CUSTOMERS ?? 10_000);
  if (!Number.isInteger(customers) || customers < 5) throw new Error(`DEMO_CUSTOMERS must be an integer ≥ 5, got "${env.DEMO_CUSTOMERS}"`);
  // The demo hands out tokens to whoever asks, so by default it listens on this machine only.
  const host = env.HOST || '127.0.0.1';
  return {
    port,
    host,
    databaseUrl: env.DATABASE_URL || resolve(REPO_ROOT, 'data/tierkit.db'),
    tenant: env.TIERKIT_TENANT ?? 'demo',
    customers,
    corsOrigins: env.CORS_ORIGINS
      ? env.CORS_ORIGINS.split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined,
    adminKey: env.TIERKIT_ADMIN_KEY || undefined,
    demoTokens: demoTokensWanted(env.DEMO_TOKENS, host),
  };
}

/** Open the database and bring its schema up to date. */
export async function openDatabase(url: string, log: (line: string) => void = () => undefined): Promise<Db> {
  const db = connect({ url });
  const ran = await migrateToLatest(db.db);
  log(
    `database: ${isPostgresUrl(url) ? url.replace(/:[^:@/]+@/, ':***@') : url} (${db.dialect})${ran.length ? `, migrated: ${ran.join(', ')}` : ''}`,
  );
  return db;
}

/** The last complete month in Asia/Shanghai: the demo data ends there. */
export function lastCompleteMonth(now: Date = new Date()): string {
  return addMonths(periodOf(now, 'Asia/Shanghai'), -1);
}

/** Seed the demo tenant unless it was seeded before. */
export async function seedIfNeeded(
  db: Db,
  settings: Pick<ServerSettings, 'tenant' | 'customers'>,
  log: (line: string) => void,
): Promise<void> {
  const result = await seedDemo(db.db, {
    tenantId: settings.tenant,
    tenantName: 'Demo Bank',
    customers: settings.customers,
    endPeriod: lastCompleteMonth(),
    log,
  });
  if (result.skipped) log(`seed: tenant "${settings.tenant}" already seeded, keeping its data`);
  else
    log(
      `seed: ${result.subjects} subjects, ${result.metrics} metric rows, ${result.events} tier events in ${(result.ms / 1000).toFixed(1)} s`,
    );
  const staff = await seedDemoStaff(db.db, settings.tenant, new Date().toISOString());
  if (staff.assigned) log(`seed: demo staff created, ${staff.assigned} customers shared out among the demo RMs`);
}

/** With `TIERKIT_ADMIN_KEY` set, make sure that secret is an admin key of the served tenant. Never logs the secret. */
export async function ensureAdminKey(
  db: Db,
  settings: Pick<ServerSettings, 'tenant' | 'adminKey'>,
  log: (line: string) => void,
): Promise<void> {
  if (!settings.adminKey) return;
  const { key, created } = await ensureApiKey(db.db, {
    tenantId: settings.tenant,
    secret: settings.adminKey,
    role: 'admin',
    label: 'TIERKIT_ADMIN_KEY',
  });
  log(`auth: TIERKIT_ADMIN_KEY is admin key ${key.id} of tenant "${settings.tenant}"${created ? ' (created)' : ''}`);
}

const API_PATHS = /^\/(v1\/|openapi\.json$|docs$|healthz$)/;

/**
 * The API plus the demo pages at `/`, the widget bundle at `/widgets/`, and (unless turned off) the
 * demo's token endpoints standing in for the bank's backend.
 */
export function serverApp(
  db: Db,
  settings: Pick<ServerSettings, 'tenant' | 'corsOrigins' | 'demoTokens'>,
  apiOptions: Pick<AppOptions, 'rateLimit' | 'matrixCacheSeconds'> = {},
) {
  const api = createApp({
    ...apiOptions,
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
  return app
    .get('/widgets/*', async (c, next) => (await serveFile(c, widgetsRoot, '/widgets/')) ?? next())
    .get('/admin', (c) => c.redirect('/admin/', 301))
    .get('/admin/assets/*', async (c, next) => (await serveFile(c, consoleAssets, '/admin/assets/')) ?? next())
    .get('/admin/*', async (c, next) => (await serveFile(c, consoleRoot, '/admin/')) ?? next())
    .get('*', async (c, next) => (API_PATHS.test(c.req.path) ? next() : ((await serveFile(c, demoRoot, '/')) ?? next())))
    .all('*', (c) => api.fetch(c.req.raw, c.env));
}

/** A running server. */
export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

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
        resolveListening({
          url: `http://localhost:${info.port}`,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => void db.close().then(done, done));
              // Keep-alive connections would hold close() open; the demo has no long requests.
              if ('closeAllConnections' in server) (server as { closeAllConnections(): void }).closeAllConnections();
            }),
        });
      });
      server.once('error', reject);
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
