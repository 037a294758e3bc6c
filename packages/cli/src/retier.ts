import {
  cliAction,
  type EnqueuedRetier,
  enqueueRetier,
  isPeriod,
  jobView,
  monthOpenMessage,
  notMonth,
  periodWithoutDataMessage,
  ProblemError,
  recordQueuedJob,
  runWorker,
  UNAUTHENTICATED_CHAIN,
  type JobView,
} from '@tierkit/api';
import { SUBJECT_KINDS, type SubjectKind } from '@tierkit/core';
import { findTenant, type Db } from '@tierkit/db';
import { recordRefusal } from './refusal-audit.js';
import { EXIT } from './command.js';
import type { JobArgs, JobCommand, JobIo } from './job-command.js';
import { dependentsLine, jobBar, jobDetails, jobOutcome, oneLine } from './job-output.js';

export const retierCommand: JobCommand = {
  name: 'retier',
  usage: `  retier --period YYYY-MM [--scheme KEY,…] [--kind KIND] [--subjects ID,…] [--reason TEXT]
         [--allow-open-month] [--tenant ID] [--detach] [--work | --no-work] [--json]
                            re-evaluate the book (or a part) at a month; waits with a progress bar.
                            Schemes that read a level of --scheme's are re-tiered too (said on stderr);
                            the current month, not yet ended, needs --allow-open-month.
                            On SQLite it does the work itself; on PostgreSQL \`tierkit worker\`s do
                            (--no-work / --work choose), --detach only queues the job`,
  options: {
    period: { type: 'string' },
    scheme: { type: 'string' },
    kind: { type: 'string' },
    subjects: { type: 'string' },
    reason: { type: 'string' },
    'allow-open-month': { type: 'boolean' },
    tenant: { type: 'string' },
    detach: { type: 'boolean' },
    work: { type: 'boolean' },
    'no-work': { type: 'boolean' },
    json: { type: 'boolean' },
    'poll-ms': { type: 'string' },
  },
  check: checkRetier,
  run: runRetier,
};

/**
 * What the command line alone can say is wrong, said before the database is opened: a mistyped
 * month was reported only after a wrong database or tenant, so the operator fixed one and met the other.
 */
function checkRetier({ values }: JobArgs): string | undefined {
  const period = values.period;
  if (typeof period !== 'string' || !period) return 'needs --period YYYY-MM';
  if (!isPeriod(period)) {
    const e = notMonth('period', period);
    return `${e.path}: ${e.message}`;
  }
  const kind = values.kind;
  if (kind !== undefined && !(SUBJECT_KINDS as readonly string[]).includes(String(kind)))
    return `--kind must be one of ${SUBJECT_KINDS.join(', ')}`;
  // Its refusals do not depend on the dialect, which only picks the default of --work.
  const follow = followFlags(values, 'sqlite');
  return typeof follow === 'string' ? follow : undefined;
}

/**
 * A refusal in the CLI's words: the API's names the request's field (`allowOpenMonth`) and its
 * endpoints, where a person at the command line has an option and `tierkit import`
 * (packages/cli/README.md). The wording is the API's own (one home), with the CLI's way to act.
 */
function cliReason(err: ProblemError, tenantId: string, schemes: readonly string[] | null): string {
  if (err.kind === 'period-without-data') {
    const params = err.errors?.[0]?.params as { month?: string; metrics?: string[] } | undefined;
    if (params?.month)
      return periodWithoutDataMessage(
        params.month,
        schemes ?? undefined,
        params.metrics ?? [],
        `tierkit import FILE --kind metrics --tenant ${tenantId}`,
      );
  }
  if (err.kind === 'validation' && err.errors?.length)
    return err.errors
      .map((e) =>
        e.code === 'month_open' && typeof e.params?.month === 'string'
          ? monthOpenMessage(e.params.month, 'add --allow-open-month')
          : `${e.path}: ${e.message}`,
      )
      .join('; ');
  return err.message;
}

