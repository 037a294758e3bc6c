import type { Db } from '@tierkit/db';
import { ensureAdminKey, lastCompleteMonth, seedDemo, type OpsSettings } from '@tierkit/ops';
import { EXIT, type Command } from './command.js';

/** What `tierkit serve` uses of the demo server, resolved when the command runs. */
interface DemoServer {
  settingsFromEnv(
    env: NodeJS.ProcessEnv,
  ): OpsSettings & { port: number; host: string; corsOrigins: readonly string[] | undefined; demoTokens: boolean };
  serverApp(db: Db, settings: never): { fetch: (req: Request) => Response | Promise<Response> };
  listen(
    app: { fetch: (req: Request) => Response | Promise<Response> },
    settings: never,
    db: Db,
  ): Promise<{ url: string; close(): Promise<void> }>;
}

/*
 * The CLI is a package and never imports an app at build time. `serve` runs the demo server
 * (apps/server: the API plus the demo pages), so it loads that app when asked to, from the
 * workspace; where it is not installed, serve says so and the other commands work as before.
 */
const DEMO_SERVER = '@tierkit/server';

export const serveCommand: Command = {
  name: 'serve',
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
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: ctx.settings.databaseUrl,
      TIERKIT_TENANT: ctx.settings.tenant,
      DEMO_CUSTOMERS: String(ctx.settings.customers),
    };
    const port = ctx.options.port;
    if (typeof port === 'string') env.PORT = port;
    const settings = server.settingsFromEnv(env);
    const db = await ctx.openDatabase();
    const r = await seedDemo(db.db, {
      tenantId: settings.tenant,
      customers: settings.customers,
      endPeriod: lastCompleteMonth(),
      log: ctx.log,
    });
    if (!r.skipped) ctx.log(`seed: ${r.subjects} subjects`);
    await ensureAdminKey(db, settings, ctx.log);
    const running = await server.listen(server.serverApp(db, settings as never), settings as never, db);
    ctx.out(`tierkit serving ${running.url}/ (API docs ${running.url}/docs)`);
    await new Promise<void>((resolve) => {
      const stop = () => void running.close().then(resolve, resolve);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return EXIT.ok;
  },
};
