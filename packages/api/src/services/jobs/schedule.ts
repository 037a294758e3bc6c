import { DEFAULT_TIME_ZONE } from '@tierkit/core';
import {
  listOverdueReviews,
  listRunningImports,
  listTenants,
  METRIC_WRITE_RESOLUTION_MS,
  scheduledJobExists,
  type Executor,
} from '@tierkit/db';
import { addMonths, periodOf } from '../../periods.js';
import { settleLapsedOverrides } from '../override-expiry.js';
import { reviewRules } from '../reviews.js';
import { loadTenantPack, TenantPacks, type TenantPack } from '../tenant-pack.js';
import { enqueueRetier } from './jobs.js';
import { loadedMonthData } from './month-data.js';

export interface ScheduleOptions {
  readonly db: Executor;
  /** The banks' calendar: a month ends at midnight here. Default `Asia/Shanghai`. */
  readonly timeZone?: string;
  readonly now?: () => Date;
  /** How often to look. Default one minute. */
  readonly intervalMs?: number;
  /** How long a month's data must have been quiet before its job is queued. Default {@link DEFAULT_SETTLE_MINUTES}. */
  readonly settleMinutes?: number;
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

/** Where a tenant's monthly job stands: queued, or why it waits. */
export type MonthlyStatus =
  | { readonly tenantId: string; readonly period: string; readonly state: 'queued'; readonly jobId: string }
  | { readonly tenantId: string; readonly period: string; readonly state: 'no-data' }
  | { readonly tenantId: string; readonly period: string; readonly state: 'importing'; readonly importId: string }
  | {
      readonly tenantId: string;
      readonly period: string;
      readonly state: 'settling';
      readonly lastWrittenAt: string;
      readonly quietAt: string;
    };

/** Options of {@link queueMonthlyRetiers}. */
export interface QueueMonthlyOptions {
  /** Default {@link DEFAULT_SETTLE_MINUTES}. */
  readonly settleMinutes?: number;
  /** Called with each tenant whose month it did not queue, and why. */
  readonly onWait?: (status: MonthlyStatus) => void;
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
 * Whether `period`'s data has arrived in the tenant and been quiet for `settleMinutes` at `now`: the
 * instant it counts as quiet, or `no-data`. The data is that of the metrics the pack's schemes read by
 * month (`loadedMonthData`): an AML score or a quota's usage arriving ahead of the balances does not
 * make the month loaded. A write's record may lag it by up to METRIC_WRITE_RESOLUTION_MS
 * (metrics.ts), so that much more is waited.
 */
export async function monthSettles(
  db: Executor,
  tp: TenantPack,
  period: string,
  settleMinutes: number = DEFAULT_SETTLE_MINUTES,
): Promise<{ readonly lastWrittenAt: string; readonly quietAt: string } | 'no-data'> {
  const data = await loadedMonthData(db, tp, period);
  if (!data) return 'no-data';
  const quietAt = new Date(Date.parse(data.lastWrittenAt) + settleMinutes * 60_000 + METRIC_WRITE_RESOLUTION_MS).toISOString();
  return { lastWrittenAt: data.lastWrittenAt, quietAt };
}

/** Reviews overdue in one tenant at a moment, by scheme and level. */
export interface OverdueReviewCounts {
  readonly total: number;
  readonly byLevel: readonly { readonly scheme: string; readonly level: string; readonly count: number }[];
}

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

/** The monthly job's reason: the month, and the reviews overdue when it was queued (the monthly review list). */
function monthlyReason(period: string, reviews: OverdueReviewCounts): string {
  if (reviews.total === 0) return `monthly re-evaluation of ${period}; no reviews overdue`;
  const parts = reviews.byLevel.map((c) => `${c.scheme} ${c.level} ${c.count}`).join(', ');
  return `monthly re-evaluation of ${period}; ${reviews.total} reviews overdue (${parts}): GET /v1/reviews/overdue lists them`.slice(
    0,
    500,
  );
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
 * Returns the ids of the jobs it queued.
 */
export async function queueMonthlyRetiers(
  db: Executor,
  now: Date,
  timeZone = DEFAULT_TIME_ZONE,
  options: QueueMonthlyOptions = {},
): Promise<string[]> {
  const period = addMonths(periodOf(now, timeZone), -1);
  const scheduleKey = `monthly:${period}`;
  const queued: string[] = [];
  for (const tenant of await listTenants(db)) {
    // The schedule looks every minute: once the month's job is queued, nothing more is read.
    if (await scheduledJobExists(db, tenant.id, scheduleKey)) continue;
    // An import's rows are not visible until it commits: a load in progress is waited for.
    const since = new Date(now.getTime() - IMPORT_WAIT_MS).toISOString();
    const importing = (await listRunningImports(db, tenant.id)).find((i) => i.createdAt > since);
    if (importing) {
      options.onWait?.({ tenantId: tenant.id, period, state: 'importing', importId: importing.id });
      continue;
    }
    const pack = options.packs ? await options.packs.get(db, tenant.id) : await loadTenantPack(db, tenant.id, timeZone);
    // Key lookups on metric_periods, whatever the size of the book.
    const settles = await monthSettles(db, pack, period, options.settleMinutes);
    if (settles === 'no-data') {
      options.onWait?.({ tenantId: tenant.id, period, state: 'no-data' });
      continue;
    }
    if (settles.quietAt > now.toISOString()) {
      options.onWait?.({ tenantId: tenant.id, period, state: 'settling', ...settles });
      continue;
    }
    const job = await enqueueRetier(db, {
      tenantId: tenant.id,
      period,
      now,
      timeZone,
      requestedBy: 'schedule',
      scheduleKey,
      reason: monthlyReason(period, await countOverdueReviews(db, pack, now, timeZone)),
      pack,
    });
    if (job) queued.push(job.id);
  }
  return queued;
}

/**
 * Run {@link queueMonthlyRetiers} now and every `intervalMs` until stopped, and with it settle the
 * overrides that expired since the last look (override-expiry.ts).
 */
export function startMonthlySchedule(options: ScheduleOptions): { stop(): void } {
  const clock = options.now ?? (() => new Date());
  const log = options.logError ?? ((err: unknown) => console.error('tierkit schedule:', err));
  const say = options.log ?? ((line: string) => console.log(line));
  // The schedule looks every minute: say what a tenant's month waits for when that changes, not each time.
  const said = new Map<string, string>();
  const onWait = (w: MonthlyStatus) => {
    const line = waitingLine(w);
    if (said.get(w.tenantId) === line) return;
    said.set(w.tenantId, line);
    say(line);
  };
  const packs = new TenantPacks(undefined, undefined, options.timeZone);
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    queueMonthlyRetiers(options.db, clock(), options.timeZone, {
      ...(options.settleMinutes === undefined ? {} : { settleMinutes: options.settleMinutes }),
      onWait,
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

/** The log line for a tenant's month that waits. */
export function waitingLine(w: MonthlyStatus): string {
  if (w.state === 'no-data')
    return `tierkit schedule: ${w.tenantId} ${w.period} waits: no metrics for ${w.period} loaded yet; the monthly re-tier is queued once they are`;
  if (w.state === 'importing')
    return `tierkit schedule: ${w.tenantId} ${w.period} waits: import ${w.importId} is still running; the monthly re-tier is queued once it has ended and the data has settled`;
  if (w.state === 'settling')
    return `tierkit schedule: ${w.tenantId} ${w.period} waits: metrics for ${w.period} still arriving (last written ${w.lastWrittenAt}); the monthly re-tier is queued at ${w.quietAt} if nothing more arrives`;
  return `tierkit schedule: ${w.tenantId} ${w.period} queued as ${w.jobId}`;
}