/** `tierkit retier …`. Returns the exit code: 0 completed, 1 failed or cancelled, 2 bad usage. */
async function runRetier(db: Db, { values, timeZone, tenant }: JobArgs, io: JobIo): Promise<number> {
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const usage = (why: string) => {
    io.err(`retier: ${why}`);
    return EXIT.usage;
  };
  const period = text('period');
  if (!period) return usage('needs --period YYYY-MM');
  const list = (s: string | undefined) =>
    s
      ? s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : undefined;
  // Checked before the database was opened (checkRetier).
  const kind = text('kind');
  const subjects = list(text('subjects'));
  const json = values.json === true;
  const follow = followFlags(values, db.dialect);
  if (typeof follow === 'string') return usage(follow);
  const tenantId = tenant;
  const schemes = list(text('scheme')) ?? null;
  const filter = { ...(kind ? { kind: kind as SubjectKind } : {}), ...(subjects ? { subjects } : {}) };
  const reason = text('reason') ?? null;
  const action = cliAction('tierkit retier');
  let job: EnqueuedRetier | undefined;
  try {
    // Planned and queued outside a transaction, as `POST /v1/jobs` does: enqueueRetier reads the pack,
    // the month and the whole book's chunks first, and on SQLite a transaction would hold the write lock
    // (BEGIN IMMEDIATE) through all of it, failing the server's writes with SQLITE_BUSY meanwhile.
    // Its record follows in a short transaction of its own, as the API's middleware records a request
    // after its handler; a job whose record cannot be written is cancelled before any worker gets far.
    job = await enqueueRetier(db.db, {
      tenantId,
      schemes,
      period,
      filter,
      reason,
      requestedBy: action.actor,
      timeZone,
      requireData: true,
      confirmOpenMonth: { confirmed: values['allow-open-month'] === true },
    });
    const queued = job;
    if (queued)
      await recordQueuedJob(db.db, tenantId, action, queued.id, {
        job: queued.id,
        period,
        schemes,
        dependents: queued.params.dependents,
        filter,
        reason,
      });
  } catch (err) {
    if (err instanceof ProblemError) {
      const chain = (await findTenant(db.db, tenantId)) ? tenantId : UNAUTHENTICATED_CHAIN;
      await recordRefusal(
        db.db,
        chain,
        action,
        {
          status: err.status,
          problem: err.kind,
          // Whether a reason was typed, not its words: free text staff typed may name customers, and a
          // refusal's record is hash-chained for good (a queued job's reason sits in a side row an erasure deletes).
          detail: { period, schemes, filter, reasonGiven: reason !== null, refused: err.message },
        },
        io.err,
      );
    }
    // A 400 problem is bad input on the command line (a period, a scheme); any other problem failed.
    if (err instanceof ProblemError && err.status === 400) return usage(cliReason(err, tenantId, schemes));
    if (err instanceof ProblemError) {
      io.err(`retier: ${cliReason(err, tenantId, schemes)}`);
      return EXIT.failed;
    }
    throw err;
  }
  if (!job) {
    io.err('retier: the job was not queued');
    return EXIT.failed;
  }
  // Asked for one scheme, written with those that read it: said before the wait, on stderr as the warning below.
  const added = dependentsLine(job);
  if (added) io.err(`retier: ${added}`);
  // Queued though the schedule would wait: the person decided; say what the month lacks (on stderr,
  // so --json stays one document; --detach --json carries it as `partlyLoaded`).
  if (job.partlyLoaded) {
    const { missing, loaded } = job.partlyLoaded;
    io.err(
      `retier: warning: ${period} is only partly loaded: no data yet for ${missing.join(', ')} (${loaded.join(', ')} loaded); the monthly schedule would still wait for it. Customers are evaluated as if they had none of ${missing.join(', ')} for ${period}.`,
    );
  }
  // The id alone, as the README promises: a script keeps it (`job=$(tierkit … --detach)`) for `jobs show`.
  if (values.detach) {
    io.out(json ? JSON.stringify({ ...job, partlyLoaded: job.partlyLoaded ?? null }) : job.id);
    return EXIT.ok;
  }
  return followJob(db, job, { ...follow, json, timeZone, saidDependents: added !== undefined }, io, 'retier');
}

/**
 * Wait for a job to end, working on it in this process if asked, with a progress bar; print the job
 * on stdout and, when it did not complete, why in one last line on stderr. `name` prefixes that line.
 */
/**
 * How a command that queues a job follows it (`retier`, `simulate`): `--poll-ms`, `--work` / `--no-work`
 * (on SQLite the command works the job itself unless told not to), `--no-progress`. A string is the
 * usage error, checked before anything is queued: a bad value changes nothing (NaN would make the wait spin).
 */
export function followFlags(
  values: JobArgs['values'],
  dialect: Db['dialect'],
): string | { work: boolean; progress: boolean; pollMs: number } {
  const pollMs = Number(typeof values['poll-ms'] === 'string' ? values['poll-ms'] : 250);
  if (!(pollMs > 0)) return '--poll-ms must be a positive number';
  if (values.work === true && values['no-work'] === true) return '--work and --no-work contradict each other';
  const work = values['no-work'] ? false : typeof values.work === 'boolean' ? values.work : dialect === 'sqlite';
  return { work, progress: values['no-progress'] !== true, pollMs };
}

export async function followJob(
  db: Db,
  queued: JobView,
  options: { work: boolean; json: boolean; progress: boolean; pollMs: number; timeZone: string; saidDependents?: boolean },
  io: JobIo,
  name: string,
): Promise<number> {
  const tenantId = (await db.db.selectFrom('jobs').select('tenant_id').where('id', '=', queued.id).executeTakeFirstOrThrow()).tenant_id;
  const abort = new AbortController();
  const working = options.work
    ? runWorker({
        db: db.db,
        signal: abort.signal,
        pollMs: options.pollMs,
        timeZone: options.timeZone,
        logError: (e) => io.err(`${name}: ${oneLine(e)}`),
      })
    : Promise.resolve();
  // Without a terminal there is no bar, and on PostgreSQL nothing here does the work: say which job
  // this is and who runs it, or the wait looks like a hang (and Ctrl+C loses the job's id).
  if (!options.work && queued.status === 'running')
    io.err(
      `${name}: waiting for job ${queued.id}: tierkit worker processes (or a server's in-process worker) run it; --work joins in here. Stopping this wait leaves the job running.`,
    );
  const bar = jobBar(!options.json && options.progress);
  let job = queued;
  try {
    for (;;) {
      bar.update(job);
      if (job.status !== 'running') break;
      await new Promise((r) => setTimeout(r, options.pollMs));
      job = (await jobView(db.db, tenantId, job.id)) ?? job;
    }
  } finally {
    bar.stop();
    abort.abort();
    await working;
  }
  if (options.json) io.out(JSON.stringify(job));
  // The schemes added were said once, on stderr, before the wait (packages/cli/README.md): not again here.
  else for (const line of jobDetails(job, options.saidDependents !== true)) io.out(line);
  if (job.status === 'completed') return EXIT.ok;
  io.err(`${name}: ${jobOutcome(job)}`);
  return EXIT.failed;
}
