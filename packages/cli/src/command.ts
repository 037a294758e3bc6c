import type { Db } from '@tierkit/db';
import type { DatabaseUse, OpsSettings } from '@tierkit/ops';

/** Exit codes every command uses (packages/cli/README.md). */
export const EXIT = {
  ok: 0,
  /** The work failed: nothing (more) was changed. The last line says why. */
  failed: 1,
  /** The command line is wrong: unknown command or option, a missing argument. */
  usage: 2,
  /** Done in part: e.g. an import in mode valid-rows that rejected rows. */
  partial: 3,
  /**
   * `audit verify --anchors`: every chain is intact, but anchors name records past a chain's end (or a
   * chain that is gone) and nothing else is wrong. After a restore that is what the restore lost; with
   * no restore it is a cut. Its own code so a restore's check is not read as tampering, nor as ok.
   */
  anchorsPastEnd: 4,
} as const;

/** An option a command adds to the command line (node:util parseArgs form). */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
}

/** What a command gets to run. */
export interface CommandContext {
  /** Positional arguments after the command name. */
  readonly args: readonly string[];
  /** Every parsed option (global ones and each command's). */
  readonly options: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  readonly settings: OpsSettings;
  /** `--json`: print one JSON document on stdout for scripts, and nothing else there. */
  readonly json: boolean;
  /** Results, for people or (with --json) scripts. */
  readonly out: (line: string) => void;
  /** Diagnostics and the one-line reason of a failure. */
  readonly err: (line: string) => void;
  /** Logs of setup work (database opened, migrated): `out` for people, `err` under --json. */
  readonly log: (line: string) => void;
  /** Whether to draw progress bars (stderr is a terminal and no --json). */
  readonly progress: boolean;
  /** Open and migrate the database of `--database` / `$DATABASE_URL`, logging where to `log` (default ctx.log). */
  /** `use` 'batch' (imports, seeding, migrations) gets batch work's PostgreSQL statement timeout; `setup` (`openSetupConnection`) is where a server's start migrates. */
  /** `migrate`: bring the schema up to date (default: unless TIERKIT_MIGRATE=off; `tierkit migrate` always does). */
  /** `onMigrated`: the migrations this opening applied (none when the schema was current). */
  openDatabase(
    log?: (line: string) => void,
    use?: DatabaseUse,
    setup?: Db,
    migrate?: boolean,
    onMigrated?: (ran: readonly string[]) => void,
  ): Promise<Db>;
}

/**
 * One `tierkit` command, in its own file. To add one, export a `Command` and list it in `COMMANDS`
 * (run.ts): one import line and one array entry.
 */
export interface Command {
  readonly name: string;
  /** Help lines, indented two spaces, as `tierkit --help` prints them. */
  readonly usage: string;
  readonly options?: Readonly<Record<string, OptionSpec>>;
  /**
   * Whether the command may make a new database (a SQLite file), given its positional arguments:
   * `migrate`, `seed`, `serve`, `tenants create`. Every other command refuses a file that does not
   * exist (`missingDatabaseReason`) rather than make, migrate and leave one behind at a mistyped path.
   */
  readonly createsDatabase?: boolean | ((args: readonly string[]) => boolean);
  run(ctx: CommandContext): Promise<number>;
}

/** A string option's value, or undefined. */
export function stringOption(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.options[name];
  return typeof v === 'string' ? v : undefined;
}
