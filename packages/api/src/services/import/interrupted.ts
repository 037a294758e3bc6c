import { hostname } from 'node:os';
import { failRunningImport, listRunningImports, runningImportUnlocked, type Executor, type RunningImport } from '@tierkit/db';
import { appendOperatorAudit, type OperatorAction } from '../audit.js';
import { logError, type LogLine } from '../../log.js';

/**
 * Longest an import may run before it counts as dead wherever it runs: the 256 MiB upload limit
 * imports in minutes, so this only catches an import on SQLite whose process died on another machine
 * (a process on this machine is checked directly; on PostgreSQL its advisory lock says it).
 */
export const IMPORT_MAX_RUNNING_MS = 6 * 60 * 60 * 1000;

/**
 * This process, as an import's owner: `host pid`. Host names must tell apart the machines (and
 * containers) importing into one database: a process id is only checked on the host that owns it.
 */
export function importOwner(): string {
  return `${hostname()} ${process.pid}`;
}

/** Whether a process of this machine is alive (signal 0 tests without sending anything). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * How long a new import may go without its PostgreSQL lock: its row is written just before the
 * transaction that takes the lock begins.
 */
const LOCK_GRACE_MS = 60_000;

/** Why a running import is dead, or undefined while it may still be running. */
async function deathOf(db: Executor, r: RunningImport, now: Date): Promise<string | undefined> {
  const [host, pidText] = (r.owner ?? '').split(' ');
  const pid = Number(pidText);
  if (host === hostname() && Number.isInteger(pid) && pid > 0 && !processAlive(pid)) return `the process importing it (${r.owner}) stopped`;
  const age = now.getTime() - Date.parse(r.createdAt);
  if (age > LOCK_GRACE_MS && (await runningImportUnlocked(db, r.id)) === true)
    return `the process importing it (${r.owner ?? 'unknown'}) no longer holds its lock`;
  if (age > IMPORT_MAX_RUNNING_MS) return `it has run for more than ${IMPORT_MAX_RUNNING_MS / 3_600_000} hours`;
  return undefined;
}

/** How the markings are recorded: by whom (`action`, called per marking), as what, and where a marking that fails is told. */
export interface InterruptedImportAudit {
  readonly action: () => OperatorAction;
  /**
   * `result` (default): the marking is an action of its own, as a server's start's (`startupAction`),
   * status 200. `change`: it is a side effect of the request or command in `action` (an import that
   * found it), recorded as that request's moves are — between its `intent` and its `result`, with no
   * status of its own — so the trail never shows the request answered before its import began.
   */
  readonly phase?: 'result' | 'change';
  /** Default: an error record on stderr. */
  readonly log?: LogLine;
}

/**
 * Mark failed the imports left `running` by a process that died (killed, crashed, the machine
 * restarted). An import writes its rows and its outcome in one transaction, so a dead one imported
 * nothing and the file can simply be imported again. Runs before each import (of its tenant) and when
 * a server starts (all tenants: `tenantId` undefined). Returns the ids it marked.
 *
 * Each marking is recorded in its tenant's audit trail in the marking's own transaction, so none is
 * committed unrecorded: route `interrupted import`, `target` `{ import }`, `detail` `{ import,
 * fileName, why }`. `db` must be a pool, not a transaction. An import that cannot be judged or marked
 * (its lock cannot be asked for, its record cannot be written) is logged and left running for the
 * next import of its tenant or start to mark; the others are marked all the same, and the caller goes
 * on (the dead import holds nothing it needs).
 */
export async function failInterruptedImports(
  db: Executor,
  now: Date,
  tenantId: string | undefined,
  audit: InterruptedImportAudit,
): Promise<string[]> {
  const failed: string[] = [];
  for (const r of await listRunningImports(db, tenantId)) {
    try {
      // Inside the try: an import whose death cannot be judged (its lock cannot be asked for, say) is
      // one import that cannot be marked, not a start that marks none of the rest.
      const why = await deathOf(db, r, now);
      if (why === undefined) continue;
      const detail = `interrupted: ${why} before it finished; nothing of it was imported, import the file again`;
      const marked = await db.transaction().execute(async (trx) => {
        if (!(await failRunningImport(trx, r.tenantId, r.id, detail, now.toISOString()))) return false;
        await appendOperatorAudit(trx, r.tenantId, audit.action(), {
          status: 200,
          phase: audit.phase ?? 'result',
          target: { import: r.id },
          detail: { import: r.id, fileName: r.fileName, why },
        });
        return true;
      });
      if (marked) failed.push(r.id);
    } catch (err) {
      const line = `imports: could not mark interrupted import ${r.id} of tenant ${r.tenantId} failed: ${String(err)}`;
      if (audit.log) audit.log(line, 'error');
      else logError(line);
    }
  }
  return failed;
}
