import { DEFAULT_TIME_ZONE, periodEnd, startOfDay, type ScheduleMonth } from '@tierkit/core';
import {
  listOverdueReviews,
  listRunningImports,
  findNewestScheduledJob,
  listTenants,
  queuedAfter,
  monthData,
  listUnscheduledJobsSince,
  METRIC_WRITE_RESOLUTION_MS,
  type Executor,
  watchOutage,
} from '@tierkit/db';
import { addMonths, periodOf } from '../../periods.js';
import { settleLapsedOverrides } from '../override-expiry.js';
import { reviewRules } from '../reviews.js';
import { loadTenantPack, TenantPacks, type TenantPack } from '../tenant-pack.js';
import { systemAction } from '../audit.js';
import { enqueueRetier } from './jobs.js';
import { recordQueuedJob } from './record-queued.js';
import { retiersWholeMonth, type RetierParams } from './retier-params.js';
import { monthLoad, monthMetrics, type MonthLoad } from './month-data.js';
import { monthlyReason, type OverdueReviewCounts } from './monthly-reason.js';
import { logError, logInfo } from '../../log.js';

export type { OverdueReviewCounts } from './monthly-reason.js';

export interface ScheduleOptions {
  readonly db: Executor;
  /** The banks' calendar: a month ends at midnight here. Default `Asia/Shanghai`. */
  readonly timeZone?: string;
  readonly now?: () => Date;
  /** How often to look. Default one minute. */
  readonly intervalMs?: number;
  /** How long a month's data must have been quiet before its job is queued. Default {@link DEFAULT_SETTLE_MINUTES}. */
  readonly settleMinutes?: number;
  /** Days after a month's end past which a month still waiting is said to be overdue. Default {@link DEFAULT_OVERDUE_DAYS}. */
  readonly overdueDays?: number;
  /** Months before the one just ended looked at for corrections. Default {@link DEFAULT_LOOK_BACK_MONTHS}. */
  readonly lookBackMonths?: number;
  readonly logError?: (err: unknown) => void;
  /** Where the schedule says what it waits for, once per tenant, month and reason. Default `console.log`. */
  readonly log?: (line: string) => void;
}

/**
 * Minutes with no new metrics for a month before the schedule re-tiers it: a warehouse load arrives
 * as several files, and an API-fed bank writes one customer at a time; an hour without a write means
 * the load is over, where a minute would catch it between two files.
 */
export const DEFAULT_SETTLE_MINUTES = 60;

/**
 * Days after a month has ended past which a month whose data has not come (or not settled) is
 * overdue: a warehouse that loads November on the 3rd of December is usual; on the 10th, someone
 * should ask.
 */
export const DEFAULT_OVERDUE_DAYS = 7;

/** What a waiting month says besides why: whether it has waited past the overdue days. */
interface Waiting {
  readonly tenantId: string;
  readonly period: string;
  readonly overdue: boolean;
}

/**
 * A month whose job is queued: `queued` while it runs, `done` once completed. A job that failed or
 * was cancelled is no longer queued: it waits for someone to resume it (`job-failed`,
 * `job-cancelled`), and is overdue past the overdue day like any other wait.
 */
interface Queued {
  readonly tenantId: string;
  readonly period: string;
  readonly state: 'queued' | 'done';
  readonly jobId: string;
  /** The job's own status: `running` or `completed`. */
  readonly jobStatus: string;
}

/** Where a tenant's monthly job stands: queued (or done), or why it waits. */
export type MonthlyStatus =
  | Queued
  | (Waiting & { readonly state: 'job-failed'; readonly jobId: string; readonly jobStatus: string })
  | (Waiting & { readonly state: 'job-cancelled'; readonly jobId: string; readonly jobStatus: string })
  | (Waiting & {
      readonly state: 'waiting-for-data';
      /** By-month metrics with data for the month, and those it still waits for (`monthLoad`). */
      readonly loaded: readonly string[];
      readonly missing: readonly string[];
    })
  | (Waiting & { readonly state: 'import-running'; readonly importId: string })
  | (Waiting & { readonly state: 'settling'; readonly lastWrittenAt: string; readonly quietAt: string })
  | Stale
  | NeedsDecision;

/**
 * A month whose last whole-book job (`jobId`, completed) began before data of it was written again —
 * corrections loaded after its re-tier: re-tiered again once that data has been quiet (`quietAt`)
 * and no import runs (`importId`), once per batch of corrections (`correctionKey`).
 */
interface Stale extends Waiting {
  readonly state: 'stale';
  readonly jobId: string;
  readonly jobStatus: string;
  readonly lastWrittenAt: string;
  /** The last write's place in the database's write order (null: written before it was kept). */
  readonly lastWriteSeq: number | null;
  readonly quietAt: string;
  readonly importId?: string;
}

/**
 * An earlier month of the look-back ({@link DEFAULT_LOOK_BACK_MONTHS}) whose data changed after its
 * re-tier (`jobId`) while a later month (`later`) had been re-tiered already. Not queued: a re-tier
 * leaves alone every customer judged at a later month than its own (retier-chunk.ts, `leftAlone`),
 * so re-running the month itself changes nobody judged since, and replaying the months in order would
 * rewrite levels and history the bank has acted on. An operator decides: `command` re-tiers the
 * later month from the corrected data (`readsCorrections`: the month is within the data window that
 * month's policy reads), or, when it is not, records the month as looked at. It ends once a whole-book
 * re-tier of the month or a later one is queued after the corrections.
 */
