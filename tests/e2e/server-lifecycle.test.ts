// What a new user does first: start the product, ask for a customer's tiers, read the API document,
// restart, and find the same data.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fetchAsBank, startServer, tempDataDir, type RunningServer } from './support/server.js';

const dir = tempDataDir();
const env = { DATABASE_URL: join(dir, 'tierkit.db'), DEMO_CUSTOMERS: '200' };
let server: RunningServer | undefined;
after(async () => server?.stop());

describe('server lifecycle', () => {
  let firstTiers: unknown;
  let firstMatrix: unknown;

  it('starts, seeds the demo bank and answers with a level and its explanation', async () => {
    server = await startServer(env);
    assert.match(server.output(), /http:\/\//, 'prints its URLs');
    const res = await fetchAsBank(server.url + '/v1/subjects/C000001/tiers');
    assert.equal(res.status, 200);
    const body = (await res.json()) as { assignments: { scheme: string; level: string; explanation: { decidedBy: { kind: string } } }[] };
    const retail = body.assignments.find((a) => a.scheme === 'retail-tier');
    assert.equal(retail?.level, 'diamond');
    assert.ok(retail?.explanation.decidedBy.kind, 'the level says what decided it');
    firstTiers = body;
    firstMatrix = await (await fetchAsBank(server.url + '/v1/matrix/risk-value')).json();
  });

  it('prints a curl command a new user can paste to read a customer with its explanation', async () => {
    const line = /curl -H "Authorization: Bearer (tk_[A-Za-z0-9_-]+)" (http\S+)/.exec(server!.output());
    assert.ok(line, `a ready curl line is printed:\n${server!.output()}`);
    const [, key, url] = line;
    const res = await fetch(url!.replace('localhost', '127.0.0.1'), { headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { assignments: { scheme: string; level: string; progress: unknown; explanation: unknown }[] };
    const retail = body.assignments.find((a) => a.scheme === 'retail-tier');
    assert.equal(retail?.level, 'gold', 'C000003 is the gold customer of the demo');
    assert.ok(retail?.explanation && retail.progress, 'with its explanation and progress');
    // The demo key reads; it cannot write.
    const put = await fetch(url!.replace('localhost', '127.0.0.1').replace('/tiers', '/metrics'), {
      method: 'PUT',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ metrics: [{ metric: 'avg_daily_balance', period: '2026-10', value: 1 }] }),
    });
    assert.equal(put.status, 403);
  });

  it('refuses anonymous reads of customer data', async () => {
    const res = await fetch(server!.url + '/v1/subjects/C000001/tiers');
    assert.equal(res.status, 401);
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
  });

  it('publishes an OpenAPI 3.1 document and a docs page', async () => {
    const doc = (await (await fetch(server!.url + '/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> };
    assert.match(doc.openapi, /^3\.1\./);
    assert.ok(doc.paths['/v1/subjects/{id}/tiers'], 'documents the tiers route');
    const docs = await fetch(server!.url + '/docs');
    assert.equal(docs.status, 200);
    assert.match(docs.headers.get('content-type') ?? '', /text\/html/);
  });

  it('keeps its data across a restart without seeding again', async () => {
    await server!.stop();
    server = await startServer(env);
    assert.match(server.output(), /already seeded/);
    assert.deepEqual(await (await fetchAsBank(server.url + '/v1/subjects/C000001/tiers')).json(), firstTiers);
    assert.deepEqual(await (await fetchAsBank(server.url + '/v1/matrix/risk-value')).json(), firstMatrix);
  });
});
