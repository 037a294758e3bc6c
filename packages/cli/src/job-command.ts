import { parseArgs } from 'node:util';
import { formatLogLine, logFormatFromEnv } from '@tierkit/api';
import { isPostgresUrl, type Db } from '@tierkit/db';
import { missingDatabaseReason, openDatabase, opsSettingsFromEnv, redactDatabaseUrl, tenantFromEnv, timeZoneFromEnv } from '@tierkit/ops';
import { EXIT, type OptionSpec } from './command.js';
import { oneLine } from './job-output.js';

/** Where a job command writes: results on `out`; diagnostics and the one-line reason of a failure on `err`. */
export interface JobIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** A job command's parsed command line, and the calendar it runs in. */
export interface JobArgs {
  readonly positionals: readonly string[];
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  /** `TIERKIT_TIME_ZONE`: the bank's calendar (current month, month ends), as the server's. */
  readonly timeZone: string;
  /** The database opened, as messages name it (`redactDatabaseUrl`): a not-found says where it looked. */
  readonly database: string;
  /**
   * `--tenant`, else `TIERKIT_TENANT`, else demo — as every other command reads it (`tierkit --help`): on a
   * bank's server with TIERKIT_TENANT set, `tierkit retier` acted on (or was refused for) `demo`.
   */
  readonly tenant: string;
}

/**
 * `retier`, `jobs`, `worker`: each parses options of its own (they would clash with other commands'
 * in one parse: `--kind` is a subject kind here, a file kind for import), on the database that
 * `--database` names.
 */
export interface JobCommand {
  readonly name: string;
  /** Help lines, indented two spaces, as `tierkit --help` prints them. */
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly positionals?: boolean;
  /** Refused on SQLite with this reason, before the database is opened (or a new file made). */
  readonly refusedOnSqlite?: string;
  /** Runs until stopped under a process manager: its lines are log records (a UTC time and a level), `database:` first among them. */
  readonly logs?: boolean;
  /** What is wrong with the command line alone (exit 2), checked before the database is opened. */
  check?(args: JobArgs): string | undefined;
  run(db: Db, args: JobArgs, io: JobIo): Promise<number>;
}

/**
 * Parse the command line first (a usage error or `--help` opens no database), then open the
 * database of `--database` (or $DATABASE_URL), run the command, close it. Anything thrown ends in
 * one line on `err` and exit 1.
 */
export async function runJobCommand(command: JobCommand, argv: readonly string[], io: JobIo): Promise<number> {
  let args: JobArgs;
  let timeZone: string;
  try {
    timeZone = timeZoneFromEnv(process.env);
  } catch (e) {
    io.err(`tierkit ${command.name}: ${oneLine(e)}`);
    return EXIT.usage;
  }
  try {
    const parsed = parseArgs({
      args: [...argv],
      allowPositionals: command.positionals ?? false,
      // The options every command takes (run.ts); --no-progress matters only where a bar is drawn.
      options: {
        ...command.options,
        database: { type: 'string' },
        'no-progress': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const values = parsed.values as JobArgs['values'];
    const tenant = typeof values.tenant === 'string' ? values.tenant : tenantFromEnv(process.env);
    args = { positionals: parsed.positionals, values, timeZone, database: '', tenant };
  } catch (e) {
    io.err(`tierkit ${command.name}: ${e instanceof Error ? e.message : String(e)} (tierkit ${command.name} --help lists its options)`);
    return EXIT.usage;
  }
  if (args.values.help) {
    io.out(
      `Usage:\n${command.usage}\n\n  --database URL            SQLite file or postgres:// URL (default: $DATABASE_URL or ./data/tierkit.db)`,
    );
    return EXIT.ok;
  }
  const wrong = command.check?.(args);
  if (wrong) {
    io.err(`${command.name}: ${wrong}`);
    return EXIT.usage;
  }
  const given = args.values.database;
  let db: Db | undefined;
  try {
    const url = typeof given === 'string' ? given : opsSettingsFromEnv(process.env).databaseUrl;
    if (command.refusedOnSqlite && !isPostgresUrl(url)) {
      io.err(`tierkit ${command.name}: ${command.refusedOnSqlite} (database: ${redactDatabaseUrl(url)})`);
      return EXIT.failed;
    }
    // No job command makes a database: a mistyped path made a file, migrated it and then failed on the tenant.
    const missing = missingDatabaseReason(url);
    if (missing) {
      io.err(`tierkit ${command.name}: ${missing}`);
      return EXIT.failed;
    }
    // Workers and re-tiers are batch work: their statements get minutes, not a request's seconds.
    // The `database:` line on stderr, as every command that opens one: without DATABASE_URL a
    // command quietly opened ./data/tierkit.db and found nothing there.
    const format = logFormatFromEnv(process.env);
    db = await openDatabase(url, command.logs ? (line) => io.err(formatLogLine('info', line, {}, format)) : io.err, 'batch');
    return await command.run(db, { ...args, database: redactDatabaseUrl(url) }, io);
  } catch (e) {
    io.err(`tierkit ${command.name}: ${oneLine(e)}`);
    return EXIT.failed;
  } finally {
    await db?.close();
  }
}
