import {
  appendOperatorAudit,
  cancelJob,
  cliAction,
  jobView,
  monthlySchedule,
  correctedMonths,
  ProblemError,
  resumeJob,
  runningJobStands,
  UNAUTHENTICATED_CHAIN,
  type JobView,
} from '@tierkit/api';
import { findTenant, listJobs, type Db } from '@tierkit/db';
import { missingTenantReason, scheduleRunsFromEnv, scheduleTimingFromEnv } from '@tierkit/ops';
import { recordRefusal } from './refusal-audit.js';
import { EXIT } from './command.js';
import type { JobArgs, JobCommand, JobIo } from './job-command.js';
import { jobDetails, jobLine, oneLine, SCHEDULE_UNKNOWN_LINE, scheduleLine, scheduleOffLine } from './job-output.js';
import { followJob } from './retier.js';

export const jobsCommand: JobCommand = {
  name: 'jobs',
  usage: `  jobs list [--tenant ID] [--limit N] [--json]
  jobs schedule [--tenant ID] [--json]
                            whether the monthly schedule runs (TIERKIT_SCHEDULE, as the server's)
                            and what it waits for: the month just ended, its state (waiting for
                            which metrics, settling until when, an import, its job failed or
                            cancelled, overdue, queued, done) and since when
  jobs show|cancel|resume JOB_ID [--tenant ID] [--json] [--wait]
                            background jobs: list, details with the migration matrix, stop, carry on
                            (resume --wait follows it like retier, and works on a running job whose
                            worker is gone once its lease has run out)`,
  options: { tenant: { type: 'string' }, json: { type: 'boolean' }, wait: { type: 'boolean' }, limit: { type: 'string' } },
  positionals: true,
  // Before the database is opened: a mistyped action was reported only after a wrong database.
  check: ({ positionals: [action] }) => (action && ACTIONS.includes(action) ? undefined : actionError(action)),
  run: runJobs,
};

const ACTIONS: readonly string[] = ['list', 'schedule', 'show', 'cancel', 'resume'];

function actionError(action: string | undefined): string {
  return `${action ? `unknown action "${action}"` : 'needs an action'}: list, schedule, show, cancel or resume (tierkit jobs --help)`;
}

