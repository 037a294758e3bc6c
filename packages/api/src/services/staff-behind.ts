import type { Executor } from '@tierkit/db';

/** The staff member behind each actor that has one, by actor: `staff:<id>` → id, `key:<id>` → its owner. */
export type StaffBehind = ReadonlyMap<string, string>;

/**
 * Who is behind `actors` as people: a staff token's member, or the owner of a key (`tierkit keys
 * create --staff`). An unowned key, a re-tier job (`job:<id>`, linked to its page instead), the
 * schedule or the system has none. A console names the person, not `key:key_…` that no one can tell
 * apart (approvals' `requestedByStaff`, policy versions' `…ByStaff`, jobs', overrides'). One query for
 * all the keys named.
 */
export async function staffBehind(db: Executor, tenantId: string, actors: Iterable<string | null | undefined>): Promise<StaffBehind> {
  const out = new Map<string, string>();
  const keys = new Set<string>();
  for (const actor of actors) {
    if (!actor) continue;
    if (actor.startsWith('staff:')) out.set(actor, actor.slice('staff:'.length));
    else if (actor.startsWith('key:')) keys.add(actor.slice('key:'.length));
  }
  if (keys.size > 0) {
    const rows = await db
      .selectFrom('api_keys')
      .select(['id', 'staff_id'])
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', [...keys])
      .where('staff_id', 'is not', null)
      .execute();
    for (const r of rows) if (r.staff_id) out.set(`key:${r.id}`, r.staff_id);
  }
  return out;
}

/** The staff id behind `actor` in `behind`, or null. */
export function staffOf(behind: StaffBehind, actor: string | null): string | null {
  return actor === null ? null : (behind.get(actor) ?? null);
}
