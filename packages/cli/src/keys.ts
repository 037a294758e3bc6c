import {
  appendOperatorAudit,
  cliAction,
  createApiKey,
  credentialsChanged,
  findKeyBySecret,
  FOUR_EYES_ROLES,
  isKeyRole,
  KeyOwnerRefused,
  keyAuditDetail,
  listKeys,
  revokeKey,
  revokeKeysOf,
  rotateSigningKey,
  KEY_ROLES,
  ROLES,
  UNAUTHENTICATED_CHAIN,
} from '@tierkit/api';
import { findApiKey, findTenant, type Db, type Executor } from '@tierkit/db';
import type { Command } from './command.js';
import { recordRefusal } from './refusal-audit.js';
import { missingTenantReason } from '@tierkit/ops';
import { actionLine } from './output.js';

/**
 * Where `keys` and `tenants` write: results to `out` (with `json`, one JSON document), usage errors and
 * the reason of a failure to `err`, as every command does (packages/cli/README.md, "Exit codes and output").
 */
export interface CommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly json: boolean;
}

/** Options of `tierkit keys …` after parsing. */
export interface KeysArgs {
  readonly action: string | undefined;
  readonly id: string | undefined;
  readonly tenant: string | undefined;
  readonly role: string | undefined;
  readonly label: string | undefined;
  /** `--staff`: the staff member of the tenant who will hold the key. */
  readonly staff?: string | undefined;
  /** `--unowned`: an officer, approver or admin key held by nobody on staff, asked for on purpose. */
  readonly unowned?: boolean;
}

export const KEYS_USAGE = `  keys create --tenant ID --role ROLE --label TEXT [--staff STAFF_ID | --unowned]
                            create an API key; its secret is printed once (roles: ${ROLES.join(' < ')},
                            or embedder: may only mint embed tokens, for the portal backend; no --staff;
                            or auditor: internal audit, reads governance and decides nothing; --staff an auditor);
                            --staff: the staff member who holds it (${FOUR_EYES_ROLES.join(', ')} keys need one,
                            or --unowned on purpose: an operator's or an integration's key, audited as unowned)
  keys list [--tenant ID]   list keys (id, tenant, role, owner, label, prefix, state); never the secrets
  keys revoke KEY_ID        revoke a key at once (KEY_ID or, for a leaked key, its secret)
  keys revoke --staff STAFF_ID --tenant ID
                            revoke every active key a staff member owns (someone leaving)
  keys rotate-signing --tenant ID
                            new signing secret for the tenant's embed/staff tokens (outstanding tokens stop working)`;

/** The chain a refusal naming `tenantId` goes to: the tenant's, or the chain of no tenant when it does not exist (as the API's). */
export async function chainOf(db: Executor, tenantId: string | undefined): Promise<string> {
  return tenantId !== undefined && (await findTenant(db, tenantId)) ? tenantId : UNAUTHENTICATED_CHAIN;
}

/**
 * Run one `keys` action. Returns the exit code. Each change is committed with its audit record (a
 * failed one leaves the record of its refusal); a wrong command line (exit 2) reaches nothing to record.
 */
