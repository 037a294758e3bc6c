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

/** A staff member of the bank: who signs in to the console, and whose book a customer is in. */
export interface StaffTable {
  tenant_id: string;
  /** The bank's own staff id. */
  id: string;
  name: string;
  /** An API role (`viewer` … `admin`): what the staff member may do. */
  role: string;
  /** `tenant`: reads the whole tenant; `book`: only the subjects they manage (a relationship manager). */
  scope: string;
  created_at: string;
  updated_at: string;
}

/** Which staff member manages a subject: at most one per subject. */
export interface SubjectManagerTable {
  tenant_id: string;
  subject_id: string;
  staff_id: string;
  assigned_at: string;
  /** The actor who made the assignment. */
  assigned_by: string;
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
  staff: StaffTable;
  subject_managers: SubjectManagerTable;
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
export type ApiKeyRow = Selectable<ApiKeyTable>;
export type SigningKeyRow = Selectable<SigningKeyTable>;
export type StaffRow = Selectable<StaffTable>;
