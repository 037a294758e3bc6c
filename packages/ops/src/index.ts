export {
  databasePoolSizeFromEnv,
  databaseTimeoutsFromEnv,
  PG_BATCH_STATEMENT_TIMEOUT_MS,
  PG_POOL_MAX,
  PG_REPORT_POOL_MAX,
  PG_REPORT_STATEMENT_TIMEOUT_MS,
  migrateFromEnv,
  onOffFromEnv,
  opsSettingsFromEnv,
  REPO_ROOT,
  scheduleRunsFromEnv,
  scheduleTimingFromEnv,
  tenantFromEnv,
  timeZoneFromEnv,
  wholeFromEnv,
} from './settings.js';
export type { DatabaseUse, OpsSettings, ScheduleTiming, WholeSetting } from './settings.js';
export {
  heavyReadsFromEnv,
  missingDatabaseReason,
  openApiPools,
  openDatabase,
  openSetupConnection,
  redactDatabaseUrl,
} from './open-database.js';
export type { ApiPools } from './open-database.js';
export { ensureAdminKey } from './admin-key.js';
export { provisionOnce, withProvisioningLock } from './provisioning-lock.js';
export { seedDemo, generateSubjects, DEFAULT_SEED, SHOWCASE_IDS, Prng } from './seed/index.js';
export { seedDemoStaff, DEMO_STAFF, DEMO_SIGN_INS } from './seed/index.js';
export type { DemoSignIn } from './seed/index.js';
export type { SeedOptions, SeedResult } from './seed/index.js';
export { lastCompleteMonth } from './seed/last-complete-month.js';
export {
  AnchorsFile,
  AnchorsIndex,
  acceptedLinesFromEnv,
  anchorAuditHeads,
  anchorLine,
  anchorSettingsFromEnv,
  appendAnchors,
  countsAgainst,
  DEFAULT_ANCHOR_MINUTES,
  parseAnchorLine,
  parseAnchors,
  readAnchorsFile,
  startAuditAnchoring,
} from './audit-anchors.js';
export type { AnchoringOptions, AnchorSettings, AnchorsRead, MalformedLine, OpenForReading, ReadableFile } from './audit-anchors.js';
export { missingTenantReason } from './tenant-check.js';
