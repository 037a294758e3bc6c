// The rows a re-tier chunk writes, of the size it writes them (about 2 KB of JSON an assignment), for
// the batch benches that time those writes without running the engine.
import type { Explanation, Progress, Retention } from '@tierkit/core';
import { ASSIGNMENT_COLUMNS, type StoredAssignmentJson } from '@tierkit/db';
import type { NewTierEventInput } from '../../packages/db/src/repositories/tier-events.js';
import type { StoredAssignment } from '../../packages/db/src/repositories/assignments.js';

export const AT = '2025-11-15T04:00:00.000Z';

// A card-tier assignment of the size a re-tier writes (about 2 KB of JSON).
const window = { fn: 'avg', months: 3, missing: 'zero' };
const label = {
  'zh-CN': '月日均资产（近3个月平均） ≥ ¥50,000',
  'zh-TW': '月日均資產（近3個月平均） ≥ ¥50,000',
  en: 'monthly average daily balance (average of the last 3 months) ≥ ¥50,000',
};
const line = (current: number, required: number) => ({
  metric: 'avg_daily_balance',
  window,
  unit: 'money',
  currency: 'CNY',
  current,
  required,
  gap: Math.max(0, required - current),
});
export const assignment = (subjectId: string, n: number): StoredAssignment => ({
  subjectId,
  scheme: 'retail-tier',
  level: 'gold',
  rank: 1,
  periodsBelow: 0,
  base: { level: null, periodsBelow: 0 },
  previousLevel: null,
  explanation: {
    policyId: 'retail-tier',
    policyVersion: 1,
    decidedBy: { kind: 'threshold', id: 'gold.balance', label },
    inputs: [{ metric: 'avg_daily_balance', window, value: n, unit: 'money', currency: 'CNY' }],
    asOf: '2025-10',
  } as unknown as Explanation,
  progress: { toLevel: 'platinum', paths: [line(n, 30_000_000), line(0, 80_000_000)], nearest: 0 } as unknown as Progress,
  retention: {
    toLevel: 'standard',
    lines: [line(n, 5_000_000), line(0, 20_000_000)],
    periodsBelow: 0,
    periodsAllowed: 3,
  } as unknown as Retention,
  approvalRequired: false,
  policyVersion: 1,
  period: '2025-10',
  evaluatedAt: AT,
});
export const event = (subjectId: string, n: number): NewTierEventInput => ({
  id: `ev${String(n).padStart(10, '0')}`,
  subjectId,
  scheme: 'retail-tier',
  from: null,
  to: 'gold',
  at: AT,
  reason: 'initial',
  ruleId: 'gold.balance',
  note: null,
  actor: 'job:bench',
  approvedBy: null,
  policyVersion: 1,
  period: '2025-10',
});

/**
 * The retier bench's raw baseline: one row's upsert of every assignment column, `level` included,
 * onto the same conflict target as the job's (the primary key), prepared once and run per row.
 */
export const RAW_UPSERT_SQL = `INSERT INTO assignments (${ASSIGNMENT_COLUMNS.join(', ')}) VALUES (${ASSIGNMENT_COLUMNS.map(() => '?').join(
  ', ',
)}) ON CONFLICT (subject_id, scheme) DO UPDATE SET ${ASSIGNMENT_COLUMNS.slice(3)
  .map((c) => `${c} = excluded.${c}`)
  .join(', ')}`;

/** A serialized row's values for {@link RAW_UPSERT_SQL}, as the retier bench's baseline reads them back from the book. */
export const rawUpsertValues = (tenantId: string, a: StoredAssignmentJson): unknown[] => [
  tenantId,
  a.subjectId,
  a.scheme,
  a.level,
  a.rank,
  a.periodsBelow,
  a.base.level,
  a.base.periodsBelow,
  a.previousLevel,
  a.explanation,
  a.progress,
  a.retention,
  a.approvalRequired ? 1 : 0,
  a.policyVersion,
  a.period,
  a.evaluatedAt,
  a.nextGap,
  a.graceLeft,
];
