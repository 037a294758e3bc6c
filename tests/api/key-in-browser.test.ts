// An API key pasted into a web page fails at once, loudly, rather than working until someone spots it
// in a browser's network tab: a key with an `Origin` or `Sec-Fetch-Site` header is a 403 `key-in-browser`, audited, before
// any route runs. Tokens (meant for pages) and keys from servers are served as before, and a bank's
// proxy that forwards its pages' Origin on purpose can say so (`apiKeysFromBrowsers: 'allow'`).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApp, mintEmbedToken, mintStaffToken } from '@tierkit/api';
import { NOW, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';
import { problem } from '../support/problems.js';

const PAGE = 'https://ebank.example';

function send(
  app: ReturnType<typeof createApp>,
  method: string,
  path: string,
  credential: string,
  headers: Record<string, string> = {},
  body?: unknown,
) {
  return app.request(path, {
    method,
    headers: {
      Authorization: `Bearer ${credential}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** The request ids of bank-a's embed tokens minted (the trail's 201 results for the route). */
async function mintsOf(f: ApiFixture) {
  const rows = await f.db.db
    .selectFrom('audit_records')
    .select('request_id')
    .where('chain', '=', 'bank-a')
    .where('route', '=', '/v1/embed-tokens')
    .where('status', '=', 201)
    .execute();
  return rows.map((r) => r.request_id);
}

/** bank-a's audit records of one request id, read straight from the table. */
async function recordsOf(f: ApiFixture, requestId: string) {
  return f.db.db
    .selectFrom('audit_records')
    .select(['phase', 'status', 'problem', 'actor', 'credential', 'method', 'route'])
    .where('chain', '=', 'bank-a')
    .where('request_id', '=', requestId)
    .orderBy('seq')
    .execute();
}

forEachDialect('an API key sent from a browser', (f) => {
  it('is a 403 key-in-browser that says what to use instead, recorded by the audit trail', async () => {
    await client(f).customer('KB1');
    const res = await send(f.app, 'GET', '/v1/subjects/KB1/tiers', f.keys.roles.viewer, { Origin: PAGE, 'X-Request-Id': 'kb-read-1' });
    const body = await problem(res, 403);
    assert.equal(body.type, 'https://tierkit.dev/problems/key-in-browser');
    assert.match(body.detail ?? '', /API keys belong on servers; a browser page uses an embed token or a staff token/);
    const [record, ...more] = await recordsOf(f, 'kb-read-1');
    assert.equal(more.length, 0);
    assert.match(record?.actor ?? '', /^key:key_/, 'who was refused: the key');
    assert.deepEqual(
      { ...record, actor: undefined },
      {
        phase: 'request',
        status: 403,
        problem: 'key-in-browser',
        actor: undefined,
        credential: 'key',
        method: 'GET',
        route: '/v1/subjects/{id}/tiers',
      },
    );
  });

  it('refuses a write before its route runs: nothing is created, no intent is recorded, no token is minted', async () => {
    const officer = f.keys.roles.officer;
    const put = await send(
      f.app,
      'PUT',
      '/v1/subjects/KB2',
      officer,
      { Origin: PAGE, 'X-Request-Id': 'kb-write-1' },
      {
        kind: 'customer',
        displayName: '王五',
      },
    );
    assert.equal((await problem(put, 403)).type, 'https://tierkit.dev/problems/key-in-browser');
    assert.deepEqual(
      (await recordsOf(f, 'kb-write-1')).map((r) => [r.phase, r.status, r.problem]),
      [['request', 403, 'key-in-browser']],
    );
    await problem(await send(f.app, 'GET', '/v1/subjects/KB2/tiers', officer), 404);

    await client(f).customer('KB3');
    // The Idempotency-Key is not claimed by the refusal: the same request from the bank's server is
    // then served fresh (201), neither a replay of the 403 nor a 409 for a key still in use.
    const mintFrom = (headers: Record<string, string>) =>
      send(f.app, 'POST', '/v1/embed-tokens', officer, { 'Idempotency-Key': 'kb-mint-key', ...headers }, { subject: 'KB3' });
    const mint = await mintFrom({ Origin: PAGE, 'X-Request-Id': 'kb-mint-1' });
    assert.equal((await problem(mint, 403)).type, 'https://tierkit.dev/problems/key-in-browser');
    assert.deepEqual(
      (await recordsOf(f, 'kb-mint-1')).map((r) => [r.phase, r.problem]),
      [['request', 'key-in-browser']],
    );
    // Embed tokens are not stored: a mint shows only as the trail's 201 result for the route.
    assert.deepEqual(await mintsOf(f), [], 'no token was minted');
    const served = await mintFrom({ 'X-Request-Id': 'kb-mint-2' });
    assert.equal(served.status, 201, await served.clone().text());
    assert.equal(served.headers.get('Idempotent-Replayed'), null);
    assert.match(((await served.json()) as { token: string }).token, /^tkt_/);
    assert.deepEqual(await mintsOf(f), ['kb-mint-2']);
  });

  it('answers its 403 with the CORS headers, so the page can read why it was refused', async () => {
    await client(f).customer('KB9');
    const console = 'http://localhost:5173';
    const res = await send(f.app, 'GET', '/v1/subjects/KB9/tiers', f.keys.roles.viewer, { Origin: console });
    assert.equal((await problem(res, 403)).type, 'https://tierkit.dev/problems/key-in-browser');
    assert.equal(res.headers.get('Access-Control-Allow-Origin'), console);
  });

  it('refuses a read the fast path already keeps, and every Origin a browser sends ("null" included)', async () => {
    await client(f).customer('KB4');
    const viewer = f.keys.roles.viewer;
    // Asked twice from a server, so the body is kept and the next ask could skip the general chain.
    for (let i = 0; i < 3; i++) assert.equal((await send(f.app, 'GET', '/v1/subjects/KB4/tiers', viewer)).status, 200);
    for (const origin of [PAGE, 'http://localhost:5173', 'null']) {
      const res = await send(f.app, 'GET', '/v1/subjects/KB4/tiers', viewer, { Origin: origin });
      assert.equal((await problem(res, 403)).type, 'https://tierkit.dev/problems/key-in-browser', origin);
    }
  });

  it('refuses a same-origin read, which carries no Origin but Sec-Fetch-Site, whether kept or not', async () => {
    await client(f).customer('KB10');
    const viewer = f.keys.roles.viewer;
    // The first ask goes through the general chain; after two from a server, the fast path has the body.
    const page = { 'Sec-Fetch-Site': 'same-origin' };
    assert.equal(
      (await problem(await send(f.app, 'GET', '/v1/subjects/KB10/tiers', viewer, page), 403)).type,
      'https://tierkit.dev/problems/key-in-browser',
    );
    for (let i = 0; i < 3; i++) assert.equal((await send(f.app, 'GET', '/v1/subjects/KB10/tiers', viewer)).status, 200);
    for (const site of ['same-origin', 'same-site', 'cross-site', 'none']) {
      const res = await send(f.app, 'GET', '/v1/subjects/KB10/tiers', viewer, { 'Sec-Fetch-Site': site });
      assert.equal((await problem(res, 403)).type, 'https://tierkit.dev/problems/key-in-browser', site);
    }
    // What Node's fetch sends (Sec-Fetch-Mode, but no Sec-Fetch-Site) is a server's request.
    assert.equal((await send(f.app, 'GET', '/v1/subjects/KB10/tiers', viewer, { 'Sec-Fetch-Mode': 'cors' })).status, 200);
  });

  it('leaves the key as it was: served without Origin, never counted as a bad credential', async () => {
    await client(f).customer('KB5');
    const app = createApp({
      db: f.db.db,
      now: () => NOW,
      logError: () => undefined,
      clientAddress: () => '192.0.2.7',
      rateLimit: { failedBurst: 2, failedPerSecond: 0.001, clock: () => 0 },
    });
    const viewer = f.keys.roles.viewer;
    for (let i = 0; i < 3; i++) await problem(await send(app, 'GET', '/v1/subjects/KB5/tiers', viewer, { Origin: PAGE }), 403);
    // Had the refusals spent the address's two bad-credential tokens, this would be a 429.
    await problem(await send(app, 'GET', '/v1/subjects/KB5/tiers', `tk_${'z'.repeat(43)}`), 401);
    assert.equal((await send(app, 'GET', '/v1/subjects/KB5/tiers', viewer)).status, 200);
  });

  it('does not touch tokens: an embed token from its page and a staff token from the console read as before', async () => {
    await client(f).customer('KB6');
    const embed = await mintEmbedToken(f.db.db, { tenantId: 'bank-a', subject: 'KB6', origins: [PAGE], now: NOW });
    const staff = await mintStaffToken(f.db.db, { tenantId: 'bank-a', origins: ['http://localhost:5173'], now: NOW });
    assert.equal((await send(f.app, 'GET', '/v1/subjects/KB6/tiers', embed.token, { Origin: PAGE })).status, 200);
    const list = await send(f.app, 'GET', '/v1/subjects?limit=1', staff.token, { Origin: 'http://localhost:5173' });
    assert.equal(list.status, 200);
    assert.equal(list.headers.get('Access-Control-Allow-Origin'), 'http://localhost:5173');
    // A token's own origin check is unchanged: another page is still refused as before.
    assert.equal(
      (await problem(await send(f.app, 'GET', '/v1/subjects/KB6/tiers', embed.token, { Origin: 'https://evil.example' }), 403)).type,
      'https://tierkit.dev/problems/forbidden',
    );
  });

  it('leaves a preflight alone: the browser still learns which origins may call', async () => {
    const res = await f.app.request('/v1/subjects/KB1/tiers', {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:5173',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'authorization',
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('Access-Control-Allow-Origin'), 'http://localhost:5173');
  });

  it("is served as any key by an app told apiKeysFromBrowsers: 'allow' (a bank's proxy forwarding its pages' Origin)", async () => {
    const proxy = createApp({ db: f.db.db, now: () => NOW, logError: () => undefined, apiKeysFromBrowsers: 'allow' });
    const put = await send(
      proxy,
      'PUT',
      '/v1/subjects/KB7',
      f.keys.roles.officer,
      { Origin: PAGE },
      { kind: 'customer', displayName: '李四' },
    );
    assert.equal(put.status, 201, await put.clone().text());
    for (let i = 0; i < 3; i++)
      assert.equal((await send(proxy, 'GET', '/v1/subjects/KB7/tiers', f.keys.roles.viewer, { Origin: PAGE })).status, 200);
    const sameOrigin = await send(proxy, 'GET', '/v1/subjects/KB7/tiers', f.keys.roles.viewer, { 'Sec-Fetch-Site': 'same-origin' });
    assert.equal(sameOrigin.status, 200);
    // A viewer key is still a viewer: allowing browsers changes nothing else.
    assert.equal(
      (
        await problem(
          await send(proxy, 'PUT', '/v1/subjects/KB8', f.keys.roles.viewer, { Origin: PAGE }, { kind: 'customer', displayName: '李四' }),
          403,
        )
      ).type,
      'https://tierkit.dev/problems/forbidden',
    );
    assert.throws(
      () => createApp({ db: f.db.db, apiKeysFromBrowsers: 'sometimes' as 'allow' }),
      /apiKeysFromBrowsers must be "refuse" or "allow", got "sometimes"/,
    );
  });
});
