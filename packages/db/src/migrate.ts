import { isConnectFailure } from './outage.js';
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import * as initial from './migrations/2025-11-23T00-00-00-initial.js';
import * as auth from './migrations/2025-12-01T00-00-00-auth.js';
import * as previousLevel from './migrations/2026-11-23T00-00-00-previous-level.js';
import * as schemeAudience from './migrations/2026-12-02T00-00-00-scheme-audience.js';
import * as eventPeriod from './migrations/2026-12-02T00-00-01-event-period.js';
import * as subjectVersion from './migrations/2026-12-02T00-00-02-subject-version.js';
import * as fourEyes from './migrations/2026-12-03T00-00-10-four-eyes.js';
import * as policyLifecycle from './migrations/2026-12-03T00-00-20-policy-lifecycle.js';
import * as audit from './migrations/2026-12-03T00-00-30-audit.js';
import * as imports from './migrations/2026-12-03T00-00-40-imports.js';
import * as jobs from './migrations/2026-12-03T00-00-50-jobs.js';
import * as tierEventsSchemePeriod from './migrations/2026-12-03T00-00-60-tier-events-scheme-period.js';
import * as staffBooks from './migrations/2026-12-03T00-00-80-staff-books.js';
import * as importOwner from './migrations/2026-12-04T00-00-30-import-owner.js';
import * as subjectVersionExplicit from './migrations/2026-12-05T00-00-20-subject-version-explicit.js';
import * as overrideExpirySettled from './migrations/2026-12-06T00-00-10-override-expiry-settled.js';
import * as metricPeriods from './migrations/2026-12-07T00-00-10-metric-periods.js';
import * as keyOwners from './migrations/2026-12-07T00-00-20-key-owners.js';
import * as importRowCodes from './migrations/2026-12-08T00-00-10-import-row-codes.js';
import * as tierEventsReasonIndex from './migrations/2026-12-08T00-00-20-tier-events-reason-index.js';
import * as overrideRequesterScope from './migrations/2026-12-09T00-10-00-override-requester-scope.js';
import * as bookMoves from './migrations/2026-12-09T00-20-00-book-moves.js';
import * as auditDetail from './migrations/2026-12-10T00-00-10-audit-detail.js';
import * as subjectClosing from './migrations/2026-12-11T00-00-04-subject-closing.js';
import * as idempotencyLease from './migrations/2026-12-11T00-00-05-idempotency-lease.js';
import * as pendingSignOffUnique from './migrations/2026-12-12T00-00-06-pending-sign-off-unique.js';
import * as closingLeftAt from './migrations/2026-12-13T00-00-02-closing-left-at.js';
import * as closingWithdrawals from './migrations/2026-12-14T00-00-01-closing-withdrawals.js';
import * as approvalsQueueOrder from './migrations/2026-12-14T00-00-04-approvals-queue-order.js';
import * as assignmentsSchemePeriod from './migrations/2026-12-15T00-00-01-assignments-scheme-period.js';
import * as staffDisabled from './migrations/2026-12-15T00-00-20-staff-disabled.js';
import * as writeSequence from './migrations/2026-12-15T00-00-30-write-sequence.js';
import * as staleSignOffs from './migrations/2026-12-15T00-00-50-stale-sign-offs.js';
import * as bookCallLists from './migrations/2026-12-15T00-00-80-book-call-lists.js';
import * as eventNotesPeriod from './migrations/2026-12-15T00-00-90-event-notes-period.js';
import * as loweringSignOffs from './migrations/2026-12-16T00-00-01-lowering-sign-offs.js';
import * as staffGrants from './migrations/2026-12-16T00-00-10-staff-grants.js';
import * as nearNext from './migrations/2026-12-16T00-00-40-near-next.js';
import * as signOffInputWriters from './migrations/2026-12-17T00-00-30-sign-off-input-writers.js';
import * as simulationVersion from './migrations/2026-12-17T00-00-40-simulation-version.js';
import * as retention from './migrations/2026-12-18T00-00-30-retention.js';
import * as teams from './migrations/2026-12-19T00-00-40-teams.js';
import * as retirementRequests from './migrations/2026-12-20T00-00-01-retirement-requests.js';
import * as policyNotes from './migrations/2026-12-22T00-00-72-policy-notes.js';
import * as importValueWriters from './migrations/2026-12-23T00-00-30-import-value-writers.js';
import * as teamGrants from './migrations/2026-12-20T00-00-10-team-grants.js';
import * as auditPersonal from './migrations/2026-12-20T00-00-20-audit-personal.js';
import * as metricAudienceRequests from './migrations/2026-12-20T00-00-30-metric-audience-requests.js';
import * as closingRequests from './migrations/2026-12-24T00-00-33-closing-requests.js';
import * as erasureIndexes from './migrations/2026-12-24T00-00-41-erasure-indexes.js';
import * as erasureRules from './migrations/2026-12-25T00-00-03-erasure-rules.js';
import * as retierPeriods from './migrations/2026-12-25T00-00-20-retier-periods.js';
import * as overridesExpiry from './migrations/2026-12-25T00-00-21-overrides-expiry.js';
import * as metricWriters from './migrations/2026-12-25T00-00-70-metric-writers.js';
import * as auditErasures from './migrations/2026-12-21T00-00-20-audit-erasures.js';
import * as auditListed from './migrations/2026-12-22T00-00-30-audit-listed.js';
import * as audienceRequestReason from './migrations/2026-12-22T00-00-37-audience-request-reason.js';
import { isDatabaseBusy } from './sqlite-driver.js';

