import { DECISION_ACTIONS, type DecisionAction } from '@tierkit/core';
import type { ApprovalDecisionRow } from '../schema.js';
import type { Executor } from './executor.js';

// What a four-eyes step was: the API sends these words, so their one home is core.
export { DECISION_ACTIONS };
export type { DecisionAction };

/** One step of an override or level request, or a periodic review: who, when, why, on which content. */
export interface ApprovalDecision {
  readonly id: string;
  readonly kind: 'override' | 'level' | 'review';
  readonly requestId: string;
  readonly subjectId: string | null;
  readonly scheme: string;
  readonly action: DecisionAction;
  readonly actor: string;
  readonly at: string;
  readonly note: string | null;
  readonly contentHash: string | null;
}

function toDecision(row: ApprovalDecisionRow): ApprovalDecision {
  return {
    id: row.id,
    kind: row.kind as ApprovalDecision['kind'],
    requestId: row.request_id,
    subjectId: row.subject_id,
    scheme: row.scheme,
    action: row.action as DecisionAction,
    actor: row.actor,
    at: row.at,
    note: row.note,
    contentHash: row.content_hash,
  };
}

/** Record a step. The table is append-only: nothing here updates or deletes. */
export async function appendDecision(db: Executor, tenantId: string, d: ApprovalDecision): Promise<void> {
  await db
    .insertInto('approval_decisions')
    .values({
      id: d.id,
      tenant_id: tenantId,
      kind: d.kind,
      request_id: d.requestId,
      subject_id: d.subjectId,
      scheme: d.scheme,
      action: d.action,
      actor: d.actor,
      at: d.at,
      note: d.note,
      content_hash: d.contentHash,
    })
    .execute();
}

/** Every step of one request, oldest first. */
export async function listDecisions(
  db: Executor,
  tenantId: string,
  kind: ApprovalDecision['kind'],
  requestId: string,
): Promise<ApprovalDecision[]> {
  const rows = await db
    .selectFrom('approval_decisions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .where('request_id', '=', requestId)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return rows.map(toDecision);
}
