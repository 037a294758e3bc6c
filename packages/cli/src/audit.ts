import {
  anchorsByChain,
  UNAUTHENTICATED_CHAIN,
  verifyAuditAnchors,
  verifyAuditChain,
  type AuditAnchorCheck,
  type AuditVerification,
} from '@tierkit/api';
import { findTenant, listAuditChains, type Db } from '@tierkit/db';
import { AnchorsFile, acceptedLinesFromEnv, anchorAuditHeads, countsAgainst, readAnchorsFile, type AnchorsRead } from '@tierkit/ops';
import { type Command, stringOption } from './command.js';

/** Options of `tierkit audit …` after parsing. */
export interface AuditArgs {
  readonly action: string | undefined;
  /** One tenant's chain; every chain when absent. */
  readonly tenant: string | undefined;
  /** `verify --anchors FILE`: also check the chains against the heads written down in this file. */
  readonly anchors?: string | undefined;
  /** `anchor --out FILE`: the anchors file to append to. */
  readonly out?: string | undefined;
  /** `--json`: one JSON document on `out`. */
  readonly json?: boolean;
  /** Where `TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES` is read from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

export const AUDIT_USAGE = `  audit verify [--tenant ID] [--anchors FILE]
                            check the audit hash chain of one tenant (default: every chain, and "*" for
                            refused credentials); exit 1 when a record was edited, deleted, moved or cut.
                            --anchors: also check every anchor of the file (audit anchor, the server's
                            TIERKIT_AUDIT_ANCHOR_FILE) against the chain: a chain rewritten whole, or cut
                            with its head moved back, fails; a line of FILE that is not an anchor fails
                            the chain it names, or every chain when it names none; a last line without
                            its newline is still being written (not read); lines listed in
                            TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES (as the server's) fail nothing; a chain
                            with records but no anchor in FILE is a warning (exit 0)
  audit anchor [--tenant ID] --out FILE
                            append each chain's head that moved since its last anchor in FILE to FILE
                            (JSON lines, synced); keep FILE outside the database's reach`;

/** Where `audit` writes: the verdict per chain to `out`; usage errors and why it failed, last, in one line to `err`. */
export interface AuditIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Run one `audit` action. Returns the exit code: 0 when every chain verifies, 1 when one does not, 2 for bad usage. */
export async function runAudit(db: Db, args: AuditArgs, io: AuditIo): Promise<number> {
  if (args.action === 'anchor') return anchor(db, args, io);
  if (args.action !== 'verify') {
    io.err(`audit: unknown action "${args.action ?? ''}"\n${AUDIT_USAGE}`);
    return 2;
  }
  return verify(db, args, io);
}

/** A mistyped tenant has no chain: "ok, 0 records" (or "nothing to anchor") would read as a bank checked. */
async function unknownTenant(db: Db, tenant: string | undefined): Promise<boolean> {
  return tenant !== undefined && tenant !== UNAUTHENTICATED_CHAIN && !(await findTenant(db.db, tenant));
}

async function anchor(db: Db, args: AuditArgs, { out, err }: AuditIo): Promise<number> {
  if (!args.out) {
    err(`audit anchor: --out FILE is required: the anchors file to append to\n${AUDIT_USAGE}`);
    return 2;
  }
  if (await unknownTenant(db, args.tenant)) {
    err(`audit anchor: tenant "${args.tenant}" does not exist`);
    return 1;
  }
  let written: Awaited<ReturnType<typeof anchorAuditHeads>>;
  try {
    written = await anchorAuditHeads(db.db, new AnchorsFile(args.out), new Date(), args.tenant !== undefined ? [args.tenant] : undefined);
  } catch (e) {
    err(`audit anchor: cannot append to ${args.out}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  if (args.json)
    out(JSON.stringify({ file: args.out, written: written.map(({ chain, seq, hash, at }) => ({ tenant: chain, seq, hash, at })) }));
  else if (!written.length) out(`audit anchor: no head moved since its last anchor in ${args.out}`);
  else for (const a of written) out(`${a.chain}: anchored head ${a.seq} ${a.hash} at ${a.at}`);
  return 0;
}

async function verify(db: Db, args: AuditArgs, { out, err }: AuditIo): Promise<number> {
  if (await unknownTenant(db, args.tenant)) {
    err(`audit verify: tenant "${args.tenant}" does not exist`);
    return 1;
  }
  let read: AnchorsRead | undefined;
  let accepted: ReadonlySet<number> = new Set();
  if (args.anchors !== undefined) {
    try {
      accepted = acceptedLinesFromEnv(args.env ?? process.env);
    } catch (e) {
      err(`audit verify: ${e instanceof Error ? e.message : String(e)}`);
      return 2;
    }
    try {
      read = await readAnchorsFile(args.anchors);
    } catch (e) {
      err(`audit verify: cannot read the anchors file ${args.anchors}: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
  }
  const chains = new Set(args.tenant !== undefined ? [args.tenant] : await listAuditChains(db.db));
  // Lines the operator accepted (the server's setting, given the CLI too) count against nobody, here as there.
  const malformed = (read?.malformed ?? []).filter((m) => !accepted.has(m.line));
  const acceptedLines = (read?.malformed ?? []).filter((m) => accepted.has(m.line));
  // A chain deleted whole, head row and all, is no longer listed by the database: its anchors (or a bad
  // line naming it) still name it.
  if (args.tenant === undefined) for (const a of [...(read?.anchors ?? []), ...malformed]) if (a.chain !== undefined) chains.add(a.chain);
  const byChain = anchorsByChain(read?.anchors ?? []);
  const results: { chain: AuditVerification; anchors?: AuditAnchorCheck; malformed: number }[] = [];
  for (const chain of [...chains].sort()) {
    const v = await verifyAuditChain(db.db, chain);
    results.push({
      chain: v,
      ...(read ? { anchors: await verifyAuditAnchors(db.db, chain, byChain.get(chain) ?? []) } : {}),
      // The API's rule (`countsAgainst`): what fails a tenant's check in the console fails it here.
      malformed: malformed.filter((m) => countsAgainst(m, chain)).length,
    });
  }
  const tampered: string[] = [];
  const badLines: string[] = [];
  for (const { chain: v, anchors, malformed: bad } of results) {
    const problems = v.problems.length + (anchors?.problems.length ?? 0);
    const first = v.problems[0] ?? anchors?.problems[0];
    if (problems)
      tampered.push(
        `${v.chain} (${problems === 1 ? '1 problem' : `${problems} problems`}${first ? `, first at ${first.seq}: ${first.kind}` : ''})`,
      );
    if (bad) badLines.push(`${v.chain} (${bad})`);
  }
  const reasons = [
    ...(tampered.length ? [`tampered with: ${tampered.join('; ')}`] : []),
    ...(badLines.length ? [`the anchors file has lines that are not anchors, counting against ${badLines.join(', ')}`] : []),
    ...(!results.length && malformed.length ? ['the anchors file has lines that are not anchors, and no chain to check'] : []),
  ];
  // A chain with records the file never names: a tenant newer than the last anchoring pass looks the
  // same, so it is a warning, not a failure. A chain the file does name but the database lost is checked
  // (anchor-truncated) and fails.
  const unanchored = read ? results.filter((r) => r.anchors?.anchors === 0 && r.chain.records > 0).map((r) => r.chain.chain) : [];
  if (args.json) {
    out(
      JSON.stringify({
        ok: reasons.length === 0,
        chains: results.map(({ chain, anchors, malformed: bad }) =>
          anchors
            ? { ...chain, chainOk: chain.ok, ok: chain.ok && anchors.ok && bad === 0, anchors: { ...anchors, malformedLines: bad } }
            : { ...chain, chainOk: chain.ok },
        ),
        ...(args.anchors !== undefined
          ? {
              anchorsFile: {
                path: args.anchors,
                anchors: read?.anchors.length ?? 0,
                malformed,
                accepted: acceptedLines,
                unfinished: read?.unfinished ?? null,
                unanchored,
              },
            }
          : {}),
      }),
    );
  } else {
    if (!results.length) out('audit verify: no audit records yet');
    for (const { chain: v, anchors, malformed: bad } of results) {
      const head = v.head ? `head ${v.head.seq} ${v.head.hash}` : 'no head';
      const ok = v.ok && (anchors?.ok ?? true) && bad === 0;
      const anchored = !anchors
        ? ''
        : anchors.anchors === 0
          ? ', no anchors'
          : `, ${anchors.anchors === 1 ? '1 anchor' : `${anchors.anchors} anchors`}${anchors.ok ? ' match' : ''}`;
      out(`${v.chain}: ${ok ? 'ok' : 'NOT OK'}, ${v.records} records, ${head}${anchored}`);
      for (const p of v.problems) out(`  at ${p.seq}: ${p.kind}: ${p.message}`);
      for (const p of anchors?.problems ?? []) out(`  at ${p.seq}: ${p.kind}: ${p.message}`);
    }
    // Every bad line is the operator's to see, the chain it counts against said.
    for (const m of acceptedLines)
      out(`anchors file ${args.anchors} line ${m.line}: ${m.message} (accepted: TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES)`);
    for (const m of malformed)
      out(
        `anchors file ${args.anchors} line ${m.line}: ${m.message} (${m.chain === undefined ? 'names no tenant: counts against every chain' : `counts against ${m.chain}`})`,
      );
  }
  if (read?.unfinished != null)
    err(
      `audit verify: note: ${args.anchors} line ${read.unfinished} has no newline yet (still being written, or cut by a crash): not read`,
    );
  if (unanchored.length)
    err(
      `audit verify: warning: ${args.anchors} has no anchor of ${unanchored.join(', ')}: ${unanchored.length === 1 ? 'its records were' : 'their records were'} checked by the chain alone`,
    );
  if (reasons.length) err(`audit verify: ${reasons.join('; ')}`);
  return reasons.length ? 1 : 0;
}

export const auditCommand: Command = {
  name: 'audit',
  usage: AUDIT_USAGE,
  options: { anchors: { type: 'string' }, out: { type: 'string' } },
  async run(ctx) {
    // Its output is the verdict itself: no database line before it.
    const db = await ctx.openDatabase(() => undefined);
    try {
      return await runAudit(
        db,
        {
          action: ctx.args[0],
          tenant: stringOption(ctx, 'tenant'),
          anchors: stringOption(ctx, 'anchors'),
          out: stringOption(ctx, 'out'),
          json: ctx.json,
        },
        { out: ctx.out, err: ctx.err },
      );
    } finally {
      await db.close();
    }
  },
};
