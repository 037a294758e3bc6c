import assert from 'node:assert/strict';
import { it } from 'node:test';
import { connect } from '../connect.js';
import { migrateToLatest } from '../migrate.js';
import { listAssignments, type StoredAssignment } from './assignments.js';
import { insertMetrics, loadMetricValues, upsertMetricRows } from './metrics.js';
import { appendTierEvents, upsertAssignments } from './reevaluations.js';
import { insertSubjects } from './subjects.js';
import { listTierEvents, type NewTierEventInput } from './tier-events.js';
import { insertTenant } from './tenants.js';

/*
 * Assignments and tier events are written by binding each row's values straight into a cached
 * statement (after the first batch of a length, which Kysely builds from row objects): the two paths
 * must store the same thing, column for column.
 */

const AT = '2025-11-15T04:00:00.000Z';

const assignment = (subjectId: string, n: number): StoredAssignment => ({
  subjectId,
  scheme: 'retail-tier',
  level: `level-${n}`,
  rank: n,
  periodsBelow: n % 2,
  base: { level: n % 2 ? null : 'base', periodsBelow: n },
  previousLevel: n % 2 ? 'before' : null,
  explanation: {
    policyId: 'retail-tier',
    policyVersion: n,
    decidedBy: { kind: 'default', id: null, label: { en: `e${n}` } },
    inputs: [],
    asOf: '2025-10',
  } as unknown as StoredAssignment['explanation'],
  progress: n % 2 ? null : ({ toLevel: 'next', paths: [], nearest: n } as unknown as StoredAssignment['progress']),
  retention:
    n % 2 ? ({ toLevel: 'prev', lines: [], periodsBelow: 0, periodsAllowed: n } as unknown as StoredAssignment['retention']) : null,
  approvalRequired: n % 2 === 1,
  policyVersion: n,
  period: '2025-10',
  evaluatedAt: AT,
});

const event = (subjectId: string, n: number): NewTierEventInput => ({
  id: `ev-${subjectId}-${n}`,
  subjectId,
  scheme: 'retail-tier',
  from: n % 2 ? null : 'from',
  to: `to-${n}`,
  at: `2025-11-15T04:00:0${n}.000Z`,
  reason: n % 2 ? 'initial' : 'rule',
  ruleId: n % 2 ? null : `rule-${n}`,
  note: n % 2 ? `note ${n}` : null,
  actor: `actor-${n}`,
  approvedBy: n % 2 ? null : 'approver',
  policyVersion: n,
  ...(n % 2 ? { period: '2025-10' } : {}),
});

it('the bound path stores assignments and tier events exactly as the built one does', async () => {
  const { db, close } = connect({ url: ':memory:' });
  await migrateToLatest(db);
  await insertTenant(db, { id: 't', name: 't', metrics: [], now: AT });
  const ids = ['s1', 's2', 's3', 's4'];
  await insertSubjects(
    db,
    't',
    ids.map((id) => ({ id, externalId: id.toUpperCase(), kind: 'customer', displayName: id, attributes: {} })),
    AT,
  );
  // Two calls of two rows each: the first builds the statement, the second binds into it.
  for (const [i, pair] of [ids.slice(0, 2), ids.slice(2)].entries()) {
    await upsertAssignments(
      db,
      't',
      pair.map((id, j) => assignment(id, 2 * i + j)),
    );
    await appendTierEvents(
      db,
      't',
      pair.map((id, j) => event(id, 2 * i + j)),
    );
  }
  for (const [n, id] of ids.entries()) {
    assert.deepEqual(await listAssignments(db, 't', id), [assignment(id, n)], `assignment of ${id}`);
    const { subjectId: _, ...stored } = event(id, n);
    assert.deepEqual(await listTierEvents(db, 't', id, { limit: 10 }), [stored], `event of ${id}`);
  }
  await close();
});

it('metrics rows are stored column for column whatever order their keys were written in', async () => {
  const db = connect({ url: ':memory:' });
  try {
    await migrateToLatest(db.db);
    await insertTenant(db.db, { id: 't', name: 't', metrics: [], now: AT });
    await insertSubjects(db.db, 't', [{ id: 's1', externalId: 'S1', kind: 'customer', displayName: 'x', attributes: {} }], AT);
    // A row copied from a read with its month replaced: `period` is its last key.
    const read = { tenant_id: 't', subject_id: 's1', metric: 'avg_daily_balance', value: 500 };
    await insertMetrics(db.db, [{ ...read, period: '2025-10' }], AT);
    await upsertMetricRows(db.db, [{ ...read, value: 700, period: '2025-11' }], AT);
    assert.deepEqual(await loadMetricValues(db.db, 't', 's1', '2025-01', '2025-12'), {
      avg_daily_balance: { '2025-10': 500, '2025-11': 700 },
    });
  } finally {
    await db.close();
  }
});
