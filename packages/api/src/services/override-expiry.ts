import {
  claimExpiredOverrides,
  findSubjectByExternalId,
  listLapsedOverrideSubjects,
  listTenants,
  overridesForRead,
  type Database,
  type OverridesForRead,
  type Subject,
} from '@tierkit/db';
import type { Kysely } from 'kysely';
import type { ApiDeps } from '../deps.js';
import { periodOf } from '../periods.js';
import { DEFAULT_TIME_ZONE } from '@tierkit/core';
import { subjectsWritten } from '../version-trust.js';
import { appendOperatorAudit, type OperatorOutcome, systemAction } from './audit.js';
import { type LevelMove, reevaluateSubject } from './reevaluate.js';
import { loadTenantPack, type TenantPack } from './tenant-pack.js';

/*
 * Nothing writes at the instant an approved override expires, so the level it decided stays stored
 * until something re-evaluates the subject. Two things do, by the rules, as a revocation does (the
 * history's `override-expired` event included): every read of the subject, before it is built, and
 * a sweep the schedule runs every minute for everything that reads levels without reading subjects
 * one by one (books, the matrix, analytics).
 */

/**
 * Before a subject's read is built: settle an override that expired since its scheme was last
 * evaluated. Returns the overrides in force, which the read shows, and when the first of them
 * expires: the read holds until then.
 */
export async function settleOverrideExpiries(deps: ApiDeps, subject: Subject, tp: TenantPack, now: Date): Promise<OverridesForRead> {
  const found = await overridesForRead(deps.db, deps.tenantId, subject.id, now.toISOString());
  if (!found.lapsed) return found;
  if (await settle(deps.db, tp, subject, now)) {
    subjectsWritten();
    deps.matrices.invalidate(deps.tenantId);
  }
  return found;
}

/**
 * Re-evaluate the subject by the rules if an override of it expired with nothing done about it, and
 * mark that done: once, however many callers race (claimExpiredOverrides), and once only, also when
 * the re-evaluation changes nothing (a scheme since retired, a subject with no data).
 *
 * Each settling is recorded in the tenant's audit trail ({@link settlingAudit}), in its own
 * transaction, so a level moved back is never committed unrecorded; and only a settling is, so the
 * reads after it, which find nothing to claim, append nothing.
 */
async function settle(db: Kysely<Database>, tp: TenantPack, subject: Subject, now: Date): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const overrides = await claimExpiredOverrides(trx, tp.tenantId, subject.id, now.toISOString());
    if (overrides.length === 0) return false;
    const { moved = [] } = await reevaluateSubject(trx, tp, subject, now, 'system', { overrideDecision: true });
    // Appended last: the chain's head, which every audited request of the tenant waits for, is held
    // from here to the commit only, not while the subject is re-evaluated. One record per subject, so
    // a sweep of thousands holds it for one append at a time, as a request's would.
    await appendOperatorAudit(trx, tp.tenantId, settlingAction(), settlingAudit(subject.externalId, overrides, moved));
    return true;
  });
}

/**
 * Who settles an expired override: the server by itself (credential `system`), on the clock's word
 * (method `SCHEDULE`), whether a read or the schedule's sweep came upon it first — the same act either
 * way, so one actor finds them all (`?actor=system:override-expiry`). Each settling its own request id.
 */
const settlingAction = () => systemAction('override-expiry', 'override expired');

/**
 * A settling's audit record: `target` the customer (`id`, as a subject's routes name it) and, when
 * one override expired (nearly always), its `overrideId`; `detail` the customer, every override
 * settled, and each level moved as `before` / `after` `{ level: { <scheme>: level } }` (null: none;
 * both empty when the rules gave the levels the override did).
 */
function settlingAudit(subject: string, overrides: readonly string[], moved: readonly LevelMove[]): OperatorOutcome {
  const level = (side: 'from' | 'to') => ({ level: Object.fromEntries(moved.map((m) => [m.scheme, m[side]])) });
  return {
    // Stamped when appended (no `at`), as every system record is: an earlier time could sort before records appended meanwhile.
    status: 200,
    target: overrides.length === 1 && overrides[0] ? { id: subject, overrideId: overrides[0] } : { id: subject },
    detail: { subject, overrides, before: level('from'), after: level('to') },
  };
}

/** Subjects settled per tenant and sweep: a minute's expiries in a big book are done over the next sweeps. */
export const SETTLE_BATCH = 500;

/**
 * Settle every tenant's overrides that expired with nothing done about it, up to `limit` subjects
 * each; returns how many subjects were settled. One tenant's or subject's failure is logged and
 * leaves the rest to go on.
 */
export async function settleLapsedOverrides(
  db: Kysely<Database>,
  now: Date,
  options: { readonly timeZone?: string; readonly limit?: number; readonly logError?: (err: unknown) => void } = {},
): Promise<number> {
  const log = options.logError ?? ((err: unknown) => console.error('tierkit: settling expired overrides failed', err));
  let settled = 0;
  for (const tenant of await listTenants(db)) {
    try {
      const ids = await listLapsedOverrideSubjects(db, tenant.id, now.toISOString(), options.limit ?? SETTLE_BATCH);
      if (ids.length === 0) continue;
      const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
      const tp = await loadTenantPack(db, tenant.id, timeZone, periodOf(now, timeZone));
      for (const id of ids) {
        try {
          const subject = await findSubjectByExternalId(db, tenant.id, id);
          if (!subject) continue;
          if (await settle(db, tp, subject, now)) settled++;
        } catch (err) {
          log(err);
        }
      }
    } catch (err) {
      log(err);
    }
  }
  if (settled > 0) subjectsWritten();
  return settled;
}
