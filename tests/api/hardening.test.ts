import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import { createApiKey, createApp, TOKEN_LIMITS } from '@tierkit/api';
import type { Problem } from '@tierkit/core';
import { findSubjectByExternalId } from '@tierkit/db';
import { NOW, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';

async function problem(res: Response, status: number): Promise<Problem> {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${(await res.clone().text()).slice(0, 300)}`);
  assert.match(res.headers.get('Content-Type') ?? '', /^application\/problem\+json/);
  const body = (await res.json()) as Problem;
  assert.equal(body.status, status);
  return body;
}

/** A cursor with the right shape but forged content, as a caller can always make one. */
const forgedCursor = (position: Record<string, string>) => Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');

async function mint(f: ApiFixture, body: Record<string, unknown>): Promise<Response> {
  return client(f, () => f.keys.roles.officer).post('/v1/embed-tokens', body);
}

forEachDialect('hardening: text that cannot be stored is refused with a 400, everywhere', (f) => {
  const api = client(f);

  it('U+0000 and lone surrogates in bodies, paths, queries and cursors are 400 problems that write nothing', async () => {
    await api.customer('H1');
    const token = ((await (await mint(f, { subject: 'H1' })).json()) as { token: string }).token;
    const widget = client(f, () => token);
    const cases: [string, () => Response | Promise<Response>][] = [
      ['displayName with NUL', () => api.put('/v1/subjects/H2', { kind: 'customer', displayName: 'a\u0000b' })],
      ['displayName with a lone surrogate', () => api.put('/v1/subjects/H2', { kind: 'customer', displayName: 'a\ud800b' })],
      [
        'attribute name with a lone low surrogate',
        () => api.put('/v1/subjects/H2', { kind: 'customer', displayName: 'ok', attributes: { ['k\udc00']: 1 } }),
      ],
      [
        'metric with NUL',
        () => api.put('/v1/subjects/H1/metrics', { metrics: [{ metric: 'avg_daily_balance\u0000', period: '2025-10', value: 1 }] }),
      ],
      ['embed-token subject with NUL', () => mint(f, { subject: 'H1\u0000' })],
      ['path id with NUL', () => api.get('/v1/subjects/H1%00/tiers')],
      ['path id, bad UTF-8', () => api.get('/v1/subjects/H%FF1/tiers')],
      ['history scheme with NUL (embed token)', () => widget.get('/v1/subjects/H1/history?scheme=%00')],
      ['history scheme, encoded lone surrogate', () => api.get('/v1/subjects/H1/history?scheme=%ED%A0%80')],
      ['list query with NUL', () => api.get('/v1/subjects?scheme=retail-tier&level=a%00')],
      ['query name with NUL', () => api.get('/v1/schemes?k%00ind=customer')],
      [
        'history cursor with NUL inside',
        () => api.get(`/v1/subjects/H1/history?cursor=${forgedCursor({ k: 'history', at: '2025-10\u0000', id: 'x' })}`),
      ],
      [
        'list cursor with a lone surrogate inside',
        () => api.get(`/v1/subjects?cursor=${forgedCursor({ k: 'subjects', after: 'C\ud800' })}`),
      ],
      ['matrix scheme with NUL', () => api.get('/v1/matrix/risk%00')],
    ];
    for (const [name, send] of cases) {
      const body = await problem(await send(), 400);
      assert.ok(body.errors?.length || body.detail, name);
    }
    const badBytes = await f.app.request('/v1/subjects/H2', {
      method: 'PUT',
      headers: { Authorization: `Bearer ${f.keys.a}`, 'Content-Type': 'application/json' },
      body: new Uint8Array([...Buffer.from('{"kind":"customer","displayName":"'), 0xff, 0xfe, ...Buffer.from('"}')]),
    });
    assert.match((await problem(badBytes, 400)).detail ?? '', /UTF-8/);
    assert.equal(await findSubjectByExternalId(f.db.db, 'bank-a', 'H2'), undefined, 'nothing was written');
    // A forged token's key id is looked up before its signature can be checked.
    for (const kid of ['sk_\\u0000', 'sk_\\ud800']) {
      const claims = Buffer.from(`{"kid":"${kid}","ten":"bank-a","typ":"staff","org":[],"iat":1763179200,"exp":1763179800}`).toString(
        'base64url',
      );
      const res = await client(f, () => `tkt_${claims}.${'A'.repeat(43)}`).get('/v1/schemes');
      assert.equal((await problem(res, 401)).type, 'https://tierkit.dev/problems/invalid-token');
    }
    // Surrogate pairs are fine: only unpaired halves are refused.
    assert.equal((await api.put('/v1/subjects/H3', { kind: 'customer', displayName: '𠀋家' })).status, 201);
  });
});

// Origins of every length: the server answers them all, so only the token's own limits refuse one.
forEachDialect('hardening: minting accepts exactly what verification accepts', { corsOrigins: '*' }, (f) => {
  const api = client(f);
  const originOf = (length: number, i = 0) => `https://${String(i).padStart(3, '0')}${'a'.repeat(length - 11)}`;

  it('a query parameter given twice is a 400 that says so, not one blaming a value that is fine', async () => {
    await api.customer('H9');
    for (const [path, field] of [
      ['/v1/subjects/H9/tiers?locale=en&locale=en', 'query.locale'],
      ['/v1/subjects/H9/history?limit=5&limit=5', 'query.limit'],
      ['/v1/subjects/H9/tiers?scheme=retail-tier&scheme=aml-test', 'query.scheme'],
    ] as const) {
      const p = await problem(await api.get(path), 400);
      assert.deepEqual(p.errors, [{ path: field, message: 'may be given only once', code: 'repeated' }], path);
    }
    const twice = await problem(await api.get('/v1/subjects/H9/tiers?unmask=true&unmask=false'), 400);
    assert.deepEqual(twice.errors, [{ path: 'query.unmask', message: 'may be given only once', code: 'repeated' }]);
    // Once, a wrong value is still blamed for what it is.
    const wrong = await problem(await api.get('/v1/subjects/H9/tiers?locale=xx'), 400);
    assert.notEqual(wrong.errors?.[0]?.message, 'may be given only once');
  });

  it('an origin of the longest verified length works; one character more is a 400', async () => {
    await api.customer('M1');
    const longest = originOf(TOKEN_LIMITS.originLength);
    assert.equal(longest.length, TOKEN_LIMITS.originLength);
    const ok = await mint(f, { subject: 'M1', origins: [longest] });
    assert.equal(ok.status, 201);
    const { token } = (await ok.json()) as { token: string };
    assert.equal((await client(f, () => token).get('/v1/subjects/M1/tiers', { Origin: longest })).status, 200, 'the token verifies');
    const tooLong = await problem(await mint(f, { subject: 'M1', origins: [originOf(TOKEN_LIMITS.originLength + 1)] }), 400);
    assert.ok(tooLong.errors?.some((e) => e.path.startsWith('origins')));
  });

  it(`${TOKEN_LIMITS.origins} short origins work, one more is a 400`, async () => {
    await api.customer('M2');
    const many = Array.from({ length: TOKEN_LIMITS.origins }, (_, i) => originOf(20, i));
    assert.equal((await mint(f, { subject: 'M2', origins: many })).status, 201);
    await problem(await mint(f, { subject: 'M2', origins: [...many, originOf(20, 99)] }), 400);
  });

  it('the largest set of origins that fits the token is accepted and verifies; every origin one character longer is refused', async () => {
    await api.customer('M3');
    const set = (length: number) => Array.from({ length: TOKEN_LIMITS.origins }, (_, i) => originOf(length, i));
    // Binary search for the longest origin length at which 20 origins still fit the verifier's payload cap.
    let lo = 20;
    let hi = TOKEN_LIMITS.originLength;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if ((await mint(f, { subject: 'M3', origins: set(mid) })).status === 201) lo = mid;
      else hi = mid - 1;
    }
    assert.ok(lo < TOKEN_LIMITS.originLength, 'twenty origins of the longest length do not fit: the payload cap decides');
    const fits = await mint(f, { subject: 'M3', origins: set(lo) });
    assert.equal(fits.status, 201);
    const { token } = (await fits.json()) as { token: string };
    assert.equal(
      (await client(f, () => token).get('/v1/subjects/M3/tiers', { Origin: set(lo)[7] ?? '' })).status,
      200,
      'the largest token verifies',
    );
    const refused = await problem(await mint(f, { subject: 'M3', origins: set(lo + 1) }), 400);
    assert.match(refused.detail ?? '', /too large/);
  });
});

