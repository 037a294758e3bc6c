import { parseArgs } from 'node:util';
import { migrateDownAll } from '@tierkit/db';
import { ensureAdminKey, lastCompleteMonth, listen, openDatabase, seedDemo, serverApp, settingsFromEnv } from '@tierkit/server';
import { AUDIT_USAGE, runAudit } from './audit.js';
import { KEYS_USAGE, runKeys } from './keys.js';
import { runTenants, TENANTS_USAGE } from './tenants.js';

export const USAGE = `Usage: tierkit <command> [options]

Commands:
  migrate [--down]          bring the database schema up to date (--down: undo every migration)
  seed [--customers N]      seed the demo tenant once (default ${'10,000'} customers)
  serve                     migrate, seed if needed, and serve the API and demo pages
                            ($TIERKIT_ADMIN_KEY: make sure that secret is an admin key of the tenant)
${TENANTS_USAGE}
${KEYS_USAGE}
${AUDIT_USAGE}

Options:
  --database URL            SQLite file or postgres:// URL (default: $DATABASE_URL or ./data/tierkit.db)
  --tenant ID               tenant to seed, serve or manage keys of (default: demo)
  --name TEXT               for tenants create (default: the id)
  --role ROLE, --label TEXT for keys create
  --port N                  port for serve (default: $PORT or 8787)
  -h, --help                show this help

Not yet implemented (see packages/cli/README.md): import, retier.`;

/** Run the CLI with `argv` (without node and script). Returns the exit code. */
export async function run(argv: readonly string[], out: (line: string) => void = console.log): Promise<number> {
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
    case 'audit': {
      const db = await openDatabase(settings.databaseUrl);
      try {
        return await runAudit(db, { action: positionals[1], tenant: values.tenant }, out);
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
