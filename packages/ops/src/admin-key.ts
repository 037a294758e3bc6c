import { ensureApiKey } from '@tierkit/api';
import type { Db } from '@tierkit/db';
import type { OpsSettings } from './settings.js';

/** With `TIERKIT_ADMIN_KEY` set, make sure that secret is an admin key of the tenant. Never logs the secret. */
export async function ensureAdminKey(
  db: Db,
  settings: Pick<OpsSettings, 'tenant' | 'adminKey'>,
  log: (line: string) => void,
): Promise<void> {
  if (!settings.adminKey) return;
  const { key, created } = await ensureApiKey(db.db, {
    tenantId: settings.tenant,
    secret: settings.adminKey,
    role: 'admin',
    label: 'TIERKIT_ADMIN_KEY',
  });
  // It can approve and belongs to nobody: four eyes cannot tell its holder from their other credentials.
  log(
    `auth: TIERKIT_ADMIN_KEY is admin key ${key.id} of tenant "${settings.tenant}"${created ? ' (created)' : ''}, owned by no staff member: use it to set up staff and their owned keys (tierkit keys create --staff), not to approve`,
  );
}
