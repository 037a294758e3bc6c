import type { EventReason, TierEvent } from '@tierkit/core';
import type { Insertable } from 'kysely';
import type { TierEventRow, TierEventTable } from '../schema.js';
import { currentLevelKey } from './assignments.js';
import { executeInBatches, INSERT_BATCH_ROWS, rowOfValues, type Executor } from './executor.js';

/** A tier event to append; `subjectId` is the internal subject id. */
export interface NewTierEventInput extends TierEvent {
  readonly subjectId: string;
}

function toEvent(row: TierEventRow): TierEvent {
  return {
    id: row.id,
    scheme: row.scheme,
    from: row.from_level,
    to: row.to_level,
    at: row.at,
    reason: row.reason as EventReason,
    ruleId: row.rule_id,
    note: row.note,
    actor: row.actor,
    approvedBy: row.approved_by,
    policyVersion: row.policy_version,
    ...(row.period !== null ? { period: row.period } : {}),
  };
}

/**
 * Append events without the version bump: appendTierEvents and storeReevaluations (reevaluations.ts)
 * bump. The table is append-only: nothing here updates or deletes.
 */
export async function writeTierEvents(db: Executor, tenantId: string, events: readonly NewTierEventInput[]): Promise<void> {
  await executeInBatches(
    db,
    events,
    INSERT_BATCH_ROWS,
    (batch) => db.insertInto('tier_events').values(batch.map((e) => toRow(tenantId, e))),
    'tier_events.append',
    (e, out) => pushEventValues(tenantId, e, out),
  );
}

/** The columns of a tier event row, in the order {@link pushEventValues} pushes them. */
const EVENT_COLUMNS = [
  'id',
  'tenant_id',
  'subject_id',
  'scheme',
  'from_level',
  'to_level',
  'at',
  'reason',
  'rule_id',
  'note',
  'actor',
  'approved_by',
  'policy_version',
  'period',
] as const satisfies readonly (keyof TierEventRow)[];

/** Push an event's column values in {@link EVENT_COLUMNS} order (a chunk binds them without a row object each). */
function pushEventValues(tenantId: string, e: NewTierEventInput, out: unknown[]): void {
  out.push(
    e.id,
    tenantId,
    e.subjectId,
    e.scheme,
    e.from,
    e.to,
    e.at,
    e.reason,
    e.ruleId,
    e.note,
    e.actor,
    e.approvedBy,
    e.policyVersion,
    e.period ?? null,
  );
}

function toRow(tenantId: string, e: NewTierEventInput): Insertable<TierEventTable> {
  return rowOfValues(EVENT_COLUMNS, (out) => pushEventValues(tenantId, e, out)) as Insertable<TierEventTable>;
}

/** Position after which a history page continues: the last event of the previous page. */
export interface EventPosition {
  readonly at: string;
  readonly id: string;
}

/**
 * A subject's events, newest first (ties broken by id), optionally one scheme or only the schemes
 * listed in `schemes` (what a reader may see: filtered here so that pages stay full), after `before`.
 */
export async function listTierEvents(
  db: Executor,
  tenantId: string,
  subjectId: string,
  query: { scheme?: string; schemes?: readonly string[]; limit: number; before?: EventPosition },
): Promise<TierEvent[]> {
  let q = db.selectFrom('tier_events').selectAll().where('tenant_id', '=', tenantId).where('subject_id', '=', subjectId);
  if (query.scheme) q = q.where('scheme', '=', query.scheme);
  if (query.schemes) {
    if (query.schemes.length === 0) return [];
    q = q.where('scheme', 'in', query.schemes);
  }
  const before = query.before;
  if (before) {
    q = q.where((eb) => eb.or([eb('at', '<', before.at), eb.and([eb('at', '=', before.at), eb('id', '<', before.id)])]));
  }
  const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
  return rows.map(toEvent);
}

/**
 * The reason of the latest event of each of `schemes` for each of `subjectIds`, by `currentLevelKey`
 * (assignments.ts): what a stored level's latest move was, which its row does not keep (a rules drop,
 * a policy change and an override's expiry are all decided by a rule). Read only for the few levels
 * shown lowered, by the subject's index.
 */
export async function latestEventReasons(
  db: Executor,
  tenantId: string,
  subjectIds: readonly string[],
  schemes: readonly string[],
): Promise<Map<string, EventReason>> {
  const out = new Map<string, EventReason>();
  if (subjectIds.length === 0 || schemes.length === 0) return out;
  const rows = await db
    .selectFrom('tier_events')
    .select(['subject_id', 'scheme', 'reason'])
    .where('tenant_id', '=', tenantId)
    .where('subject_id', 'in', [...new Set(subjectIds)])
    .where('scheme', 'in', [...new Set(schemes)])
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  for (const r of rows) {
    const key = currentLevelKey(r.subject_id, r.scheme);
    if (!out.has(key)) out.set(key, r.reason as EventReason);
  }
  return out;
}
