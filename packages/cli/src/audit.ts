import { UNAUTHENTICATED_CHAIN, verifyAuditChain } from '@tierkit/api';
import { findTenant, listAuditChains, type Db } from '@tierkit/db';
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

/** Where `audit` writes: the verdict per chain to `out`; usage errors and why it failed, last, in one line to `err`. */
export interface AuditIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Run one `audit` action. Returns the exit code: 0 when every chain verifies, 1 when one does not, 2 for bad usage. */
export async function runAudit(db: Db, args: AuditArgs, { out, err }: AuditIo): Promise<number> {
  if (args.action !== 'verify') {
    err(`audit: unknown action "${args.action ?? ''}"\n${AUDIT_USAGE}`);
    return 2;
  }
  // A mistyped tenant has no chain: "ok, 0 records" would read as a clean audit of a bank never checked.
  if (args.tenant !== undefined && args.tenant !== UNAUTHENTICATED_CHAIN && !(await findTenant(db.db, args.tenant))) {
    err(`audit verify: tenant "${args.tenant}" does not exist`);
    return 1;
  }
  const chains = args.tenant !== undefined ? [args.tenant] : await listAuditChains(db.db);
  if (!chains.length) out('audit verify: no audit records yet');
  const failed: string[] = [];
  for (const chain of chains) {
    const v = await verifyAuditChain(db.db, chain);
    const head = v.head ? `head ${v.head.seq} ${v.head.hash}` : 'no head';
    if (v.ok) {
      out(`${chain}: ok, ${v.records} records, ${head}`);
      continue;
    }
    const first = v.problems[0];
    failed.push(
      `${chain} (${v.problems.length === 1 ? '1 problem' : `${v.problems.length} problems`}${first ? `, first at ${first.seq}: ${first.kind}` : ''})`,
    );
    out(`${chain}: NOT OK, ${v.records} records, ${head}`);
    for (const p of v.problems) out(`  at ${p.seq}: ${p.kind}: ${p.message}`);
  }
  if (failed.length) err(`audit verify: tampered with: ${failed.join('; ')}`);
  return failed.length ? 1 : 0;
}

export const auditCommand: Command = {
  name: 'audit',
  usage: AUDIT_USAGE,
  async run(ctx) {
    // Its output is the verdict itself: no database line before it.
    const db = await ctx.openDatabase(() => undefined);
    try {
      return await runAudit(db, { action: ctx.args[0], tenant: stringOption(ctx, 'tenant') }, { out: ctx.out, err: ctx.err });
    } finally {
      await db.close();
    }
  },
};
