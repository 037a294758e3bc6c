import { appendOperatorAudit, cliAction, provisionTenant } from '@tierkit/api';
import { listTenants, type Db } from '@tierkit/db';
import type { Command } from './command.js';
import { recordRefusal } from './refusal-audit.js';
import type { CommandIo } from './keys.js';
import { actionLine } from './output.js';

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
export async function runTenants(db: Db, args: TenantsArgs, { out, err, json }: CommandIo): Promise<number> {
  switch (args.action) {
    case 'create': {
      if (!args.id) {
        err('tenants create needs the tenant id: tenants create ID [--name TEXT]');
        return 2;
      }
      const id = args.id;
      const name = args.name ?? id;
      const action = cliAction('tierkit tenants create');
      let created: boolean;
      try {
        // The tenant, its pack and signing secret commit with the first record of its audit chain.
        created = await db.db.transaction().execute(async (trx) => {
          const made = await provisionTenant(trx, { id, name });
          if (made) await appendOperatorAudit(trx, id, action, { status: 201, target: { tenant: id }, detail: { tenant: id, name } });
          return made;
        });
      } catch (e) {
        err(`tenants create: ${e instanceof Error ? e.message : String(e)}`);
        return 2;
      }
      if (!created) {
        await recordRefusal(
          db.db,
          id,
          action,
          {
            status: 409,
            problem: 'conflict',
            target: { tenant: id },
            detail: { tenant: id, name },
          },
          err,
        );
        err(`tenants create: tenant "${args.id}" already exists; nothing changed`);
        return 1;
      }
      out(
        json
          ? JSON.stringify({ id: args.id, name })
          : actionLine(
              `created tenant "${args.id}" with the default policy pack; next: keys create --tenant ${args.id} --role admin --label ops --unowned`,
            ),
      );
      return 0;
    }
    case 'list': {
      const tenants = await listTenants(db.db);
      if (json) out(JSON.stringify(tenants.map((t) => ({ id: t.id, name: t.name, createdAt: t.createdAt }))));
      else if (!tenants.length) out('no tenants');
      else for (const t of tenants) out(`${t.id}  ${t.createdAt}  ${t.name}`);
      return 0;
    }
    default:
      err(`unknown tenants action "${args.action ?? ''}"\n${TENANTS_USAGE}`);
      return 2;
  }
}

export const tenantsCommand: Command = {
  name: 'tenants',
  usage: TENANTS_USAGE,
  // A bank from nothing: `tenants create` on a new file is how an operator starts one (packages/cli/README.md).
  createsDatabase: (args) => args[0] === 'create',
  options: { name: { type: 'string' } },
  async run(ctx) {
    // Their output (stdout) is the listing itself: the database line goes to stderr, so a listing of
    // nothing still says where it looked.
    const db = await ctx.openDatabase(ctx.err);
    try {
      const opt = (name: string) => (typeof ctx.options[name] === 'string' ? (ctx.options[name] as string) : undefined);
      return await runTenants(db, { action: ctx.args[0], id: ctx.args[1] ?? opt('tenant'), name: opt('name') }, ctx);
    } finally {
      await db.close();
    }
  },
};
