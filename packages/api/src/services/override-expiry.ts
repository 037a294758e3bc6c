import { lockSubject, overridesForRead, type OverridesForRead, type Subject } from '@tierkit/db';
import type { ApiDeps } from '../deps.js';
import { subjectsWritten } from '../version-trust.js';
import { reevaluateSubject } from './reevaluate.js';
import type { TenantPack } from './tenant-pack.js';

/**
 * Before a subject's read is built: an approved override that expired since its scheme was last
 * evaluated may still decide the stored level (nothing writes at the instant it expires), so the
 * subject is re-evaluated by the rules first, as a revocation does — the level, the entitlements and
 * the history's `override-expired` event then agree with the override shown as expired. Returns the
 * overrides in force, which the read shows, and when the first of them expires: the read holds
 * until then.
 */
export async function settleOverrideExpiries(deps: ApiDeps, subject: Subject, tp: TenantPack, now: Date): Promise<OverridesForRead> {
  const nowIso = now.toISOString();
  const found = await overridesForRead(deps.db, deps.tenantId, subject.id, nowIso);
  if (!found.lapsed) return found;
  await deps.db.transaction().execute(async (trx) => {
    await lockSubject(trx, subject.id);
    // Another read may have settled it while this one waited for the lock.
    if ((await overridesForRead(trx, deps.tenantId, subject.id, nowIso)).lapsed) await reevaluateSubject(trx, tp, subject, now, 'system');
  });
  subjectsWritten();
  deps.matrices.invalidate(deps.tenantId);
  return found;
}
