// One home for the read benches' book: a seeded 10,000-customer demo file (seeded once, kept for
// reruns), a viewer API key and an embed token on it, and its customers' ids for random asks.
import { existsSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { createApiKey, mintEmbedToken } from '@tierkit/api';
import { openDatabase, seedIfNeeded } from '../../apps/server/src/server.js';

export interface SeededReads {
  /** A viewer API key's secret (`label` names it in the file). */
  readonly secret: string;
  /** An embed token for C000003, 15 minutes. */
  readonly token: string;
  readonly ids: readonly { readonly id: string; readonly external_id: string }[];
}

export async function seededReads(file: string, label: string): Promise<SeededReads> {
  if (!existsSync(file)) {
    const started = Date.now();
    const db = await openDatabase(file);
    await seedIfNeeded(db, { tenant: 'demo', customers: 10_000 }, () => undefined);
    await db.close();
    console.log(`seeded ${file} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  const seeded = await openDatabase(file);
  const { secret } = await createApiKey(seeded.db, { tenantId: 'demo', role: 'viewer', label });
  const { token } = await mintEmbedToken(seeded.db, { tenantId: 'demo', subject: 'C000003', ttlSeconds: 900 });
  await seeded.close();
  const raw = new SQLite(file, { readonly: true });
  const ids = raw.prepare("SELECT id, external_id FROM subjects WHERE tenant_id = 'demo' AND kind = 'customer'").all() as {
    id: string;
    external_id: string;
  }[];
  raw.close();
  return { secret, token, ids };
}
