import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the default SQLite file lives in its `./data`, whoever opens it (CLI or server). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** What every tierkit process on Node needs to know, from the environment (see packages/ops/README.md). */
export interface OpsSettings {
  readonly databaseUrl: string;
  readonly tenant: string;
  /** Customers to seed the demo tenant with. */
  readonly customers: number;
  /** `TIERKIT_ADMIN_KEY`: an admin key secret to make sure exists for `tenant` (ops bootstrap). */
  readonly adminKey: string | undefined;
}

/** `DATABASE_URL`, `TIERKIT_TENANT`, `DEMO_CUSTOMERS`, `TIERKIT_ADMIN_KEY`, with the demo defaults. */
export function opsSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): OpsSettings {
  const customers = Number(env.DEMO_CUSTOMERS ?? 10_000);
  if (!Number.isInteger(customers) || customers < 5) throw new Error(`DEMO_CUSTOMERS must be an integer ≥ 5, got "${env.DEMO_CUSTOMERS}"`);
  return {
    databaseUrl: env.DATABASE_URL || resolve(REPO_ROOT, 'data/tierkit.db'),
    tenant: env.TIERKIT_TENANT ?? 'demo',
    customers,
    adminKey: env.TIERKIT_ADMIN_KEY || undefined,
  };
}
