import { DEFAULT_TIME_ZONE } from '@tierkit/core';
import { listOverdueReviews, listTenants, scheduledJobExists, type Executor } from '@tierkit/db';
import { addMonths, periodOf } from '../../periods.js';
import { settleLapsedOverrides } from '../override-expiry.js';
import { reviewRules } from '../reviews.js';
import { loadTenantPack, type TenantPack } from '../tenant-pack.js';
import { enqueueRetier } from './jobs.js';

export interface ScheduleOptions {
  readonly db: Executor;
  /** The banks' calendar: a month ends at midnight here. Default `Asia/Shanghai`. */
  readonly timeZone?: string;
  readonly now?: () => Date;
  /** How often to look. Default one minute. */
  readonly intervalMs?: number;
  readonly logError?: (err: unknown) => void;
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
 * Re-evaluation reads the data the window holds, so customers whose data stopped lapse per the
 * policy's hysteresis. The same pass counts the reviews then overdue (levels with `reviewMonths`) and
 * records them in the job's reason, so each month's job says how many reviews are waiting, by level.
 * Returns the ids of the jobs it queued.
 */
export async function queueMonthlyRetiers(db: Executor, now: Date, timeZone = DEFAULT_TIME_ZONE): Promise<string[]> {
  const period = addMonths(periodOf(now, timeZone), -1);
  const scheduleKey = `monthly:${period}`;
  const queued: string[] = [];
  for (const tenant of await listTenants(db)) {
    // The schedule looks every minute: once the month's job is queued, nothing more is read.
    if (await scheduledJobExists(db, tenant.id, scheduleKey)) continue;
    const pack = await loadTenantPack(db, tenant.id, timeZone);
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
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    queueMonthlyRetiers(options.db, clock(), options.timeZone)
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
