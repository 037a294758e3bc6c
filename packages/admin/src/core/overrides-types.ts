import type { OverrideMode } from '@tierkit/core';

/*
 * Wire shapes of the override routes (`/v1/subjects/{id}/overrides`, `/v1/overrides…`), as the API's
 * schemas (packages/api/src/schemas/four-eyes.ts) send them. Kept here, not in @tierkit/client: the
 * widgets' bundle must not carry the console's API.
 */

/** `pending` until decided; `approved` in force until it expires (`expired`) or is revoked. */
export type OverrideStatus = 'pending' | 'approved' | 'rejected' | 'withdrawn' | 'revoked' | 'expired';

export interface Override {
  readonly id: string;
  /** The subject's external id. */
  readonly subject: string;
  readonly scheme: string;
  readonly level: string;
  readonly mode: OverrideMode;
  readonly reason: string;
  /** ISO 8601 UTC; null = until revoked. */
  readonly expiresAt: string | null;
  readonly status: OverrideStatus;
  readonly inForce: boolean;
  /** What an approval must send back; an edit changes it. */
  readonly contentHash: string;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly updatedAt: string;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly decisionNote: string | null;
  readonly revokedBy: string | null;
  readonly revokedAt: string | null;
  readonly revokeNote: string | null;
}

export interface OverrideDecision {
  readonly action: string;
  readonly actor: string;
  readonly at: string;
  readonly note: string | null;
  readonly contentHash: string | null;
}

/** `GET /v1/overrides/{id}` */
export interface OverrideWithDecisions extends Override {
  readonly decisions: readonly OverrideDecision[];
}

/** `GET /v1/overrides`, `GET /v1/subjects/{id}/overrides`: newest first. */
export interface OverrideList {
  readonly items: readonly Override[];
  readonly nextCursor: string | null;
}

/** `POST /v1/subjects/{id}/overrides` body. */
export interface OverrideRequest {
  readonly scheme: string;
  readonly level: string;
  readonly mode: OverrideMode;
  readonly reason: string;
  /** ISO 8601 UTC instant; null = until revoked. */
  readonly expiresAt: string | null;
}

/** `PATCH /v1/overrides/{id}` body: at least one field. */
export type OverrideEdit = Partial<Pick<OverrideRequest, 'level' | 'mode' | 'reason' | 'expiresAt'>>;
