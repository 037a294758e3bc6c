/*
 * Wire types of `GET /v1/audit` and `GET /v1/audit/verify`: what the API sends lives in
 * @tierkit/core/wire; only the query the kit sends is declared here.
 */
import type { AuditMethod, AuditPhase } from '@tierkit/core/wire';

export type {
  AuditAnchorProblem,
  AuditAnchorProblemKind,
  AuditAnchorsResult,
  AuditMethod,
  AuditPhase,
  AuditProblem,
  AuditProblemKind,
  AuditRecord,
  AuditVerification,
  AuditVerifyResult,
} from '@tierkit/core/wire';

/** Filters of `GET /v1/audit`, each an exact match; `from`/`to` are UTC instants (`2025-11-01T00:00:00Z`). */
export interface AuditFilter {
  readonly actor?: string;
  /**
   * A staff member's id: everything they did, by their staff token or any key they own (revoked ones
   * too); `actor` beside it narrows to one of those credentials.
   */
  readonly person?: string;
  /** An HTTP method, or how an action outside HTTP came: `CLI` (a `tierkit` command), `START` (the server's start-up), `SCHEDULE` (the server by itself). */
  readonly method?: AuditMethod;
  readonly route?: string;
  /** A path parameter value: a subject's id, an override's id, … */
  readonly target?: string;
  /** `intent`, `result`, `request` or `change`: an export so filtered skips seqs (verify it with `--filtered`). */
  readonly phase?: AuditPhase;
  readonly status?: number;
  /** At or after this UTC instant. */
  readonly from?: string;
  /** Before this UTC instant. */
  readonly to?: string;
}
