import { appendOperatorAudit, cliAction } from '@tierkit/api';
import { lastCompleteMonth, seedDemo, withProvisioningLock } from '@tierkit/ops';
import { EXIT, type Command } from './command.js';

export const seedCommand: Command = {
  name: 'seed',
  createsDatabase: true,
  usage: `  seed [--customers N]      seed the demo tenant once (default 10,000 customers)`,
  options: { customers: { type: 'string' } },
  async run(ctx) {
    const { tenant, customers, timeZone } = ctx.settings;
    const db = await ctx.openDatabase(undefined, 'batch');
    try {
      // A server starting on the same new database seeds the same tenant: one of the two does it.
      const r = await withProvisioningLock(
        db,
        tenant,
        async (locked) => {
          const seeded = await seedDemo(locked.db, {
            tenantId: tenant,
            customers,
            endPeriod: lastCompleteMonth(new Date(), timeZone),
            timeZone,
            log: ctx.log,
          });
          // The seeder commits in several transactions and makes the tenant it is recorded in: its
          // record follows the last of them. Nothing seeded, nothing to record.
          if (!seeded.skipped)
            await appendOperatorAudit(locked.db, tenant, cliAction('tierkit seed'), {
              status: 201,
              target: { tenant },
              detail: { tenant, subjects: seeded.subjects, metrics: seeded.metrics, events: seeded.events },
            });
          return seeded;
        },
        () => ctx.log(`seed: another process is setting up tenant "${tenant}"; waiting for it`),
      );
      if (ctx.json) ctx.out(JSON.stringify({ tenant, skipped: r.skipped, subjects: r.subjects, metrics: r.metrics, events: r.events }));
      else
        ctx.out(
          r.skipped
            ? `seed: tenant "${tenant}" was already seeded; nothing changed`
            : `seed: ${r.subjects} subjects, ${r.events} tier events`,
        );
    } finally {
      await db.close();
    }
    return EXIT.ok;
  },
};