interface NeedsDecision extends Waiting {
  readonly state: 'needs-decision';
  readonly jobId: string;
  readonly jobStatus: string;
  readonly lastWrittenAt: string;
  readonly later: { readonly period: string; readonly jobId: string; readonly jobStatus: string; readonly readsCorrections: boolean };
  readonly command: string;
}

/**
 * Months before the one just ended in which the schedule looks for corrections after their re-tier
 * (a bank re-states a quarter, or a year at its audit): two key lookups a month per tenant and look.
 */
export const DEFAULT_LOOK_BACK_MONTHS = 12;

/** Options of {@link queueMonthlyRetiers}. */
export interface QueueMonthlyOptions {
  /** Default {@link DEFAULT_LOOK_BACK_MONTHS}; 0 looks at the month just ended only. */
  readonly lookBackMonths?: number;
  /** Default {@link DEFAULT_SETTLE_MINUTES}. */
  readonly settleMinutes?: number;
  /** Default {@link DEFAULT_OVERDUE_DAYS}. */
  readonly overdueDays?: number;
  /** Called with each tenant whose month it did not queue, and why. */
  readonly onWait?: (status: MonthlyStatus) => void;
  /**
   * Told where each tenant's month stands on every look, queued and done included, and of a job this
   * call queued (`queuedHere`): the schedule's log says each change of state from it, so the last
   * line about a month is never a wait that has ended.
   */
  readonly onState?: (status: MonthlyStatus, queuedHere: boolean) => void;
  /**
   * Compiled packs kept between looks (in `timeZone`): a tenant waiting for its data is looked at
   * every minute, and its pack is compiled again only when its policies change. Loaded each time without.
   */
  readonly packs?: TenantPacks;
}

/**
 * An import running longer than this is taken for one whose process died without the import being
 * marked failed (the next server start or import marks it): the schedule stops waiting for it.
 */
const IMPORT_WAIT_MS = 12 * 3_600_000;

/**
 * When `period`'s data counts as quiet: `settleMinutes` after its last write of the metrics the pack's
 * schemes read by month (`monthLoad`: every one the tenant loads each month): an AML score or a quota's
 * usage arriving ahead of the balances, or the balances ahead of the AUM, does not make the month
 * loaded. A write's record may lag it by up to METRIC_WRITE_RESOLUTION_MS (metrics.ts), so that much
 * more is waited.
 */
function settlesOf(lastWrittenAt: string | undefined, settleMinutes: number) {
  if (lastWrittenAt === undefined) return undefined;
  const quietAt = new Date(Date.parse(lastWrittenAt) + settleMinutes * 60_000 + METRIC_WRITE_RESOLUTION_MS).toISOString();
  return { lastWrittenAt, quietAt };
}

/**
 * When a month still waiting becomes overdue: `overdueDays` days after it ended, at midnight in the
 * bank's calendar (a day is not always 24 hours where clocks change).
 */
export function overdueAt(period: string, timeZone: string, overdueDays: number = DEFAULT_OVERDUE_DAYS): string {
  const [year, month] = period.split('-').map(Number) as [number, number];
  // Day 1 + N of the month after rolls over as Date.UTC does.
  return startOfDay({ year, month: month + 1, day: 1 + overdueDays }, timeZone).toISOString();
}

/**
 * What the schedule sees of a tenant's month: where it stands, or the pack to queue it with — and the
 * month's load when it was read (not while its job stands or an import runs), so nothing reads it twice.
 */
type Look =
  | { readonly status: MonthlyStatus; readonly load?: MonthLoad; readonly lastWrittenAt?: string }
  | { readonly ready: TenantPack; readonly load: MonthLoad; readonly rerun?: Stale };

/**
 * Where `period` stands for one tenant at `now`, by the rules the schedule queues by: its job, or an
 * import running, or its data not all in, or settling — or ready to queue. One home for those rules:
 * the schedule (queueMonthlyRetiers) and what it tells people (monthlySchedule) both read it.
 */
async function lookAtMonth(
  db: Executor,
  tenantId: string,
  period: string,
  now: Date,
  timeZone: string,
  options: QueueMonthlyOptions,
): Promise<Look> {
  const overdue = now.toISOString() >= overdueAt(period, timeZone, options.overdueDays);
  // The schedule looks every minute: once the month's job is queued, nothing more is read.
  const job = await monthJob(db, tenantId, period, timeZone);
  if (job) {
    const standing = { tenantId, period, jobId: job.id, jobStatus: job.status };
    // A failed or cancelled job waits for someone to resume it: not queued, and overdue in time.
    if (job.status === 'failed' || job.status === 'cancelled')
      return { status: { ...standing, state: job.status === 'failed' ? ('job-failed' as const) : ('job-cancelled' as const), overdue } };
    if (job.status !== 'completed') return { status: { ...standing, state: 'queued' } };
    return afterJob(db, tenantId, period, now, timeZone, { ...standing, createdAt: job.createdAt, writeSeq: job.writeSeq }, options);
  }
  // An import's rows are not visible until it commits: a load in progress is waited for.
  const importing = await runningImport(db, tenantId, now);
  if (importing) return { status: { tenantId, period, state: 'import-running', importId: importing.id, overdue } };
  const pack = options.packs ? await options.packs.get(db, tenantId) : await loadTenantPack(db, tenantId, timeZone);
  // Key lookups on metric_periods, whatever the size of the book.
  const load = await monthLoad(db, pack, period);
  const settles = settlesOf(load.data?.lastWrittenAt, options.settleMinutes ?? DEFAULT_SETTLE_MINUTES);
  if (!settles)
    return { status: { tenantId, period, state: 'waiting-for-data', loaded: load.loaded, missing: load.missing, overdue }, load };
  if (settles.quietAt > now.toISOString()) return { status: { tenantId, period, state: 'settling', ...settles, overdue }, load };
  return { ready: pack, load };
}

