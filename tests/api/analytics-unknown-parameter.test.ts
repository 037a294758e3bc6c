import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { mintStaffToken } from '@tierkit/api';
import type { Problem } from '@tierkit/core';
import { client, forEachDialect, NOW } from '../support/api-fixture.js';
import { writeBook } from '../support/history-book.js';

const ROUTES = [
  '/v1/analytics/distribution?scheme=retail-tier&from=2025-01&to=2025-06',
  '/v1/analytics/migration?scheme=retail-tier&from=2025-01&to=2025-06',
  '/v1/analytics/rates?scheme=retail-tier&from=2025-01&to=2025-06',
  '/v1/analytics/effect?scheme=retail-tier&period=2025-03&direction=up',
  '/v1/analytics/metrics?scheme=retail-tier',
];

/**
 * A lead asked `GET /v1/analytics/migration?…&manager=RM001` and read the bank's 10,000 customers as
 * RM001's 2,500: the parameter was dropped unread. Analytics are the bank's (tenant-wide staff only), so
 * a parameter a route does not take is a 400 `unknown_parameter`, never an answer to another question.
 */
forEachDialect('analytics refuse a query parameter they do not take', (f) => {
  let staff = '';
  before(async () => {
    await writeBook(f.db.db, 'bank-a', {
      events: [
        { subject: 'S1', period: '2025-01', from: null, to: 'standard' },
        { subject: 'S1', period: '2025-03', from: 'standard', to: 'gold' },
      ],
    });
    staff = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', now: NOW })).token;
  });

  it('manager=, or any other unknown parameter, is a 400 naming it; the known ones and unmask still answer', async () => {
    for (const who of [() => f.keys.roles.analyst, () => staff]) {
      const api = client(f, who);
      for (const route of ROUTES) {
        assert.equal((await api.get(route)).status, 200, route);
        assert.equal((await api.get(`${route}&unmask=false`)).status, 200, `${route}: unmask is every route's`);
        for (const extra of ['manager=RM001', 'book=RM001', 'Scheme=retail-tier']) {
          const res = await api.get(`${route}&${extra}`);
          const body = (await res.json()) as Problem;
          assert.equal(res.status, 400, `${route}&${extra}: ${JSON.stringify(body)}`);
          assert.equal(body.type, 'https://tierkit.dev/problems/validation');
          const name = extra.split('=')[0] ?? '';
          assert.deepEqual(
            body.errors?.map((e) => [e.path, e.code, e.params?.parameter]),
            [[`query.${name}`, 'unknown_parameter', name]],
          );
          assert.ok(((e) => Array.isArray(e) && e.includes('scheme'))(body.errors?.[0]?.params?.known), 'says what it takes');
        }
      }
    }
  });
});
