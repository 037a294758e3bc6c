export { createApp } from './app.js';
export type { AppOptions, AppType } from './app.js';
export { PROBLEMS, PROBLEM_BASE, ProblemError } from './problem.js';
export type { FieldError, ProblemKind } from './problem.js';
export { maskName } from './mask.js';
export { isTrustedOrigin } from './origins.js';
export type { TrustedOrigins } from './origins.js';
export { RATE_LIMIT_DEFAULTS } from './rate-limit.js';
export type { RateLimitOptions } from './rate-limit.js';
export { provisionTenant, TENANT_ID_PATTERN } from './services/provision.js';
export { TenantPacks, loadTenantPack } from './services/tenant-pack.js';
export type { TenantPack } from './services/tenant-pack.js';
export { reevaluateSubject } from './services/reevaluate.js';
export { movesIntoApprovalRequired, syncLevelApprovals } from './services/level-approvals.js';
export { assignmentRows, evaluatePeriods } from './services/evaluate-periods.js';
export type { PeriodEvent, PeriodRun, Values } from './services/evaluate-periods.js';
export { addMonths, monthRange, periodOf, isPeriod } from './periods.js';
export { sortableId } from './ids.js';
export { ROLES, isRole, roleAtLeast } from './auth/roles.js';
export type { Role } from './auth/roles.js';
export type { Principal, CredentialKind } from './auth/principal.js';
export { createApiKey, ensureApiKey, listKeys, revokeKey, authenticateKey } from './auth/api-keys.js';
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
export { CREDENTIAL_CACHE_SECONDS } from './auth/credential-cache.js';
export type { Access } from './auth/access.js';
