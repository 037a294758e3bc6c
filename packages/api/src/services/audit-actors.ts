import { keyLabelsOf, staffNamesOf, type Executor } from '@tierkit/db';

/**
 * Who each actor of a page of the trail is, for a reader: the staff member behind a staff token or a key
 * they own, with their name, and a key's label — so a console shows 王敏（密钥：月度导入） rather than
 * `key:key_…`, which nobody can tell apart. Read for the whole page at once: one query for its keys,
 * one for the names, however many records.
 */
export interface AuditActorView {
  /** The staff id behind the actor (a staff token's member, a key's owner); null for an unowned key, the CLI, the system. */
  readonly actorStaff: string | null;
  /** That member's name on the staff list now; null when there is none (or they are no longer on it). */
  readonly actorStaffName: string | null;
  /** A key actor's label (`keys create --label`); null for any other actor. */
  readonly actorKeyLabel: string | null;
}

const NOBODY: AuditActorView = { actorStaff: null, actorStaffName: null, actorKeyLabel: null };

/** The view of each of `actors` (by actor); an actor named nowhere (a deleted key) gets nulls. */
export async function auditActorViews(db: Executor, tenantId: string, actors: Iterable<string>): Promise<Map<string, AuditActorView>> {
  const distinct = [...new Set(actors)];
  const keyIds = distinct.filter((a) => a.startsWith('key:')).map((a) => a.slice('key:'.length));
  const keys = keyIds.length ? await keyLabelsOf(db, tenantId, keyIds) : new Map<string, never>();
  const staffOf = (actor: string): string | null =>
    actor.startsWith('staff:')
      ? actor.slice('staff:'.length)
      : actor.startsWith('key:')
        ? (keys.get(actor.slice(4))?.staffId ?? null)
        : null;
  const staffIds = distinct.map(staffOf).filter((s): s is string => s !== null);
  const names = staffIds.length ? await staffNamesOf(db, tenantId, staffIds) : new Map<string, string>();
  const out = new Map<string, AuditActorView>();
  for (const actor of distinct) {
    const staff = staffOf(actor);
    const key = actor.startsWith('key:') ? keys.get(actor.slice('key:'.length)) : undefined;
    out.set(
      actor,
      staff === null && key === undefined
        ? NOBODY
        : { actorStaff: staff, actorStaffName: staff === null ? null : (names.get(staff) ?? null), actorKeyLabel: key?.label ?? null },
    );
  }
  return out;
}