/** An import of the tenant still running (not one whose process died: IMPORT_WAIT_MS). */
async function runningImport(db: Executor, tenantId: string, now: Date) {
  const since = new Date(now.getTime() - IMPORT_WAIT_MS).toISOString();
  return (await listRunningImports(db, tenantId)).find((i) => i.createdAt > since);
}

/**
 * A month whose job completed: `done`, unless metrics its schemes read (by month or latest) were
 * written for it after the job was queued — corrections the job may not have read (the README's
 * "corrected data: the month is re-evaluated"). Then `stale`, re-run like a settled month: once
 * those writes have been quiet for the settle time and no import runs. The re-run is queued under
 * `monthly:<period>#<last write>`, so one batch of corrections is re-run once however many servers
 * look, and the re-run, queued after the writes, is the month's job from then on (no loop). The
 * first write after a job is always recorded, whatever METRIC_WRITE_RESOLUTION_MS (recordMetricWrites):
 * data loaded moments before a re-tier started by hand is not taken for a correction.
 */
async function afterJob(
  db: Executor,
  tenantId: string,
  period: string,
  now: Date,
  timeZone: string,
  job: { readonly jobId: string; readonly jobStatus: string; readonly createdAt: string; readonly writeSeq: number | null },
  options: QueueMonthlyOptions,
): Promise<Look> {
  const done = { tenantId, period, jobId: job.jobId, jobStatus: job.jobStatus, state: 'done' as const };
  const pack = options.packs ? await options.packs.get(db, tenantId) : await loadTenantPack(db, tenantId, timeZone);
  const { byMonth, latest } = monthMetrics(pack);
  const data = await monthData(db, tenantId, period, [...byMonth, ...latest]);
  if (!data) return { status: done };
  if (!writtenAfter(data, job)) return { status: done, lastWrittenAt: data.lastWrittenAt };
  const settles = settlesOf(data.lastWrittenAt, options.settleMinutes ?? DEFAULT_SETTLE_MINUTES) as {
    lastWrittenAt: string;
    quietAt: string;
  };
  // Re-tiered once already: a correction is not the month's data overdue.
  const stale: Stale = {
    tenantId,
    period,
    state: 'stale',
    jobId: job.jobId,
    jobStatus: job.jobStatus,
    ...settles,
    lastWriteSeq: data.lastWriteSeq,
    overdue: false,
  };
  const load = await monthLoad(db, pack, period);
  const importing = await runningImport(db, tenantId, now);
  if (importing) return { status: { ...stale, importId: importing.id }, load };
  if (settles.quietAt > now.toISOString()) return { status: stale, load };
  return { ready: pack, load, rerun: stale };
}

/** An earlier month of the look-back with corrections after its re-tier, and where it stands. */
interface EarlierLook {
  readonly period: string;
  readonly look: Look;
}

/**
 * The months of the look-back before the month just ended whose data changed after their re-tier
 * completed (afterJob), newest first. Such a month is re-tiered again like the month just ended — once
 * its corrections are quiet and no import runs — only while no later month has been re-tiered: then it
 * is the book's latest judgement, and re-running it is what its first run did. Once a later month
 * has been (`NeedsDecision`), the schedule queues nothing and says what an operator can run. A
 * whole-book re-tier of a later month queued after the corrections ends it: it read them, or they lie
 * outside what it reads. A month whose re-run after corrections failed or was cancelled is listed so
 * (`job-failed`, `job-cancelled`) until someone resumes it; a month never re-tiered, or whose own job
 * failed or runs, is not looked at here.
 */
