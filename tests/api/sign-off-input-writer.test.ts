import { before, it } from 'node:test';
import { drainJobs } from '@tierkit/api';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, loweringPack, ok, problem, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

/*
 * An examiner's finding: a checker imported `pep=1` for a customer, a re-tier raised AML 高, and the same
 * checker signed it off. Whoever loaded a sign-off's figures may not approve it, as for a lowering
 * request (packages/api/README.md, "Lowering requests").
 */

forEachDialect('a sign-off is not approved by whoever loaded its figures', (f) => {
  let t: FourEyesTenant;
  before(async () => {
    t = await fourEyesTenant(f, 'fe-sign-off-writer', START, loweringPack());
  });

  it('the importer of the figure behind an AML 高 another person’s re-tier raised is refused (403 four-eyes); another approver may', async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/SW1', { kind: 'customer', displayName: '王芳' }), 201);
    // The month's balances, the officer's (no risk figure among them): a month with data to re-tier.
    await ok(
      await t.req('officer', 'PUT', '/v1/subjects/SW1/metrics', {
        metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 100 }],
      }),
    );
    const imported = await t.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${t.keys.approver}` },
      body: 'subject,metric,period,value\nSW1,aml_customer_risk,2025-10,95',
    });
    await ok(imported, 201);
    await ok(await t.req('officer', 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10', reason: 'month end' }), 201);
    await drainJobs({ db: f.db.db, now: () => START });
    const signOff = await ok<{ contentHash: string; requestedBy: string }>(
      await t.req('viewer', 'GET', '/v1/subjects/SW1/levels/aml-test/approval'),
    );
    await problem(
      await t.req('approver', 'POST', '/v1/subjects/SW1/levels/aml-test/approve', { contentHash: signOff.contentHash }),
      403,
      'four-eyes',
    );
    // Nothing changed by the refusal: still pending, and a person who loaded none of it signs it off.
    await ok(await t.req('viewer', 'GET', '/v1/subjects/SW1/levels/aml-test/approval'));
    await ok(await t.req('approver2', 'POST', '/v1/subjects/SW1/levels/aml-test/approve', { contentHash: signOff.contentHash }));
  });

  it('rejecting is not refused: the importer may still dispute the grade', async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/SW2', { kind: 'customer', displayName: '李雷' }), 201);
    // The month's balances, the officer's (no risk figure among them): a month with data to re-tier.
    await ok(
      await t.req('officer', 'PUT', '/v1/subjects/SW2/metrics', {
        metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 100 }],
      }),
    );
    const imported = await t.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${t.keys.approver}` },
      body: 'subject,metric,period,value\nSW2,aml_customer_risk,2025-10,95',
    });
    await ok(imported, 201);
    await ok(await t.req('officer', 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10', filter: { subjects: ['SW2'] } }), 201);
    await drainJobs({ db: f.db.db, now: () => START });
    const signOff = await ok<{ contentHash: string }>(await t.req('viewer', 'GET', '/v1/subjects/SW2/levels/aml-test/approval'));
    await ok(
      await t.req('approver', 'POST', '/v1/subjects/SW2/levels/aml-test/reject', { contentHash: signOff.contentHash, note: '数据待核实' }),
    );
  });
});
