import { addMonths, periodOf } from '@tierkit/api';

/** The last complete month in Asia/Shanghai: the demo data ends there. */
export function lastCompleteMonth(now: Date = new Date()): string {
  return addMonths(periodOf(now, 'Asia/Shanghai'), -1);
}
