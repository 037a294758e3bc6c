import type { Database } from '@tierkit/db';
import type { Kysely } from 'kysely';
import { findSubjectByExternalId, isManagedBy, type Subject } from '@tierkit/db';
import type { Principal } from './auth/principal.js';
import type { AuditState } from './middleware/audit.js';
import type { TrustedOrigins } from './origins.js';
import { periodOf } from './periods.js';
import { ProblemError } from './problem.js';
import type { AuditAnchorsReader } from './services/audit.js';
import type { MatrixCounts, TenantResultCache } from './services/matrix-cache.js';
import type { TenantPack, TenantPacks } from './services/tenant-pack.js';
import { booksRead } from './auth/principal.js';

/** What every request of one app shares: the database and request-independent settings. */
export interface SharedDeps {
  readonly db: Kysely<Database>;
  readonly packs: TenantPacks;
  /** Show display names in full (only for trusted internal deployments). */
  readonly unmaskNames: boolean;
  readonly maxObservations: number;
  /** The tenant's calendar time zone: periods after its current month are refused. */
  readonly timeZone: string;
  readonly now: () => Date;
  /** Recent portfolio matrix counts per tenant; writes invalidate their tenant's. */
  readonly matrices: TenantResultCache<MatrixCounts>;
  /** Where a failure the request still answers is reported (the app's `logError`); `console.error` when not given. */
  readonly log?: (line: unknown) => void;
  /**
   * The browser origins the app answers with CORS (the app's `corsOrigins`): an embed token for an
   * origin outside them is refused, since its page could never read the answers (routes/embed-tokens.ts).
   */
  readonly corsOrigins?: TrustedOrigins;
  /**
   * Where the reads whose cost grows with the book run (the app's `heavyReads`): on SQLite a
   * `HeavyReads` instance's `db`, in reader processes beside the server's thread; absent, `db`.
   */
  readonly heavyReads?: Kysely<Database>;
  /** The server's audit anchors, read per tenant (the app's `auditAnchors`); absent when it keeps none. */
  readonly auditAnchors?: AuditAnchorsReader;
}

/** One authenticated request's dependencies: the shared ones plus who asks and for which tenant. */
export interface ApiDeps extends SharedDeps {
  /** The tenant of the request's credential: the only source of the tenant. */
  readonly tenantId: string;
  readonly principal: Principal;
}

/** Hono environment of the `/v1` routes: the auth middleware sets `deps`, the audit middleware `audit`. */
export interface AppEnv {
  Variables: { deps: ApiDeps; audit: AuditState };
}

/** The tenant's compiled pack in force this month (`at(period)` gives another month's). */
export function packOf(deps: Pick<ApiDeps, 'db' | 'packs' | 'tenantId' | 'now' | 'timeZone'>): Promise<TenantPack> {
  return deps.packs.get(deps.db, deps.tenantId, periodOf(deps.now(), deps.timeZone));
}

/** The subject a bank knows by `externalId` in this tenant, or a 404 problem. */
export async function subjectOr404(deps: ApiDeps, externalId: string, db: Kysely<Database> = deps.db): Promise<Subject> {
  // Checked by the auth middleware already; repeated here so no subject route can forget it.
  if (deps.principal.subject !== null && deps.principal.subject !== externalId) {
    throw new ProblemError('forbidden', 'An embed token may only read its own subject.');
  }
  const subject = await findSubjectByExternalId(db, deps.tenantId, externalId);
  // A subject outside a relationship manager's book answers as one that does not exist: the RM
  // learns nothing about customers who are not theirs, not even that they are customers. In a
  // transaction (a write) the book is held until it ends, so a move of the customer waits for the
  // write (isManagedBy): call it there before the write locks anything else (lock order: assignManagers).
  const book = booksRead(deps.principal);
  // A customer who left the bank is no customer to their own token: it reads what an unknown id
  // would, and a page left open learns nothing it did not know (not even why they were closed).
  const gone = subject?.closedAt != null && deps.principal.subject !== null;
  if (!subject || gone || (book !== undefined && !(await isManagedBy(db, deps.tenantId, subject.id, book, { hold: db.isTransaction })))) {
    throw new ProblemError('subject-not-found', `No subject with id "${externalId}" in this tenant.`);
  }
  // Past its retention the customer's personal data is gone (docs/operations.md, "Retention and
  // erasure"): staff are told so, not shown a blank customer. Still a 404 — what every subject route
  // answers for one it cannot show — with a code of its own. Their own token met the closing's 404 above.
  if (subject.erasedAt !== null) {
    throw new ProblemError(
      'subject-erased',
      `Subject "${externalId}" left the bank and its personal data was erased on ${subject.erasedAt} after the tenant's retention period; its tier history is kept in aggregate only.`,
    );
  }
  return subject;
}
