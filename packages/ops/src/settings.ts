import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_OVERDUE_DAYS, DEFAULT_SETTLE_MINUTES, logFormatFromEnv } from '@tierkit/api';
import { DEFAULT_TIME_ZONE, isTimeZone } from '@tierkit/core';
import {
  PG_CONNECT_TIMEOUT_MS,
  PG_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  PG_KEEPALIVE_DELAY_MS,
  PG_STATEMENT_TIMEOUT_MS,
  type ConnectOptions,
  checkDatabaseUrl,
} from '@tierkit/db';

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

/** `TIERKIT_TENANT`: the tenant a command acts on when it is given no `--tenant` (demo when unset or empty). */
export function tenantFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.TIERKIT_TENANT || 'demo';
}

/** `DATABASE_URL`, `TIERKIT_TENANT`, `DEMO_CUSTOMERS`, `TIERKIT_ADMIN_KEY`, `TIERKIT_TIME_ZONE`, with the demo defaults. */
export function opsSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): OpsSettings {
  const customers = wholeFromEnv('DEMO_CUSTOMERS', env.DEMO_CUSTOMERS, 10_000, { unit: 'customers', min: 5 });
  const databaseUrl = env.DATABASE_URL || resolve(REPO_ROOT, 'data/tierkit.db');
  // A mistyped PostgreSQL URL stops the process at start, before anything opens (or creates) a file by its name.
  checkDatabaseUrl(databaseUrl);
  // A log format no shipper expects stops the process here, not after it wrote lines nobody parses.
  logFormatFromEnv(env);
  return {
    databaseUrl,
    tenant: tenantFromEnv(env),
    customers,
    adminKey: env.TIERKIT_ADMIN_KEY || undefined,
    timeZone: timeZoneFromEnv(env),
  };
}

/** An on/off setting (`on`, `true`, `1`, `yes` or their opposites, any case); unset or empty: `fallback`. */
export function onOffFromEnv(name: string, value: string | undefined, fallback: boolean): boolean {
  if (!value) return fallback;
  if (/^(on|true|1|yes)$/i.test(value)) return true;
  if (/^(off|false|0|no)$/i.test(value)) return false;
  throw new Error(`${name} must be on or off, got "${value}"`);
}

/** What a whole-number setting ({@link wholeFromEnv}) takes: its unit in words, its bounds, and what 0 means when it means something. */
export interface WholeSetting {
  readonly unit: string;
  readonly min: number;
  /** None: only the nine digits a setting may have bound it. */
  readonly max?: number;
  /** What 0 does (`no limit`), said when 0 is allowed. */
  readonly zero?: string;
}

/**
 * A whole-number setting (`name` of the environment, `value` as given): unset or empty, `fallback`;
 * else decimal digits only (no sign, fraction, exponent or unit: `10s` or `1e3` is refused, not read
 * as something else) within its bounds, or the process stops at start saying which values it takes.
 */
export function wholeFromEnv(name: string, value: string | undefined, fallback: number, setting: WholeSetting): number {
  if (!value) return fallback;
  const { unit, min, max, zero } = setting;
  const n = Number(value);
  if (!/^\d{1,9}$/.test(value) || n < min || (max !== undefined && n > max)) {
    const bounds = max !== undefined ? ` from ${min} to ${max}` : min > 0 ? ` from ${min}` : '';
    const takes = `${bounds}${zero && min === 0 ? ` (0: ${zero})` : ''}`;
    throw new Error(`${name} must be a whole number of ${unit}${takes}, got "${value}"`);
  }
  return n;
}

/**
 * `TIERKIT_MIGRATE` (default on): whether a process brings the schema up to date when it opens the
 * database. Off, for a deployment whose servers log in with a role that may not change the schema:
 * the operator runs `tierkit migrate` once per upgrade (it always migrates), and a process finding
 * the schema behind its build refuses to start (apps/server/README.md, "Upgrading").
 */
export function migrateFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return onOffFromEnv('TIERKIT_MIGRATE', env.TIERKIT_MIGRATE, true);
}

/**
 * `TIERKIT_SCHEDULE` (default on): whether a server process runs the monthly schedule. The server
 * reads it to start the schedule and to say so on `GET /v1/jobs/schedule`; `tierkit jobs schedule`
 * reads it from its own environment, as it reads the timing, to say what the server does.
 */
export function scheduleRunsFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return onOffFromEnv('TIERKIT_SCHEDULE', env.TIERKIT_SCHEDULE, true);
}

/** How the monthly schedule waits for a month's data: what it runs by and what reports of it say. */
export interface ScheduleTiming {
  /** `TIERKIT_SCHEDULE_SETTLE_MINUTES`: minutes a month's data must be quiet before it is queued. */
  readonly settleMinutes: number;
  /** `TIERKIT_SCHEDULE_OVERDUE_DAYS`: days after a month's end past which a month still waiting is overdue. */
  readonly overdueDays: number;
}

/**
 * `TIERKIT_SCHEDULE_SETTLE_MINUTES` (default 60) and `TIERKIT_SCHEDULE_OVERDUE_DAYS` (default 7, 1–365),
 * checked: the server's schedule, `GET /v1/jobs/schedule` and `tierkit jobs schedule` read the same.
 */
