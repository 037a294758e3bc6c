// A re-tier started on the approvals page is followed on the job's page, which has a Jobs store of its
// own: the queued job, with what its month lacks, is handed over so the page can say it.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { QueuedJob } from '@tierkit/admin';
import { handOverStarted, startedElsewhere } from '../../apps/admin/src/pages/started-job.js';

it('the job started elsewhere reaches the job’s page with what its month lacks, for that job only', () => {
  const job = {
    id: 'job_1',
    params: { schemes: ['retail-tier'], period: '2026-11', filter: {}, reason: 'retail-tier@3 approved' },
    partlyLoaded: { missing: ['aum'], loaded: ['avg_daily_balance'] },
  } as unknown as QueuedJob;
  assert.equal(startedElsewhere('job_1'), undefined, 'nothing handed over yet');
  handOverStarted(job);
  assert.deepEqual(startedElsewhere('job_1')?.partlyLoaded, { missing: ['aum'], loaded: ['avg_daily_balance'] });
  assert.equal(startedElsewhere('job_2'), undefined, 'another job’s page says nothing of it');
  assert.equal(startedElsewhere(undefined), undefined);
});
