import { log as writeLog, logError, logWarn, type LogLine } from '@tierkit/api';
import { connect, type Db } from '@tierkit/db';
import { databaseTimeoutsFromEnv, missingTenantReason, openApiPools, openSetupConnection } from '@tierkit/ops';
import { anchorsForApi, backgroundFromEnv, scheduleForApi, startBackground } from './background.js';
import { demoTokensFor, ensureDemoKeys } from './demo-key.js';
import { assertPortFree } from './port-free.js';
import {
  consoleBuilt,
  ensureAdminKey,
  listen,
  openDatabase,
  provisionOnce,
  REPO_ROOT,
  seedIfNeeded,
  serverApp,
  settingsFromEnv,
  widgetsBuilt,
} from './server.js';

/*
 * `npm start`: create or migrate the database, seed the demo tenant once, serve the API, the demo
 * pages and the widgets, and print where.
 */
// Every line the server writes is a log record: a UTC time and a level (TIERKIT_LOG_FORMAT, docs/operations.md).
// Lines are info unless their caller says a failure (an anchoring pass, an interrupted import it could not
// mark): those are warn or error, so an operator alerting on those levels is told.
const log: LogLine = (line, level = 'info') => writeLog(level, line);
/** Aborted on SIGINT/SIGTERM: the app ends its open event streams so the stop does not wait for them. */
const stopping = new AbortController();

async function start() {
  const settings = settingsFromEnv();
  // Before the database and the seed: a port in use is said in a second, not after a 45 s seed.
  await assertPortFree(settings);
  // PostgreSQL: migrations, then provisioning, one after the other on one batch-timeout connection, closed once both are done.
  const setup = openSetupConnection(settings.databaseUrl);
  let db: Db | undefined;
  let demoKeys: { readonly viewer?: string; readonly embedder?: string } = {};
  let demoTokens = false;
  try {
    db = await openDatabase(settings.databaseUrl, log, 'requests', setup);
    // Several servers may start together on one new PostgreSQL database: one provisions, the others wait and find it done.
    demoKeys = await provisionOnce(
      db,
      settings.databaseUrl,
      settings.tenant,
      async (locked) => {
        await seedIfNeeded(locked, settings, log);
        await ensureAdminKey(locked, settings, log);
        demoTokens = await demoTokensFor(locked, settings, log);
        return ensureDemoKeys(locked, { ...settings, demoTokens }, REPO_ROOT, log);
      },
      () => log(`seed: another process is setting up tenant "${settings.tenant}"; waiting for it`),
      process.env,
      setup,
    );
  } finally {
    await setup?.close();
  }
  // The server serves every tenant by its credential, so a mistyped TIERKIT_TENANT does not stop it; but
  // it then seeded, bootstrapped and minted demo tokens for nobody, and said so only in passing.
  const missing = await missingTenantReason(db.db, settings.tenant);
  if (missing)
    logWarn(
      `TIERKIT_TENANT: ${missing}; serving the tenants there are, with no demo data, admin key or demo tokens for "${settings.tenant}"`,
    );
  // One calendar (TIERKIT_TIME_ZONE) for the API (reviews due, current month) and the schedule.
  const backgroundSettings = backgroundFromEnv(process.env, db.dialect);
  // GET /v1/jobs/schedule says whether this process runs the schedule, and what it waits for by the settings it runs with.
  // PostgreSQL: reports on a pool with their longer statement timeout, lease renewals on a connection of their own;
  // SQLite: the reads whose cost grows with the book in reader processes (docs/operations.md).
  const pools = openApiPools(settings.databaseUrl);
  const auditAnchors = anchorsForApi(backgroundSettings);
  const server = await listen(
    serverApp(
      db,
      { ...settings, demoTokens },
      {
        schedule: scheduleForApi(backgroundSettings),
        closing: stopping.signal,
        ...(auditAnchors ? { auditAnchors } : {}),
        ...(pools.reportDb ? { reportDb: pools.reportDb } : {}),
        ...(pools.idempotencyLeaseDb ? { idempotencyLeaseDb: pools.idempotencyLeaseDb } : {}),
        ...(pools.heavyReads ? { heavyReads: pools.heavyReads } : {}),
      },
    ),
    settings,
    db,
  );
  // An in-process worker on PostgreSQL (TIERKIT_WORKER=on) runs re-tier chunks: batch work, on a pool of
  // its own with batch work's statement timeout rather than a request's.
  const batch =
    backgroundSettings.worker && db.dialect === 'postgres'
      ? connect({ url: settings.databaseUrl, poolSize: 2, ...databaseTimeoutsFromEnv('batch') })
      : undefined;
  const started = startBackground(batch ?? db, backgroundSettings, log);
  const background = { stop: () => started.stop().finally(() => batch?.close()) };
  return { settings: { ...settings, demoTokens }, demoKeys, server, background, pools };
}

// A start that cannot go on (a database it cannot reach or log in to, a bad setting, a revoked
// TIERKIT_ADMIN_KEY, a port in use) is one line saying why and exit 1, as the CLI does, not a stack trace.
const { settings, demoKeys, server, background, pools } = await start().catch((error: unknown) => {
  logError(`tierkit server: cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

const banner = `tierkit is running
${
  // Without demo tokens there is no demo page and no demo customer C000003: say what is there instead.
  settings.demoTokens
    ? `  demo page       ${server.url}/
  customer tiers  ${server.url}/v1/subjects/C000003/tiers   (needs Authorization: Bearer <key>; see apps/server/README.md)
`
    : `  home            ${server.url}/   (demo pages off)
`
}${demoKeys.viewer ? `  try it          curl -H "Authorization: Bearer ${demoKeys.viewer}" ${server.url}/v1/subjects/C000003/tiers\n` : ''}${demoKeys.embedder ? `  mint a token    curl -X POST -H "Authorization: Bearer ${demoKeys.embedder}" -H 'Content-Type: application/json' -d '{"subject":"C000003","origins":["http://localhost:5173"]}' ${server.url}/v1/embed-tokens   (embedder key: mints and nothing else)\n` : ''}  API docs        ${server.url}/docs
  OpenAPI         ${server.url}/openapi.json
  widgets         ${server.url}/widgets/${widgetsBuilt() ? '' : '  (not built: run npm run build -w @tierkit/components)'}
  admin console   ${server.url}/admin/${consoleBuilt() ? '' : '  (not built: run npm run build -w @tierkit/admin-console)'}${settings.demoTokens ? '' : settings.consoleTokenUrl ? `   staff sign-in through ${settings.consoleTokenUrl}` : '   no staff sign-in: set TIERKIT_CONSOLE_TOKEN_URL (docs/operations.md)'}
  demo tokens     ${settings.demoTokens ? `${server.url}/demo/embed-token?subject=C000003, ${server.url}/demo/rm-token (DEMO_TOKENS=off disables)` : 'off'}
Press Ctrl+C to stop.`;
// One record a line, so a shipper reads the banner as it reads the rest.
for (const line of banner.split('\n')) if (line.trim()) log(line.trim());

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping.signal.aborted) return;
    stopping.abort();
    log(`${signal}: shutting down`);
    background
      .stop()
      .then(() => server.close())
      .then(() => pools.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logError('tierkit server: stopping failed', err);
          process.exit(1);
        },
      );
  });
}