export function scheduleTimingFromEnv(env: NodeJS.ProcessEnv = process.env): ScheduleTiming {
  return {
    settleMinutes: wholeFromEnv('TIERKIT_SCHEDULE_SETTLE_MINUTES', env.TIERKIT_SCHEDULE_SETTLE_MINUTES, DEFAULT_SETTLE_MINUTES, {
      unit: 'minutes',
      min: 0,
      max: 99_999,
    }),
    // A day's delay is normal for a warehouse; a year's is no longer a month waiting.
    overdueDays: wholeFromEnv('TIERKIT_SCHEDULE_OVERDUE_DAYS', env.TIERKIT_SCHEDULE_OVERDUE_DAYS, DEFAULT_OVERDUE_DAYS, {
      unit: 'days',
      min: 1,
      max: 365,
    }),
  };
}

/**
 * How long batch work's statements may run on PostgreSQL (`TIERKIT_PG_BATCH_STATEMENT_TIMEOUT_MS`,
 * default 30 minutes): a worker's re-tier chunk or a CLI import is meant to take long, and must not
 * be cancelled at a request's bound; a statement still running after half an hour is stuck all the same.
 */
export const PG_BATCH_STATEMENT_TIMEOUT_MS = 30 * 60 * 1000;

/**
 * How long an API report's statements may run on PostgreSQL (`TIERKIT_PG_REPORT_STATEMENT_TIMEOUT_MS`,
 * default 5 minutes): the portfolio matrix is one GROUP BY over the whole book, each analytics view one
 * query over a scheme's history, and an import sent to the API runs in its request — seconds on a
 * large book, where a request's other statements take milliseconds.
 */
export const PG_REPORT_STATEMENT_TIMEOUT_MS = 5 * 60 * 1000;

/**
 * What a process opens its database for: answering requests, the API's long report statements
 * (matrix, analytics, policy simulation, imports), or batch work (workers, CLI imports, re-tiers).
 */
export type DatabaseUse = 'requests' | 'reports' | 'batch';

/**
 * PostgreSQL timeouts from the environment (apps/server/README.md, "Running several instances"), checked:
 * `TIERKIT_PG_STATEMENT_TIMEOUT_MS` (10 s), for the API's reports `TIERKIT_PG_REPORT_STATEMENT_TIMEOUT_MS`
 * (5 min), for batch work `TIERKIT_PG_BATCH_STATEMENT_TIMEOUT_MS` (30 min); `TIERKIT_PG_IDLE_IN_TRANSACTION_TIMEOUT_MS`
 * (60 s); `TIERKIT_PG_CONNECT_TIMEOUT_MS` (10 s); `TIERKIT_PG_KEEPALIVE_MS` (10 s; when keep-alive probes
 * start — their interval and count stay the operating system's). 0 turns a timeout off (the keep-alive
 * delay must be positive).
 */
export function databaseTimeoutsFromEnv(
  use: DatabaseUse,
  env: NodeJS.ProcessEnv = process.env,
): Pick<ConnectOptions, 'statementTimeoutMs' | 'idleInTransactionTimeoutMs' | 'connectTimeoutMs' | 'keepAliveDelayMs'> {
  const ms = (name: string, fallback: number, min = 0) =>
    wholeFromEnv(name, env[name], fallback, { unit: 'milliseconds', min, zero: 'no limit' });
  return {
    statementTimeoutMs:
      use === 'batch'
        ? ms('TIERKIT_PG_BATCH_STATEMENT_TIMEOUT_MS', PG_BATCH_STATEMENT_TIMEOUT_MS)
        : use === 'reports'
          ? ms('TIERKIT_PG_REPORT_STATEMENT_TIMEOUT_MS', PG_REPORT_STATEMENT_TIMEOUT_MS)
          : ms('TIERKIT_PG_STATEMENT_TIMEOUT_MS', PG_STATEMENT_TIMEOUT_MS),
    idleInTransactionTimeoutMs: ms('TIERKIT_PG_IDLE_IN_TRANSACTION_TIMEOUT_MS', PG_IDLE_IN_TRANSACTION_TIMEOUT_MS),
    connectTimeoutMs: ms('TIERKIT_PG_CONNECT_TIMEOUT_MS', PG_CONNECT_TIMEOUT_MS),
    keepAliveDelayMs: ms('TIERKIT_PG_KEEPALIVE_MS', PG_KEEPALIVE_DELAY_MS, 1),
  };
}

/** Connections in an API server's request pool on PostgreSQL (`TIERKIT_PG_POOL_MAX`), unless set. */
export const PG_POOL_MAX = 10;

/** Connections in an API server's report pool on PostgreSQL (`TIERKIT_PG_REPORT_POOL_MAX`), unless set. */
export const PG_REPORT_POOL_MAX = 4;

/**
 * How many connections an API server's request pool (`TIERKIT_PG_POOL_MAX`, default 10) or report pool
 * (`TIERKIT_PG_REPORT_POOL_MAX`, default 4) may hold on PostgreSQL, checked (1–1000). Every instance
 * holds both plus one lease connection, and all instances share the server's `max_connections`
 * (apps/server/README.md, "Running several instances"). Reports are few and long, so their pool is small.
 */
export function databasePoolSizeFromEnv(use: 'requests' | 'reports', env: NodeJS.ProcessEnv = process.env): number {
  const name = use === 'reports' ? 'TIERKIT_PG_REPORT_POOL_MAX' : 'TIERKIT_PG_POOL_MAX';
  return wholeFromEnv(name, env[name], use === 'reports' ? PG_REPORT_POOL_MAX : PG_POOL_MAX, { unit: 'connections', min: 1, max: 1000 });
}