/*
 * Migrations are listed here instead of read from a folder so they work the same under tsx, a
 * bundler or a compiled build. Names sort by their timestamp; add new ones at the end.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '2025-11-23T00-00-00-initial': initial,
  '2025-12-01T00-00-00-auth': auth,
  '2026-11-23T00-00-00-previous-level': previousLevel,
  '2026-12-02T00-00-00-scheme-audience': schemeAudience,
  '2026-12-02T00-00-01-event-period': eventPeriod,
  '2026-12-02T00-00-02-subject-version': subjectVersion,
  '2026-12-03T00-00-10-four-eyes': fourEyes,
  '2026-12-03T00-00-20-policy-lifecycle': policyLifecycle,
  '2026-12-03T00-00-30-audit': audit,
  '2026-12-03T00-00-40-imports': imports,
  '2026-12-03T00-00-50-jobs': jobs,
  '2026-12-03T00-00-60-tier-events-scheme-period': tierEventsSchemePeriod,
  '2026-12-03T00-00-80-staff-books': staffBooks,
  '2026-12-04T00-00-30-import-owner': importOwner,
  '2026-12-05T00-00-20-subject-version-explicit': subjectVersionExplicit,
  '2026-12-06T00-00-10-override-expiry-settled': overrideExpirySettled,
  '2026-12-07T00-00-10-metric-periods': metricPeriods,
  '2026-12-07T00-00-20-key-owners': keyOwners,
  '2026-12-08T00-00-10-import-row-codes': importRowCodes,
  '2026-12-08T00-00-20-tier-events-reason-index': tierEventsReasonIndex,
  '2026-12-09T00-10-00-override-requester-scope': overrideRequesterScope,
  '2026-12-09T00-20-00-book-moves': bookMoves,
  '2026-12-10T00-00-10-audit-detail': auditDetail,
  '2026-12-11T00-00-04-subject-closing': subjectClosing,
  '2026-12-11T00-00-05-idempotency-lease': idempotencyLease,
  '2026-12-12T00-00-06-pending-sign-off-unique': pendingSignOffUnique,
  '2026-12-13T00-00-02-closing-left-at': closingLeftAt,
  '2026-12-14T00-00-01-closing-withdrawals': closingWithdrawals,
  '2026-12-14T00-00-04-approvals-queue-order': approvalsQueueOrder,
  '2026-12-15T00-00-01-assignments-scheme-period': assignmentsSchemePeriod,
  '2026-12-15T00-00-20-staff-disabled': staffDisabled,
  '2026-12-15T00-00-30-write-sequence': writeSequence,
  '2026-12-15T00-00-50-stale-sign-offs': staleSignOffs,
  '2026-12-15T00-00-80-book-call-lists': bookCallLists,
  '2026-12-15T00-00-90-event-notes-period': eventNotesPeriod,
  '2026-12-16T00-00-01-lowering-sign-offs': loweringSignOffs,
  '2026-12-16T00-00-10-staff-grants': staffGrants,
  '2026-12-16T00-00-40-near-next': nearNext,
  '2026-12-17T00-00-30-sign-off-input-writers': signOffInputWriters,
  '2026-12-17T00-00-40-simulation-version': simulationVersion,
  '2026-12-18T00-00-30-retention': retention,
  '2026-12-19T00-00-40-teams': teams,
  '2026-12-20T00-00-01-retirement-requests': retirementRequests,
  '2026-12-20T00-00-10-team-grants': teamGrants,
  '2026-12-20T00-00-20-audit-personal': auditPersonal,
  '2026-12-20T00-00-30-metric-audience-requests': metricAudienceRequests,
  '2026-12-21T00-00-20-audit-erasures': auditErasures,
  '2026-12-22T00-00-30-audit-listed': auditListed,
  '2026-12-22T00-00-37-audience-request-reason': audienceRequestReason,
  '2026-12-22T00-00-72-policy-notes': policyNotes,
  '2026-12-23T00-00-30-import-value-writers': importValueWriters,
  '2026-12-24T00-00-33-closing-requests': closingRequests,
  '2026-12-24T00-00-41-erasure-indexes': erasureIndexes,
  '2026-12-25T00-00-03-erasure-rules': erasureRules,
  '2026-12-25T00-00-20-retier-periods': retierPeriods,
  '2026-12-25T00-00-21-overrides-expiry': overridesExpiry,
  '2026-12-25T00-00-70-metric-writers': metricWriters,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Thrown when a migration fails (or the database could not be connected to, to run them); `results` says which ran and which did not. */
