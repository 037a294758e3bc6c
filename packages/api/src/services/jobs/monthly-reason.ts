/*
 * The monthly job's reason, written once when the schedule queues it and read back for whoever reads the
 * job. It counts the reviews overdue by scheme and level, so it is an AML grade's head counts (every
 * level of the default pack's AML grade has `reviewMonths`): staff who may not read a scheme get it
 * rebuilt without that scheme (reader-cut.ts), as `GET /v1/reviews/overdue` leaves it out for them.
 */

/** Reviews overdue in one tenant at a moment, by scheme and level. */
export interface OverdueReviewCounts {
  readonly total: number;
  readonly byLevel: readonly { readonly scheme: string; readonly level: string; readonly count: number }[];
}

/** The longest reason a job keeps (`POST /v1/jobs` takes no longer one). */
const REASON_MAX = 500;
const TAIL = ': GET /v1/reviews/overdue lists them';

/** The monthly job's reason: the month, and the reviews overdue when it was queued (the monthly review list). */
export function monthlyReason(period: string, reviews: OverdueReviewCounts): string {
  if (reviews.total === 0) return `monthly re-evaluation of ${period}; no reviews overdue`;
  const parts = reviews.byLevel.map((c) => `${c.scheme} ${c.level} ${c.count}`).join(', ');
  return `monthly re-evaluation of ${period}; ${reviews.total} reviews overdue (${parts})${TAIL}`.slice(0, REASON_MAX);
}

const MONTHLY = /^monthly re-evaluation of (\d{4}-\d{2}); \d+ reviews overdue \((.*)$/s;

/**
 * A reason {@link monthlyReason} wrote, as it reads without the counts of `hidden` schemes; undefined
 * when `reason` is not one. A reason cut at its length limit loses its last, possibly partial count: the
 * total is then of the counts it still names.
 */
export function monthlyReasonWithout(reason: string, hidden: ReadonlySet<string>): string | undefined {
  const m = MONTHLY.exec(reason);
  if (!m) return undefined;
  const [, period = '', rest = ''] = m;
  const whole = rest.endsWith(`)${TAIL}`);
  const listed = (whole ? rest.slice(0, -(TAIL.length + 1)) : rest).split(', ');
  if (!whole) listed.pop();
  const byLevel = listed.flatMap((part) => {
    const c = /^(\S+) (\S+) (\d+)$/.exec(part);
    return c && !hidden.has(c[1] ?? '') ? [{ scheme: c[1] ?? '', level: c[2] ?? '', count: Number(c[3]) }] : [];
  });
  return monthlyReason(period, { total: byLevel.reduce((n, c) => n + c.count, 0), byLevel });
}