async function lookAtEarlier(
  db: Executor,
  tenantId: string,
  now: Date,
  timeZone: string,
  options: QueueMonthlyOptions,
): Promise<EarlierLook[]> {
  const months = options.lookBackMonths ?? DEFAULT_LOOK_BACK_MONTHS;
  if (months <= 0) return [];
  const newest = addMonths(periodOf(now, timeZone), -1);
  const oldest = addMonths(newest, -months);
  // Read once for every month: the look-back's hand-started jobs.
  const unscheduled = await listUnscheduledJobsSince(db, tenantId, periodEnd(oldest, timeZone));
  const jobs = new Map<string, MonthJob>();
  for (let p = oldest; p <= newest; p = addMonths(p, 1)) {
    const job = await monthJob(db, tenantId, p, timeZone, { unscheduled });
    if (job) jobs.set(p, job);
  }
  const out: EarlierLook[] = [];
  for (let p = addMonths(newest, -1); p >= oldest; p = addMonths(p, -1)) {
    const job = jobs.get(p);
    // The schedule's re-run after corrections stopped: the corrections are still not read, and nothing
    // queues the month again until someone resumes it — said, as for the month just ended.
    // Not once a later month's whole-book re-tier was queued after it: that ends the corrections as a
    // completed re-run's would (it read them, or they lie outside what it reads).
    const superseded = (j: MonthJob) =>
      [...jobs].some(([q, l]) => q > p && l.status !== 'failed' && l.status !== 'cancelled' && queuedAfter(l, j));
    if (job && (job.status === 'failed' || job.status === 'cancelled') && job.scheduleKey?.includes('#') && !superseded(job)) {
      const state = job.status === 'failed' ? ('job-failed' as const) : ('job-cancelled' as const);
      out.push({ period: p, look: { status: { tenantId, period: p, state, jobId: job.id, jobStatus: job.status, overdue: false } } });
      continue;
    }
    if (job?.status !== 'completed') continue;
    const look = await afterJob(
      db,
      tenantId,
      p,
      now,
      timeZone,
      { jobId: job.id, jobStatus: job.status, createdAt: job.createdAt, writeSeq: job.writeSeq },
      options,
    );
    const stale = 'ready' in look ? look.rerun : look.status.state === 'stale' ? look.status : undefined;
    if (!stale) continue;
    const later = [...jobs]
      .filter(([q, j]) => q > p && j.status !== 'failed' && j.status !== 'cancelled')
      .sort(([a], [b]) => (a < b ? 1 : -1));
    if (later.some(([, j]) => !writtenAfter(stale, j))) continue;
    const [laterPeriod, laterJob] = later[0] ?? [];
    if (laterPeriod === undefined || laterJob === undefined) {
      out.push({ period: p, look });
      continue;
    }
    const pack = options.packs ? await options.packs.get(db, tenantId) : await loadTenantPack(db, tenantId, timeZone);
    // The window the later month's policy reads (a 3-month average reads two months before it).
    const readsCorrections = p >= addMonths(laterPeriod, -(pack.at(laterPeriod).compiled.monthsNeeded - 1));
    const decision: NeedsDecision = {
      tenantId,
      period: p,
      state: 'needs-decision',
      jobId: stale.jobId,
      jobStatus: stale.jobStatus,
      lastWrittenAt: stale.lastWrittenAt,
      later: { period: laterPeriod, jobId: laterJob.id, jobStatus: laterJob.status, readsCorrections },
      command: `tierkit retier --period ${readsCorrections ? laterPeriod : p}`,
      overdue: false,
    };
    out.push({ period: p, look: { status: decision, ...('load' in look && look.load ? { load: look.load } : {}) } });
  }
  return out;
}

/**
 * Whether the month's data (`data`) was written after `job` was queued: by the database's write order
 * (write-seq.ts), which the host that wrote and the host that queued both took from the database — their
 * clocks may disagree by more than the time between the two. A write or job from before that order was
 * kept has none: a numbered write is later than an unnumbered job, an unnumbered one earlier than a
 * numbered job, and two unnumbered ones are compared by their times as before.
 */
function writtenAfter(
  data: { readonly lastWriteSeq: number | null; readonly lastWrittenAt: string },
  job: { readonly writeSeq: number | null; readonly createdAt: string },
): boolean {
  if (data.lastWriteSeq !== null) return job.writeSeq === null || data.lastWriteSeq > job.writeSeq;
  return job.writeSeq === null && data.lastWrittenAt > job.createdAt;
}

/**
 * The schedule key of a month's re-run after corrections (afterJob): by the last write's place in the
 * write order — a write from a host whose clock is behind moves it where it leaves the time alone — or,
 * for data written before that was kept, by its time.
 */
function correctionKey(period: string, stale: Stale): string {
  return `monthly:${period}#${stale.lastWriteSeq === null ? stale.lastWrittenAt : `w${stale.lastWriteSeq}`}`;
}

/**
 * The month's job: the one the schedule queued (`monthly:<period>`), or a job someone started by hand
 * after the month ended for the whole book and every scheme at that month (`tierkit retier --period`,
 * `POST /v1/jobs` with no filter) — with the schedule off, that is what the schedule's advice asks
 * for, and it does what the monthly job would. The newest of them counts: a month whose scheduled job
 * failed and was then re-run by hand is done once the re-run is. A job for some schemes or some
 * subjects, one the system started (policy activation), or one started before the month ended does
 * not cover the month.
 */