export async function runKeys(db: Db, args: KeysArgs, { out, err, json }: CommandIo): Promise<number> {
  const action = cliAction(`tierkit keys ${args.action ?? ''}`);
  switch (args.action) {
    case 'create': {
      if (!args.tenant || !args.role || !args.label) {
        err('keys create needs --tenant, --role and --label');
        return 2;
      }
      if (!isKeyRole(args.role)) {
        err(`unknown role "${args.role}"; one of ${KEY_ROLES.join(', ')}`);
        return 2;
      }
      if (args.staff !== undefined && !args.staff) {
        err('keys create --staff needs the id of a staff member of the tenant');
        return 2;
      }
      if (args.unowned && args.staff !== undefined) {
        err('keys create takes --staff or --unowned, not both');
        return 2;
      }
      // A key of a four-eyes role that nobody owns is a person of its own to four eyes: whoever holds it
      // and a credential of their own can approve their own requests. So it is never made by default
      // (packages/cli/README.md, "Keys").
      // An auditor's key reads the trail and every scheme's policy: it is always a named auditor's, never unowned.
      if (args.role === 'auditor' && args.staff === undefined) {
        err('keys create --role auditor needs --staff STAFF_ID (an auditor of the tenant): an auditor key is never unowned');
        return 2;
      }
      if (args.staff === undefined && !args.unowned && FOUR_EYES_ROLES.includes(args.role as (typeof FOUR_EYES_ROLES)[number])) {
        err(
          `keys create --role ${args.role} needs --staff STAFF_ID (the person who holds it: four eyes cannot tell an unowned key's holder from anyone else), or --unowned to issue an operator's or integration's key on purpose`,
        );
        return 2;
      }
      const { tenant, role, label, staff } = args;
      // createApiKey refuses bad input with a plain Error (no tenant, no such owner, a role above theirs);
      // a database's errors are its driver's own classes with a code, and the audit append's come later.
      let refusedInput = false;
      const created = await db.db
        .transaction()
        .execute(async (trx) => {
          const made = await createApiKey(trx, { tenantId: tenant, role, label, ...(staff !== undefined ? { staffId: staff } : {}) }).catch(
            (e: unknown) => {
              refusedInput = e instanceof KeyOwnerRefused || (e instanceof Error && e.constructor === Error && !('code' in e));
              throw e;
            },
          );
          const unowned = made.key.staffId === null && FOUR_EYES_ROLES.includes(made.key.role as (typeof FOUR_EYES_ROLES)[number]);
          await appendOperatorAudit(trx, tenant, action, {
            status: 201,
            target: { key: made.key.id },
            detail: { ...keyAuditDetail(made.key), ...(unowned ? { unowned: true } : {}) },
          });
          return made;
        })
        .catch(async (e: unknown) => {
          const why = e instanceof Error ? e.message : String(e);
          const chain = await chainOf(db.db, tenant);
          // No such tenant is a 404 in the chain of no tenant, as the API's; a refused input a 400; anything
          // else (the database, the key's own record) failed, a 500, not the operator's input.
          const status = chain === UNAUTHENTICATED_CHAIN ? 404 : refusedInput ? 400 : 500;
          await recordRefusal(
            db.db,
            chain,
            action,
            {
              status,
              problem: status === 404 ? 'not-found' : status === 400 ? 'validation' : 'internal',
              target: { tenant },
              detail: { role, owner: staff ?? null, label: label.trim(), refused: why },
            },
            err,
          );
          err(`keys create: ${why}`);
          return undefined;
        });
      if (!created) return 1;
      const { key, secret } = created;
      if (json) out(JSON.stringify({ ...key, secret }));
      else {
        out(
          actionLine(
            `created ${key.id} (tenant ${key.tenantId}, role ${key.role}, ${key.staffId ? `owner ${key.staffId}` : 'no owner'}, label "${key.label}")`,
          ),
        );
        out(`secret (shown once, store it now): ${secret}`);
      }
      // Asked for on purpose (--unowned), but four eyes still cannot see who holds it.
      if (key.staffId === null && key.role !== 'embedder' && FOUR_EYES_ROLES.includes(key.role as (typeof FOUR_EYES_ROLES)[number])) {
        err(
          `warning: ${key.id} can file or decide four-eyes requests and has no owner: four eyes counts it as a person of its own, so whoever holds it and another credential can approve their own requests. Keep it with the operator; revoke it when done.`,
        );
      }
      return 0;
    }
    case 'list': {
      // A mistyped tenant listed as "no API keys" reads as a tenant nobody can reach.
      const missing = args.tenant !== undefined ? await missingTenantReason(db.db, args.tenant) : undefined;
      if (missing) {
        err(`keys list: ${missing}`);
        return 1;
      }
      const keys = await listKeys(db.db, args.tenant);
      if (json) out(JSON.stringify(keys));
      else if (!keys.length) out('no API keys');
      else
        for (const k of keys)
          out(
            `${k.id}  ${k.tenantId}  ${k.role.padEnd(8)}  ${k.staffId ? `owner ${k.staffId}` : 'no owner'}  ${k.prefix}…  ${k.revokedAt ? `revoked ${k.revokedAt}` : 'active'}  ${k.label}`,
          );
      return 0;
    }
    case 'revoke': {
      if (args.staff !== undefined) {
        if (args.id || !args.tenant || !args.staff) {
          err('keys revoke --staff STAFF_ID needs --tenant and no key id');
          return 2;
        }
        const staffId = args.staff;
        // Someone leaving, or moving on: every key they hold stops at once, whatever its role.
        const tenant = args.tenant;
        // A mistyped tenant has no keys: "holds no active key" would read as done while the person's keys still work.
        if (!(await findTenant(db.db, tenant))) {
          await recordRefusal(
            db.db,
            UNAUTHENTICATED_CHAIN,
            action,
            {
              status: 404,
              problem: 'not-found',
              target: { tenant, staff: staffId },
            },
            err,
          );
          err(`keys revoke: tenant "${tenant}" does not exist`);
          return 1;
        }
        const revoked = await db.db.transaction().execute(async (trx) => {
          // Every revoke first, then their records: the first append takes the chain's head (on
          // PostgreSQL its row lock, which every other request of the tenant waits on to be recorded)
          // and holds it to the commit, so only the appends run while it is held. Committed together still.
          // The keys are locked in the order an HTTP revocation locks them too, so the two queue, never deadlock.
          const done = await revokeKeysOf(trx, tenant, staffId);
          for (const k of done)
            await appendOperatorAudit(trx, tenant, action, {
              status: 200,
              target: { key: k.id, staff: staffId },
              detail: keyAuditDetail(k),
            });
          // Nothing to revoke is still an answer someone asked for: the trail shows it was checked.
          if (!done.length)
            await appendOperatorAudit(trx, tenant, action, {
              status: 200,
              target: { staff: staffId },
              detail: { owner: staffId, revoked: [] },
            });
          return done.map((k) => k.id);
        });
        if (revoked.length) credentialsChanged();
        if (json) out(JSON.stringify({ tenantId: args.tenant, staffId, revoked }));
        else
          out(
            revoked.length
              ? actionLine(`revoked ${revoked.join(', ')}: every active key of ${staffId} in tenant ${args.tenant}`)
              : `${staffId} holds no active key in tenant ${args.tenant}`,
          );
        return 0;
      }
      if (!args.id) {
        err('keys revoke needs the key id (see keys list)');
        return 2;
      }
      // A leaked key's secret may be all an operator holds: revoke the key it belongs to, naming it by
      // id and by the prefix `keys list` shows, never by the secret (the audit chain keeps what it is given).
      const secretShaped = args.id.startsWith('tk_') || args.id.startsWith('tkt_');
      const bySecret = args.id.startsWith('tk_') ? await findKeyBySecret(db.db, args.id) : undefined;
      if (secretShaped && !bySecret) {
        const shown = args.id.startsWith('tkt_') ? 'tkt_…' : `${args.id.slice(0, 10)}…`;
        await recordRefusal(
          db.db,
          UNAUTHENTICATED_CHAIN,
          action,
          {
            status: 404,
            problem: 'not-found',
            target: { key: shown },
          },
          err,
        );
        err(
          args.id.startsWith('tkt_')
            ? 'keys revoke: that is a signed token, not a key: it ends at its expiry, or at once for all with keys rotate-signing'
            : `keys revoke: no key has the secret ${shown} (see keys list)`,
        );
        return 1;
      }
      if (bySecret) err(`keys revoke: that is the secret of ${bySecret.id} (${bySecret.prefix}…), not its id: treat it as leaked`);
      const id = bySecret ? bySecret.id : args.id;
      const known = (await listKeys(db.db)).find((k) => k.id === id);
      const revoked = await db.db.transaction().execute(async (trx) => {
        if (!known || !(await revokeKey(trx, id))) return false;
        await appendOperatorAudit(trx, known.tenantId, action, { status: 200, target: { key: id }, detail: keyAuditDetail(known) });
        return true;
      });
      if (revoked) credentialsChanged();
      else {
        // Already revoked (409, in its tenant's chain) or no such key anywhere (404, in the chain of no tenant).
        // `known` was read before the attempt: a revoke that won the race since is what the refusal met,
        // so the record says when the key was revoked as the database has it now.
        const held = known ? ((await findApiKey(db.db, known.tenantId, id)) ?? known) : undefined;
        await recordRefusal(
          db.db,
          known ? known.tenantId : UNAUTHENTICATED_CHAIN,
          action,
          {
            status: known ? 409 : 404,
            problem: known ? 'conflict' : 'not-found',
            target: { key: id },
            detail: known ? { ...keyAuditDetail(known), revokedAt: held?.revokedAt ?? null } : null,
          },
          err,
        );
        err(`keys revoke: no active key ${id} (see keys list)`);
        return 1;
      }
      out(json ? JSON.stringify({ id, revoked: true }) : actionLine(`revoked ${id}`));
      return 0;
    }
    case 'rotate-signing': {
      if (!args.tenant) {
        err('keys rotate-signing needs --tenant');
        return 2;
      }
      // Asked first: otherwise the database refuses the new secret with a foreign-key error.
      const tenant = args.tenant;
      if (!(await findTenant(db.db, tenant))) {
        await recordRefusal(db.db, UNAUTHENTICATED_CHAIN, action, { status: 404, problem: 'not-found', target: { tenant } }, err);
        err(`keys rotate-signing: tenant "${tenant}" does not exist`);
        return 1;
      }
      const key = await db.db.transaction().execute(async (trx) => {
        const made = await rotateSigningKey(trx, tenant);
        // The new key's id only: its secret signs tokens and never leaves the database.
        await appendOperatorAudit(trx, tenant, action, { status: 200, target: { tenant }, detail: { signingKey: made.id } });
        return made;
      });
      credentialsChanged();
      out(
        json
          ? JSON.stringify({ tenantId: args.tenant, signingKeyId: key.id })
          : actionLine(`tenant ${args.tenant} now signs tokens with ${key.id}; older tokens no longer verify`),
      );
      return 0;
    }
    default:
      err(`unknown keys action "${args.action ?? ''}"\n${KEYS_USAGE}`);
      return 2;
  }
}

export const keysCommand: Command = {
  name: 'keys',
  usage: KEYS_USAGE,
  options: { role: { type: 'string' }, label: { type: 'string' }, staff: { type: 'string' }, unowned: { type: 'boolean' } },
  async run(ctx) {
    // Their output (stdout) is the listing itself: the database line goes to stderr, so a listing of
    // nothing still says where it looked.
    const db = await ctx.openDatabase(ctx.err);
    try {
      const opt = (name: string) => (typeof ctx.options[name] === 'string' ? (ctx.options[name] as string) : undefined);
      return await runKeys(
        db,
        {
          action: ctx.args[0],
          id: ctx.args[1],
          tenant: opt('tenant'),
          role: opt('role'),
          label: opt('label'),
          staff: opt('staff'),
          unowned: ctx.options.unowned === true,
        },
        ctx,
      );
    } finally {
      await db.close();
    }
  },
};
