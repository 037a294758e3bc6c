import { SingleBar } from 'cli-progress';
import {
  appendOperatorAudit,
  checkRetentionYears,
  cliAction,
  ProblemError,
  rescrubRetention,
  retentionAuditDetail,
  runRetention,
  type RescrubRun,
  type RetentionRun,
} from '@tierkit/api';
import { listTenants, MIN_RETENTION_YEARS, retentionYearsOf, setLegalHold, setRetentionYears, type Db } from '@tierkit/db';
import { EXIT, type Command, type CommandContext } from './command.js';
import { chainOf } from './keys.js';
import { recordRefusal } from './refusal-audit.js';
import { actionLine } from './output.js';

export const RETENTION_USAGE = `  retention run [--dry-run] [--tenant ID] [--json]
                            erase the personal data of customers closed longer than their tenant's retention
                            (every tenant, or --tenant's); --dry-run counts and changes nothing (docs/operations.md)
  retention rescrub [--dry-run] [--tenant ID] [--json]
                            apply today's clearing rules to the customers erased before (every tenant, or
                            --tenant's): what an earlier release's erasure left naming them goes; counts only
  retention set --tenant ID --years N
                            years a closed customer's personal data is kept (${MIN_RETENTION_YEARS} at least, the AML minimum)
  retention hold SUBJECT --tenant ID --reason TEXT | retention release SUBJECT --tenant ID
                            a legal hold: the customer is never erased while it stands`;

const text = (ctx: CommandContext, name: string) => (typeof ctx.options[name] === 'string' ? (ctx.options[name] as string) : undefined);

/** One line of a run, for people. */
function runLine(r: RetentionRun): string {
  const held = r.heldByActivity + r.heldByRequest + r.heldByLegalHold;
  const what = r.dryRun ? `would erase ${r.erasable}` : `erased ${r.erased}`;
  return `${r.tenant}: ${what} customer(s) gone before ${r.cutoff} (${r.retentionYears} years); kept ${held} (${r.heldByActivity} active since their closing's date, ${r.heldByRequest} pending request, ${r.heldByLegalHold} legal hold); ${r.erasedBefore} erased before${r.dryRun ? '' : `; ${r.auditFieldsErased} audit record(s) lost their personal fields and ${r.auditEntriesErased} listed customer number(s) were deleted (their digests stay)`}`;
}

/** `tierkit retention run`: each tenant's run, recorded in its chain as the API's `POST /v1/retention/run`. */
async function runAll(db: Db, ctx: CommandContext): Promise<number> {
  const tenant = text(ctx, 'tenant');
  const dryRun = ctx.options['dry-run'] === true;
  const tenants = tenant !== undefined ? [tenant] : (await listTenants(db.db)).map((t) => t.id);
  const runs: RetentionRun[] = [];
  for (const id of tenants) {
    const action = cliAction('tierkit retention run');
    if ((await retentionYearsOf(db.db, id)) === undefined) {
      await recordRefusal(db.db, await chainOf(db.db, id), action, { status: 404, problem: 'not-found', target: { tenant: id } }, ctx.err);
      ctx.err(`retention run: no tenant "${id}"; nothing was erased`);
      return EXIT.failed;
    }
    const bar =
      ctx.progress && !dryRun ? new SingleBar({ format: `${id} |{bar}| {value}/{total} erased`, stream: process.stderr }) : undefined;
    let started = false;
    try {
      const run = await runRetention(db.db, id, {
        now: new Date(),
        timeZone: ctx.settings.timeZone,
        dryRun,
        action,
        onChunk: (erased, erasable) => {
          if (!bar) return;
          if (!started) bar.start(Math.max(erasable, erased), 0);
          started = true;
          bar.update(erased);
        },
      });
      if (started) bar?.stop();
      await appendOperatorAudit(db.db, id, action, { status: 200, target: { tenant: id }, detail: retentionAuditDetail(run) });
      runs.push(run);
      if (!ctx.json) ctx.out(actionLine(runLine(run)));
    } catch (e) {
      if (started) bar?.stop();
      // What was erased before the failure stays erased, each chunk with its record; the next run goes on.
      ctx.err(
        `retention run: ${id}: ${e instanceof Error ? e.message : String(e)}; chunks already committed stay erased, run again to go on`,
      );
      return EXIT.failed;
    }
  }
  if (ctx.json) ctx.out(JSON.stringify(tenant !== undefined ? runs[0] : runs));
  return EXIT.ok;
}

