import { appendOperatorAudit, ensureApiKey, keyAuditDetail, startupAction } from '@tierkit/api';
import { atomically, type Db } from '@tierkit/db';
import type { OpsSettings } from './settings.js';

/** With `TIERKIT_ADMIN_KEY` set, make sure that secret is an admin key of the tenant. Never logs the secret. */
export async function ensureAdminKey(
  db: Db,
  settings: Pick<OpsSettings, 'tenant' | 'adminKey'>,
  log: (line: string) => void,
): Promise<void> {
  if (!settings.adminKey) return;
  const tenantId = settings.tenant;
  const secret = settings.adminKey;
  // A key made from the environment is issued like any other: with its audit record, in one transaction.
  const { key, created } = await atomically(db.db, async (trx) => {
    const ensured = await ensureApiKey(trx, { tenantId, secret, role: 'admin', label: 'TIERKIT_ADMIN_KEY' });
    const k = ensured.key;
    if (ensured.created)
      await appendOperatorAudit(trx, tenantId, startupAction('TIERKIT_ADMIN_KEY'), {
        status: 201,
        target: { key: k.id },
        detail: keyAuditDetail(k),
      });
    return ensured;
  });
  // It can approve and belongs to nobody: four eyes cannot tell its holder from their other credentials.
  log(
    `auth: TIERKIT_ADMIN_KEY is admin key ${key.id} of tenant "${settings.tenant}"${created ? ' (created)' : ''}, owned by no staff member: use it to set up staff and their owned keys (tierkit keys create --staff), not to approve`,
  );
}
