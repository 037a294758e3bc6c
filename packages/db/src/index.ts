export type * from './schema.js';
export {
  connect,
  isPostgresUrl,
  reusingStatements,
  DIALECTS,
  PG_ANSWER_MARGIN_MS,
  PG_CONNECT_TIMEOUT_MS,
  PG_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  PG_KEEPALIVE_DELAY_MS,
  PG_NO_ANSWER_MESSAGE,
  PG_STATEMENT_TIMEOUT_MS,
  SQLITE_PAGE_SIZE,
  STATEMENT_CACHE_SIZE,
} from './connect.js';
export { checkDatabaseUrl, redactDatabaseUrl } from './database-url.js';
export { BUSY_WAIT_MS, isDatabaseBusy } from './sqlite-driver.js';
export { isConnectFailure, isDatabaseUnreachable, OUTAGE_PROBE_MS, watchOutage, type OutageWatch } from './outage.js';
export { sqliteFile, startBackgroundCheckpoints } from './checkpointer.js';
export type { Db, DialectName, ConnectOptions } from './connect.js';
export { latestAppliedMigration, migrateToLatest, migrateDownAll, MigrationError, MIGRATIONS } from './migrate.js';
export type { Executor } from './repositories/executor.js';
export { atomically, chunks, INSERT_BATCH_ROWS, isPostgres } from './repositories/executor.js';
export * from './repositories/tenants.js';
export * from './repositories/policies.js';
export * from './repositories/policy-versions.js';
export * from './repositories/book.js';
export * from './repositories/subjects.js';
export * from './repositories/subject-tiers-read.js';
export * from './repositories/retention.js';
export * from './repositories/erasure-rescrub.js';
export { ERASED_CUSTOMER, ERASED_REQUEST_HASH, ERASURE_RULES, JOB_CREATED_ROUTES } from './repositories/erasure-traces.js';
export { type KeptMentions, walkKeptMentions } from './repositories/erasure-walk.js';
export * from './repositories/customer-activity.js';
export * from './repositories/subject-list.js';
export { latestRetierPeriod, markRetiered } from './repositories/retier-periods.js';
export { dataVersion } from './repositories/data-version.js';
export * from './repositories/metrics.js';
export * from './repositories/write-seq.js';
// Listed, not `export *`: writeAssignments and writeTierEvents do not bump subject versions and stay inside this package.
export {
  ASSIGNMENT_COLUMNS,
  assignmentsOfPage,
  countLevelPairs,
  currentLevelKey,
  currentLevelsOf,
  insertAssignments,
  levelsInScheme,
  listAssignments,
  listAssignmentsInRange,
  listAssignmentsJson,
  listCurrentLevels,
  listCurrentLevelsInRange,
  currentReasonsOf,
  serializeAssignment,
} from './repositories/assignments.js';
export type {
  AssignmentState,
  AssignmentToWrite,
  CurrentLevel,
  LevelReason,
  StoredAssignment,
  StoredAssignmentJson,
  StoredAssignmentUtf8,
} from './repositories/assignments.js';
export { latestEventReasons, listTierEvents } from './repositories/tier-events.js';
export type { EventPosition, NewTierEventInput } from './repositories/tier-events.js';
export * from './repositories/level-history.js';
export * from './repositories/job-changes.js';
export * from './repositories/effect-cohorts.js';
export * from './repositories/overrides.js';
export * from './repositories/api-keys.js';
export * from './repositories/signing-keys.js';
export * from './repositories/audit.js';
export * from './repositories/idempotency.js';
export * from './repositories/imports.js';
export * from './repositories/book-staging.js';
export * from './repositories/subject-staging.js';
export * from './repositories/metric-key-staging.js';
export * from './repositories/jobs.js';
export * from './repositories/simulation-staleness.js';
export * from './repositories/level-approvals.js';
export type { ApprovalsWindow } from './repositories/approvals-window.js';
export * from './repositories/approval-decisions.js';
export * from './repositories/reviews.js';
export * from './repositories/staff.js';
export * from './repositories/staff-grants.js';
export * from './repositories/metric-audience-requests.js';
export * from './repositories/closing-requests.js';
export * from './repositories/teams.js';
export * from './repositories/book-levels.js';
export * from './repositories/subject-versions.js';
export * from './repositories/reevaluations.js';
export {
  HEAVY_READ_MEMORY_MB,
  HEAVY_READ_PROCESSES,
  HEAVY_READ_QUEUE,
  HEAVY_READ_RETRY_MAX_MS,
  HEAVY_READ_TIMEOUT_MS,
  HeavyReadFailedError,
  HeavyReads,
  HeavyReadsBusyError,
  HeavyReadTimeoutError,
  type HeavyReadsOptions,
  heavyReadRetryMs,
} from './heavy-reads.js';
