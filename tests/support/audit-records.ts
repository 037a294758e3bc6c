import { appendAudit } from '@tierkit/api';
import type { Executor } from '@tierkit/db';
import { NOW } from './api-fixture.js';

/** `count` more records in `chain`, one second apart from NOW, as the API writes a write's result: records to tamper with. */
export async function appendRecords(db: Executor, chain: string, count: number): Promise<void> {
  for (let n = 1; n <= count; n++)
    await appendAudit(db, chain, {
      at: new Date(NOW.getTime() + n * 1000).toISOString(),
      request_id: `req-${chain}-${n}`,
      phase: 'result',
      actor: 'key:key_auditor',
      credential: 'key',
      method: 'PUT',
      route: '/v1/subjects/{id}',
      target: JSON.stringify({ id: `C${n}` }),
      status: 200,
      problem: null,
      unmasked: 0,
    });
}
