import assert from 'node:assert/strict';
import { it } from 'node:test';
import { findSubjectByExternalId, upsertMetrics } from '@tierkit/db';
import type { TiersResponse } from '@tierkit/core';
import { client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';

/*
 * A scheme author approved retail-tier v2 from the month under way (1 December, `confirmRetier`): the
 * approval re-tiered every scheme of every customer on a month whose balances were not loaded yet
 * (28 gold→standard; credit-rating C→BBB for defaulted borrowers). An approval judges again only the
 * scheme it changed and those derived from it, and the month under way only once its data are in.
 * The fixture's clock is 15 November 2025: November is the month under way.
 */

interface Doc {
  policy: { levels: { level: string; when: unknown }[] } & Record<string, unknown>;
}
interface Version {
  version: number;
  contentHash: string;
  document: Doc;
}
interface Reevaluation {
  status: string;
  fromPeriod: string;
  missing?: string[];
  subjects?: number;
  changes?: number;
}

async function ok<T>(res: Response, status = 200): Promise<T> {
  assert.equal(res.status, status, await res.clone().text());
  return (await res.json()) as T;
}

forEachDialect('approving a version for the month under way', (f: ApiFixture) => {
  const admin = client(f);
  const officer = client(f, () => f.keys.roles.officer);
  const approver = client(f, () => f.keys.roles.approver);

  const level = async (id: string, scheme: string) => {
    const body = await ok<TiersResponse>(await admin.get(`/v1/subjects/${id}/tiers?scheme=${scheme}`));
    return body.assignments[0]?.level;
  };

  /** A new version of `scheme` with `change` applied, approved from 1 November with `confirmRetier`. */
  async function approve(scheme: string, change: (doc: Doc) => Doc): Promise<Reevaluation> {
    const draft = await ok<Version>(await officer.post(`/v1/policies/${scheme}/drafts`, {}), 201);
    await ok(await officer.put(`/v1/policies/${scheme}/versions/${draft.version}`, { document: change(draft.document) }));
    const sent = await ok<Version>(await officer.post(`/v1/policies/${scheme}/versions/${draft.version}/submit`, {}));
    const body = await ok<{ reevaluation: Reevaluation }>(
      await approver.post(`/v1/policies/${scheme}/versions/${draft.version}/approve`, {
        contentHash: sent.contentHash,
        effectiveFrom: '2025-11-01',
        confirmRetier: true,
      }),
    );
    return body.reevaluation;
  }

  it('judges nothing now while the month’s balances are not loaded, and says which', async () => {
    // Balances loaded for September and October (a monthly feed); November has only an AML score so far.
    for (const id of ['G1', 'G2']) {
      await admin.customer(id);
      await ok(
        await admin.balances(id, [
          ['2025-09', 80_000],
          ['2025-10', 80_000],
        ]),
      );
      await ok(await admin.put(`/v1/subjects/${id}/metrics`, { metrics: [{ metric: 'aml_customer_risk', period: '2025-11', value: 20 }] }));
    }
    const before = [await level('G1', 'retail-tier'), await level('G1', 'aml-test'), await level('G1', 'risk-value-test')];
    assert.equal(before[0], 'gold');
    const history = async () => (await ok<{ items: unknown[] }>(await admin.get('/v1/subjects/G1/history'))).items.length;
    const events = await history();

    const reevaluation = await approve('retail-tier', (doc) => JSON.parse(JSON.stringify(doc).replace('5000000', '4000000')));
    assert.equal(reevaluation.status, 'scheduled', JSON.stringify(reevaluation));
    assert.equal(reevaluation.fromPeriod, '2025-11');
    assert.ok(reevaluation.missing?.includes('avg_daily_balance'), JSON.stringify(reevaluation));
    assert.deepEqual([await level('G1', 'retail-tier'), await level('G1', 'aml-test'), await level('G1', 'risk-value-test')], before);
    assert.equal(await history(), events, 'the approval recorded no move');
  });

  it('judges again the scheme approved and the schemes derived from it, no other', async () => {
    // November's balances are in now, so the month counts as loaded.
    await ok(await admin.balances('G2', [['2025-11', 80_000]]));
    // G1's November balance lands without a judgement (as an import's rows do before its re-tier): a
    // platinum balance its card tier has not been judged on. Approving an AML version must not judge it.
    const g1 = await findSubjectByExternalId(f.db.db, 'bank-a', 'G1');
    assert.ok(g1);
    await upsertMetrics(f.db.db, 'bank-a', g1.id, [{ metric: 'avg_daily_balance', period: '2025-11', value: 900_000_000 }]);
    assert.equal(await level('G1', 'retail-tier'), 'gold');
    assert.equal(await level('G1', 'aml-test'), 'low');

    // aml-test's 高 line from 80 down to 10: G1's score of 20 is 高 at once.
    const reevaluation = await approve('aml-test', (doc) => {
      const copy = JSON.parse(JSON.stringify(doc)) as Doc;
      (copy.policy.levels[0]?.when as { value: number }).value = 10;
      return copy;
    });
    assert.equal(reevaluation.status, 'done', JSON.stringify(reevaluation));
    assert.equal(await level('G1', 'aml-test'), 'high', 'the scheme approved is judged again');
    assert.equal(await level('G1', 'risk-value-test'), 'observe', 'and the matrix that reads it');
    assert.equal(await level('G1', 'retail-tier'), 'gold', 'the card tier is left as it was judged');
    // The same November, another version: the policy moved it, not the data.
    const events = await ok<{ items: { scheme: string; from: string | null; to: string; reason: string }[] }>(
      await admin.get('/v1/subjects/G1/history?scheme=aml-test'),
    );
    const moved = events.items.find((e) => e.from === 'low' && e.to === 'high');
    assert.equal(moved?.reason, 'policy-change', JSON.stringify(events.items));
  });
});