/** `tierkit jobs …`. Returns the exit code. */
async function runJobs(db: Db, { positionals, values, timeZone, database, tenant: tenantId }: JobArgs, io: JobIo): Promise<number> {
  const [action, id] = positionals;
  const json = values.json === true;
  const print = (j: JobView) => {
    if (json) io.out(JSON.stringify(j));
    else for (const line of jobDetails(j)) io.out(line);
  };
  const refused = (why: string) => {
    io.err(`jobs ${action}: ${why}`);
    return EXIT.failed;
  };
  // A list or schedule of a mistyped tenant read "no jobs" or "waiting": as if the bank had nothing queued.
  if (action === 'list' || action === 'schedule') {
    const missing = await missingTenantReason(db.db, tenantId);
    if (missing) return refused(missing);
  }
  switch (action) {
    case 'schedule': {
      if (positionals.length > 1) {
        io.err('jobs schedule: takes no job id');
        return EXIT.usage;
      }
      // The server's settings, so this says what its schedule does (TIERKIT_SCHEDULE, TIERKIT_SCHEDULE_* as for the server).
      let timing: ReturnType<typeof scheduleTimingFromEnv>;
      let running: boolean | null;
      try {
        timing = scheduleTimingFromEnv(process.env);
        // The server's setting is in the server's environment: only one set here explicitly says it.
        running = process.env.TIERKIT_SCHEDULE ? scheduleRunsFromEnv(process.env) : null;
      } catch (e) {
        io.err(`jobs schedule: ${oneLine(e)}`);
        return EXIT.usage;
      }
      const now = new Date();
      const month = await monthlySchedule(db.db, tenantId, now, timeZone, timing);
      // Then the earlier months with corrections after their re-tier, newest first (as GET /v1/jobs/schedule).
      const earlier = await correctedMonths(db.db, tenantId, now, timeZone, timing);
      if (json) io.out(JSON.stringify({ running, timeZone, ...timing, months: [month, ...earlier] }));
      else {
        // Off, what the month waits for is still worth knowing, but first that nothing will queue it —
        // unless the month has its job already (started by hand): then there is nothing to start.
        if (running === null) io.out(SCHEDULE_UNKNOWN_LINE);
        else if (!running && !month.job) io.out(scheduleOffLine(month.period, tenantId));
        io.out(scheduleLine(month, now, running));
        for (const m of earlier) io.out(scheduleLine(m, now, running));
      }
      return EXIT.ok;
    }
    case 'list': {
      const limit = Number(values.limit ?? 50);
      if (!Number.isInteger(limit) || limit < 1) {
        io.err('jobs list: --limit must be a positive whole number');
        return EXIT.usage;
      }
      const rows = await listJobs(db.db, tenantId, { limit });
      const views: JobView[] = [];
      for (const r of rows) {
        const v = await jobView(db.db, tenantId, r.id);
        if (v) views.push(v);
      }
      if (json) io.out(JSON.stringify(views));
      else if (!views.length) io.out('no jobs');
      else for (const v of views) io.out(jobLine(v));
      return EXIT.ok;
    }
    case 'show':
    case 'cancel':
    case 'resume': {
      if (!id || positionals.length > 2) {
        io.err(`jobs ${action}: needs one job id (see jobs list)`);
        return EXIT.usage;
      }
      const current = await jobView(db.db, tenantId, id);
      if (action === 'show') {
        if (!current) return refused(`no job ${id} in tenant ${tenantId} of database ${database}`);
        print(current);
        return EXIT.ok;
      }
      // Stopping or carrying on a job changes the book: each answer is in the trail, as `POST /v1/jobs/{id}/…`'s.
      const audited = cliAction(`tierkit jobs ${action}`);
      const refusal = async (problem: ProblemError) => {
        const chain = (await findTenant(db.db, tenantId)) ? tenantId : UNAUTHENTICATED_CHAIN;
        await recordRefusal(
          db.db,
          chain,
          audited,
          {
            status: problem.status,
            problem: problem.kind,
            target: { job: id },
            detail: { job: id, refused: problem.message },
          },
          io.err,
        );
        // Where it looked, on stderr only: the trail's record is in that database already.
        return refused(problem.kind === 'not-found' ? `${problem.message} of database ${database}` : problem.message);
      };
      if (!current) return refusal(new ProblemError('not-found', `no job ${id} in tenant ${tenantId}`));
      // On PostgreSQL `tierkit worker` processes do the work and this follows, unless told to take a job over.
      const follow = (j: JobView, work = db.dialect === 'sqlite') =>
        followJob(db, j, { work, json, progress: values['no-progress'] !== true, pollMs: 250, timeZone }, io, `jobs ${action}`);
      if (action === 'resume' && current.status === 'running') {
        // Its worker may be gone (killed): nothing to resume, but chunks to take over once their
        // leases run out — the claim never takes a chunk whose lease is live, so working here is safe.
        const stands = await runningJobStands(db.db, id);
        if (!values.wait)
          return refusal(
            new ProblemError(
              'conflict',
              `job ${id} is running, not cancelled or failed. ${stands} To work on it from here: tierkit jobs resume ${id} --wait (or run tierkit worker).`,
            ),
          );
        io.err(`jobs resume: job ${id} is running; working on it here. ${stands}`);
        return follow(current, true);
      }
      let j: JobView;
      try {
        j = await db.db.transaction().execute(async (trx) => {
          const changed = action === 'cancel' ? await cancelJob(trx, tenantId, id) : await resumeJob(trx, tenantId, id);
          await appendOperatorAudit(trx, tenantId, audited, {
            status: 200,
            target: { job: id },
            detail: { job: id, status: changed.status },
          });
          return changed;
        });
      } catch (err) {
        if (err instanceof ProblemError) return refusal(err);
        throw err;
      }
      if (action === 'resume' && values.wait) return follow(j);
      print(j);
      return EXIT.ok;
    }
    default:
      io.err(`jobs: ${actionError(action)}`);
      return EXIT.usage;
  }
}
