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
  /** Whole years a closed customer's personal data is kept after they left (5 or more): `tierkit retention run`. */
  retention_years: Generated<number>;
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
  /** When the customer left the bank (ISO UTC); null while they are a customer. */
  closed_at: string | null;
  /** Why, as staff gave it; null when not closed. */
  closed_reason: string | null;
  /**
   * When the customer really left, where that is before `closed_at`: a closing learnt of after its
   * month was final, counted from the first instant allowed. Null otherwise.
   */
  left_at: string | null;
  /** When the customer's personal data was erased, their retention period over (ISO UTC); null otherwise. */
  erased_at: string | null;
  /** Why the customer must not be erased yet (a legal hold), as the operator gave it; null: no hold. */
  legal_hold: string | null;
  /**
   * The version of the clearing rules (ERASURE_RULES) the customer's erasure, or the last rescrub,
   * applied to them; 0 for one erased before versions were kept, and for customers not erased.
   */
  erasure_rules: Generated<number>;
}

/** One closing of a customer (销户) and, once taken back, its reopening: what analytics of past months read. */
export interface SubjectClosingTable {
  /**
   * Names this closing on what it withdrew (`withdrawn_by_closing`). Every closing has one (drawn for
   * those of earlier releases on upgrade); null only on a row written by hand.
   */
  id: string | null;
  tenant_id: string;
  subject_id: string;
  /** When the closing counts from (ISO UTC): what analytics read. */
  closed_at: string;
  /** When the customer really left, where earlier than `closed_at` (a closing learnt late); else null. */
  left_at: string | null;
  reason: string | null;
  /** When the closing was taken back (ISO UTC); null while the customer is closed. */
  reopened_at: string | null;
  recorded_at: string;
}

export interface MetricTable {
  tenant_id: string;
  subject_id: string;
  metric: string;
  period: string;
  value: number;
  /**
   * `Principal.actor` of the last write that changed this value while its metric fed a scheme with
   * sign-off levels — a metrics import's importer or a `PUT /v1/subjects/{id}/metrics` caller — which
   * the four-eyes check of a sign-off or lowering reads (docs/domain.md §4); null when no such write
   * changed it. A write of another metric, or an unchanged value, leaves it as it was.
   */
  written_by: string | null;
}

/** Per tenant, month and metric: that it has data, and when it was first and last written (metric_periods). */
export interface MetricPeriodTable {
  tenant_id: string;
  period: string;
  metric: string;
  first_written_at: string;
  last_written_at: string;
  /** The database's write order (write_seq) when last written; null: before it was kept. */
  last_write_seq: number | string | null;
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
  /** Lifecycle (null on versions provisioned or imported as active): `Principal.actor` of each step, ISO UTC times. */
  /** JSON array of the actors who created or edited the version: none of them may approve it. */
  authors: string | null;
  submitted_by: string | null;
  submitted_at: string | null;
  /** `contentHash` of the document as submitted: what an approval binds to. */
  content_hash: string | null;
  decided_by: string | null;
  decided_at: string | null;
  note: string | null;
  retired_by: string | null;
  retired_at: string | null;
  retire_note: string | null;
  /** A retirement asked for and not yet decided (migration 2026-12-20T00-00-01): who, when, why; null when none waits. */
  retire_requested_by: string | null;
  retire_requested_at: string | null;
  retire_request_note: string | null;
  /** The maker's word on the version (migration 2026-12-22T00-00-72): why it was drafted, why submitted; null when none was given. */
  draft_note: string | null;
  submit_note: string | null;
}

/**
 * A scheme's latest re-tier: the month its call lists read who moved at (subject-list.ts). Kept by the
 * writers that re-tier (retier-periods.ts), never by a decision on one customer.
 */
