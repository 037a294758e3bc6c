import type { OverrideContent } from '@tierkit/core/wire';

/*
 * Wire shapes of the override routes (`/v1/subjects/{id}/overrides`, `/v1/overrides…`): what the API
 * sends lives in @tierkit/core/wire (the API takes it from there too); the request bodies the kit
 * sends are declared here. Not in @tierkit/client: the widgets' bundle must not carry the console's API.
 */
export type {
  DecisionAction,
  Override,
  OverrideDecision,
  OverrideList,
  OverrideStatus,
  OverrideWithDecisions,
} from '@tierkit/core/wire';

/** `POST /v1/subjects/{id}/overrides` body: what an override asks for, the subject being in the path. */
export type OverrideRequest = Omit<OverrideContent, 'subject'>;

/** `PATCH /v1/overrides/{id}` body: at least one field. */
export type OverrideEdit = Partial<Pick<OverrideRequest, 'level' | 'mode' | 'reason' | 'expiresAt'>>;
