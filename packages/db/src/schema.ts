import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/*
 * Table types of the tierkit database. Every row carries `tenant_id`; every query filters on it.
 * JSON columns are stored as text on both dialects and (de)serialized by the repositories, so one
 * code path serves SQLite and PostgreSQL. Times are ISO 8601 UTC strings, periods `YYYY-MM`.
 */

export interface TenantTable {
  id: string;
  name: string;
  /** JSON: the tenant's metric catalogue (`MetricDef[]`). */
  metric_catalogue: string;
  created_at: string;
}

export interface SubjectTable {
  id: string;
  tenant_id: string;
  external_id: string;
  kind: string;
  display_name: string;
  /** JSON object. */
  attributes: string;
  created_at: string;
  updated_at: string;
  /** Changes whenever the subject's assignments, overrides or tier events do (database triggers). */
  version: Generated<number>;
}

export interface MetricTable {
  tenant_id: string;
  subject_id: string;
  metric: string;
  period: string;
  value: number;
}

export interface PolicyTable {
  id: string;
  tenant_id: string;
  scheme: string;
  version: number;
  /** Display order of the scheme within the tenant's pack (lists and tiers follow it). */
  position: number;
  status: string;
  /** JSON: the scheme definition. */
  document: string;
  effective_from: string;
  created_at: string;
}

export interface AssignmentTable {
  tenant_id: string;
  subject_id: string;
  scheme: string;
  level: string;
  rank: number;
  periods_below: number;
  /**
   * The state before `period` was evaluated (level null when there was none), so evaluating the
   * same period again — corrected data — is idempotent instead of counting another period below.
   */
  base_level: string | null;
  base_periods_below: number;
  /** The level shown before `period` was evaluated (null: none) — what `previousLevel` reports. */
  previous_level: string | null;
  /** JSON `Explanation`. */
  explanation: string;
  /** JSON `Progress | null`. */
  progress: string | null;
  /** JSON `Retention | null`. */
  retention: string | null;
  approval_required: number;
  policy_version: number;
  period: string;
  evaluated_at: string;
}

export interface TierEventTable {
  id: string;
  tenant_id: string;
  subject_id: string;
  scheme: string;
  from_level: string | null;
  to_level: string;
  at: string;
  reason: string;
  rule_id: string | null;
  note: string | null;
  actor: string;
  approved_by: string | null;
  policy_version: number;
  /** The month (`YYYY-MM`) whose data the event describes; `at` is when it was recorded. */
  period: string | null;
}

export interface OverrideTable {
  id: string;
  tenant_id: string;
  subject_id: string;
  scheme: string;
  level: string;
  mode: string;
  reason: string;
  expires_at: string | null;
  requested_by: string;
  approved_by: string | null;
  created_at: string;
  revoked_at: string | null;
  /** `pending` → `approved` | `rejected` | `withdrawn`; `approved` → `revoked` (expiry is read from `expires_at`). */
  status: string;
  /** `contentHash` of the content as it is now; an approval must send it back. */
  content_hash: string;
  updated_at: string;
  /** Who approved or rejected it (or withdrew it: the requester), when and why. */
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
  revoked_by: string | null;
  revoke_note: string | null;
}

/** A level that needs a second person's sign-off (a policy's `approvalRequired`), pending or decided. */
export interface LevelApprovalTable {
  id: string;
  tenant_id: string;
  subject_id: string;
  scheme: string;
  level: string;
  /** The level shown before it (null: none). */
  from_level: string | null;
  /** The month whose data decided the level. */
  period: string;
  policy_version: number;
  requested_by: string;
  requested_at: string;
  /** `pending` → `approved` | `rejected` | `superseded`. */
  status: string;
  content_hash: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
}

/** One step of a four-eyes request (override or level), or a periodic review; append-only. */
export interface ApprovalDecisionTable {
  id: string;
  tenant_id: string;
  /** `override`, `level` or `review`. */
  kind: string;
  request_id: string;
  subject_id: string | null;
  scheme: string;
  /** `requested`, `edited`, `withdrawn`, `approved`, `rejected`, `revoked`, `superseded`, `reviewed`. */
  action: string;
  actor: string;
  at: string;
  note: string | null;
  /** The content the step saw. */
  content_hash: string | null;
}

/** Internal bookkeeping row so that seeding can run once per tenant; not part of the domain. */
export interface SeedRunTable {
  tenant_id: string;
  seed: number;
  customers: number;
  finished_at: string;
}

/** An API key: only the SHA-256 hash of its secret is stored; the secret is shown once. */
export interface ApiKeyTable {
  id: string;
  tenant_id: string;
  /** Hex SHA-256 of the whole secret (`tk_…`). */
  secret_hash: string;
  /** The first characters of the secret, so operators can tell keys apart without the secret. */
  prefix: string;
  role: string;
  label: string;
  created_at: string;
  revoked_at: string | null;
}

/** A tenant's HMAC secret for embed and staff tokens; several may exist while one is rotated out. */
export interface SigningKeyTable {
  id: string;
  tenant_id: string;
  /** base64url, 32 random bytes. */
  secret: string;
  created_at: string;
  /** Set when rotated out: no new tokens are signed with it, and tokens it signed stop verifying. */
  retired_at: string | null;
}

export interface Database {
  tenants: TenantTable;
  subjects: SubjectTable;
  metrics: MetricTable;
  policies: PolicyTable;
  assignments: AssignmentTable;
  tier_events: TierEventTable;
  overrides: OverrideTable;
  seed_runs: SeedRunTable;
  api_keys: ApiKeyTable;
  signing_keys: SigningKeyTable;
  level_approvals: LevelApprovalTable;
  approval_decisions: ApprovalDecisionTable;
}

export type TenantRow = Selectable<TenantTable>;
export type NewTenant = Insertable<TenantTable>;
export type SubjectRow = Selectable<SubjectTable>;
export type NewSubject = Insertable<SubjectTable>;
export type SubjectUpdate = Updateable<SubjectTable>;
export type MetricRow = Selectable<MetricTable>;
export type NewMetric = Insertable<MetricTable>;
export type PolicyRow = Selectable<PolicyTable>;
export type NewPolicy = Insertable<PolicyTable>;
export type AssignmentRow = Selectable<AssignmentTable>;
export type NewAssignment = Insertable<AssignmentTable>;
export type TierEventRow = Selectable<TierEventTable>;
export type NewTierEvent = Insertable<TierEventTable>;
export type OverrideRow = Selectable<OverrideTable>;
export type NewOverride = Insertable<OverrideTable>;
export type LevelApprovalRow = Selectable<LevelApprovalTable>;
export type ApprovalDecisionRow = Selectable<ApprovalDecisionTable>;
export type ApiKeyRow = Selectable<ApiKeyTable>;
export type SigningKeyRow = Selectable<SigningKeyTable>;
