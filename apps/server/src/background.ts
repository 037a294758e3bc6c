import {
  DEFAULT_OVERDUE_DAYS,
  DEFAULT_SETTLE_MINUTES,
  failInterruptedImports,
  runWorker,
  startMonthlySchedule,
  startupAction,
  type AuditAnchorsReader,
  type LogLine,
} from '@tierkit/api';
import type { Db } from '@tierkit/db';
import {
  AnchorsIndex,
  anchorSettingsFromEnv,
  onOffFromEnv,
  scheduleRunsFromEnv,
  scheduleTimingFromEnv,
  startAuditAnchoring,
  timeZoneFromEnv,
  type AnchorSettings,
} from '@tierkit/ops';

/** Which background work a server process runs (apps/server/README.md, "Background work"). */
export interface BackgroundSettings {
  /** Run re-tier chunks in this process. Default: on for SQLite (one process owns the file), off for PostgreSQL (run `tierkit worker`). */
  readonly worker: boolean;
  /** Queue each tenant's monthly re-evaluation after month end. Default on; several servers queue it once. */
  readonly schedule: boolean;
  /** The banks' calendar. */
  readonly timeZone: string;
  /** Minutes a month's data must be quiet before the schedule re-tiers it. Default `DEFAULT_SETTLE_MINUTES`. */
  readonly settleMinutes?: number;
  /** Days after a month's end past which a month still waiting is overdue. Default `DEFAULT_OVERDUE_DAYS`. */
  readonly overdueDays?: number;
  /** Append the audit heads that moved to a file outside the database, every so many minutes; null or absent: off. */
  readonly anchors?: AnchorSettings | null;
}

/** `TIERKIT_WORKER`, `TIERKIT_SCHEDULE`, `TIERKIT_TIME_ZONE`, `TIERKIT_SCHEDULE_SETTLE_MINUTES`, `TIERKIT_SCHEDULE_OVERDUE_DAYS` and `TIERKIT_AUDIT_ANCHOR_FILE`/`_MINUTES`, with their defaults for this database. */
export function backgroundFromEnv(env: NodeJS.ProcessEnv, dialect: Db['dialect']): BackgroundSettings {
  return {
    worker: onOffFromEnv('TIERKIT_WORKER', env.TIERKIT_WORKER, dialect === 'sqlite'),
    schedule: scheduleRunsFromEnv(env),
    timeZone: timeZoneFromEnv(env),
    ...scheduleTimingFromEnv(env),
    anchors: anchorSettingsFromEnv(env),
  };
}

/**
 * What `GET /v1/jobs/schedule` is told of this process's schedule (`createApp`'s `schedule`): whether
 * it runs here, and the timing it runs by — so an operator reading a server with `TIERKIT_SCHEDULE=off`
 * learns that no month will be queued by itself, not only what the month waits for.
 */
export function scheduleForApi(settings: BackgroundSettings): { running: boolean; settleMinutes?: number; overdueDays?: number } {
  return {
    running: settings.schedule,
    ...(settings.settleMinutes === undefined ? {} : { settleMinutes: settings.settleMinutes }),
    ...(settings.overdueDays === undefined ? {} : { overdueDays: settings.overdueDays }),
  };
}

/**
 * What `GET /v1/audit/verify` checks each tenant's chain against (`createApp`'s `auditAnchors`): the
 * anchors file this server appends to, indexed once for every tenant and read on at each verification
 * (only what was appended since), so anchors appended by another server or by `tierkit audit anchor`
 * count too. Undefined when it keeps none.
 */
export function anchorsForApi(settings: BackgroundSettings): AuditAnchorsReader | undefined {
  if (!settings.anchors) return undefined;
  const index = new AnchorsIndex(settings.anchors.file, { accepted: new Set(settings.anchors.acceptedLines) });
  return (chain) => index.read(chain);
}

/** Start the in-process worker and the monthly schedule as the settings say; `stop` ends both. */
export function startBackground(db: Db, settings: BackgroundSettings, log: LogLine): { stop(): Promise<void> } {
  const abort = new AbortController();
  // Imports a previous run of this server (or a killed CLI) left `running` imported nothing: say so,
  // in the log and in each tenant's audit trail, as the starting server's act (one record per import).
  failInterruptedImports(db.db, new Date(), undefined, { action: () => startupAction('interrupted import'), log })
    .then((ids) => {
      if (ids.length) log(`imports: ${ids.length} interrupted import(s) marked failed: ${ids.join(', ')}`);
    })
    .catch((err: unknown) => log(`imports: could not check for interrupted imports: ${String(err)}`, 'error'));
  const schedule = settings.schedule
    ? startMonthlySchedule({
        db: db.db,
        timeZone: settings.timeZone,
        settleMinutes: settings.settleMinutes ?? DEFAULT_SETTLE_MINUTES,
        overdueDays: settings.overdueDays ?? DEFAULT_OVERDUE_DAYS,
        log,
      })
    : undefined;
  const anchoring = settings.anchors
    ? startAuditAnchoring({ db: db.db, file: settings.anchors.file, intervalMs: settings.anchors.minutes * 60_000, log })
    : undefined;
  const worker = settings.worker ? runWorker({ db: db.db, signal: abort.signal, timeZone: settings.timeZone }) : Promise.resolve();
  log(
    `jobs: in-process worker ${settings.worker ? 'on' : 'off'}, monthly schedule ${settings.schedule ? `on (${settings.timeZone}; a month is re-tiered once its data has been quiet ${settings.settleMinutes ?? DEFAULT_SETTLE_MINUTES} min, overdue ${settings.overdueDays ?? DEFAULT_OVERDUE_DAYS} days after it ended)` : 'off'}`,
  );
  log(
    settings.anchors
      ? `audit anchors: heads that moved appended to ${settings.anchors.file} every ${settings.anchors.minutes} min`
      : 'audit anchors: off (TIERKIT_AUDIT_ANCHOR_FILE unset)',
  );
  return {
    async stop() {
      schedule?.stop();
      await anchoring?.stop();
      abort.abort();
      await worker;
    },
  };
}
