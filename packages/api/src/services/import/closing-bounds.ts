import type { Executor } from '@tierkit/db';
import { closingRetention } from '../closing-date-checks.js';
import { type AnalyticsClock, closingFloor } from '../level-analytics.js';
import type { ImportContext } from './run-import.js';

/**
 * The bounds of a subjects file's closedAt, for its context: from below the end of the last final month
 * (a closedLate row goes below it), and the tenant's retention cutoff, which no row goes below. The
 * route and `tierkit import` alike, so neither way in closes a customer the other refuses.
 */
export async function subjectsClosingBounds(
  db: Executor,
  tenantId: string,
  schemes: Iterable<string>,
  clock: AnalyticsClock,
): Promise<Pick<ImportContext, 'closingFloor' | 'closingRetention'>> {
  const retention = await closingRetention(db, tenantId, clock.now(), clock.timeZone);
  return { closingFloor: await closingFloor(db, tenantId, schemes, clock), ...(retention ? { closingRetention: retention } : {}) };
}
