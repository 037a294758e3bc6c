import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '@tierkit/core';
import { cutJob } from './reader-cut.js';
import type { RetierTotals } from './retier-params.js';

/*
 * A job stored before sign-offs were counted by scheme: a reader who may not read the AML grade gets the
 * sign-offs of the schemes shown worked out from their cells — the moves into a sign-off level only.
 */

const matrix = [
  { scheme: 'aml-risk', from: 'low', to: 'high', count: 4 },
  { scheme: 'credit-rating', from: 'BB', to: 'CCC', count: 2 },
  { scheme: 'credit-rating', from: 'CCC', to: 'CCC', count: 7 },
  { scheme: 'credit-rating', from: 'BB', to: 'BB', count: 9 },
];
const job = {
  id: 'j1',
  kind: 'retier',
  status: 'completed',
  params: { schemes: null, dependents: [], period: '2026-05', filter: {}, reason: null },
  summary: { changes: 6, schemes: [], approvalRequired: 6, matrix },
} as unknown as Job;
const reader = {
  hidden: new Set(['aml-risk']),
  approvalLevels: new Map([
    ['aml-risk', ['high']],
    ['credit-rating', ['CCC']],
  ]),
};

describe('a job stored before sign-offs were counted by scheme', () => {
  it('counts the shown scheme’s moves into a sign-off level, not those who stayed there (never flagged)', () => {
    const totals: RetierTotals = { processed: 22, skipped: 0, changes: 6, approvalRequired: 6, matrix };
    assert.equal(cutJob(job, totals, reader).summary.approvalRequired, 2);
  });

  it('counted by scheme: the shown schemes’ counts', () => {
    const totals: RetierTotals = {
      processed: 22,
      skipped: 0,
      changes: 6,
      approvalRequired: 6,
      matrix,
      approvalRequiredByScheme: { 'aml-risk': 4, 'credit-rating': 2 },
    };
    assert.equal(cutJob(job, totals, reader).summary.approvalRequired, 2);
  });
});
