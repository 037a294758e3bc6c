import {
  appendOperatorAudit,
  BankId,
  changeTeamBooks,
  cliAction,
  credentialsChanged,
  ProblemError,
  putTeam,
  teamHeld,
  teamJson,
} from '@tierkit/api';
import { findTenant, listTeams, supersedeTeamGrantOf, type Db } from '@tierkit/db';
import type { Command } from './command.js';
import type { CommandIo } from './keys.js';
import { actionLine } from './output.js';

export const TEAMS_USAGE = `  teams list --tenant ID      list teams of books (id, lead, books, name)
  teams put TEAM_ID --tenant ID --name TEXT [--lead STAFF_ID | --no-lead]
                            create a team or rename it; its lead (book-scoped) reads its books besides their own
  teams add TEAM_ID STAFF_ID... --tenant ID
  teams remove TEAM_ID STAFF_ID... --tenant ID
                            put RMs' books into a team, or take them out`;

/**
 * Run one `teams` action; the exit code. The rules are the API's (`PUT /v1/teams/{id}`,
 * `POST /v1/teams/{id}/books`: services/teams.ts), and every change is committed with its audit record,
 * the operator as actor (`cli:<OS user>@<host>`), as `staff` records its changes.
 */
export async function runTeams(
  db: Db,
  args: {
    readonly action?: string;
    readonly rest: readonly string[];
    readonly tenant?: string;
    readonly name?: string;
    readonly lead?: string | null;
  },
  { out, err, json }: CommandIo,
): Promise<number> {
  const usage = (line: string) => {
    err(`${line}\n${TEAMS_USAGE}`);
    return 2;
  };
  if (!args.tenant) return usage(`teams ${args.action ?? ''} needs --tenant`);
  const tenant = args.tenant;
  if (!(await findTenant(db.db, tenant))) {
    err(`teams: tenant "${tenant}" does not exist`);
    return 1;
  }
  if (args.action === 'list') {
    const teams = await listTeams(db.db, tenant);
    if (json) out(JSON.stringify(teams.map(teamJson)));
    else if (!teams.length) out(`no teams in tenant ${tenant}`);
    else for (const t of teams) out(`${t.id}  lead ${t.lead ?? '-'}  books ${t.books.join(',') || '-'}  ${t.name}`);
    return 0;
  }
  const [id, ...books] = args.rest;
  if (args.action !== 'put' && args.action !== 'add' && args.action !== 'remove')
    return usage(`unknown teams action "${args.action ?? ''}"`);
  if (!id || !BankId.safeParse(id).success) return usage(`teams ${args.action} needs a team id (letters, digits, "_", ".", ":", "-")`);
  const bad = books.find((b) => !BankId.safeParse(b).success);
  if (bad !== undefined) return usage(`teams ${args.action}: "${bad}" is not a staff id`);
  const name = args.name?.trim();
  if (args.action === 'put' && (!name || name.length > 100)) return usage('teams put needs --name (1 to 100 characters)');
  if (args.action !== 'put' && books.length === 0) return usage(`teams ${args.action} needs one or more staff ids (their books)`);
  const action = cliAction(`tierkit teams ${args.action}`);
  try {
    const at = new Date().toISOString();
    // A grant waiting for a second admin (four eyes on teams) was asked against the team as it was:
    // the operator's change supersedes it, as `tierkit staff` supersedes a member's grant.
    const supersede = async (trx: Parameters<typeof supersedeTeamGrantOf>[0]) => {
      const grant = await supersedeTeamGrantOf(
        trx,
        tenant,
        id,
        action.actor,
        at,
        `superseded: the operator changed team ${id} directly (tierkit teams, break-glass)`,
      );
      return grant ? { supersededGrant: grant } : {};
    };
    const team = await db.db.transaction().execute(async (trx) => {
      if (args.action === 'put') {
        const done = await putTeam(trx, tenant, id, { name: name ?? '', ...(args.lead !== undefined ? { lead: args.lead } : {}) }, at);
        const superseded = done.before?.lead !== done.after.lead ? await supersede(trx) : {};
        await appendOperatorAudit(trx, tenant, action, {
          status: done.created ? 201 : 200,
          target: { team: id },
          // Outside the API's own path (a team widens its lead's reach): the operator's break-glass, as
          // `tierkit staff` records its changes (docs/permissions.md), so an auditor finds it among them.
          detail: { before: teamHeld(done.before), after: teamHeld(done.after), breakGlass: true, ...superseded },
        });
        return done.after;
      }
      const done = await changeTeamBooks(trx, tenant, id, args.action === 'add' ? { add: books } : { remove: books }, action.actor, at);
      const superseded = done.added.length + done.removed.length > 0 ? await supersede(trx) : {};
      await appendOperatorAudit(trx, tenant, action, {
        status: 200,
        target: { team: id },
        detail: { added: done.added, removed: done.removed, after: teamHeld(done.after), breakGlass: true, ...superseded },
      });
      return done.after;
    });
    credentialsChanged();
    if (json) out(JSON.stringify(teamJson(team)));
    else
      out(
        actionLine(`team ${team.id} in tenant ${tenant}: lead ${team.lead ?? '-'}, books ${team.books.join(',') || '-'}, "${team.name}"`),
      );
    return 0;
  } catch (e) {
    const problem = e instanceof ProblemError ? e : undefined;
    const why = (problem?.errors?.map((x) => `${x.path}: ${x.message}`).join('; ') || (e instanceof Error ? e.message : String(e))).replace(
      /\s+/g,
      ' ',
    );
    err(`teams ${args.action}: ${problem ? `${problem.kind}: ` : ''}${why}`);
    return 1;
  }
}

export const teamsCommand: Command = {
  name: 'teams',
  usage: TEAMS_USAGE,
  options: { name: { type: 'string' }, lead: { type: 'string' }, 'no-lead': { type: 'boolean' } },
  async run(ctx) {
    const db = await ctx.openDatabase(ctx.err);
    try {
      const opt = (name: string) => (typeof ctx.options[name] === 'string' ? (ctx.options[name] as string) : undefined);
      const lead = ctx.options['no-lead'] === true ? null : opt('lead');
      return await runTeams(
        db,
        { action: ctx.args[0], rest: ctx.args.slice(1), tenant: opt('tenant'), name: opt('name'), ...(lead !== undefined ? { lead } : {}) },
        ctx,
      );
    } finally {
      await db.close();
    }
  },
};
