import type { Database } from '@tierkit/db';
import type { Kysely } from 'kysely';
import { findSubjectByExternalId, type Subject } from '@tierkit/db';
import { ProblemError } from './problem.js';
import type { TenantPack, TenantPacks } from './services/tenant-pack.js';

/** What every route of one app shares: the database, the tenant, and request-independent settings. */
export interface ApiDeps {
  readonly db: Kysely<Database>;
  readonly tenantId: string;
  readonly packs: TenantPacks;
  /** Show display names in full (only for trusted internal deployments). */
  readonly unmaskNames: boolean;
  readonly maxObservations: number;
  /** The tenant's calendar time zone: periods after its current month are refused. */
  readonly timeZone: string;
  readonly now: () => Date;
}

/** The tenant's compiled pack. */
export function packOf(deps: ApiDeps): Promise<TenantPack> {
  return deps.packs.get(deps.db, deps.tenantId);
}

/** The subject a bank knows by `externalId` in this tenant, or a 404 problem. */
export async function subjectOr404(deps: ApiDeps, externalId: string, db: Kysely<Database> = deps.db): Promise<Subject> {
  const subject = await findSubjectByExternalId(db, deps.tenantId, externalId);
  if (!subject) throw new ProblemError('subject-not-found', `No subject with id "${externalId}" in this tenant.`);
  return subject;
}
