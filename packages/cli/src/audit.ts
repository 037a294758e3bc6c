import { verifyAuditChain } from '@tierkit/api';
import { listAuditChains, type Db } from '@tierkit/db';
import { type Command, stringOption } from './command.js';

/** Options of `tierkit audit …` after parsing. */
export interface AuditArgs {
  readonly action: string | undefined;
  /** One tenant's chain; every chain when absent. */
  readonly tenant: string | undefined;
}

export const AUDIT_USAGE = `  audit verify [--tenant ID]
                            check the audit hash chain of one tenant (default: every chain, and "*" for
                            refused credentials); exit 1 when a record was edited, deleted, moved or cut`;

/** Run one `audit` action. Returns the exit code: 0 when every chain verifies, 1 when one does not. */
export async function runAudit(db: Db, args: AuditArgs, out: (line: string) => void): Promise<number> {
  if (args.action !== 'verify') {
    out(`audit: unknown action "${args.action ?? ''}"\n${AUDIT_USAGE}`);
    return 2;
  }
  const chains = args.tenant !== undefined ? [args.tenant] : await listAuditChains(db.db);
  if (!chains.length) out('audit verify: no audit records yet');
  let failed = false;
  for (const chain of chains) {
    const v = await verifyAuditChain(db.db, chain);
    const head = v.head ? `head ${v.head.seq} ${v.head.hash}` : 'no head';
    if (v.ok) {
      out(`${chain}: ok, ${v.records} records, ${head}`);
      continue;
    }
    failed = true;
    out(`${chain}: NOT OK, ${v.records} records, ${head}`);
    for (const p of v.problems) out(`  at ${p.seq}: ${p.kind}: ${p.message}`);
  }
  return failed ? 1 : 0;
}

export const auditCommand: Command = {
  name: 'audit',
  usage: AUDIT_USAGE,
  async run(ctx) {
    // Its output is the verdict itself: no database line before it.
    const db = await ctx.openDatabase(() => undefined);
    try {
      return await runAudit(db, { action: ctx.args[0], tenant: stringOption(ctx, 'tenant') }, ctx.out);
    } finally {
      await db.close();
    }
  },
};
