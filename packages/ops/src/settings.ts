import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TIME_ZONE, isTimeZone } from '@tierkit/core';

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
  /**
   * `TIERKIT_TIME_ZONE`: the bank's calendar, where its days and months end (current month, month-end
   * re-evaluation, review due days, override expiry). Every process of a deployment — servers, workers,
   * the CLI — must use the same one.
   */
  readonly timeZone: string;
}

/** `TIERKIT_TIME_ZONE`, checked: an unknown zone stops the process at start, not a request later. */
export function timeZoneFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const zone = env.TIERKIT_TIME_ZONE || DEFAULT_TIME_ZONE;
  if (!isTimeZone(zone)) throw new Error(`TIERKIT_TIME_ZONE must be an IANA time zone such as Asia/Shanghai, got "${zone}"`);
  return zone;
}

/** `DATABASE_URL`, `TIERKIT_TENANT`, `DEMO_CUSTOMERS`, `TIERKIT_ADMIN_KEY`, `TIERKIT_TIME_ZONE`, with the demo defaults. */
export function opsSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): OpsSettings {
  const customers = Number(env.DEMO_CUSTOMERS ?? 10_000);
  if (!Number.isInteger(customers) || customers < 5) throw new Error(`DEMO_CUSTOMERS must be an integer ≥ 5, got "${env.DEMO_CUSTOMERS}"`);
  return {
    databaseUrl: env.DATABASE_URL || resolve(REPO_ROOT, 'data/tierkit.db'),
    tenant: env.TIERKIT_TENANT ?? 'demo',
    customers,
    adminKey: env.TIERKIT_ADMIN_KEY || undefined,
    timeZone: timeZoneFromEnv(env),
  };
}
