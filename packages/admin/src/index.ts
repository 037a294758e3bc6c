export { KitStore, kitError } from './core/kit-store.js';
export type { KitError, Status } from './core/kit-store.js';
export { ROLE_ORDER, SessionStore, filedBySession, hasRole, isAuditor, isBookScoped } from './core/session.js';
export type { SessionState } from './core/session.js';
export { SubjectBrowser, defaultSubjectFilter } from './core/subject-browser.js';
export type { SubjectBrowserOptions, SubjectBrowserState } from './core/subject-browser.js';
export { SubjectDetail } from './core/subject-detail.js';
export type { SubjectDetailState } from './core/subject-detail.js';
export { BookAssignment } from './core/book-assignment.js';
export type { BookAssignmentState } from './core/book-assignment.js';
export { actorSource, type ActorSource } from './core/actor.js';
export { BookLevels, bookChoices, choiceOf, countAt, countFilter, managerOf, spansBooks } from './core/book-levels.js';
export type { BookChoice, BookLevelsResponse, BookLevelsRow, BookLevelsState } from './core/book-levels.js';
export { BOOK_MOVES_MAX, BookMoves, bookMover, bookSpells, staffOfActor } from './core/book-moves.js';
export type { BookMove, BookMover, BookMovesResponse, BookMovesState, BookSpell } from './core/book-moves.js';
export { Analytics, isProvisional, provisionalMonths } from './core/analytics.js';
export type { AnalyticsPart, AnalyticsRange, AnalyticsState, EffectQuery } from './core/analytics.js';
export type {
  DistributionResponse,
  EffectGroupSeries,
  EffectMetricsResponse,
  EffectResponse,
  MigrationResponse,
  RatesResponse,
} from './core/analytics-types.js';
export {
  AUDIT_EXPORT_MEMORY_LIMIT,
  AUDIT_FILTER_CHECKS,
  AuditTrail,
  anchorVerdict,
  auditDetailOf,
  auditVerifyArgs,
  bookMovesOf,
  checkAuditFilter,
  firstBreak,
} from './core/audit-trail.js';
export type {
  AnchorVerdict,
  AuditBookMove,
  AuditDetailLine,
  AuditExportEnd,
  AuditExportFile,
  AuditExportState,
  AuditFilterCheck,
  AuditFilterErrors,
  AuditFilterField,
  AuditKeys,
  AuditFilterInput,
  AuditTrailOptions,
  AuditTrailState,
  AuditValue,
} from './core/audit-trail.js';
export { actorLabel, nameWithId, readAllStaff, StaffNames, type StaffNamesState } from './core/staff.js';
export { readPendingStaffGrants, withdrawStaffGrant, type StaffGrant } from './core/staff-grants.js';
export { readTeams } from './core/teams.js';
export type { Team, TeamList } from '@tierkit/core/wire';
export {
  API_KEY_LABEL_MAX,
  FOUR_EYES_KEY_ROLES,
  keyOwnerRule,
  keyRevocationRefusal,
  issueApiKey,
  readApiKeys,
  revokeApiKey,
} from './core/api-keys.js';
export type { ApiKeyInfo, ApiKeyPage, ApiKeyRole, IssuedApiKey, KeyRevocationRefusal, NewApiKey } from './core/api-keys.js';
export { readSchemes } from './core/schemes.js';
export type {
  AuditAnchorProblemKind,
  AuditAnchorsResult,
  AuditFilter,
  AuditProblemKind,
  AuditRecord,
  AuditVerification,
  AuditVerifyResult,
} from './core/audit-types.js';
export { CALL_LISTS, callListFilter, callListOf, callListRows } from './core/call-list.js';
export type { CallList, CallListRow } from './core/call-list.js';
export { customerGrades, mainCustomerScheme } from './core/customer-grades.js';
export type { Grade, GradeInput, GradeKeep, GradeKeepLine } from './core/customer-grades.js';
export {
  ApprovalsQueue,
  activationOf,
  approvalKey,
  defaultApprovalFilter,
  mayApproveItem,
  REJECT_NOTE_REQUIRED,
  whyNotApprovable,
  type PolicyApprovalOptions,
} from './core/approvals-queue.js';
export type {
  Activation,
  ApprovalFilter,
  ApprovalsQueueOptions,
  ApprovalsQueueState,
  Decided,
  NotApprovable,
} from './core/approvals-queue.js';
export { APPROVAL_KINDS } from './core/approvals-types.js';
export type { ApprovalItem, ApprovalKind, ApprovalsPage, PolicyApprovalAnswer, Reevaluation } from './core/approvals-types.js';
export { Jobs, jobDone, jobOutcome } from './core/jobs.js';
export type { Following, JobsOptions, JobsState } from './core/jobs.js';
export { JOB_STATUSES } from './core/jobs-types.js';
export type {
  AddedDependent,
  Job,
  JobDependents,
  JobList,
  JobStatus,
  MigrationCell,
  PartlyLoaded,
  QueuedJob,
  RetierFilter,
  Schedule,
  ScheduleMonth,
  StartRetier,
} from './core/jobs-types.js';
export { PolicyImpact, type PolicyImpactState } from './core/policy-impact.js';
export { compareWithInForce, type GraceDrop, type SimulationComparison } from './core/simulation-comparison.js';
export { type AffectedFile, fetchAffectedCsv } from './core/simulation-affected.js';
export type { VersionSimulations } from '@tierkit/core/wire';
export { readServerSentEvents } from './core/sse.js';
export type { ServerSentEvent } from './core/sse.js';
export { CursorList, emptyList } from './core/cursor-list.js';
export type { CursorListState } from './core/cursor-list.js';
// The policy editor (and the engine's validator it runs) is on its own entry, `@tierkit/admin/policy-editor`:
// re-exported here it would follow this barrel into every page of a console bundle.
export type * from './core/policy-editor-types.js';
export { getAt, parseFieldPath, setAt } from './core/field-path.js';
export { apiFieldErrors, type CheckData, type FieldCheck } from './core/checks.js';
export {
  Overrides,
  alreadyPending,
  changedMeanwhile,
  checkOverrideRequest,
  requestableSchemes,
  mayEditOverride,
  mayWithdrawOverride,
  OVERRIDE_CHECKS,
  REASON_MAX,
} from './core/overrides.js';
export type { FieldErrors, OverrideAction, OverrideCheck, OverrideFilter, OverrideRefusal, OverridesState } from './core/overrides.js';
export type {
  Override,
  OverrideDecision,
  OverrideEdit,
  OverrideList,
  OverrideRequest,
  OverrideStatus,
  OverrideWithDecisions,
} from './core/overrides-types.js';
export { IMPORT_CHECKS, ImportStore, headerRow, readHeader } from './core/imports.js';
export { ImportHistory, type ImportHistoryState } from './core/import-history.js';
export type { ImportCheck, ImportProblem, ImportSettings, ImportState, ImportTarget } from './core/imports.js';
export type * from './core/imports-types.js';
export {
  CLOSING_CHECKS,
  CLOSING_FLOOR,
  CLOSING_REASON_MAX,
  checkClosing,
  checkReopening,
  SubjectClosing,
  whyNoClosing,
} from './core/subject-closing.js';
export { readWallTime, WALL_TIME_CHECKS, wallToInstant } from './core/wall-time.js';
export type { WallTimeCheck, WallTimeReading } from './core/wall-time.js';
export type {
  ClosingAction,
  ClosingBody,
  ClosingCheck,
  ClosingFieldErrors,
  ClosingInput,
  ClosingPhase,
  NoClosing,
  SubjectClosingState,
  UnapprovedClosing,
  WaitingClosing,
} from './core/subject-closing.js';
export {
  addMetric,
  amendMetric,
  lowersAudience,
  METRIC_AUDIENCES,
  metricInput,
  readMetricCatalogue,
  readPendingAudienceRequests,
  removeMetric,
  withdrawAudienceRequest,
} from './core/metric-catalogue.js';
export type { MetricAudience, MetricAudienceRequest, MetricEntry, MetricInput } from './core/metric-catalogue.js';
