import { migrateDownAll } from '@tierkit/db';
import { EXIT, type Command } from './command.js';

export const migrateCommand: Command = {
  name: 'migrate',
  usage: '  migrate [--down]          bring the database schema up to date (--down: undo every migration)',
  options: { down: { type: 'boolean' } },
  async run(ctx) {
    const db = await ctx.openDatabase(undefined, 'batch');
    try {
      if (ctx.options.down) {
        await migrateDownAll(db.db);
        ctx.log('migrate: every migration undone');
      } else ctx.log('migrate: schema is up to date');
      if (ctx.json) ctx.out(JSON.stringify({ ok: true, down: Boolean(ctx.options.down) }));
    } finally {
      await db.close();
    }
    return EXIT.ok;
  },
};
