import {
  appendOperatorAudit,
  AUDITOR,
  AUDITOR_TENANT_WIDE,
  BankId,
  cliAction,
  credentialsChanged,
  disableStaff,
  isStaffRole,
  ProblemError,
  putStaffOverHttp,
  STAFF_ROLES,
  STAFF_SCOPES,
  staffJson,
  UNAUTHENTICATED_CHAIN,
} from '@tierkit/api';
import { findTenant, listStaff, supersedeStaffGrantOf, supersedeTeamGrantsLedBy, type Db, type StaffMember } from '@tierkit/db';
import type { Command } from './command.js';
import { chainOf, type CommandIo } from './keys.js';
import { recordRefusal } from './refusal-audit.js';
import { actionLine } from './output.js';

const LEAD_CHANGED = "superseded: the operator changed the lead's powers directly (tierkit staff, break-glass)";

/** Options of `tierkit staff …` after parsing. */
export interface StaffArgs {
  readonly action: string | undefined;
  /** The staff member's id (the bank's own). */
  readonly id: string | undefined;
  readonly tenant: string | undefined;
  readonly name: string | undefined;
  readonly role: string | undefined;
  readonly scope: string | undefined;
}

export const STAFF_USAGE = `  staff list --tenant ID [--role ROLE]
                            list staff members (id, role, scope, name)
  staff add STAFF_ID --tenant ID --name TEXT --role ROLE [--scope tenant|book]
                            add a staff member (--scope book: a relationship manager, who reads their book only)
  staff role STAFF_ID --tenant ID --role ROLE [--scope tenant|book] [--name TEXT]
                            change a staff member's role or scope (the operator's break-glass: see packages/cli/README.md)
  staff disable STAFF_ID --tenant ID
                            someone leaving: revoke every key they own; their tokens and keys stop working (staff role gives a role back)
  (demoting or disabling the tenant's last tenant-wide admin is refused, as over HTTP: promote another first)`;

/** What a staff change's audit record says the member was and became: name, role, scope, and since when disabled if they are. */
const held = (s: Pick<StaffMember, 'name' | 'role' | 'scope'> & { readonly disabledAt?: string | null }) => ({
  name: s.name,
  role: s.role,
  scope: s.scope,
  ...(s.disabledAt ? { disabledAt: s.disabledAt } : {}),
});

/**
 * Run one `staff` action. Returns the exit code. The rules are the API's (`PUT /v1/staff/{id}`:
 * `putStaffOverHttp`, the last-admin guard), and every change is committed with its audit record, the
 * operator as actor (`cli:<OS user>@<host>`), as `keys` records; a refusal is recorded after its
 * rollback, and a wrong command line (exit 2) reaches nothing to record.
 */
