import { appendOperatorAudit, type OperatorAction, type OperatorOutcome } from '@tierkit/api';
import type { Executor } from '@tierkit/db';

/**
 * Record a refusal, after its rollback. Nothing was changed, so a record that cannot be written (a
 * read-only database user, SQLITE_BUSY, a lost race for the chain's next place) must not hide why the
 * command refused: it is said as a warning on `err`, and the caller still prints its own refusal last.
 * A change is different: it is never made without its record (appended in its own transaction).
 */
export async function recordRefusal(
  db: Executor,
  chain: string,
  action: OperatorAction,
  outcome: OperatorOutcome,
  err: (line: string) => void,
): Promise<void> {
  try {
    await appendOperatorAudit(db, chain, action, outcome);
  } catch (e) {
    err(
      `warning: the audit record of this refusal could not be written (${e instanceof Error ? e.message : String(e)}); nothing was changed`,
    );
  }
}
