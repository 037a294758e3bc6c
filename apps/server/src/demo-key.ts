import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { appendOperatorAudit, ensureApiKey, keyAuditDetail, startupAction, type LogLine } from '@tierkit/api';
import { atomically, isPostgresUrl, seedRunClaimed, type Db } from '@tierkit/db';
import type { ServerSettings } from './server.js';

/**
 * The demo's keys: `viewer` for a first `curl` of the tiers, `embedder` for minting a widget's token the
 * way a bank's portal backend does (packages/api/README.md, "Authentication"), never with an officer key.
 */
export type DemoKeyRole = 'viewer' | 'embedder';

/**
 * Where a demo key is kept (`demo-<role>.key`): beside the SQLite file it belongs to (so a fresh database
 * gets a fresh key), or in `./data` for PostgreSQL. Readable by the owner only.
 */
export function demoKeyPath(settings: Pick<ServerSettings, 'databaseUrl'>, repoRoot: string, role: DemoKeyRole = 'viewer'): string {
  const dir = isPostgresUrl(settings.databaseUrl) ? resolve(repoRoot, 'data') : dirname(resolve(settings.databaseUrl));
  return join(dir, `demo-${role}.key`);
}

/**
 * Whether this start turns demo mode on (demo keys, `/demo/*` tokens): `DEMO_TOKENS` allows it, and
 * the tenant is one the demo seeder made. On a loopback address demo tokens are on by default, and
 * behind a same-host nginx `DEMO_TOKENS=off` was forgotten: the server made demo keys in the bank's
 * own tenant, printed their secrets, and minted tokens for its real customers to anyone. A tenant set
 * up otherwise (`tierkit tenants create`) never gets them, whatever `DEMO_TOKENS` says.
 */
export async function demoTokensFor(
  db: Db,
  settings: Pick<ServerSettings, 'tenant' | 'demoTokens'>,
  log: (line: string) => void,
): Promise<boolean> {
  if (!settings.demoTokens) return false;
  if (await seedRunClaimed(db.db, settings.tenant)) return true;
  log(
    `demo: tenant "${settings.tenant}" is not a demo tenant this server seeded: no demo keys, no /demo/ tokens (DEMO_TOKENS is ignored for it)`,
  );
  return false;
}

/**
 * A new user's first `curl` needs a credential, and the API never serves customer data without one.
 * In demo mode the server makes a read-only (viewer) key and an embedder key once each, keeps their
 * secrets in 0600 files and prints ready-to-paste commands: a portal team copies what the demo shows,
 * so it shows the embedder key minting, not an officer key. A bank's deployment turns demo mode off
 * (`DEMO_TOKENS=off`) and issues keys with `tierkit keys create`.
 */
export async function ensureDemoKeys(
  db: Db,
  settings: Pick<ServerSettings, 'tenant' | 'databaseUrl' | 'demoTokens'>,
  repoRoot: string,
  log: LogLine,
): Promise<{ readonly viewer?: string; readonly embedder?: string }> {
  const viewer = await ensureDemoKey(db, settings, repoRoot, log, 'viewer');
  const embedder = await ensureDemoKey(db, settings, repoRoot, log, 'embedder');
  return { ...(viewer ? { viewer } : {}), ...(embedder ? { embedder } : {}) };
}

async function ensureDemoKey(
  db: Db,
  settings: Pick<ServerSettings, 'tenant' | 'databaseUrl' | 'demoTokens'>,
  repoRoot: string,
  log: LogLine,
  role: DemoKeyRole,
): Promise<string | undefined> {
  if (!settings.demoTokens) return undefined;
  const path = demoKeyPath(settings, repoRoot, role);
  let secret = existsSync(path) ? readFileSync(path, 'utf8').trim() : '';
  if (!secret) {
    secret = `tk_${randomBytes(32).toString('base64url')}`;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, secret + '\n', { mode: 0o600 });
  }
  try {
    const tenantId = settings.tenant;
    // Issued with its audit record, as every key is: the trail shows the demo's key came from the start-up.
    const { key, created } = await atomically(db.db, async (trx) => {
      const ensured = await ensureApiKey(trx, { tenantId, secret, role, label: `demo ${role}` });
      const k = ensured.key;
      if (ensured.created)
        await appendOperatorAudit(trx, tenantId, startupAction('DEMO_TOKENS'), {
          status: 201,
          target: { key: k.id },
          detail: keyAuditDetail(k),
        });
      return ensured;
    });
    log(`auth: demo ${role} key ${key.id}${created ? ' (created)' : ''}, secret in ${path}`);
    return secret;
  } catch (error) {
    // Revoked or re-purposed by an operator: respect that, and say how to get a new one.
    log(`auth: demo ${role} key not usable (${(error as Error).message}); delete ${path} to make a new one`, 'warn');
    return undefined;
  }
}
