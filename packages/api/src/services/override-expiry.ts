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
import type { BuiltRead } from '../read-cache.js';
import { periodOf } from '../periods.js';
import { DEFAULT_TIME_ZONE } from '@tierkit/core';
import { subjectsWritten } from '../version-trust.js';
import { appendOperatorAudit, type OperatorOutcome, systemAction } from './audit.js';
import { type LevelMove, reevaluateSubject } from './reevaluate.js';
import { loadTenantPack, type TenantPack } from './tenant-pack.js';
import { logError } from '../log.js';

/*
 * Nothing writes at the instant an approved override expires, so the level it decided stays stored
 * until something re-evaluates the subject. Two things do, by the rules, as a revocation does (the
 * history's `override-expired` event included): every read of the subject, before it is built, and
 * a sweep the schedule runs every minute for everything that reads levels without reading subjects
 * one by one (books, the matrix, analytics).
 */

/**
 * Build a subject's read after settling an override that expired since its scheme was last
 * evaluated. `build` gets the overrides in force, which the read shows; the read holds until the
 * first of them expires.
 *
 * A settling whose audit record cannot be written rolls back whole, so it would fail again on every
 * later read: the read must not fail with it. It is logged, and the read is built without it, not
 * kept (`until` now): the sweep settles the subject, and the next read sees it settled. With
 * `unsettled: 'reevaluated'` (levels, entitlements) it is built from the subject as the settling
 * would leave it, re-evaluated in a transaction that is rolled back, so nothing is written unrecorded
 * and the expired override's level is not shown as still held. With `'stored'` (history) it is built
 * from what is stored: the events a rolled-back re-evaluation would add were never saved, and a
 * customer shown one would see it vanish, then another with a different id and time once the sweep
 * saves it. Any other failure of the settling (a lock wait, a timeout, a busy database) fails the
 * read as it always has.
 *
 * `hasApprovedOverride`: whether `subject`, in the same statement that read it, had any approved,
 * unrevoked override (findSubjectForRead). `false` means none is in force and none lapsed, which is
 * what the overrides query would answer, so it is not made; left out, the overrides are read.
 */
export async function readSettled(
  deps: ApiDeps,
  subject: Subject,
  tp: TenantPack,
  now: Date,
  build: (deps: ApiDeps, found: OverridesForRead) => Promise<BuiltRead>,
  unsettled: 'reevaluated' | 'stored' = 'reevaluated',
  hasApprovedOverride?: boolean,
): Promise<BuiltRead> {
  const found: OverridesForRead =
    hasApprovedOverride === false
      ? { inForce: [], lapsed: false, next: Number.POSITIVE_INFINITY }
      : await overridesForRead(deps.db, deps.tenantId, subject.id, now.toISOString());
  const held = (built: BuiltRead): BuiltRead => ({ ...built, until: Math.min(built.until ?? Number.POSITIVE_INFINITY, found.next) });
  if (!found.lapsed) return held(await build(deps, found));
  let settled: boolean;
  try {
    settled = await settle(deps.db, tp, subject, now);
  } catch (err) {
    if (!(err instanceof SettlingUnrecorded)) throw err;
    (deps.log ?? logError)(
      `tierkit api: settling an expired override of tenant ${deps.tenantId}, subject ${subject.id} failed; read served unsettled, the sweep retries: ${String(err)}`,
    );
    const built =
      unsettled === 'stored'
        ? await build(deps, found)
        : await reevaluatedRolledBack(deps, tp, subject, now, (trx) => build({ ...deps, db: trx }, found));
    return { ...built, until: now.getTime() };
  }
  if (settled) {
    subjectsWritten();
    deps.matrices.invalidate(deps.tenantId);
  }
  return held(await build(deps, found));
}

/** A settling's audit record could not be appended (`cause`: why); the settling rolled back. */
class SettlingUnrecorded extends Error {
  constructor(cause: unknown) {
    super(`its audit record could not be written: ${String(cause)}`, { cause });
  }
}

/** Thrown to roll back {@link reevaluatedRolledBack}'s transaction once the read is built. */
class RollBack extends Error {}

/** `build` run on the subject re-evaluated as a settling would, in a transaction rolled back after. */
async function reevaluatedRolledBack(
  deps: ApiDeps,
  tp: TenantPack,
  subject: Subject,
  now: Date,
  build: (trx: Kysely<Database>) => Promise<BuiltRead>,
): Promise<BuiltRead> {
  let built: BuiltRead | undefined;
  try {
    await deps.db.transaction().execute(async (trx) => {
      await reevaluateSubject(trx, tp, subject, now, 'system', { overrideDecision: true });
      built = await build(trx);
      throw new RollBack();
    });
  } catch (err) {
    if (err instanceof RollBack && built !== undefined) return built;
    throw err;
  }
  throw new Error('a rolled-back read committed');
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
    try {
      await appendOperatorAudit(trx, tp.tenantId, settlingAction(), settlingAudit(subject.externalId, overrides, moved));
    } catch (err) {
      // Told apart from a failure of the settling itself: only this one may a read work around (readSettled).
      throw new SettlingUnrecorded(err);
    }
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
  const log = options.logError ?? ((err: unknown) => logError('tierkit: settling expired overrides failed', err));
  let settled = 0;
  for (const tenant of await listTenants(db)) {
    try {
      const ids = await listLapsedOverrideSubjects(db, tenant.id, now.toISOString(), options.limit ?? SETTLE_BATCH);
      if (ids.length === 0) continue;
      const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
      const tp = await loadTenantPack(db, tenant.id, timeZone, periodOf(now, timeZone));
      for (const id of ids) {
        let subjectId = '(not read)';
        try {
          const subject = await findSubjectByExternalId(db, tenant.id, id);
          if (!subject) continue;
          subjectId = subject.id;
          if (await settle(db, tp, subject, now)) settled++;
        } catch (err) {
          // Said with whom it failed for, by the internal id as a read's line says it (no customer number in
          // a log); the next subject is settled all the same, this one again next sweep.
          log(
            new Error(`settling an expired override of tenant ${tenant.id}, subject ${subjectId} failed: ${String(err)}`, { cause: err }),
          );
        }
      }
    } catch (err) {
      log(err);
    }
  }
  if (settled > 0) subjectsWritten();
  return settled;
}
