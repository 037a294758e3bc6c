import { provisionTenant } from '@tierkit/api';
import { listTenants, type Db } from '@tierkit/db';
import type { Command } from './command.js';

/** Options of `tierkit tenants …` after parsing. */
export interface TenantsArgs {
  readonly action: string | undefined;
  /** `tenants create ID`, or `--tenant ID`. */
  readonly id: string | undefined;
  readonly name: string | undefined;
}

export const TENANTS_USAGE = `  tenants create ID [--name TEXT]
                            set up a bank: the default policy pack and a token signing secret, no subjects
  tenants list              list tenants (id, name, created)`;

/** Run one `tenants` action. Returns the exit code. */
export async function runTenants(db: Db, args: TenantsArgs, out: (line: string) => void): Promise<number> {
  switch (args.action) {
    case 'create': {
      if (!args.id) {
        out('tenants create needs the tenant id: tenants create ID [--name TEXT]');
        return 2;
      }
      let created: boolean;
      try {
        created = await provisionTenant(db.db, { id: args.id, name: args.name ?? args.id });
      } catch (err) {
        out(`tenants create: ${err instanceof Error ? err.message : String(err)}`);
        return 2;
      }
      if (!created) {
        out(`tenant "${args.id}" already exists; nothing changed`);
        return 1;
      }
      out(`created tenant "${args.id}" with the default policy pack; next: keys create --tenant ${args.id} --role admin --label ops`);
      return 0;
    }
    case 'list': {
      const tenants = await listTenants(db.db);
      if (!tenants.length) out('no tenants');
      for (const t of tenants) out(`${t.id}  ${t.createdAt}  ${t.name}`);
      return 0;
    }
    default:
      out(`unknown tenants action "${args.action ?? ''}"\n${TENANTS_USAGE}`);
      return 2;
  }
}

export const tenantsCommand: Command = {
  name: 'tenants',
  usage: TENANTS_USAGE,
  options: { name: { type: 'string' } },
  async run(ctx) {
    // Their output is the listing itself: no database line before it.
    const db = await ctx.openDatabase(() => undefined);
    try {
      const opt = (name: string) => (typeof ctx.options[name] === 'string' ? (ctx.options[name] as string) : undefined);
      return await runTenants(db, { action: ctx.args[0], id: ctx.args[1] ?? opt('tenant'), name: opt('name') }, ctx.out);
    } finally {
      await db.close();
    }
  },
};