/** One line of a rescrub, for people. */
function rescrubLine(r: RescrubRun): string {
  const changed = `${r.jobFilters} job filter(s), ${r.jobReasons} job reason(s), ${r.importRowErrors} import row error(s), ${r.idempotentAnswers} stored answer(s), ${r.overrideLabels} override label(s), ${r.notes} note(s), ${r.auditFieldsErased} audit record(s)' personal fields and ${r.auditEntriesErased} listed number(s)`;
  return `${r.tenant}: ${r.erasedCustomers} customer(s) erased before, ${r.rescrubbed} of them under older rules looked at again; ${r.dryRun ? 'would clear' : 'cleared'} ${changed}`;
}

/**
 * `tierkit retention rescrub`: each tenant's catch-up, recorded in its chain (each chunk that changed
 * anything, and a result with the totals, a dry run's too). From the command line only: it is an
 * upgrade's step, run once by the operator after installing a release whose erasure clears more.
 */
async function rescrubAll(db: Db, ctx: CommandContext): Promise<number> {
  const tenant = text(ctx, 'tenant');
  const dryRun = ctx.options['dry-run'] === true;
  const tenants = tenant !== undefined ? [tenant] : (await listTenants(db.db)).map((t) => t.id);
  const runs: RescrubRun[] = [];
  for (const id of tenants) {
    const action = cliAction('tierkit retention rescrub');
    if ((await retentionYearsOf(db.db, id)) === undefined) {
      await recordRefusal(db.db, await chainOf(db.db, id), action, { status: 404, problem: 'not-found', target: { tenant: id } }, ctx.err);
      ctx.err(`retention rescrub: no tenant "${id}"; nothing was cleared`);
      return EXIT.failed;
    }
    try {
      const run = await rescrubRetention(db.db, id, { dryRun, action });
      // Field by field, not a spread of the run: the console's words are checked against the fields the
      // source names (tests/admin/console-words-complete.test.ts), and a spread names none.
      await appendOperatorAudit(db.db, id, action, {
        status: 200,
        target: { tenant: id },
        detail: {
          tenant: run.tenant,
          dryRun: run.dryRun,
          erasedCustomers: run.erasedCustomers,
          rescrubbed: run.rescrubbed,
          jobFilters: run.jobFilters,
          jobReasons: run.jobReasons,
          importRowErrors: run.importRowErrors,
          idempotentAnswers: run.idempotentAnswers,
          overrideLabels: run.overrideLabels,
          notes: run.notes,
          auditFieldsErased: run.auditFieldsErased,
          auditEntriesErased: run.auditEntriesErased,
          chunks: run.chunks,
        },
      });
      runs.push(run);
      if (!ctx.json) ctx.out(actionLine(rescrubLine(run)));
    } catch (e) {
      ctx.err(
        `retention rescrub: ${id}: ${e instanceof Error ? e.message : String(e)}; chunks already committed stay cleared, run again to go on`,
      );
      return EXIT.failed;
    }
  }
  if (ctx.json) ctx.out(JSON.stringify(tenant !== undefined ? runs[0] : runs));
  return EXIT.ok;
}

