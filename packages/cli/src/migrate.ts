import { basename } from 'node:path';
import { isPostgresUrl, migrateDownAll, redactDatabaseUrl } from '@tierkit/db';
import { EXIT, stringOption, type Command } from './command.js';

/**
 * The name an operator types back to `migrate --down --confirm NAME`: a PostgreSQL URL's database, a
 * SQLite file's name.
 */
export function databaseName(url: string): string {
  if (isPostgresUrl(url)) {
    try {
      return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
    } catch {
      return '';
    }
  }
  return basename(url);
}

export const migrateCommand: Command = {
  name: 'migrate',
  createsDatabase: true,
  usage: `  migrate                   bring the database schema up to date
  migrate --down --yes-drop-all-data | --confirm NAME
                            WARNING: drops every table — all customers, history and the audit chain —
                            undoing every migration; refused unless confirmed (NAME: the database's name)`,
  options: { down: { type: 'boolean' }, 'yes-drop-all-data': { type: 'boolean' }, confirm: { type: 'string' } },
  async run(ctx) {
    const url = ctx.settings.databaseUrl;
    if (ctx.options.down) {
      // Checked before the database is opened: a refusal changes nothing, not even a new file.
      const name = databaseName(url);
      const confirmed = ctx.options['yes-drop-all-data'] === true || (name !== '' && stringOption(ctx, 'confirm') === name);
      if (!confirmed) {
        ctx.err(
          `migrate --down: refused: it drops every table of ${redactDatabaseUrl(url)} (all customers, history, the audit chain); add --yes-drop-all-data or --confirm ${name || 'NAME'} to do it`,
        );
        return EXIT.failed;
      }
    }
    // The one command that migrates whatever TIERKIT_MIGRATE says: it is how an operator who turned it off upgrades.
    let applied = 0;
    const db = await ctx.openDatabase(undefined, 'batch', undefined, true, (ran) => (applied = ran.length));
    try {
      if (ctx.options.down) {
        await migrateDownAll(db.db);
        ctx.log('migrate: every migration undone');
      }
      // One outcome: after the `database:` line's "N migrations applied", "schema is up to date" read as
      // though nothing had been done.
      else
        ctx.log(
          applied
            ? `migrate: ${applied === 1 ? '1 migration' : `${applied} migrations`} applied; the schema is up to date`
            : 'migrate: nothing to apply; the schema was up to date',
        );
      if (ctx.json) ctx.out(JSON.stringify({ ok: true, down: Boolean(ctx.options.down) }));
    } finally {
      await db.close();
    }
    return EXIT.ok;
  },
};