forEachDialect('hardening: headers', (f) => {
  const api = client(f);

  it('nosniff everywhere; no-store on every /v1 answer, errors and 304s included', async () => {
    await api.customer('X1');
    await api.balances('X1', [['2025-10', 80_000]]);
    const minted = await mint(f, { subject: 'X1' });
    assert.equal(minted.headers.get('Cache-Control'), 'no-store');
    const paths = [
      '/v1/subjects/X1/tiers',
      '/v1/subjects/X1/history',
      '/v1/subjects/X1/entitlements',
      '/v1/subjects',
      '/v1/matrix/risk-value-test',
      '/v1/schemes',
      '/v1/subjects/NOPE/tiers',
    ];
    for (const path of paths) {
      const res = await api.get(path);
      assert.equal(res.headers.get('Cache-Control'), 'no-store', path);
      assert.equal(res.headers.get('X-Content-Type-Options'), 'nosniff', path);
      const etag = res.headers.get('ETag');
      if (etag) {
        const again = await api.get(path, { 'If-None-Match': etag });
        assert.equal(again.status, 304, path);
        assert.equal(again.headers.get('Cache-Control'), 'no-store', `${path} (304)`);
      }
    }
    for (const path of ['/healthz', '/openapi.json', '/docs', '/nothing'])
      assert.equal((await f.app.request(path)).headers.get('X-Content-Type-Options'), 'nosniff', path);
  });

  it('/docs runs under a CSP that allows its own stylesheet by hash and nothing else', async () => {
    const res = await f.app.request('/docs');
    const csp = res.headers.get('Content-Security-Policy') ?? '';
    const style = /<style>([\s\S]*?)<\/style>/.exec(await res.text())?.[1] ?? '';
    assert.ok(style.length > 100);
    assert.ok(csp.includes(`'sha256-${createHash('sha256').update(style).digest('base64')}'`), csp);
    for (const d of ["default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"])
      assert.ok(csp.includes(d), d);
    assert.ok(!csp.includes('unsafe-inline'));
  });
});

