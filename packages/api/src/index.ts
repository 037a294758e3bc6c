export { createApp, JOBS_STALLED_AFTER_SECONDS } from './app.js';
export type { AppOptions, AppType } from './app.js';
export { PROBLEMS, PROBLEM_BASE, ProblemError, subjectClosed } from './problem.js';
export { putStaffOverHttp, disableStaff } from './services/staff-changes.js';
export { staffJson } from './routes/staff.js';
export { teamJson } from './routes/teams.js';
export { changeTeamBooks, putTeam, teamHeld } from './services/teams.js';
export { AUDITOR_TENANT_WIDE, STAFF_SCOPES, BankId } from './schemas/staff.js';
export { sendProblem } from './errors.js';
export type { FieldCode, FieldError, ProblemKind } from './problem.js';
export { maskName } from './mask.js';
export { ifNoneMatchHas } from './etag.js';
export { isTrustedOrigin } from './origins.js';
export type { TrustedOrigins } from './origins.js';
export { RATE_LIMIT_DEFAULTS } from './rate-limit.js';
export { READ_CACHE_BYTES } from './read-cache.js';
export { subjectsWritten, VERSION_TRUST_MS } from './version-trust.js';
export type { RateLimitOptions } from './rate-limit.js';
export { provisionTenant, TENANT_ID_PATTERN } from './services/provision.js';
export { TenantPacks, loadTenantPack } from './services/tenant-pack.js';
export type { TenantPack } from './services/tenant-pack.js';
export { reevaluateSubject } from './services/reevaluate.js';
export { closingFloor } from './services/level-analytics.js';
export { subjectsClosingBounds } from './services/import/closing-bounds.js';
export { reevaluateBook, SYNC_REEVALUATION_LIMIT } from './services/reevaluate-book.js';
export type { BookReevaluation, BookDeps } from './services/reevaluate-book.js';
export { pendingPolicyApprovals } from './services/policy-approvals.js';
export type { PendingApproval } from './services/approval-item.js';
export { movesIntoApprovalRequired, signOffMetrics, syncLevelApprovals } from './services/level-approvals.js';
export { assignmentRows, evaluatePeriods } from './services/evaluate-periods.js';
export type { PeriodEvent, PeriodRun, Values } from './services/evaluate-periods.js';
export { addMonths, monthRange, periodOf, isPeriod } from './periods.js';
export { sortableId, sortableIdFloor } from './ids.js';
export { jobSpan } from './services/retier-affected.js';
export {
  AUDITOR,
  EMBEDDER,
  FOUR_EYES_ROLES,
  KEY_ROLES,
  ROLES,
  STAFF_ROLES,
  isKeyRole,
  isRole,
  isStaffRole,
  roleAtLeast,
} from './auth/roles.js';
export type { KeyRole, Role } from './auth/roles.js';
export type { Principal, CredentialKind } from './auth/principal.js';
export {
  createApiKey,
  ensureApiKey,
  findKeyBySecret,
  KeyOwnerRefused,
  listKeys,
  revokeKey,
  revokeKeysOf,
  authenticateKey,
} from './auth/api-keys.js';
export type { ApiKeyInfo } from './auth/api-keys.js';
export {
  mintEmbedToken,
  mintStaffToken,
  verifyToken,
  rotateSigningKey,
  signingKeyFor,
  MAX_TOKEN_TTL_SECONDS,
  DEFAULT_TOKEN_TTL_SECONDS,
  ORIGIN_PATTERN,
  TOKEN_LIMITS,
  TokenLimitError,
} from './auth/tokens.js';
export type { MintOptions, TokenFailure } from './auth/tokens.js';
export { KEY_SECRET_PATTERN, hashSecret } from './auth/secrets.js';
export { accessFor } from './auth/access.js';
export { CREDENTIAL_CACHE_SECONDS, credentialsChanged } from './auth/credential-cache.js';
export type { Access, ApiKeysFromBrowsers } from './auth/access.js';
export { refusal, ruleFor } from './auth/access.js';
export { PERMISSIONS, may } from './auth/permissions.js';
export type { Permission } from './auth/permissions.js';
export {
  MATRIX_CREDENTIALS,
  cellOf,
  permissionsMarkdown,
  samplePath,
  SAMPLE_SUBJECT,
  SAMPLE_RM,
  SAMPLE_AUDITOR,
  SAMPLE_LEAD,
  SAMPLE_LEAD_APPROVER,
  OTHER_SUBJECT,
} from './auth/permission-matrix.js';
export type { Cell, MatrixCredential } from './auth/permission-matrix.js';
export { routeTable, matchRoute } from './route-table.js';
export type { RouteEntry, MatchedRoute } from './route-table.js';
export {
  appendAudit,
  appendOperatorAudit,
  auditHash,
  cliAction,
  keyAuditDetail,
  operatorName,
  startupAction,
  systemAction,
  verifyAuditChain,
  verifyAuditAnchors,
  verifyTenantAudit,
  anchorsByChain,
  UNAUTHENTICATED_CHAIN,
  MAX_PROBLEMS,
} from './services/audit.js';
export type {
  AuditAnchor,
  AuditAnchorCheck,
  AuditAnchorProblem,
  AuditAnchorsReader,
  AuditAnchorsResult,
  AuditProblem,
  AuditVerification,
  AuditVerifyResult,
  ChainAnchorsRead,
  OperatorAction,
  OperatorOutcome,
} from './services/audit.js';
export {
  AUDIT_CSV_COLUMNS,
  AUDIT_EXPORT_FORMATS,
  auditExportBounds,
  auditExportEnd,
  auditRecordView,
  csvCell,
  exportAuditRecords,
  verifyAuditFile,
} from './services/audit-export.js';
export { auditExportScope, type AuditExportScope } from './services/audit-export-readable.js';
export {
  AuditExportQuery,
  AuditFilterQuery,
  DEFAULT_EXPORT_LOCALE,
  MAX_EXPORT_LIMIT,
  parseAuditExportQuery,
  type ParsedAuditExportQuery,
} from './schemas/audit-filter.js';
export type {
  AuditExportBounds,
  AuditExportFilter,
  AuditExportFormat,
  AuditFileCheck,
  AuditFileVerification,
} from './services/audit-export.js';
export { recordQueuedJob } from './services/jobs/record-queued.js';
export { IDEMPOTENCY_LEASE_MS, IDEMPOTENCY_TTL_MS } from './middleware/idempotency.js';
export { runImport, ImportRefused, IMPORT_MODES, MAX_STORED_ERRORS } from './services/import/run-import.js';
export { failInterruptedImports, IMPORT_MAX_RUNNING_MS, type InterruptedImportAudit } from './services/import/interrupted.js';
export type {
  ImportContext,
  ImportMode,
  ImportOptions,
  ImportProgress,
  ImportResult,
  ImportSource,
  ImportWithdrawals,
} from './services/import/run-import.js';
export { ENCODINGS } from './services/import/csv-records.js';
export type { Encoding } from './services/import/csv-records.js';
export { AMOUNT_UNITS, yuanToFen } from './services/import/amounts.js';
export type { AmountUnit } from './services/import/amounts.js';
export { IMPORT_KINDS } from './services/import/import-plan.js';
export type { ImportKind } from './services/import/import-plan.js';
export { MAX_IMPORT_BYTES } from './routes/imports.js';
export { planReevaluation, reevaluationWindow } from './services/reevaluate.js';
export type { ReevaluationPlan, ReevaluationInput } from './services/reevaluate.js';
export {
  enqueueRetier,
  jobView,
  cancelJob,
  resumeJob,
  runningJobStands,
  JOB_STATUSES,
  DEFAULT_CHUNK_SUBJECTS,
  periodWithoutDataMessage,
} from './services/jobs/jobs.js';
export { monthOpenMessage, notMonth } from './month-errors.js';
export type { EnqueuedRetier, JobView, JobStatus, PartlyLoaded, QueuedJob, RetierRequest } from './services/jobs/jobs.js';
export type { RetierParams, RetierFilter, RetierTotals, MigrationCell } from './services/jobs/retier-params.js';
export { retierChunk } from './services/jobs/retier-chunk.js';
export { enqueueSimulation, SIMULATION_CHUNK_SUBJECTS } from './services/jobs/simulation-job.js';
export { SYNC_SIMULATION_MAX_SUBJECTS } from './services/policy-simulation.js';
export {
  runWorker,
  drainJobs,
  workOnce,
  workerName,
  DEFAULT_LEASE_MS,
  MAX_BUSY_GIVE_BACKS,
  MAX_BUSY_MS,
  OUTAGE_BACKOFF_MS,
  PIPELINE_MIN_CHUNKS,
} from './services/jobs/worker.js';
export type { PipelineOptions, WorkerOptions } from './services/jobs/worker.js';
export {
  countOverdueReviews,
  DEFAULT_OVERDUE_DAYS,
  DEFAULT_SETTLE_MINUTES,
  monthlySchedule,
  correctedMonths,
  DEFAULT_LOOK_BACK_MONTHS,
  overdueAt,
  queueMonthlyRetiers,
  retieredBefore,
  startMonthlySchedule,
  waitingLine,
} from './services/jobs/schedule.js';
export { SETTLE_BATCH, settleLapsedOverrides } from './services/override-expiry.js';
export type {
  MonthlyStatus,
  OverdueReviewCounts,
  QueueMonthlyOptions,
  RetieredMonth,
  ScheduleMonth,
  ScheduleOptions,
} from './services/jobs/schedule.js';
export { monthLoad, type MonthLoad } from './services/jobs/month-data.js';
export { checkRetentionYears, RETENTION_CHUNK_SUBJECTS, retentionAuditDetail, retentionClock, runRetention } from './services/retention.js';
export type { RetentionRun } from './services/retention.js';
export { rescrubRetention, type RescrubRun } from './services/retention-rescrub.js';
export { errorText, formatLogLine, log, logError, logFormatFromEnv, logInfo, logWarn } from './log.js';
export type { LogFields, LogFormat, LogLevel, LogLine } from './log.js';