/** `tierkit retention set|hold|release`: one change, committed with its audit record. */
async function change(db: Db, ctx: CommandContext, what: 'set' | 'hold' | 'release'): Promise<number> {
  const tenant = text(ctx, 'tenant');
  if (!tenant) {
    ctx.err(`retention ${what} needs --tenant ID`);
    return EXIT.usage;
  }
  const action = cliAction(`tierkit retention ${what}`);
  const chain = await chainOf(db.db, tenant);
  if (what === 'set') {
    let years: number;
    try {
      years = checkRetentionYears(Number(text(ctx, 'years') ?? Number.NaN), 'years');
    } catch (e) {
      const why = e instanceof ProblemError ? (e.errors?.[0]?.message ?? e.message) : String(e);
      await recordRefusal(
        db.db,
        chain,
        action,
        { status: 400, problem: 'validation', target: { tenant }, detail: { years: text(ctx, 'years') ?? null } },
        ctx.err,
      );
      ctx.err(`retention set: --years ${why}; nothing changed`);
      return EXIT.usage;
    }
    const was = await retentionYearsOf(db.db, tenant);
    const done = await db.db.transaction().execute(async (trx) => {
      if (!(await setRetentionYears(trx, tenant, years))) return false;
      await appendOperatorAudit(trx, tenant, action, {
        status: 200,
        target: { tenant },
        detail: { retentionYears: years, was: was ?? null },
      });
      return true;
    });
    if (!done) {
      await recordRefusal(db.db, chain, action, { status: 404, problem: 'not-found', target: { tenant } }, ctx.err);
      ctx.err(`retention set: no tenant "${tenant}"; nothing changed`);
      return EXIT.failed;
    }
    ctx.out(
      ctx.json
        ? JSON.stringify({ tenant, years })
        : actionLine(`${tenant}: closed customers' personal data kept ${years} years after they left`),
    );
    return EXIT.ok;
  }
  const subject = ctx.args[1];
  const reason = what === 'hold' ? text(ctx, 'reason') : null;
  if (!subject || (what === 'hold' && !reason)) {
    ctx.err(`retention ${what} needs SUBJECT${what === 'hold' ? ' and --reason TEXT' : ''}\n${RETENTION_USAGE}`);
    return EXIT.usage;
  }
  const done = await db.db.transaction().execute(async (trx) => {
    if (!(await setLegalHold(trx, tenant, subject, reason ?? null))) return false;
    // The hold's reason is the bank's matter (an order's reference), not the customer's data: it is kept in the trail.
    await appendOperatorAudit(trx, tenant, action, { status: 200, target: { tenant, id: subject }, detail: { legalHold: reason ?? null } });
    return true;
  });
  if (!done) {
    await recordRefusal(db.db, chain, action, { status: 404, problem: 'subject-not-found', target: { tenant, id: subject } }, ctx.err);
    ctx.err(`retention ${what}: no subject "${subject}" in tenant "${tenant}"; nothing changed`);
    return EXIT.failed;
  }
  ctx.out(
    ctx.json
      ? JSON.stringify({ tenant, subject, legalHold: reason ?? null })
      : actionLine(`${subject}: ${what === 'hold' ? 'under legal hold, never erased while it stands' : 'legal hold released'}`),
  );
  return EXIT.ok;
}

export const retentionCommand: Command = {
  name: 'retention',
  usage: RETENTION_USAGE,
  options: { 'dry-run': { type: 'boolean' }, years: { type: 'string' }, reason: { type: 'string' } },
  async run(ctx) {
    const what = ctx.args[0];
    if (what !== 'run' && what !== 'rescrub' && what !== 'set' && what !== 'hold' && what !== 'release') {
      ctx.err(`unknown retention action "${what ?? ''}"\n${RETENTION_USAGE}`);
      return EXIT.usage;
    }
    const db = await ctx.openDatabase(ctx.err, 'batch');
    try {
      if (what === 'run') return await runAll(db, ctx);
      return what === 'rescrub' ? await rescrubAll(db, ctx) : await change(db, ctx, what);
    } finally {
      await db.close();
    }
  },
};
