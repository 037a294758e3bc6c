import assert from 'node:assert/strict';
import { loadTenantPack, runImport, type ImportContext } from '@tierkit/api';
import { findSubjectByExternalId, type Executor } from '@tierkit/db';

/**
 * Close one customer with a real subjects import (`closedAt` = `at`) whose apply page reads `at` as its
 * clock, as the four-eyes tests need: an import's closing and what it withdraws share its page's
 * instant. Asserts the import succeeded and the customer is closed at `at`.
 */
export async function importClosing(db: Executor, tenantId: string, subject: string, at: Date): Promise<void> {
  const ctx: ImportContext = {
    tenantId,
    catalogue: (await loadTenantPack(db, tenantId)).metrics,
    currentPeriod: '2025-11',
    actor: 'officer',
    now: () => at,
    fileName: 'closings.csv',
  };
  const file = `id,name,closedAt,closedReason\n${subject},王芳,${at.toISOString()},销户\n`;
  const run = await runImport(db, { kind: 'subjects', encoding: 'utf-8', mode: 'all-or-nothing', mapping: {} }, ctx, async function* () {
    yield new TextEncoder().encode(file);
  });
  assert.deepEqual([run.status, run.rejectedRows], ['succeeded', 0]);
  assert.equal((await findSubjectByExternalId(db, tenantId, subject))?.closedAt, at.toISOString());
}
