import { listTenants, type Executor } from '@tierkit/db';
import { addMonths, periodOf } from '../../periods.js';
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

/**
 * Queue each tenant's monthly re-evaluation of the month that has just ended (every scheme, whole
 * book) — once per tenant and month, however many servers run this, through the job's schedule key.
 * Re-evaluation reads the data the window holds, so customers whose data stopped lapse per the
 * policy's hysteresis. Returns the ids of the jobs it queued.
 */
export async function queueMonthlyRetiers(db: Executor, now: Date, timeZone = 'Asia/Shanghai'): Promise<string[]> {
  const period = addMonths(periodOf(now, timeZone), -1);
  const queued: string[] = [];
  for (const tenant of await listTenants(db)) {
    const job = await enqueueRetier(db, {
      tenantId: tenant.id,
      period,
      now,
      timeZone,
      requestedBy: 'schedule',
      scheduleKey: `monthly:${period}`,
      reason: `monthly re-evaluation of ${period}`,
    });
    if (job) queued.push(job.id);
  }
  return queued;
}

/** Run {@link queueMonthlyRetiers} now and every `intervalMs` until stopped. */
export function startMonthlySchedule(options: ScheduleOptions): { stop(): void } {
  const clock = options.now ?? (() => new Date());
  const log = options.logError ?? ((err: unknown) => console.error('tierkit schedule:', err));
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    queueMonthlyRetiers(options.db, clock(), options.timeZone)
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