export interface RetierPeriodTable {
  tenant_id: string;
  scheme: string;
  /** `YYYY-MM`: only ever moves forward. */
  period: string;
  updated_at: string;
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
  /**
   * The smallest money gap (minor units) of the ways to the next level, for the lists that filter and
   * sort by it (null: top level, no money way, or money ways in several currencies). A bigint on
   * PostgreSQL, which its driver reads as a string.
   */
  next_gap: number | string | null;
  /** Periods left before the level drops, in a grace period only (periods_below > 0); else null. */
  grace_left: number | null;
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
  /** When its expiry was acted on: the subject re-evaluated by the rules (packages/api override-expiry.ts). */
  expiry_settled_at: string | null;
  /**
   * `book` when book-scoped staff (a relationship manager) filed it, `tenant` otherwise, as held when it
   * was filed: who besides the requester may withdraw it (packages/api README, "Four eyes").
   */
  requester_scope: Generated<string>;
  /** The closing (`subject_closings.id`) that withdrew it; null unless a closing did. */
  withdrawn_by_closing: string | null;
  /** What the filer says the request rests on (`OVERRIDE_REASON_CATEGORIES`); null: not said. */
  reason_category: string | null;
  /** A document number or link the filer cites (no file: the bank keeps its documents); null: none. */
  evidence: string | null;
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
  /** `pending` → `approved` | `rejected` | `superseded` | `withdrawn` (the customer was closed). */
  status: string;
  content_hash: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
  /** The closing (`subject_closings.id`) that withdrew it; null unless a closing did. */
  withdrawn_by_closing: string | null;
  /** A lowering request's looser level data proposed (`level` is the one held meanwhile); null: a sign-off of a level entered. */
  proposed_level: string | null;
  /** A lowering request's why (JSON `LevelProposal`): the proposed level's month, explanation and retention. */
  proposal: string | null;
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
  /** The staff member (of the key's tenant) who holds the key; null for a key nobody owns. Never changed. */
  staff_id: string | null;
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

/**
 * One record of a per-tenant hash chain: who did what to which target, and how it ended. `hash` covers
 * every other column (canonical JSON), `prev_hash` is the hash of the record before it.
 */
export interface AuditRecordTable {
  /** The tenant id, or `*` for requests whose credential named no tenant that could be trusted. */
  chain: string;
  /** 1, 2, 3, … within the chain, without gaps. */
  seq: number;
  at: string;
  request_id: string;
  /** `intent` (written before a write runs), `change` (what it changed, where a reviewer needs before and after: a book move), `result` (its outcome) or `request` (a denied or unmasked read: one record). */
  phase: string;
  actor: string;
  /** `key`, `staff-token`, `embed-token` or `none`. */
  credential: string;
  method: string;
  /** The route's path template (`/v1/subjects/{id}/metrics`), or the path itself when no route matched. */
  route: string;
  /** JSON object of the path parameters (`{"id":"C000003"}`). */
  target: string;
  /** Null on an intent. */
  status: number | null;
  /** The problem kind of an error response. */
  problem: string | null;
  /** 1 when personal data was shown unmasked. */
  unmasked: number;
  /** JSON object of what the write changed, as its route tells it (a result record); null when it tells nothing. */
  detail: string | null;
  /**
   * `sha256:` of the record's personal fields with their salt (`audit_personal`), which `target` and
   * `detail` then leave out; hashed with the record, so deleting the side row breaks nothing. Null on a
   * record naming nobody, and on every record written before the side table (they hash as they did).
   */
  personal_digest: string | null;
  prev_hash: string;
  hash: string;
}

/**
 * A record's personal fields, apart from it so a retention run can delete them (docs/operations.md,
 * "Erasing the trail's personal fields"): the customer number of its `target` and the staff-typed texts
 * of its `detail`, with the salt its digest was made with. Gone once the customer it names is erased.
 */
export interface AuditPersonalTable {
  chain: string;
  seq: number;
  /** The customer number the record names (what an erasure deletes by); null when it names no one customer (a name search). */
  subject: string | null;
  salt: string;
  /** JSON object: the record's target as written, the customer number with it (the record keeps the rest). */
  target: string;
  /** JSON object: the record's detail as written, its typed texts with it; null when it had none. */
  detail: string | null;
}

/**
 * A customer number a record's `detail` lists (a list read's customers, a restricted read's, a book move's),
 * one row per entry, apart from the record so a retention run can delete it entry by entry
 * (docs/operations.md, "Customer numbers in a record's lists"): the record keeps in the entry's place
 * `sha256:` of its salt and number, which its hash covers.
 */
export interface AuditListedTable {
  chain: string;
  seq: number;
  /** The entry's place among the record's listed numbers, in the order `audit-personal.ts` walks them (0-based). */
  pos: number;
  subject: string;
  salt: string;
}

/** Each chain's last record: the lock appends take, and the anchor that shows a cut tail. */
export interface AuditHeadTable {
  chain: string;
  seq: number;
  hash: string;
}

/** A POST's Idempotency-Key, claimed while the request runs and then holding its response for replays. */
export interface IdempotencyKeyTable {
  tenant_id: string;
  actor: string;
  key: string;
  /** Hash of method, path and body: the same key with another request is refused. */
  request_hash: string;
  /** Null while the first request is still running. */
  status: number | null;
  content_type: string | null;
  /** Null while running, and on a completed key (`status` set) once an erasure deleted the answer naming its customer. */
  body: string | null;
  created_at: string;
  expires_at: string;
  /** Which running request holds the reservation (null on rows from before leases). */
  holder: string | null;
  /** While `status` is null: when the reservation lapses unless its holder renews it (null on rows from before leases). */
  lease_until: string | null;
}

/** One CSV import (packages/api/README.md, "Imports"); counts are filled in as it runs. */
export interface ImportTable {
  id: string;
  tenant_id: string;
  /** `subjects`, `metrics` or `managers`. */
  kind: string;
  /** `running`, `succeeded`, `partial` (valid rows imported, others rejected) or `failed` (nothing imported). */
  status: string;
  /** JSON: encoding, amounts, mode, mapping as given. */
  options: string;
  file_name: string | null;
  /** Hex SHA-256 of the uploaded bytes. */
  sha256: string | null;
  bytes: number;
  /** Data rows read (the header not counted). */
  rows: number;
  rejected_rows: number;
  /** Errors found (may exceed the rows of `import_errors` kept). */
  errors: number;
  /** Subjects or observations inserted or changed. */
  written: number;
  /** Subjects or observations already stored with the same content. */
  unchanged: number;
  /** JSON `string[]`: the months (`YYYY-MM`) whose metrics this import changed. */
  periods: string;
  /** Why a whole import failed (a file that cannot be read), else null. */
  detail: string | null;
  created_by: string;
  created_at: string;
  finished_at: string | null;
  /** The process running it, `host pid` (null for imports recorded before this was kept). */
  owner: string | null;
  /**
   * JSON: the months it changed that were re-tiered before it ended (`{period, job, message}[]`),
   * stored with its outcome in its transaction; null for imports recorded before this was kept.
   */
  retiered: string | null;
  /**
   * 1 when the import recorded its importer per risk-input value it changed (`metrics.written_by`);
   * null for an import that did not (one before this was kept, or one given no sign-off metrics): the
   * four-eyes check bars its importer from every sign-off reading a month it changed.
   */
  value_writers: number | null;
}

/** One problem with one row of an import: the line (where the row ends), the column and why. */
export interface ImportErrorTable {
  import_id: string;
  seq: number;
  line: number;
  column_name: string | null;
  message: string;
  /** The error's stable code (packages/api README, "Errors"); NULL for rows stored before codes. */
  code: string | null;
  /** JSON object: the params the code's words need; NULL when it has none. */
  params: string | null;
}

/** A background job (a re-tier of a book): what it does, where it stands. Chunks hold the work. */
export interface JobTable {
  id: string;
  tenant_id: string;
  /** `retier`, or `simulate` (a policy simulation: reads only; packages/api README, "Simulation as a job"). */
  kind: string;
  /** `running` (chunks left to do), `completed`, `cancelled`, `failed`. */
  status: string;
  /** JSON: what the job was asked to do (schemes, period, filter, reason). */
  params: string;
  /** The `Principal.actor` who asked, or `schedule`. */
  requested_by: string;
  /**
   * Set for scheduled jobs: `monthly:YYYY-MM`, and `monthly:YYYY-MM#<last write>` for a month's re-run
   * after corrections (schedule.ts). Unique per tenant, so a slot — and a re-run for one write — is queued once.
   */
  schedule_key: string | null;
  total_chunks: number;
  total_subjects: number;
  error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  /** The database's write order (write_seq) when queued; null: before it was kept. */
  write_seq: number | string | null;
  /** A `simulate` job's scheme and version (from its params, for reading a version's simulations by index); null for a re-tier. */
  simulation_scheme: string | null;
  simulation_version: number | null;
}

/** One chunk of a job: the tenant's subjects with ids in `first_subject … last_subject`. */
export interface JobChunkTable {
  job_id: string;
  seq: number;
  tenant_id: string;
  first_subject: string;
  last_subject: string;
  /** Subjects in the range when the job was planned. */
  subjects: number;
  /** `pending` or `done`; a pending chunk with an unexpired lease is being worked on. */
  status: string;
  lease_owner: string | null;
  lease_expires_at: string | null;
  attempts: number;
  /** JSON `ChunkResult` once done. */
  result: string | null;
  finished_at: string | null;
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
  /** When they were disabled (`tierkit staff disable`): their tokens and keys authenticate nothing. Null while they work. */
  disabled_at: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * The last writer of a stored value feeding a sign-off scheme, as the release before migration
 * 2026-12-25T00-00-70-metric-writers kept it (this release keeps it in `metrics.written_by`). Kept for
 * one release, for the instances still on the one before during a rolling deploy: read by the four-eyes
 * check beside the column and erased with the customer, never written; a later migration drops it.
 */
export interface SignOffInputWriterTable {
  tenant_id: string;
  subject_id: string;
  metric: string;
  period: string;
  /** `Principal.actor` of the write. */
  written_by: string;
  written_at: string;
}

/** A change that grants a staff member power, waiting for a second admin (`PUT /v1/staff/{id}` answered 202). */
/** A metric's audience lowered, waiting for a second admin (migration 2026-12-20T00-00-30-metric-audience-requests). */
export interface MetricAudienceRequestTable {
  id: string;
  tenant_id: string;
  metric: string;
  /** The catalogue entry as the maker saw it, and as asked (JSON `MetricDef`). */
  before: string;
  after: string;
  /** `pending`, `approved`, `rejected` or `withdrawn`; a pending one past `expires_at` reads as expired. */
  status: string;
  content_hash: string;
  requested_by: string;
  requested_at: string;
  expires_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
  /** The maker's reason (migration 2026-12-22T00-00-37-audience-request-reason); null on one filed before. */
  reason: string | null;
}

/** A closing dated far back, waiting for a second person (migration 2026-12-24T00-00-33-closing-requests). */
export interface ClosingRequestTable {
  id: string;
  tenant_id: string;
  subject_id: string;
  /** The date the closing gives (ISO UTC), as asked. */
  at: string;
  /** 1: said to be learnt late (`late: true`, closedLate 1). */
  late: number;
  reason: string;
  /** `pending`, `approved`, `rejected` or `withdrawn`. */
  status: string;
  content_hash: string;
  requested_by: string;
  requested_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
}

export interface StaffGrantTable {
  id: string;
  tenant_id: string;
  staff_id: string;
  /** The member's name as it is to be. */
  name: string;
  /** What the member held when it was asked; null role and scope: a new member. */
  from_role: string | null;
  from_scope: string | null;
  /** Set when the member was disabled when it was asked: the grant gives them access back. */
  from_disabled_at: string | null;
  to_role: string;
  to_scope: string;
  /** `pending`, `approved`, `rejected`, `withdrawn` or `expired` (set when another is asked); a pending one past `expires_at` reads as expired. */
  status: string;
  content_hash: string;
  requested_by: string;
  requested_at: string;
  expires_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
  /** A team grant's team (migration 2026-12-20T00-00-10-team-grants); null: a grant of staff powers. */
  team_id: string | null;
  /** JSON `{ "lead": … }`: the team as the maker saw it; null: a new team (or a grant of powers). */
  team_from: string | null;
  /** JSON `{ "name", "lead" }` (a lead named) or `{ "add": [...] }` (books added). */
  team_to: string | null;
}

/** A set of books the bank defines, read by its lead besides their own (migration 2026-12-19T00-00-40-teams). */
export interface TeamTable {
  tenant_id: string;
  id: string;
  name: string;
  /** The book-scoped staff member who reads the team's books; null: none yet. */
  lead_id: string | null;
  created_at: string;
  updated_at: string;
}

/** One book (its RM's staff id) of a team. */
export interface TeamBookTable {
  tenant_id: string;
  team_id: string;
  staff_id: string;
  added_at: string;
  /** The actor who added it. */
  added_by: string;
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

/** One move of a subject between books (migration 2026-12-09T00-20-00-book-moves). */
export interface BookMoveTable {
  id: string;
  tenant_id: string;
  subject_id: string;
  /** The book it left; null when it was in none. */
  from_staff: string | null;
  /** The book it joined; null when it was taken out of every book. */
  to_staff: string | null;
  at: string;
  actor: string;
  /** 0 for the assignment the migration found (who held it before is unknown), 1 for a move seen made. */
  recorded: Generated<number>;
}

export interface Database {
  tenants: TenantTable;
  subjects: SubjectTable;
  metrics: MetricTable;
  metric_periods: MetricPeriodTable;
  policies: PolicyTable;
  assignments: AssignmentTable;
  retier_periods: RetierPeriodTable;
  tier_events: TierEventTable;
  overrides: OverrideTable;
  seed_runs: SeedRunTable;
  api_keys: ApiKeyTable;
  signing_keys: SigningKeyTable;
  audit_records: AuditRecordTable;
  audit_heads: AuditHeadTable;
  audit_personal: AuditPersonalTable;
  audit_listed: AuditListedTable;
  idempotency_keys: IdempotencyKeyTable;
  imports: ImportTable;
  import_errors: ImportErrorTable;
  jobs: JobTable;
  job_chunks: JobChunkTable;
  level_approvals: LevelApprovalTable;
  approval_decisions: ApprovalDecisionTable;
  staff: StaffTable;
  staff_grants: StaffGrantTable;
  metric_audience_requests: MetricAudienceRequestTable;
  closing_requests: ClosingRequestTable;
  sign_off_input_writers: SignOffInputWriterTable;
  subject_managers: SubjectManagerTable;
  book_moves: BookMoveTable;
  subject_closings: SubjectClosingTable;
  teams: TeamTable;
  team_books: TeamBookTable;
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
export type AuditRecordRow = Selectable<AuditRecordTable>;
export type NewAuditRecord = Insertable<AuditRecordTable>;
export type AuditPersonalRow = Selectable<AuditPersonalTable>;
export type AuditListedRow = Selectable<AuditListedTable>;
export type IdempotencyKeyRow = Selectable<IdempotencyKeyTable>;
export type ImportRow = Selectable<ImportTable>;
export type JobRow = Selectable<JobTable>;
export type JobChunkRow = Selectable<JobChunkTable>;
export type StaffRow = Selectable<StaffTable>;
