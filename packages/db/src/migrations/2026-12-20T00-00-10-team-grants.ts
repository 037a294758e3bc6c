import { sql, type Kysely } from 'kysely';

/*
 * Four eyes on teams (packages/api/README.md, "Teams"): naming a team's lead, or adding books to a team
 * that has one, widens the lead's reach over customers as a staff grant widens a member's powers, so it
 * waits in `staff_grants` for a second admin too. `staff_id` is then the lead whose reach widens (four
 * eyes bars them as it bars a member promoted), `from_*` / `to_*` what they hold (unchanged: an approval
 * applies only while they still hold it), and:
 *
 * - `team_id`: the team (null: a grant of staff powers, every row from before);
 * - `team_from`: JSON `{ "lead": … }`, the team as the maker saw it; null: the team did not exist yet;
 * - `team_to`: JSON `{ "name": …, "lead": … }` (a lead named) or `{ "add": [staff ids] }` (books added).
 *
 * One pending grant of powers per member, as before, and one pending grant per team: a second would be
 * asked against a team the first changes. Undoing deletes the team grants — a release before this one
 * applies team changes at once and would list them as grants of powers; the audit trail keeps each one's
 * filing and decision — and drops the columns.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const columns = (await db.introspection.getTables()).find((t) => t.name === 'staff_grants')?.columns ?? [];
  for (const name of ['team_id', 'team_from', 'team_to'])
    if (!columns.some((c) => c.name === name)) await db.schema.alterTable('staff_grants').addColumn(name, 'text').execute();
  await db.schema.dropIndex('staff_grants_pending_member_idx').ifExists().execute();
  await db.schema
    .createIndex('staff_grants_pending_member_idx')
    .ifNotExists()
    .unique()
    .on('staff_grants')
    .columns(['tenant_id', 'staff_id'])
    .where(sql<boolean>`status = 'pending' AND team_id IS NULL`)
    .execute();
  await db.schema
    .createIndex('staff_grants_pending_team_idx')
    .ifNotExists()
    .unique()
    .on('staff_grants')
    .columns(['tenant_id', 'team_id'])
    .where(sql<boolean>`status = 'pending' AND team_id IS NOT NULL`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('staff_grants_pending_team_idx').ifExists().execute();
  await db.deleteFrom('staff_grants').where('team_id', 'is not', null).execute();
  await db.schema.dropIndex('staff_grants_pending_member_idx').ifExists().execute();
  await db.schema
    .createIndex('staff_grants_pending_member_idx')
    .ifNotExists()
    .unique()
    .on('staff_grants')
    .columns(['tenant_id', 'staff_id'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  for (const name of ['team_id', 'team_from', 'team_to']) await db.schema.alterTable('staff_grants').dropColumn(name).execute();
}
