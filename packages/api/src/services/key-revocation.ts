import { lockKeyOwners, lockUnrevokedKeys, type ApiKey, type Executor, type KeyWithOwner } from '@tierkit/db';
import { revokeKey } from '../auth/api-keys.js';
import { credentialsChanged } from '../auth/credential-cache.js';
import { tenantWideAdmin, type Principal } from '../auth/principal.js';
import { ProblemError } from '../problem.js';

/**
 * Whether a key can administer its tenant over HTTP: an admin key nobody owns, or one whose owner is
 * still on staff as a tenant-wide admin (a key acts with the lower of its role and its owner's, and a
 * book-scoped owner's key reaches one book, never `/v1/keys`). Staff tokens are not counted: they are
 * minted by the bank's backend with the library, beside the database, as the CLI is — a way back for
 * whoever runs the server, not for someone holding only a browser or an HTTP client.
 */
export function administersOverHttp({ key, owner }: KeyWithOwner): boolean {
  if (key.role !== 'admin') return false;
  return owner === undefined || (owner !== null && tenantWideAdmin(owner));
}

const WAYS_BACK =
  'issue another admin key first (a tenant-wide admin issues one in their own name with POST /v1/keys; an operator with `tierkit keys create --role admin --unowned`), or revoke this one on the server with `tierkit keys revoke`';

/**
 * Revoke `key` for an HTTP caller, unless that would leave the tenant no key that administers it over
 * HTTP (409 `last-admin-key`) or it is the key the request is authenticated with (409 `own-key`).
 * Nothing changes when it is refused. The caller's own key is refused first, from the request alone:
 * it needs no read, so it takes no lock. The tenant's admin keys are read and the key revoked in one
 * transaction, under their locks on PostgreSQL (`lockUnrevokedKeys`, in its lock order) and SQLite's
 * write lock, so two admins revoking the last two admin keys at once cannot both succeed: the second
 * sees the first's revocation. The CLI (`tierkit keys revoke`) does not come here: it is the way back.
 * Returns false when the key was already revoked (by the time its lock was had).
 */
export async function revokeOverHttp(db: Executor, principal: Principal, key: ApiKey, now: Date): Promise<boolean> {
  // Refused whatever its role and whatever remains: the answer would be the last thing the key ever
  // authenticates, and the way to rotate a key (issue a new one, switch to it, revoke the old with
  // the new) needs no request that ends itself.
  if (principal.via === 'key' && principal.actor === `key:${key.id}`) {
    throw new ProblemError(
      'own-key',
      `"${key.label}" is the key this request is authenticated with. Revoke it with another admin credential (issue yourself a new key, switch to it, then revoke this one), or on the server with \`tierkit keys revoke\`.`,
    );
  }
  const revoked = await db.transaction().execute(async (trx) => {
    if (key.role === 'admin') {
      const admins = await lockKeyOwners(trx, key.tenantId, await lockUnrevokedKeys(trx, key.tenantId, { role: 'admin' }));
      const target = admins.find((k) => k.key.id === key.id);
      if (target === undefined) return false;
      if (administersOverHttp(target) && !admins.some((k) => k.key.id !== key.id && administersOverHttp(k))) {
        throw new ProblemError(
          'last-admin-key',
          `"${key.label}" is the tenant's last admin key: revoked, nobody could administer the tenant over HTTP. To revoke it, ${WAYS_BACK}.`,
        );
      }
    }
    return revokeKey(trx, key.id, now);
  });
  // Told after the commit: told earlier, this process's credential cache could verify the key again
  // from the still-committed row and keep it.
  if (revoked) credentialsChanged();
  return revoked;
}
