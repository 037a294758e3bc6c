import { parseArgs } from 'node:util';
import { migrateDownAll, type Db } from '@tierkit/db';
import { ensureAdminKey, lastCompleteMonth, listen, openDatabase, seedDemo, serverApp, settingsFromEnv } from '@tierkit/server';
import { JOBS_USAGE, runJobs } from './jobs.js';
import { KEYS_USAGE, runKeys } from './keys.js';
import { RETIER_USAGE, runRetier } from './retier.js';
import { runTenants, TENANTS_USAGE } from './tenants.js';
import { runWorkerCommand, WORKER_USAGE } from './worker.js';

export const USAGE = `Usage: tierkit <command> [options]

Commands:
  migrate [--down]          bring the database schema up to date (--down: undo every migration)
  seed [--customers N]      seed the demo tenant once (default ${'10,000'} customers)
  serve                     migrate, seed if needed, and serve the API and demo pages
                            ($TIERKIT_ADMIN_KEY: make sure that secret is an admin key of the tenant)
${TENANTS_USAGE}
${KEYS_USAGE}
${RETIER_USAGE}
${JOBS_USAGE}
${WORKER_USAGE}

Options:
  --database URL            SQLite file or postgres:// URL (default: $DATABASE_URL or ./data/tierkit.db)
  --tenant ID               tenant to seed, serve or manage keys of (default: demo)
  --name TEXT               for tenants create (default: the id)
  --role ROLE, --label TEXT for keys create
  --port N                  port for serve (default: $PORT or 8787)
  -h, --help                show this help

Not yet implemented (see packages/cli/README.md): import, audit verify.`;

/** Run the CLI with `argv` (without node and script). Returns the exit code. */
export async function run(argv: readonly string[], out: (line: string) => void = console.log): Promise<number> {
  const jobCommand = JOB_COMMANDS[argv[0] ?? ''];
  if (jobCommand) return runJobCommand(jobCommand, argv.slice(1), out);
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      database: { type: 'string' },
      tenant: { type: 'string' },
      port: { type: 'string' },
      customers: { type: 'string' },
      role: { type: 'string' },
      label: { type: 'string' },
      name: { type: 'string' },
      down: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    out(USAGE);
    return command || values.help ? 0 : 2;
  }
  const env = { ...process.env };
  if (values.database) env.DATABASE_URL = values.database;
  if (values.tenant) env.TIERKIT_TENANT = values.tenant;
  if (values.port) env.PORT = values.port;
  if (values.customers) env.DEMO_CUSTOMERS = values.customers;
  const settings = settingsFromEnv(env);

  switch (command) {
    case 'migrate': {
      const db = await openDatabase(settings.databaseUrl, out);
      try {
        if (values.down) {
          await migrateDownAll(db.db);
          out('migrate: every migration undone');
        } else out('migrate: schema is up to date');
      } finally {
        await db.close();
      }
      return 0;
    }
    case 'seed': {
      const db = await openDatabase(settings.databaseUrl, out);
      try {
        const r = await seedDemo(db.db, {
          tenantId: settings.tenant,
          customers: settings.customers,
          endPeriod: lastCompleteMonth(),
          log: out,
        });
        out(
          r.skipped
            ? `seed: tenant "${settings.tenant}" was already seeded; nothing changed`
            : `seed: ${r.subjects} subjects, ${r.events} tier events`,
        );
      } finally {
        await db.close();
      }
      return 0;
    }
    case 'tenants': {
      const db = await openDatabase(settings.databaseUrl);
      try {
        return await runTenants(db, { action: positionals[1], id: positionals[2] ?? values.tenant, name: values.name }, out);
      } finally {
        await db.close();
      }
    }
    case 'keys': {
      const db = await openDatabase(settings.databaseUrl);
      try {
        return await runKeys(
          db,
          { action: positionals[1], id: positionals[2], tenant: values.tenant, role: values.role, label: values.label },
          out,
        );
      } finally {
        await db.close();
      }
    }
    case 'serve': {
      const db = await openDatabase(settings.databaseUrl, out);
      const r = await seedDemo(db.db, {
        tenantId: settings.tenant,
        customers: settings.customers,
        endPeriod: lastCompleteMonth(),
        log: out,
      });
      if (!r.skipped) out(`seed: ${r.subjects} subjects`);
      await ensureAdminKey(db, settings, out);
      const server = await listen(serverApp(db, settings), settings, db);
      out(`tierkit serving ${server.url}/ (API docs ${server.url}/docs)`);
      await new Promise<void>((resolve) => {
        const stop = () => void server.close().then(resolve, resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      return 0;
    }
    default:
      out(`tierkit: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

/** Commands that parse their own options (packages/cli/src/retier.ts, jobs.ts, worker.ts). */
const JOB_COMMANDS: Record<string, (db: Db, argv: readonly string[], out: (line: string) => void) => Promise<number>> = {
  retier: runRetier,
  jobs: runJobs,
  worker: runWorkerCommand,
};

/** Open the database `--database` names (or $DATABASE_URL), run the command, close it; a bad option is exit 2. */
async function runJobCommand(
  command: (db: Db, argv: readonly string[], out: (line: string) => void) => Promise<number>,
  argv: readonly string[],
  out: (line: string) => void,
): Promise<number> {
  const i = argv.indexOf('--database');
  const url = i >= 0 ? argv[i + 1] : undefined;
  const rest = i >= 0 ? [...argv.slice(0, i), ...argv.slice(i + 2)] : argv;
  const db = await openDatabase(url ?? settingsFromEnv(process.env).databaseUrl);
  try {
    return await command(db, rest, out);
  } catch (err) {
    // parseArgs refuses unknown options and missing values with a TypeError carrying a code.
    if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      out(`tierkit: ${err.message}`);
      return 2;
    }
    throw err;
  } finally {
    await db.close();
  }
}