export async function runStaff(db: Db, args: StaffArgs, { out, err, json }: CommandIo): Promise<number> {
  const action = cliAction(`tierkit staff ${args.action ?? ''}`);
  const usage = (line: string) => {
    err(line);
    return 2;
  };
  switch (args.action) {
    case 'list': {
      if (!args.tenant) return usage('staff list needs --tenant');
      if (args.role !== undefined && !isStaffRole(args.role)) return usage(`unknown role "${args.role}"; one of ${STAFF_ROLES.join(', ')}`);
      // A mistyped tenant has no staff: "no staff" would read as an answer about the bank.
      if (!(await findTenant(db.db, args.tenant))) {
        err(`staff list: tenant "${args.tenant}" does not exist`);
        return 1;
      }
      const all: StaffMember[] = [];
      for (let page = await listStaff(db.db, args.tenant, { limit: 1000, ...(args.role ? { role: args.role } : {}) }); page.length; ) {
        all.push(...page);
        const last = page.at(-1)?.id;
        page =
          page.length < 1000 || last === undefined
            ? []
            : await listStaff(db.db, args.tenant, { limit: 1000, afterId: last, ...(args.role ? { role: args.role } : {}) });
      }
      if (json) out(JSON.stringify(all.map(staffJson)));
      else if (!all.length) out(`no staff in tenant ${args.tenant}`);
      else
        for (const s of all)
          out(`${s.id}  ${s.role.padEnd(8)}  ${s.scope.padEnd(6)}  ${s.name}${s.disabledAt ? `  (disabled ${s.disabledAt})` : ''}`);
      return 0;
    }
    case 'add':
    case 'role':
    case 'disable': {
      const verb = args.action;
      const need = verb === 'add' ? '--tenant, --name and --role' : verb === 'role' ? '--tenant and --role' : '--tenant';
      if (!args.id || !args.tenant) return usage(`staff ${verb} needs the staff id and ${need}: staff ${verb} STAFF_ID ${need}`);
      if (!BankId.safeParse(args.id).success)
        return usage(`staff ${verb}: "${args.id}" is not a staff id (letters, digits, "_", ".", ":", "-"; at most 64)`);
      if (verb !== 'disable') {
        if (!args.role) return usage(`staff ${verb} needs --role (${STAFF_ROLES.join(', ')})`);
        if (!isStaffRole(args.role)) return usage(`unknown role "${args.role}"; one of ${STAFF_ROLES.join(', ')}`);
        if (args.scope !== undefined && !(STAFF_SCOPES as readonly string[]).includes(args.scope))
          return usage(`unknown scope "${args.scope}"; one of ${STAFF_SCOPES.join(', ')}`);
        // Refused before the database: the API's own words (schemas/staff.ts); a member already in one
        // book made an auditor without --scope is refused by the service, and recorded.
        if (args.role === AUDITOR && args.scope === 'book') return usage(`staff ${verb}: ${AUDITOR_TENANT_WIDE}: give --scope tenant`);
      } else if (args.role !== undefined || args.scope !== undefined || args.name !== undefined)
        return usage('staff disable takes no --role, --scope or --name: it leaves them a viewer of their book');
      const name = args.name?.trim();
      if (verb === 'add' && !name) return usage('staff add needs --name (the person’s name, 1 to 100 characters)');
      if (name !== undefined && (!name || name.length > 100)) return usage(`staff ${verb}: --name must be 1 to 100 characters`);
      const tenant = args.tenant;
      const id = args.id;
      // What was asked, for the record of a refusal: the member as read under the lock, and what they were to become.
      let before: StaffMember | undefined;
      let after: { name: string; role: string; scope: string } | undefined;
      const seen = (current: StaffMember | undefined) => {
        before = current;
        if (verb === 'add' && current)
          throw new ProblemError(
            'conflict',
            `staff member "${id}" already exists (${current.role}, ${current.scope}): change them with staff role`,
          );
        if (verb !== 'add' && !current) throw new ProblemError('not-found', `no staff member "${id}" in tenant ${tenant} (see staff list)`);
      };
      try {
        if (!(await findTenant(db.db, tenant))) throw new ProblemError('not-found', `tenant "${tenant}" does not exist`);
        const done = await db.db.transaction().execute(async (trx) => {
          if (verb === 'disable') {
            const at = new Date();
            const made = await disableStaff(trx, tenant, id, at, seen);
            after = held(made.staff);
            const superseded = await supersedeStaffGrantOf(trx, tenant, id, action.actor, at.toISOString());
            const teams = await supersedeTeamGrantsLedBy(trx, tenant, id, action.actor, at.toISOString(), LEAD_CHANGED);
            await appendOperatorAudit(trx, tenant, action, {
              status: 200,
              target: { staff: id },
              detail: {
                before: held(made.before),
                after,
                revoked: made.revoked.map((k) => k.id),
                breakGlass: true,
                ...(superseded ? { supersededGrant: superseded } : {}),
                ...(teams.length > 0 ? { supersededTeamGrants: teams } : {}),
              },
            });
            return { staff: made.staff, created: false, revoked: made.revoked.map((k) => k.id) };
          }
          const role = args.role as string;
          const from = (current: StaffMember | undefined) => {
            // What was asked first: a refusal (an add of someone there) is recorded with it, as the API's is.
            after = { name: name ?? current?.name ?? '', role, scope: args.scope ?? current?.scope ?? 'tenant' };
            seen(current);
            return { id, ...after };
          };
          const at = new Date().toISOString();
          const made = await putStaffOverHttp(trx, tenant, { id, from }, at);
          // A row not yet there is not locked: an add that committed after ours read it makes this insert
          // an update of theirs. Refused (and rolled back) as if we had seen it, not a silent rewrite.
          if (verb === 'add' && !made.created)
            throw new ProblemError(
              'conflict',
              `staff member "${id}" was added meanwhile (${made.before?.role}, ${made.before?.scope}): change them with staff role`,
            );
          // Not four eyes, unlike a grant of power over HTTP (PUT /v1/staff/{id} answers 202): the operator on
          // the server is the way out when no second admin can decide, and the record says so (breakGlass).
          // A grant still waiting for this member was asked against what they held before: left pending, a
          // second admin could later be shown a stale from → to, and the member could get no new one asked.
          const superseded = await supersedeStaffGrantOf(trx, tenant, id, action.actor, at);
          // A team grant naming them lead was asked against their powers: changed, it could never be approved.
          const b = made.before;
          const changed =
            b !== undefined && (b.role !== made.staff.role || b.scope !== made.staff.scope || b.disabledAt !== made.staff.disabledAt);
          const teams = changed ? await supersedeTeamGrantsLedBy(trx, tenant, id, action.actor, at, LEAD_CHANGED) : [];
          await appendOperatorAudit(trx, tenant, action, {
            status: made.created ? 201 : 200,
            target: { staff: id },
            detail: {
              before: made.before ? held(made.before) : null,
              after: held(made.staff),
              breakGlass: true,
              ...(superseded ? { supersededGrant: superseded } : {}),
              ...(teams.length > 0 ? { supersededTeamGrants: teams } : {}),
            },
          });
          return { staff: made.staff, created: made.created, revoked: [] as string[] };
        });
        credentialsChanged();
        if (json) out(JSON.stringify({ ...staffJson(done.staff), ...(verb === 'disable' ? { revokedKeys: done.revoked } : {}) }));
        else if (verb === 'disable')
          out(
            actionLine(
              `disabled ${id} in tenant ${tenant}: their tokens and keys no longer authenticate; ${done.revoked.length ? `revoked ${done.revoked.join(', ')}` : 'they held no active key'}`,
            ),
          );
        else
          out(
            actionLine(
              `${done.created ? 'added' : 'changed'} ${id} in tenant ${tenant}: ${done.staff.role}, ${done.staff.scope}, "${done.staff.name}"`,
            ),
          );
        return 0;
      } catch (e) {
        const problem = e instanceof ProblemError ? e : undefined;
        const status = problem?.status ?? 500;
        const chain = await chainOf(db.db, tenant);
        await recordRefusal(
          db.db,
          chain,
          action,
          {
            status: chain === UNAUTHENTICATED_CHAIN ? 404 : status,
            problem: chain === UNAUTHENTICATED_CHAIN ? 'not-found' : (problem?.kind ?? 'internal'),
            target: chain === UNAUTHENTICATED_CHAIN ? { tenant, staff: id } : { staff: id },
            detail: { before: before ? held(before) : null, after: after ?? null, refused: e instanceof Error ? e.message : String(e) },
          },
          err,
        );
        // One line: the API's code when it has one (last-admin-staff, not-found, conflict), then why.
        const why = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ');
        err(`staff ${verb}: ${problem ? `${problem.kind}: ` : ''}${why}`);
        return 1;
      }
    }
    default:
      err(`unknown staff action "${args.action ?? ''}"\n${STAFF_USAGE}`);
      return 2;
  }
}

export const staffCommand: Command = {
  name: 'staff',
  usage: STAFF_USAGE,
  options: { role: { type: 'string' }, name: { type: 'string' }, scope: { type: 'string' } },
  async run(ctx) {
    // The listing is stdout: the database line goes to stderr, as keys and tenants do.
    const db = await ctx.openDatabase(ctx.err);
    try {
      const opt = (name: string) => (typeof ctx.options[name] === 'string' ? (ctx.options[name] as string) : undefined);
      return await runStaff(
        db,
        { action: ctx.args[0], id: ctx.args[1], tenant: opt('tenant'), name: opt('name'), role: opt('role'), scope: opt('scope') },
        ctx,
      );
    } finally {
      await db.close();
    }
  },
};
