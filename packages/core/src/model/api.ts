import type { Evaluation } from './evaluation.js';
import type { CustomerExplanation } from './explanation.js';
import type { EntitlementDef, NextLevelGain, ResolvedEntitlement } from './entitlement.js';
import type { CustomerTierEvent, TierEvent } from './history.js';
import type { MatrixAggregate, MatrixDef } from './matrix.js';
import type { LocalizedText } from './locale.js';
import type { MetricDef, MetricObservation, MetricUnit, WindowSpec } from './metric.js';
import type { CustomerOverrideInfo, OverrideInfo } from './override.js';
import type { SchemeSummary, SubjectKind } from './scheme.js';
import type { ApprovalBlock } from '../wire/approvals.js';

/*
 * Wire shapes of the HTTP API (`/v1`). The API validates against its OpenAPI schemas and the
 * client and components are typed by these; a change here is a change of the public contract.
 */

/** A subject as the API shows it. `id` is the bank's external id; `displayName` is masked by default. */
export interface SubjectRef {
  readonly id: string;
  readonly kind: SubjectKind;
  readonly displayName: string;
  /**
   * Only on a customer who left the bank (销户): when (ISO UTC) and why. Staff reads only — a closed
   * customer's own token reads nothing.
   */
  readonly closedAt?: string;
  readonly closedReason?: string;
  /**
   * Only on a closing the bank learnt of after the month it happened in was final: when the customer
   * really left (ISO UTC), earlier than `closedAt` — which is when the closing counts from, the end of
   * the last final month, so the figures the bank read as final stay as they were.
   */
  readonly leftAt?: string;
}

/**
 * The earliest instant a customer may be recorded closed at (`closedAt`, `leftAt`), for the API and
 * its clients alike: no closing before 2000, the first month analytics keep.
 */
export const CLOSING_FLOOR = '2000-01-01T00:00:00.000Z';

/** A subject's current level in one scheme, with everything a widget needs to render it. */
export interface Assignment extends Evaluation {
  readonly schemeInfo: SchemeSummary;
  /** The month whose metrics were evaluated (`YYYY-MM`). */
  readonly period: string;
  /** ISO 8601 UTC. */
  readonly evaluatedAt: string;
  readonly override: OverrideInfo | null;
  /** For matrix schemes: the grid, so one subject's cell can be drawn without another request. */
  readonly matrix?: MatrixDef;
  /**
   * Staff only: the looser level a pending lowering request proposes while `level`, held, stays in
   * force (docs/domain.md §4, "Lowering a sign-off level"): 降级待审批 → this level. Absent otherwise.
   */
  readonly loweringTo?: string;
  /**
   * Staff only, and only beside `loweringTo` on the answer of the metric write that leaves the lowering
   * pending (`PUT /v1/subjects/{id}/metrics`): null when someone may approve it now, else why nobody can
   * (`ApprovalBlock`, as the approvals queue says) — so its maker hears it at once, not from the queue.
   */
  readonly loweringBlocked?: ApprovalBlock | null;
  /**
   * Staff only, on a level the rules lowered at its latest re-tier: why, in the criteria of the level lost
   * (the sentence the customer's history gives, naming staff-only metrics' lines too). Absent otherwise.
   */
  readonly because?: CustomerDrop;
}

/**
 * An assignment as a customer reads it (an embed token): its explanation is a `CustomerExplanation`, without
 * the policy's id and version or the deciding rule's id, and its override a `CustomerOverrideInfo`, without
 * the request's id, reason, requester or approver.
 */
export interface CustomerAssignment extends Omit<Assignment, 'explanation' | 'override' | 'loweringTo' | 'loweringBlocked' | 'because'> {
  readonly explanation: CustomerExplanation;
  readonly override: CustomerOverrideInfo | null;
  /** Only while the level is in its grace period (below its line, kept for now): what keeps it. */
  readonly keep?: CustomerKeep;
}

/** One published criterion as a customer reads it: the metric, its measure and the amount. */
export interface CustomerLine {
  readonly metric: string;
  /** The metric's customer-facing name with its measure: 「月日均资产（近3个月平均）」. */
  readonly name: LocalizedText;
  readonly window: WindowSpec | null;
  readonly unit: MetricUnit;
  readonly currency?: string;
  /** The amount to reach; money in minor units of `currency`. */
  readonly required: number;
}

/**
 * What keeps a customer's level in its grace period: holding any one of `lines` at the next review
 * keeps it; after `periodsLeft` more reviews below, it drops to `toLevel`. `text` says it in each locale
 * (「保级期：月日均资产（近3个月平均）需达到 ¥500,000，剩余 2 个月」).
 */
export interface CustomerKeep {
  readonly toLevel: string;
  readonly lines: readonly CustomerLine[];
  readonly periodsBelow: number;
  readonly periodsLeft: number;
  /** The month (`YYYY-MM`) whose data the next review reads; it runs once that month's data is in. */
  readonly nextReview: string;
  readonly text: LocalizedText;
}

