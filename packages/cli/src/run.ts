import { parseArgs } from 'node:util';
import { missingDatabaseReason, openDatabase, opsSettingsFromEnv, type OpsSettings } from '@tierkit/ops';
import { auditCommand } from './audit.js';
import { EXIT, type Command, type CommandContext, type OptionSpec } from './command.js';
import { importCommand } from './import-file.js';
import { runJobCommand, type JobCommand } from './job-command.js';
import { jobsCommand } from './jobs.js';
import { keysCommand } from './keys.js';
import { migrateCommand } from './migrate.js';
import { stderrLine, stdoutLine } from './output.js';
import { retentionCommand } from './retention.js';
import { retierCommand } from './retier.js';
import { simulateCommand } from './simulate.js';
import { seedCommand } from './seed.js';
import { serveCommand } from './serve.js';
import { staffCommand } from './staff.js';
import { teamsCommand } from './teams.js';
import { tenantsCommand } from './tenants.js';
import { workerCommand } from './worker.js';

/**
 * Every command, in the order `--help` lists them. A command lives in its own file and is added
 * here with one import and one entry (see command.ts).
 */
export const COMMANDS: readonly Command[] = [
  migrateCommand,
  seedCommand,
  serveCommand,
  tenantsCommand,
  keysCommand,
  staffCommand,
  teamsCommand,
  importCommand,
  auditCommand,
  retentionCommand,
];

/**
 * The job commands parse their own options (job-command.ts): they take `--database` and `--help`
 * from run and everything else themselves.
 */
const JOB_COMMANDS: readonly JobCommand[] = [retierCommand, simulateCommand, jobsCommand, workerCommand];

/** Options every command understands. */
const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  database: { type: 'string' },
  tenant: { type: 'string' },
  json: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/** The options every command takes, as `--help` lists them. */
const OPTIONS_HELP = `Options:
  --database URL            SQLite file or postgres:// URL (default: $DATABASE_URL or ./data/tierkit.db)
  --tenant ID               tenant to seed, serve, import into or manage keys of (default: $TIERKIT_TENANT or demo)
  --name TEXT               for tenants create (default: the id), staff add and staff role
  --role ROLE, --label TEXT for keys create (--role also for staff add, staff role and staff list)
  --scope tenant|book       for staff add and staff role
  --port N                  port for serve (default: $PORT or 8787)
  --json                    one JSON document on stdout for scripts; logs and failures go to stderr
  --no-progress             no progress bars (they are drawn only on a terminal anyway)
  -h, --help                show this help

Exit codes: 0 done, 1 failed (the last line on stderr says why), 2 wrong command line, 3 done in part,
4 audit verify --anchors: intact chains, anchors past their end only (after a restore).`;

export const USAGE = `Usage: tierkit <command> [options]

Commands:
${COMMANDS.map((c) => c.usage).join('\n')}
${JOB_COMMANDS.map((c) => c.usage).join('\n')}

${OPTIONS_HELP}`;

/** `tierkit COMMAND --help`: that command's usage and the options every command takes, not every command's. */
export function commandUsage(command: Command): string {
  return `Usage:\n${command.usage}\n\n${OPTIONS_HELP}`;
}

/** Every command's options and the global ones, for one parse of the command line. */
function allOptions(): Record<string, OptionSpec> {
  const options: Record<string, OptionSpec> = { ...GLOBAL_OPTIONS };
  for (const c of COMMANDS) Object.assign(options, c.options);
  return options;
}

/**
 * Run the CLI with `argv` (without node and script). Returns the exit code. `out` gets results,
 * `err` diagnostics and the one-line reason of a failure.
 */
export async function run(
  argv: readonly string[],
  out: (line: string) => void = stdoutLine,
  err: (line: string) => void = stderrLine,
): Promise<number> {
  const jobCommand = JOB_COMMANDS.find((c) => c.name === argv[0]);
  if (jobCommand) return runJobCommand(jobCommand, argv.slice(1), { out, err });
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options: allOptions() });
  } catch (e) {
    err(`tierkit: ${e instanceof Error ? e.message : String(e)} (tierkit --help lists the options)`);
    return EXIT.usage;
  }
  const { positionals, values } = parsed;
  const name = positionals[0];
  const command = COMMANDS.find((c) => c.name === name);
  if (values.help && command) {
    out(commandUsage(command));
    return EXIT.ok;
  }
  if (values.help || !name) {
    out(USAGE);
    return name || values.help ? EXIT.ok : EXIT.usage;
  }
  if (!command) {
    err(`tierkit: unknown command "${name}" (tierkit --help lists the commands)`);
    return EXIT.usage;
  }
  const env = { ...process.env };
  if (typeof values.database === 'string') env.DATABASE_URL = values.database;
  if (typeof values.tenant === 'string') env.TIERKIT_TENANT = values.tenant;
  if (typeof values.customers === 'string') env.DEMO_CUSTOMERS = values.customers;
  let settings: OpsSettings;
  try {
    settings = opsSettingsFromEnv(env);
  } catch (e) {
    err(`tierkit: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.usage;
  }
  const json = values.json === true;
  const log = json ? err : out;
  const args = positionals.slice(1);
  const creates = typeof command.createsDatabase === 'function' ? command.createsDatabase(args) : command.createsDatabase === true;
  const ctx: CommandContext = {
    args,
    options: values,
    settings,
    json,
    out,
    err,
    log,
    progress: !json && values['no-progress'] !== true && process.stderr.isTTY === true,
    openDatabase: async (to = log, use, setup, migrate, onMigrated) => {
      const missing = creates ? undefined : missingDatabaseReason(settings.databaseUrl);
      if (missing) throw new Error(missing);
      return openDatabase(settings.databaseUrl, to, use, setup, migrate, onMigrated);
    },
  };
  try {
    return await command.run(ctx);
  } catch (e) {
    // Whatever went wrong (a database that cannot be opened, a bug), one line, never a stack trace.
    err(`tierkit ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.failed;
  }
}