export class MigrationError extends Error {
  readonly results: MigrationResultSet['results'];
  constructor(cause: unknown, results: MigrationResultSet['results']) {
    // The first statement of a start is its migrations': a login refused there is no migration failing.
    const why = cause instanceof Error ? cause.message : String(cause);
    super(isConnectFailure(cause) ? `cannot connect to the database: ${why}` : `database migration failed: ${why}`, { cause });
    this.results = results;
  }
}

function migrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider });
}

/**
 * How long a start waits, on SQLite, for another process holding the file's write lock — its own
 * migrations of the same file (a backfill on a big book takes minutes), an import's commit — before
 * it gives up. PostgreSQL's migration lock waits as long as it must.
 */
export const MIGRATION_WAIT_MS = 10 * 60_000;

/**
 * Bring the schema up to date. Returns the names of the migrations that ran (empty when current, also
 * when another process ran them meanwhile). All pending migrations run in one transaction that holds
 * the migration lock (on SQLite the file's write lock: see MigratingSqliteAdapter).
 */
export async function migrateToLatest(db: Kysely<any>, waitMs = MIGRATION_WAIT_MS): Promise<string[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const { error, results } = await migrator(db).migrateToLatest();
    if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    // Each try waited its BUSY_WAIT_MS for the lock; a failed try changed nothing (one transaction).
    if (!isDatabaseBusy(error) || Date.now() >= deadline) throw new MigrationError(error, results);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The name of the last migration the database's schema has had (the newest applied), or undefined on
 * a database never migrated: what `/healthz` tells an operator following a rolling deploy.
 */
export async function latestAppliedMigration(db: Kysely<any>): Promise<string | undefined> {
  const row = await sql<{ name: string }>`select name from kysely_migration order by name desc limit 1`.execute(db);
  return row.rows[0]?.name;
}

/** Undo every migration (tests and `tierkit migrate --down`). */
export async function migrateDownAll(db: Kysely<any>): Promise<void> {
  const m = migrator(db);
  for (;;) {
    const { error, results } = await m.migrateDown();
    if (error) throw new MigrationError(error, results);
    if (!results || results.length === 0) return;
  }
}