/**
 * Why the rules lowered a customer's level: the level lost (`level`), the months below it allowed
 * before a drop (`periods`) and its criteria as published (`lines`; empty when the event was decided
 * under another policy version than today's). `text` is the one line the timeline shows.
 */
export interface CustomerDrop {
  readonly level: string;
  readonly periods: number;
  readonly lines: readonly CustomerLine[];
  readonly text: LocalizedText;
}

interface TiersBody {
  readonly subject: SubjectRef;
  /** The latest period of the levels shown (`YYYY-MM`); null when the subject has no level yet. */
  readonly asOf: string | null;
  /** Definitions of the metrics that explanations and progress mention, for their labels and units. */
  readonly metrics: readonly MetricDef[];
}

/** Tiers cut for a customer (an embed token): `CustomerAssignment`s of customer schemes. */
export interface CustomerTiersResponse extends TiersBody {
  readonly audience: 'customer';
  readonly assignments: readonly CustomerAssignment[];
}

/**
 * Tiers as staff read them: whole `Assignment`s. The API always sends `audience`; optional so a host's
 * own client written before it still type-checks (it then reads as staff).
 */
export interface StaffTiersResponse extends TiersBody {
  readonly audience?: 'staff';
  readonly assignments: readonly Assignment[];
}

/**
 * `GET /v1/subjects/{id}/tiers` (and the answer of `PUT …/metrics`). Its `audience` says which shape the
 * assignments have: `customer` (embed token) → `CustomerAssignment`s, `staff` → `Assignment`s.
 */
export type TiersResponse = CustomerTiersResponse | StaffTiersResponse;

interface HistoryPage {
  readonly subject: SubjectRef;
  readonly nextCursor: string | null;
}

/** A history page cut for a customer (an embed token): `CustomerTierEvent`s, no staff schemes. */
export interface CustomerHistoryResponse extends HistoryPage {
  readonly audience: 'customer';
  readonly items: readonly CustomerTierEvent[];
}

/**
 * A history page as staff read it: whole `TierEvent`s. The API always sends `audience`; optional so a
 * host's own client written before it still type-checks (it then reads as staff).
 */
export interface StaffHistoryResponse extends HistoryPage {
  readonly audience?: 'staff';
  readonly items: readonly TierEvent[];
}

/**
 * `GET /v1/subjects/{id}/history` — newest first, cursor-paginated. Its `audience` says which shape the
 * items have: `customer` (embed token) → `CustomerTierEvent`s, `staff` → `TierEvent`s.
 */
export type HistoryResponse = CustomerHistoryResponse | StaffHistoryResponse;

/** `GET /v1/subjects/{id}/entitlements` */
export interface EntitlementsResponse {
  readonly subject: SubjectRef;
  readonly entitlements: readonly ResolvedEntitlement[];
  readonly next: readonly NextLevelGain[];
}

/** `GET /v1/schemes/{key}` */
export interface SchemeResponse extends SchemeSummary {
  readonly matrix?: MatrixDef;
  /**
   * What each level grants (by level key, as the scheme in force defines it): a portal's compare-tiers
   * table. The reader's own definition — a customer's scheme is customer-facing, its benefits the ones the
   * entitlements panel shows. Absent for a scheme that grants nothing.
   */
  readonly entitlements?: Readonly<Record<string, readonly EntitlementDef[]>>;
}

/** `GET /v1/schemes` */
export interface SchemesResponse {
  readonly items: readonly SchemeSummary[];
}

/** `GET /v1/matrix/{scheme}` — portfolio counts per cell. */
export type MatrixResponse = MatrixAggregate;

/** `PUT /v1/subjects/{id}/metrics` request body. Money values are integer minor units. */
export interface PutMetricsBody {
  readonly metrics: readonly MetricObservation[];
}

/** RFC 9457 problem details, as every 4xx and 5xx body. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  /** For validation problems: each offending field path and what is wrong with it. */
  readonly errors?: readonly ProblemFieldError[];
}

/** What a value in a field error's `params` may be. */
export type ProblemParam = string | number | boolean | null | readonly (string | number | boolean | null)[];

/**
 * One offending field of a validation problem. `message` is English for people; `code` (when given)
 * is stable for programs to word in their own language, with the `params` its words need.
 */
export interface ProblemFieldError {
  readonly path: string;
  readonly message: string;
  /**
   * The request schema's check that failed: `invalid_type` (`expected`; `received: 'undefined'` for a field left out), `too_small` / `too_big`
   * (`minimum` / `maximum`, `inclusive`, `origin`: string, number, array …), `invalid_format`
   * (`format`), `invalid_value` (`values`), `unrecognized_keys` (`keys`), `not_multiple_of`
   * (`divisor`), `repeated` (a query parameter given twice), and the API's own checks' codes
   * (`unknown_scheme`, `month_not_begun`, `expired` …: packages/api/README.md, "Errors"), an
   * import's row errors and a policy document's errors (`PolicyError`) included. Absent for a row error of an import stored before row errors had codes, whose
   * `message` says what is wrong.
   */
  readonly code?: string;
  readonly params?: Readonly<Record<string, ProblemParam>>;
}
