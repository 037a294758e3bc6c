import { formatLogLine, logFormatFromEnv, type LogLine } from '@tierkit/api';
import type { Db } from '@tierkit/db';
import { ensureAdminKey, missingTenantReason, openApiPools, openSetupConnection, provisionOnce, type OpsSettings } from '@tierkit/ops';
import { EXIT, type Command } from './command.js';

/** What `tierkit serve` uses of the demo server, resolved when the command runs. */
interface DemoServer {
  settingsFromEnv(
    env: NodeJS.ProcessEnv,
  ): OpsSettings & { port: number; host: string; corsOrigins: readonly string[] | undefined; demoTokens: boolean };
  serverApp(
    db: Db,
    settings: never,
    apiOptions?: {
      schedule?: ReturnType<DemoServer['scheduleForApi']>;
      reportDb?: Db['db'];
      idempotencyLeaseDb?: Db['db'];
      heavyReads?: Db['db'];
    },
  ): { fetch: (req: Request) => Response | Promise<Response> };
  listen(
    app: { fetch: (req: Request) => Response | Promise<Response> },
    settings: never,
    db: Db,
  ): Promise<{ url: string; close(): Promise<void> }>;
  seedIfNeeded(db: Db, settings: never, log: LogLine): Promise<void>;
  backgroundFromEnv(env: NodeJS.ProcessEnv, dialect: Db['dialect']): unknown;
  scheduleForApi(settings: never): { running: boolean; settleMinutes?: number; overdueDays?: number };
  startBackground(db: Db, settings: never, log: LogLine): { stop(): Promise<void> };
}

/*
 * The CLI is a package and never imports an app at build time. `serve` runs the demo server
 * (apps/server: the API plus the demo pages), so it loads that app when asked to, from the
 * workspace; where it is not installed, serve says so and the other commands work as before.
 */
const DEMO_SERVER = '@tierkit/server';

export const serveCommand: Command = {
  name: 'serve',
  createsDatabase: true,
  usage: `  serve [--port N]          migrate, seed if needed, and serve the API and demo pages (needs apps/server)
                            ($TIERKIT_ADMIN_KEY: make sure that secret is an admin key of the tenant)`,
  options: { port: { type: 'string' } },
  async run(ctx) {
    let server: DemoServer;
    try {
      server = (await import(DEMO_SERVER)) as DemoServer;
    } catch {
      ctx.err(`serve: the demo server (${DEMO_SERVER}, apps/server) is not installed; run npm start in the repository`);
      return EXIT.failed;
    }
    // A server's lines are log records (a UTC time and a level, TIERKIT_LOG_FORMAT), as npm start's are.
    const format = logFormatFromEnv(process.env);
    // Info where the command's other lines go; a failure (warn, error) on stderr, as npm start's.
    const say: LogLine = (line, level = 'info') => (level === 'info' ? ctx.log : ctx.err)(formatLogLine(level, line, {}, format));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: ctx.settings.databaseUrl,
      TIERKIT_TENANT: ctx.settings.tenant,
      DEMO_CUSTOMERS: String(ctx.settings.customers),
    };
    const port = ctx.options.port;
    if (typeof port === 'string') env.PORT = port;
    const settings = server.settingsFromEnv(env);
    // As `npm start` does: on PostgreSQL migrations and provisioning on one batch-timeout connection,
    // closed once both are done; the same seeding rules (never into a tenant set up otherwise), one
    // process at a time; then the background work (the in-process re-tier worker on SQLite, the monthly schedule).
    const setup = openSetupConnection(ctx.settings.databaseUrl);
    let db: Db;
    try {
      db = await ctx.openDatabase(say, 'requests', setup);
      await provisionOnce(
        db,
        ctx.settings.databaseUrl,
        settings.tenant,
        async (locked) => {
          await server.seedIfNeeded(locked, settings as never, say);
          await ensureAdminKey(locked, settings, say);
        },
        () => say(`seed: another process is setting up tenant "${settings.tenant}"; waiting for it`),
        process.env,
        setup,
      );
    } finally {
      await setup?.close();
    }
    // As npm start: a server serves every tenant by credential, so a mistyped --tenant is a warning, not a refusal.
    const missing = await missingTenantReason(db.db, settings.tenant);
    if (missing)
      ctx.err(
        formatLogLine(
          'warn',
          `TIERKIT_TENANT: ${missing}; serving the tenants there are, with no demo data or admin key for "${settings.tenant}"`,
          {},
          format,
        ),
      );
    const backgroundSettings = server.backgroundFromEnv(env, db.dialect) as { timeZone: string };
    // One calendar for the API (reviews due, current month) and the schedule; GET /v1/jobs/schedule
    // says whether this process runs the schedule, by the settings it runs with.
    // As `npm start` does on PostgreSQL: reports on their own pool, lease renewals on their own connection.
    const pools = openApiPools(ctx.settings.databaseUrl);
    const running = await server.listen(
      server.serverApp(db, { ...settings, timeZone: backgroundSettings.timeZone } as never, {
        schedule: server.scheduleForApi(backgroundSettings as never),
        ...(pools.reportDb ? { reportDb: pools.reportDb } : {}),
        ...(pools.idempotencyLeaseDb ? { idempotencyLeaseDb: pools.idempotencyLeaseDb } : {}),
        ...(pools.heavyReads ? { heavyReads: pools.heavyReads } : {}),
      }),
      settings as never,
      db,
    );
    const background = server.startBackground(db, backgroundSettings as never, say);
    say(`tierkit serving ${running.url}/ (API docs ${running.url}/docs)`);
    await new Promise<void>((resolve) => {
      const stop = () =>
        void background
          .stop()
          .then(() => running.close())
          .then(() => pools.close())
          .then(resolve, resolve);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return EXIT.ok;
  },
};