forEachDialect('hardening: rate limits', (f) => {
  it('a credential over its limit gets 429 with Retry-After while other credentials are served; time refills it', async () => {
    let clock = 0;
    const app = createApp({
      db: f.db.db,
      now: () => NOW,
      logError: () => undefined,
      rateLimit: { keyBurst: 5, keyPerSecond: 1, clock: () => clock },
    });
    const get = (secret: string) => app.request('/v1/schemes', { headers: { Authorization: `Bearer ${secret}` } });
    for (let i = 0; i < 5; i++) assert.equal((await get(f.keys.roles.viewer)).status, 200);
    const limited = await get(f.keys.roles.viewer);
    await problem(limited, 429);
    assert.equal(limited.headers.get('Retry-After'), '1');
    assert.equal((await get(f.keys.roles.analyst)).status, 200, 'another credential is not affected');
    clock += 1000;
    assert.equal((await get(f.keys.roles.viewer)).status, 200, 'one second later there is one more request');
    await problem(await get(f.keys.roles.viewer), 429);
  });

  it("an API key (the bank's backend) and a customer's token each have their own limit", async () => {
    const app = createApp({
      db: f.db.db,
      now: () => NOW,
      logError: () => undefined,
      rateLimit: { burst: 2, perSecond: 1, keyBurst: 4, keyPerSecond: 1, clock: () => 0 },
    });
    await client(f).customer('RL1');
    const get = (secret: string) => app.request('/v1/subjects/RL1/tiers', { headers: { Authorization: `Bearer ${secret}` } });
    const minted = await app.request('/v1/embed-tokens', {
      method: 'POST',
      headers: { Authorization: `Bearer ${f.keys.roles.officer}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ subject: 'RL1' }),
    });
    assert.equal(minted.status, 201);
    const { token } = (await minted.json()) as { token: string };
    const tokenStatuses = [];
    for (let i = 0; i < 3; i++) tokenStatuses.push((await get(token)).status);
    assert.deepEqual(tokenStatuses, [200, 200, 429], "a token gets the customer's burst");
    const keyStatuses = [];
    for (let i = 0; i < 5; i++) keyStatuses.push((await get(f.keys.roles.viewer)).status);
    assert.deepEqual(keyStatuses, [200, 200, 200, 200, 429], 'a key gets the backend burst');
  });

  it('bad credentials are limited per client address; good credentials from that address and elsewhere are served', async () => {
    const clock = 0;
    const app = createApp({
      db: f.db.db,
      now: () => NOW,
      logError: () => undefined,
      rateLimit: { failedBurst: 3, failedPerSecond: 1, clock: () => clock },
      clientAddress: (c) => c.req.header('X-Test-Address'),
    });
    const get = (secret: string, address: string) =>
      app.request('/v1/schemes', { headers: { Authorization: `Bearer ${secret}`, 'X-Test-Address': address } });
    const wrong = 'tk_' + 'w'.repeat(43);
    for (let i = 0; i < 3; i++) await problem(await get(wrong, '10.0.0.1'), 401);
    const refused = await get(wrong, '10.0.0.1');
    await problem(refused, 429);
    assert.ok(Number(refused.headers.get('Retry-After')) >= 1);
    // Behind NAT or the bank's proxy, one client's bad (or expired) credentials must not lock out the rest.
    assert.equal((await get(f.keys.a, '10.0.0.1')).status, 200, 'a good credential from the same address is served');
    await problem(await get(wrong, '10.0.0.1'), 429);
    assert.equal((await get(f.keys.a, '10.0.0.2')).status, 200, 'a caller elsewhere is served');
  });

  it('without a client address, bad credentials are not limited: nobody could be told apart', async () => {
    const app = createApp({
      db: f.db.db,
      now: () => NOW,
      logError: () => undefined,
      rateLimit: { failedBurst: 2, failedPerSecond: 1, clock: () => 0 },
    });
    for (let i = 0; i < 5; i++)
      await problem(await app.request('/v1/schemes', { headers: { Authorization: `Bearer tk_${'w'.repeat(43)}` } }), 401);
    assert.equal((await app.request('/v1/schemes', { headers: { Authorization: `Bearer ${f.keys.a}` } })).status, 200);
  });

  it('during a burst from one credential, other callers are all served', async () => {
    const { secret: flooder } = await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'viewer', label: 'flooder', now: NOW });
    const app = createApp({
      db: f.db.db,
      now: () => NOW,
      logError: () => undefined,
      rateLimit: { keyBurst: 40, keyPerSecond: 1, clock: () => 0 },
    });
    const get = (secret: string, path: string) => app.request(path, { headers: { Authorization: `Bearer ${secret}` } });
    const burst = Array.from({ length: 200 }, () => get(flooder, '/v1/matrix/risk-value-test'));
    const others = Array.from({ length: 20 }, (_, i) =>
      i % 2 ? get(f.keys.b, '/v1/schemes') : get(f.keys.roles.analyst, '/v1/matrix/risk-value-test'),
    );
    const health = Array.from({ length: 20 }, () => app.request('/healthz'));
    const [b, o, h] = await Promise.all([Promise.all(burst), Promise.all(others), Promise.all(health)]);
    const statuses = (rs: Response[]) => {
      const n: Record<number, number> = {};
      for (const r of rs) n[r.status] = (n[r.status] ?? 0) + 1;
      return n;
    };
    assert.deepEqual(statuses(b), { 200: 40, 429: 160 }, 'the flooder gets its burst and no more');
    assert.deepEqual(statuses(o), { 200: 20 }, 'other credentials are all served');
    assert.deepEqual(statuses(h), { 200: 20 });
    for (const r of b.filter((x) => x.status === 429)) assert.ok(r.headers.get('Retry-After'));
  });
});
