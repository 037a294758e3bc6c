import cliProgress from 'cli-progress';
import type { JobView, ScheduleMonth } from '@tierkit/api';
import { filterLeavesAlone } from '@tierkit/core';
import { etaText } from './progress-bar.js';

/**
 * An error as one line: its message and, for a database error, its code (SQLITE_BUSY…), never a
 * stack or an object dump — the last line on stderr says why a command failed.
 */
export function oneLine(e: unknown): string {
  const code = typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
  const message = (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/** Why a job that ended other than completed did not complete, in one line. */
export function jobOutcome(j: JobView): string {
  return `job ${j.id} ${j.status}${j.error ? `: ${j.error}` : ''}`;
}

/** One line about a job, for lists and the end of a run. */
export function jobLine(j: JobView): string {
  // Those left alone (evaluated at a later month, closed, outside the filter) are said apart: counted
  // in with the re-evaluated ones, a month that re-tiered nobody read as done.
  const { chunks, subjects } = j.progress;
  // A simulation keeps a re-tier's params (the scheme and month it plans): said as one, it would read
  // as a re-tier of that month that changed nothing.
  const scope = `${j.params.schemes?.join(',') ?? 'all schemes'} @ ${j.params.period}`;
  const what =
    j.kind === 'simulate'
      ? `simulation of ${j.simulation?.scheme ?? scope} v${j.simulation?.version ?? '?'} @ ${j.params.period} (writes nothing)`
      : scope;
  return `${j.id}  ${j.status.padEnd(9)}  ${what}  chunks ${chunks.done}/${chunks.total}  subjects ${subjects.processed + subjects.skipped}/${subjects.total}${subjects.skipped ? ` (${subjects.processed} re-evaluated, ${subjects.skipped} left alone)` : ''}  changes ${j.summary.changes}${perScheme(j)}  approval-required ${j.summary.approvalRequired}${j.error ? `  error: ${j.error}` : ''}`;
}

/**
 * The schemes a job added to those asked for, and why ("also re-tiers value-band (reads retail-tier)",
 * "aml-risk (read by risk-band)"),
 * or undefined when it added none.
 */
export function dependentsLine(j: Pick<JobView, 'params'>): string | undefined {
  const added = j.params.dependents ?? [];
  if (!added.length) return undefined;
  const why = (d: (typeof added)[number]) => ('reads' in d ? `reads ${d.reads.join(', ')}` : `read by ${d.readBy.join(', ')}`);
  return `also re-tiers ${added.map((d) => `${d.scheme} (${why(d)})`).join(', ')}: each reads a level it writes, or is read by one`;
}

/**
/**
 * Why subjects were left alone, in one line, from what the job records: their number only, so the
 * reasons any job has and its filter's (`filterLeavesAlone`), never one reason as if it were known.
 */
export function leftAloneLine(j: Pick<JobView, 'status' | 'progress' | 'params'>): string | undefined {
  const { processed, skipped } = j.progress.subjects;
  if (!skipped) return undefined;
  const why = `already evaluated at a later month, closed, or with neither a level nor data${filterLeavesAlone(j.params.filter) ? ", or outside the job's filter" : ''}`;
  const head =
    j.status === 'completed' && processed === 0
      ? `nothing re-evaluated: all ${skipped} left alone, levels unchanged`
      : `${processed} re-evaluated, ${skipped} left alone (levels unchanged)`;
  return `${head}; left alone for one of these reasons: ${why} (the job records how many, not which reason applies to whom)`;
}

/**
 * The whole of a job: its line, then the migration matrix, one row per scheme and level before.
 * `dependents` false leaves out the schemes it added, for `retier`, which said them on stderr already.
 */
export function jobDetails(j: JobView, dependents = true): string[] {
  const lines = [jobLine(j), `requested by ${j.requestedBy} at ${j.createdAt}${j.params.reason ? ` — ${j.params.reason}` : ''}`];
  const alone = leftAloneLine(j);
  if (alone) lines.push(alone);
  const added = dependents ? dependentsLine(j) : undefined;
  if (added) lines.push(added);
  const sim = j.simulation;
  if (sim) {
    const r = sim.result;
    lines.push(
      `simulated ${sim.scheme} v${sim.version} (${sim.revision.slice(0, 19)}…${sim.current ? '' : ', the draft was edited since'}) for ${r.period}${r.dataPeriod && r.dataPeriod < r.period ? ` on ${r.dataPeriod}'s data` : ''}: ${r.total} planned, ${r.upgraded} up, ${r.downgraded} down, ${r.assigned ? `${r.assigned} first assigned, ` : ''}${r.unchanged} unchanged; held ${r.held.total}, kept ${r.kept}`,
    );
    for (const c of r.cells)
      lines.push(`    ${c.from.padEnd(12)} → ${c.to.padEnd(12)} ${c.count}${c.samples.length ? `  e.g. ${c.samples.join(', ')}` : ''}`);
    for (const h of r.held.cells) lines.push(`    held at ${h.level.padEnd(12)} → ${h.to} in ${h.monthsLeft} month(s): ${h.count}`);
  }
  let scheme = '';
  for (const c of j.summary.matrix) {
    if (c.scheme !== scheme) lines.push(`  ${(scheme = c.scheme)}`);
    lines.push(`    ${(c.from ?? '(none)').padEnd(12)} → ${c.to.padEnd(12)} ${c.count}`);
  }
  return lines;
}

/**
 * What `jobs schedule` says first where the schedule is off (`TIERKIT_SCHEDULE=off`): a server with
 * that setting does not run it. Only that server: another on the database may, so no more is claimed.
 */
export function scheduleOffLine(period: string, tenantId: string): string {
  return `this server does not run the monthly schedule (TIERKIT_SCHEDULE=off); unless another server runs it, start the month by hand (tierkit retier --period ${period} --tenant ${tenantId}, or POST /v1/jobs)`;
}

/**
 * What `jobs schedule` says first where its environment does not set `TIERKIT_SCHEDULE`: the server's
 * setting is the server's, and the default seen here would be a guess.
 */
export const SCHEDULE_UNKNOWN_LINE =
  'whether the server runs the monthly schedule is not known here: set TIERKIT_SCHEDULE as the server has it (on or off) to say';

/**
 * The monthly schedule's month in one line: its state, since when, what it waits for. `running` false
 * (this server does not run the schedule): a month settling is not said to be queued at its quiet time;
 * null (not known): it is said when it is quiet, and that a server running the schedule queues it then.
 */
export function scheduleLine(m: ScheduleMonth, now: Date, running: boolean | null): string {
  const days = Math.max(0, Math.floor((now.getTime() - Date.parse(m.endedAt)) / 86_400_000));
  const head = `${m.period}  ${m.state.padEnd(16)}`;
  // An earlier month's corrections after a later month's re-tier: nothing is queued; what to run.
  if (m.state === 'needs-decision' && m.later)
    return `${head}  data changed after its re-tier (job ${m.job?.id}; last written ${m.lastWrittenAt}), and ${m.later.period} was re-tiered since (job ${m.later.job.id}): not queued, an operator decides — ${
      m.later.readsCorrections
        ? `${m.command} re-tiers the book from the corrected data (${m.period} is within the months ${m.later.period} reads); the levels recorded for the months between stay as judged`
        : `${m.period} is outside the months ${m.later.period} reads, so no re-tier changes a level from it; ${m.command} records it as looked at`
    }`;
  // Corrections after the month's job: that job, and when the re-run is queued (`monthlySchedule`).
  if (m.state === 'stale')
    return `${head}  data changed after its re-tier (job ${m.job?.id} ${m.job?.status}; last written ${m.lastWrittenAt}): ${
      m.waitingFor === 'import'
        ? `re-tiered again once import ${m.importId} has ended and the data has settled`
        : running === true
          ? `re-tiered again at ${m.quietAt} if nothing more arrives`
          : running === null
            ? `quiet at ${m.quietAt} if nothing more arrives, then re-tiered again by a server that runs the schedule`
            : `re-tier it again by hand (tierkit retier --period ${m.period})`
    }`;
  if (m.job && m.waitingFor !== 'job') return `${head}  job ${m.job.id} ${m.job.status}`;
  const waited = `ended ${m.endedAt}, waiting ${days} day${days === 1 ? '' : 's'}${m.state === 'overdue' ? '' : ` (overdue at ${m.overdueAt})`}`;
  const loaded = m.metrics?.loaded.length ? ` (${m.metrics.loaded.join(', ')} loaded)` : '';
  const why =
    m.waitingFor === 'data'
      ? `waiting for data: none yet for ${m.metrics?.missing.join(', ') ?? '—'}${loaded}`
      : m.waitingFor === 'job'
        ? `job ${m.job?.id} ${m.job?.status}: waiting for someone to resume it (tierkit jobs resume ${m.job?.id})`
        : m.waitingFor === 'import'
          ? `waiting for import ${m.importId} to end`
          : running === true
            ? `data settling: queued at ${m.quietAt} if nothing more arrives`
            : running === null
              ? `data settling: quiet at ${m.quietAt} if nothing more arrives, then queued by a server that runs the schedule`
              : `data in (last written ${m.lastWrittenAt})`;
  return `${head}  ${why}; ${waited}`;
}

/**
 * A progress bar with rate and ETA over a job's subjects, on standard error and only on a terminal
 * (scripts read `--json` from standard output).
 */
export function jobBar(enabled: boolean): { update(j: JobView): void; stop(): void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'retier [{bar}] {percentage}% | {value}/{total} subjects | {rate}/s | ETA {eta}',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const t0 = Date.now();
  return {
    update(j) {
      const done = j.progress.subjects.processed + j.progress.subjects.skipped;
      const seconds = (Date.now() - t0) / 1000;
      const rate = Math.round(done / Math.max(0.001, seconds));
      const eta = etaText(done, j.progress.subjects.total, seconds);
      if (!started) {
        bar.start(j.progress.subjects.total, done, { rate, eta });
        started = true;
      } else bar.update(done, { rate, eta });
    },
    stop: () => (started ? bar.stop() : undefined),
  };
}

/** ` (aml-test 1, risk-value-test 1)` after the total when the job wrote more than one scheme, the one asked for first. */
function perScheme(j: JobView): string {
  const per = j.summary.schemes ?? [];
  return per.length > 1 ? ` (${per.map((p) => `${p.scheme} ${p.changes}`).join(', ')})` : '';
}