async function monthJob(
  db: Executor,
  tenantId: string,
  period: string,
  timeZone: string,
  read: { readonly unscheduled?: UnscheduledJobs } = {},
): Promise<MonthJob | undefined> {
  // The month's scheduled job or its newest re-run after corrections (afterJob).
  const scheduled = await findNewestScheduledJob(db, tenantId, `monthly:${period}`);
  const ended = periodEnd(period, timeZone);
  const since = read.unscheduled
    ? read.unscheduled.filter((j) => j.createdAt >= ended)
    : await listUnscheduledJobsSince(db, tenantId, ended);
  // Newest first in the database's write order (the list comes newest first by time).
  const byHand = [...since]
    .sort((a, b) => (queuedAfter(a, b) ? -1 : queuedAfter(b, a) ? 1 : 0))
    .find((j) => {
      if (j.requestedBy === 'schedule' || j.requestedBy.startsWith('policy:')) return false;
      const params = JSON.parse(j.params) as RetierParams;
      return params.period === period && params.schemes === null && retiersWholeMonth(params);
    });
  if (!byHand) return scheduled;
  const hand = { id: byHand.id, status: byHand.status, createdAt: byHand.createdAt, writeSeq: byHand.writeSeq, scheduleKey: null };
  return scheduled && queuedAfter(scheduled, hand) ? scheduled : hand;
}

/** A month's job as {@link monthJob} finds it. */
interface MonthJob {
  readonly id: string;
  readonly status: string;
  readonly createdAt: string;
  readonly writeSeq: number | null;
  /** The schedule's key (`monthly:<period>`, or `…#…` for a re-run after corrections); null: started by hand. */
  readonly scheduleKey: string | null;
}

type UnscheduledJobs = Awaited<ReturnType<typeof listUnscheduledJobsSince>>;

/** Overdue rows read at a time while counting: memory stays flat for a large book. */
const REVIEW_PAGE = 5000;

/**
 * Count the subjects whose level's review interval (`reviewMonths`) has passed since their last
 * review, as `GET /v1/reviews/overdue` lists them, by scheme and level.
 */
export async function countOverdueReviews(db: Executor, tp: TenantPack, now: Date, timeZone: string): Promise<OverdueReviewCounts> {
  // Due days are counted in the bank's calendar, as GET /v1/reviews/overdue counts them.
  const rules = reviewRules(tp.pack, now.toISOString(), undefined, timeZone);
  const counts = new Map<string, { scheme: string; level: string; count: number }>();
  let total = 0;
  let after: { subject: string; scheme: string } | undefined;
  for (;;) {
    const page = await listOverdueReviews(db, tp.tenantId, rules, REVIEW_PAGE, after);
    for (const r of page) {
      const key = `${r.scheme}\u0000${r.level}`;
      const c = counts.get(key);
      if (c) c.count++;
      else counts.set(key, { scheme: r.scheme, level: r.level, count: 1 });
      total++;
    }
    const last = page.at(-1);
    if (page.length < REVIEW_PAGE || !last) break;
    after = { subject: last.subject, scheme: last.scheme };
  }
  const byLevel = [...counts.values()].sort((a, b) => a.scheme.localeCompare(b.scheme) || a.level.localeCompare(b.level));
  return { total, byLevel };
}

/**
 * Queue each tenant's monthly re-evaluation of the month that has just ended (every scheme, whole
 * book) — once per tenant and month, however many servers run this, through the job's schedule key.
 * Not before the month's data is in: a tenant with no metrics for the month yet, or whose last write
 * for it is less than `settleMinutes` old (a load in progress), waits — evaluating a month before
 * its balances arrive would count them as zero and downgrade the book. Once queued, re-evaluation
 * reads the data the window holds, so customers whose own data stopped lapse per the policy's
 * hysteresis. The same pass counts the reviews then overdue (levels with `reviewMonths`) and
 * records them in the job's reason, so each month's job says how many reviews are waiting, by level.
 * A month someone re-tiered by hand for the whole book after it ended is not queued again (`monthJob`).
 * Each job queued is recorded in the tenant's audit trail (`recordQueuedJob`); one whose record cannot
 * be written is cancelled, and the call throws once every tenant was looked at.
 * Returns the ids of the jobs it queued.
 */
export async function queueMonthlyRetiers(
  db: Executor,
  now: Date,
  timeZone = DEFAULT_TIME_ZONE,
  options: QueueMonthlyOptions = {},
): Promise<string[]> {
  const period = addMonths(periodOf(now, timeZone), -1);
  const queued: string[] = [];
  const unrecorded: unknown[] = [];
  for (const tenant of await listTenants(db)) {
    // Oldest first: months are re-tiered in order, an earlier month's re-run queued before a later month's job.
    const looks = (await lookAtEarlier(db, tenant.id, now, timeZone, options)).reverse();
    looks.push({ period, look: await lookAtMonth(db, tenant.id, period, now, timeZone, options) });
    for (const { period: month, look } of looks) {
      if ('status' in look) {
        if (!isQueued(look.status)) options.onWait?.(look.status);
        options.onState?.(look.status, false);
        continue;
      }
      const pack = look.ready;
      const rerun = look.rerun;
      const reason = rerun
        ? `re-evaluation of ${month}: its data changed after its re-tier ${rerun.jobId} (last written ${rerun.lastWrittenAt})`
        : monthlyReason(month, await countOverdueReviews(db, pack, now, timeZone));
      const key = rerun ? correctionKey(month, rerun) : `monthly:${month}`;
      const job = await enqueueRetier(db, {
        tenantId: tenant.id,
        period: month,
        now,
        timeZone,
        requestedBy: 'schedule',
        scheduleKey: key,
        reason,
        pack,
      });
      // Another server queued the month first: its record is that server's to write.
      if (!job) continue;
      options.onState?.({ tenantId: tenant.id, period: month, state: 'queued', jobId: job.id, jobStatus: job.status }, true);
      // One tenant's chain that cannot be written to holds back no other tenant's month.
      // Stamped when appended, not `now` (the tick's start): records appended since would sort after it.
      const action = systemAction('schedule', rerun ? 'monthly re-tier after corrections' : 'monthly re-tier');
      const recorded = await recordQueuedJob(db, tenant.id, action, job.id, {
        job: job.id,
        period: month,
        reason,
      }).then(
        () => true,
        (e: unknown) => void unrecorded.push(e),
      );
      if (recorded) queued.push(job.id);
    }
  }
  if (unrecorded.length === 1) throw unrecorded[0];
  if (unrecorded.length)
    throw new AggregateError(unrecorded, unrecorded.map((e) => (e instanceof Error ? e.message : String(e))).join('; '));
  return queued;
}

/**
 * Run {@link queueMonthlyRetiers} now and every `intervalMs` until stopped, and with it settle the
 * overrides that expired since the last look (override-expiry.ts).
 */
export function startMonthlySchedule(options: ScheduleOptions): { stop(): void } {
  const clock = options.now ?? (() => new Date());
  const report = options.logError ?? ((err: unknown) => logError('tierkit schedule:', err));
  // A database outage: one line when it starts and one when it ends (watchOutage), not a stack a minute.
  const outage = watchOutage(options.db, report);
  const log = (err: unknown) => {
    if (!outage.failed(err)) report(err);
  };
  const say = options.log ?? ((line: string) => logInfo(line));
  // The schedule looks every minute: say where a tenant's month stands when that changes, not each time —
  // waiting, settling, queued, done — so the last line about a month is where it stands (an import
  // "still running" was the last word long after the month was re-tiered).
  const said = new Map<string, string>();
  const onState = (w: MonthlyStatus, queuedHere: boolean) => {
    // By tenant and month: the month just ended and an earlier one with corrections each say theirs once.
    const key = `${w.tenantId} ${w.period}`;
    const before = said.get(key);
    // A month found queued or done with nothing said of it changed nothing this process saw: a start
    // does not list every month already re-tiered.
    if (isQueued(w) && before === undefined && !queuedHere) return;
    const line = waitingLine(w);
    if (before === line) return;
    said.set(key, line);
    say(line);
  };
  const packs = new TenantPacks(undefined, undefined, options.timeZone);
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    queueMonthlyRetiers(options.db, clock(), options.timeZone, {
      ...(options.settleMinutes === undefined ? {} : { settleMinutes: options.settleMinutes }),
      ...(options.overdueDays === undefined ? {} : { overdueDays: options.overdueDays }),
      ...(options.lookBackMonths === undefined ? {} : { lookBackMonths: options.lookBackMonths }),
      onState,
      packs,
    })
      .catch(log)
      .then(() => settleLapsedOverrides(options.db, clock(), { timeZone: options.timeZone, logError: log }))
      .catch(log)
      .finally(() => {
        running = false;
      });
  };
  tick();
  const timer = setInterval(tick, options.intervalMs ?? 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

function isQueued(s: MonthlyStatus): s is Queued {
  return s.state === 'queued' || s.state === 'done';
}

/** The log line for where a tenant's month stands: why it waits, or that it is queued or done. */
export function waitingLine(w: MonthlyStatus): string {
  const head = `tierkit schedule: ${w.tenantId} ${w.period}`;
  if (w.state === 'done') return `${head} done: re-tiered by ${w.jobId}`;
  if (isQueued(w)) return `${head} queued as ${w.jobId}`;
  const waits = `${head} ${w.overdue ? 'is overdue, still waiting' : 'waits'}:`;
  if (w.state === 'waiting-for-data')
    return w.loaded.length
      ? `${waits} no data yet for ${w.missing.join(', ')} of ${w.period} (${w.loaded.join(', ')} loaded); the monthly re-tier is queued once it has come`
      : `${waits} no metrics for ${w.period} loaded yet; the monthly re-tier is queued once they are`;
  if (w.state === 'job-failed' || w.state === 'job-cancelled')
    return `${waits} its monthly re-tier ${w.jobId} ${w.jobStatus}; the month is not re-tiered until someone resumes it (POST /v1/jobs/${w.jobId}/resume, tierkit jobs resume ${w.jobId})`;
  if (w.state === 'needs-decision') return `${head} ${decisionText(w)}`;
  if (w.state === 'stale')
    return `${head} data changed after its re-tier ${w.jobId} (last written ${w.lastWrittenAt}): ${
      w.importId
        ? `import ${w.importId} is still running; the month is re-tiered again once it has ended and the data has settled`
        : `the month is re-tiered again at ${w.quietAt} if nothing more arrives`
    }`;
  if (w.state === 'import-running')
    return `${waits} import ${w.importId} is still running; the monthly re-tier is queued once it has ended and the data has settled`;
  return `${waits} metrics for ${w.period} still arriving (last written ${w.lastWrittenAt}); the monthly re-tier is queued at ${w.quietAt} if nothing more arrives`;
}

/** What an operator is told of an earlier month's corrections after a later month's re-tier: one sentence. */
function decisionText(w: NeedsDecision): string {
  const head = `data changed after its re-tier ${w.jobId} (last written ${w.lastWrittenAt}), and ${w.later.period} was re-tiered since (${w.later.jobId}): not queued, an operator decides — a re-tier of ${w.period} now leaves alone every customer judged at a later month`;
  return w.later.readsCorrections
    ? `${head}; ${w.command} re-tiers the book from the corrected data (${w.period} is within the months ${w.later.period} reads), the levels recorded for the months between stay as judged`
    : `${head}; ${w.period} is outside the months ${w.later.period} reads, so no re-tier changes a level from it — ${w.command} records it as looked at`;
}

// What GET /v1/jobs/schedule sends: one home, shared with the admin kit.
export type { ScheduleMonth };

/**
 * What the monthly schedule is looking at for one tenant at `now` — the month just ended — and where
 * it stands, by the same rules it queues by ({@link lookAtMonth}, whose pack and load it reuses);
 * nothing is queued. Key lookups only: the reviews overdue are `GET /v1/reviews/overdue`'s, not read here.
 */
export async function monthlySchedule(
  db: Executor,
  tenantId: string,
  now: Date,
  timeZone = DEFAULT_TIME_ZONE,
  options: Pick<QueueMonthlyOptions, 'settleMinutes' | 'overdueDays' | 'packs'> = {},
): Promise<ScheduleMonth> {
  const period = addMonths(periodOf(now, timeZone), -1);
  const look = await lookAtMonth(db, tenantId, period, now, timeZone, options);
  const base = {
    endedAt: periodEnd(period, timeZone),
    overdueAt: overdueAt(period, timeZone, options.overdueDays),
    metrics: null,
    lastWrittenAt: null,
    quietAt: null,
    importId: null,
    job: null,
    later: null,
    command: null,
  };
  const isOverdue = now.toISOString() >= base.overdueAt;
  if ('status' in look && isQueued(look.status))
    return {
      period,
      state: look.status.state,
      waitingFor: null,
      ...base,
      lastWrittenAt: look.lastWrittenAt ?? null,
      job: { id: look.status.jobId, status: look.status.jobStatus },
    };
  // Corrections after its job: the job it had, and when the re-run is queued (at the next look once ready).
  const stale = 'ready' in look ? look.rerun : look.status.state === 'stale' ? look.status : undefined;
  if (stale)
    return {
      period,
      state: 'stale',
      waitingFor: stale.importId ? 'import' : 'settling',
      ...base,
      metrics: look.load ? { required: look.load.required, loaded: look.load.loaded, missing: look.load.missing } : null,
      lastWrittenAt: stale.lastWrittenAt,
      quietAt: stale.quietAt,
      importId: stale.importId ?? null,
      job: { id: stale.jobId, status: stale.jobStatus },
    };
  if ('status' in look && (look.status.state === 'job-failed' || look.status.state === 'job-cancelled'))
    return {
      period,
      state: isOverdue ? 'overdue' : look.status.state,
      waitingFor: 'job',
      ...base,
      job: { id: look.status.jobId, status: look.status.jobStatus },
    };
  // Read here only while an import runs (the schedule reads nothing more then).
  const load =
    look.load ?? (await monthLoad(db, await (options.packs?.get(db, tenantId) ?? loadTenantPack(db, tenantId, timeZone)), period));
  const metrics = { required: load.required, loaded: load.loaded, missing: load.missing };
  // Ready: the schedule queues it at its next look (within a minute while it runs; never when it is off).
  if ('ready' in look) {
    const settles = settlesOf(load.data?.lastWrittenAt, options.settleMinutes ?? DEFAULT_SETTLE_MINUTES);
    return { period, state: isOverdue ? 'overdue' : 'settling', waitingFor: 'settling', ...base, metrics, ...settles };
  }
  const w = look.status;
  if (isQueued(w) || w.state === 'job-failed' || w.state === 'job-cancelled' || w.state === 'stale')
    throw new Error('unreachable: a month with a job was answered above');
  const waitingFor = w.state === 'waiting-for-data' ? 'data' : w.state === 'import-running' ? 'import' : 'settling';
  return {
    period,
    state: w.overdue ? 'overdue' : w.state,
    waitingFor,
    ...base,
    metrics,
    ...(w.state === 'settling' ? { lastWrittenAt: w.lastWrittenAt, quietAt: w.quietAt } : {}),
    ...(w.state === 'import-running' ? { importId: w.importId } : {}),
  };
}

/**
 * The months of the look-back before the month just ended whose data changed after their re-tier, as
 * the schedule sees them ({@link lookAtEarlier}), newest first: `stale` (re-tiered again once quiet,
 * `queued` once it is), `needs-decision` (`later`, `command`), or `job-failed`/`job-cancelled` (its
 * re-run stopped: `job`). Empty when none has corrections.
 */
export async function correctedMonths(
  db: Executor,
  tenantId: string,
  now: Date,
  timeZone = DEFAULT_TIME_ZONE,
  options: Pick<QueueMonthlyOptions, 'settleMinutes' | 'overdueDays' | 'packs' | 'lookBackMonths'> = {},
): Promise<ScheduleMonth[]> {
  const out: ScheduleMonth[] = [];
  for (const { period, look } of await lookAtEarlier(db, tenantId, now, timeZone, options)) {
    const base = {
      period,
      endedAt: periodEnd(period, timeZone),
      overdueAt: overdueAt(period, timeZone, options.overdueDays),
      metrics: look.load ? { required: look.load.required, loaded: look.load.loaded, missing: look.load.missing } : null,
      quietAt: null,
      importId: null,
      later: null,
      command: null,
    };
    if ('status' in look && look.status.state === 'needs-decision') {
      const d = look.status;
      out.push({
        ...base,
        state: 'needs-decision',
        waitingFor: 'operator',
        lastWrittenAt: d.lastWrittenAt,
        job: { id: d.jobId, status: d.jobStatus },
        later: {
          period: d.later.period,
          job: { id: d.later.jobId, status: d.later.jobStatus },
          readsCorrections: d.later.readsCorrections,
        },
        command: d.command,
      });
      continue;
    }
    if ('status' in look && (look.status.state === 'job-failed' || look.status.state === 'job-cancelled')) {
      const s = look.status;
      out.push({ ...base, state: s.state, waitingFor: 'job', lastWrittenAt: null, job: { id: s.jobId, status: s.jobStatus } });
      continue;
    }
    const stale = 'ready' in look ? look.rerun : look.status.state === 'stale' ? look.status : undefined;
    if (!stale) continue;
    out.push({
      ...base,
      state: 'stale',
      waitingFor: stale.importId ? 'import' : 'settling',
      lastWrittenAt: stale.lastWrittenAt,
      quietAt: stale.quietAt,
      importId: stale.importId ?? null,
      job: { id: stale.jobId, status: stale.jobStatus },
    });
  }
  return out;
}

/** A month an import changed after that month's whole-book re-tier had begun (`retieredBefore`). */
export interface RetieredMonth {
  readonly period: string;
  /** The month's job (`monthJob`) queued before the import ended: completed or still running. */
  readonly job: { readonly id: string; readonly status: string };
  /** What the importer is told, in one sentence. */
  readonly message: string;
}

/**
 * Of the months an import changed (`periods`), those whose whole-book re-tier (the month's job, as
 * the schedule counts it) was queued before the import ended at `endedAt`: the re-tier did not read
 * the new data. Called in the import's transaction, before it commits (run-import.ts): every job it
 * sees was queued before then, whatever the clocks of the hosts say, and what it finds is stored with
 * the import. The schedule re-tiers such a month again once the data has settled (`afterJob`) while
 * no later month has been re-tiered; after that it asks an operator (`lookAtEarlier`). Key lookups, a
 * few per month.
 */
export async function retieredBefore(
  db: Executor,
  tenantId: string,
  periods: readonly string[],
  endedAt: string,
  timeZone: string,
): Promise<RetieredMonth[]> {
  const scheduled = addMonths(periodOf(new Date(endedAt), timeZone), -1);
  const months: RetieredMonth[] = [];
  const jobs = new Map<string, MonthJob>();
  const jobOf = async (period: string) => {
    if (!jobs.has(period)) {
      const job = await monthJob(db, tenantId, period, timeZone);
      if (job) jobs.set(period, job);
    }
    return jobs.get(period);
  };
  for (const period of [...periods].sort()) {
    const job = await jobOf(period);
    if (!job || job.status === 'failed' || job.status === 'cancelled') continue;
    // A later month re-tiered already: the schedule will not queue this one (lookAtEarlier).
    let later: string | undefined;
    for (let q = scheduled; q > period; q = addMonths(q, -1)) {
      const j = await jobOf(q);
      if (j && j.status !== 'failed' && j.status !== 'cancelled') {
        later = q;
        break;
      }
    }
    // Older than the schedule looks back by default: it neither lists nor re-tiers the month, so the
    // notice (stored with the import) must not send anyone to `tierkit jobs schedule` for it.
    const pastLookBack = period < addMonths(scheduled, -DEFAULT_LOOK_BACK_MONTHS);
    const next =
      later !== undefined
        ? pastLookBack
          ? `${later} was re-tiered since, and ${period} is past the schedule's ${DEFAULT_LOOK_BACK_MONTHS}-month look-back, so the schedule neither lists nor re-tiers it: an operator decides — tierkit retier --period ${later} re-tiers the book from the corrected data if ${period} is within the months ${later}'s policy reads; otherwise no re-tier changes a level from it`
          : `${later} was re-tiered since, so the schedule does not re-tier ${period}: an operator decides (tierkit jobs schedule says what to run)`
        : period === scheduled
          ? `a re-tier is needed: the monthly schedule queues it once the data has settled (tierkit jobs schedule), or run tierkit retier --period ${period}`
          : // Older than the schedule looks back by default: only a person re-tiers it.
            pastLookBack
            ? `a re-tier is needed: run tierkit retier --period ${period} (POST /v1/jobs)`
            : `a re-tier is needed: the monthly schedule queues it once the data has settled if it runs (tierkit jobs schedule), or run tierkit retier --period ${period} (POST /v1/jobs)`;
    months.push({
      period,
      job: { id: job.id, status: job.status },
      message: `${period} was re-tiered before this import (job ${job.id}); ${next}`,
    });
  }
  return months;
}
