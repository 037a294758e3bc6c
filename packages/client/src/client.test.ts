import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, createReadClient, TierkitApiError, type TokenFunctionError } from './index.js';

/**
 * A small real HTTP server that answers like the tierkit API: ETags on reads, 304 on a matching
 * If-None-Match, problem+json for unknown subjects. It records every request it sees, and holds a
 * response back until `release()` when a test needs requests to overlap.
 */
function apiServer() {
  const seen: { url: string; auth: string | undefined; ifNoneMatch: string | undefined }[] = [];
  const aborted: string[] = [];
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => undefined;
  let version = 1;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    // The answer is what was true when the request arrived, as with a real database read.
    const arrivedAt = version;
    seen.push({ url, auth: req.headers.authorization, ifNoneMatch: req.headers['if-none-match'] as string | undefined });
    res.on('close', () => {
      if (!res.writableFinished) aborted.push(url);
    });
    void gate.then(() => {
      if (res.destroyed) return;
      const m = /^\/v1\/subjects\/([^/]+)\/tiers$/.exec(url);
      if (m && m[1] === 'C404') {
        res.writeHead(404, { 'content-type': 'application/problem+json' });
        res.end(
          JSON.stringify({
            type: 'https://tierkit.dev/problems/not-found',
            title: 'Subject not found',
            status: 404,
            detail: 'No subject C404',
          }),
        );
        return;
      }
      if (url === '/v1/schemes/broken') {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html>bad gateway</html>');
        return;
      }
      const etag = `"v${arrivedAt}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', etag });
      res.end(JSON.stringify({ url, version: arrivedAt }));
    });
  });
  return {
    seen,
    aborted,
    hold() {
      gate = new Promise((r) => {
        open = r;
      });
    },
    release() {
      open();
      gate = Promise.resolve();
    },
    bump() {
      version++;
    },
    async start(): Promise<string> {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** The echo server answers with the URL it served; reads are typed as API shapes, so look through them. */
const urlOf = (body: unknown): unknown => (body as { url?: unknown }).url;
const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

describe('the tierkit client against a live HTTP server', () => {
  const api = apiServer();
  let baseUrl = '';
  before(async () => {
    baseUrl = await api.start();
  });
  after(() => api.stop());

  test('four widgets asking for the same subject at once cause one tiers request', async () => {
    const client = createClient({ baseUrl, token: 'embed-abc' });
    api.seen.length = 0;
    api.hold();
    const reads = [client.getTiers('C000003'), client.getTiers('C000003'), client.getTiers('C000003'), client.getEntitlements('C000003')];
    await tick();
    api.release();
    const [a, b, c, d] = await Promise.all(reads);
    assert.deepEqual(a, b);
    assert.deepEqual(b, c);
    assert.equal(urlOf(d), '/v1/subjects/C000003/entitlements');
    assert.deepEqual(api.seen.map((s) => s.url).sort(), ['/v1/subjects/C000003/entitlements', '/v1/subjects/C000003/tiers']);
    assert.ok(api.seen.every((s) => s.auth === 'Bearer embed-abc'));
  });

  test('locale and schemes go in the query, in one order, so the same ask shares one request', async () => {
    const client = createClient({ baseUrl });
    api.seen.length = 0;
    api.hold();
    const reads = [
      client.getTiers('C000009', { locale: 'en', schemes: ['risk-band', 'retail-tier'] }),
      client.getTiers('C000009', { schemes: ['retail-tier', 'risk-band', 'retail-tier'], locale: 'en' }),
      client.getTiers('C000009', { locale: 'zh-TW' }),
      client.getEntitlements('C000009', { locale: 'en' }),
      client.getHistory('C000009', { locale: 'en', limit: 5 }),
    ];
    await tick();
    api.release();
    const [a, b] = await Promise.all(reads);
    assert.equal(urlOf(a), '/v1/subjects/C000009/tiers?locale=en&scheme=retail-tier%2Crisk-band');
    assert.deepEqual(b, a);
    assert.deepEqual(api.seen.map((s) => s.url).sort(), [
      '/v1/subjects/C000009/entitlements?locale=en',
      '/v1/subjects/C000009/history?limit=5&locale=en',
      '/v1/subjects/C000009/tiers?locale=en&scheme=retail-tier%2Crisk-band',
      '/v1/subjects/C000009/tiers?locale=zh-TW',
    ]);
  });

  test('a widget mounting a moment later is served from the cache without a request', async () => {
    const client = createClient({ baseUrl });
    api.seen.length = 0;
    await client.getScheme('retail-tier');
    await client.getScheme('retail-tier');
    assert.equal(api.seen.length, 1);
  });

  test('after the fresh window the client revalidates with If-None-Match and reuses the body on 304', async () => {
    const client = createClient({ baseUrl, freshFor: 0 });
    api.seen.length = 0;
    const first = await client.getTiers('C000001');
    const second = await client.getTiers('C000001');
    assert.deepEqual(second, first);
    assert.equal(api.seen.length, 2);
    assert.equal(api.seen[1]?.ifNoneMatch, '"v1"');
    api.bump();
    const third = await client.getTiers('C000001');
    assert.notDeepEqual(third, first);
    assert.equal(api.seen.length, 3);
  });

  test('one caller giving up does not cancel the request another caller still waits for', async () => {
    const client = createClient({ baseUrl });
    api.aborted.length = 0;
    api.hold();
    const leaving = new AbortController();
    const gone = client.getTiers('C000002', { signal: leaving.signal });
    const staying = client.getTiers('C000002');
    await tick();
    leaving.abort();
    await assert.rejects(gone, (e: unknown) => e instanceof DOMException && e.name === 'AbortError');
    api.release();
    assert.equal(urlOf(await staying), '/v1/subjects/C000002/tiers');
    assert.deepEqual(api.aborted, []);
  });

  test('when every caller gives up the request itself is aborted', async () => {
    const client = createClient({ baseUrl });
    api.aborted.length = 0;
    api.hold();
    const one = new AbortController();
    const two = new AbortController();
    const reads = [client.getTiers('C000005', { signal: one.signal }), client.getTiers('C000005', { signal: two.signal })];
    await tick();
    one.abort();
    two.abort();
    await Promise.allSettled(reads);
    await tick(50);
    api.release();
    assert.deepEqual(api.aborted, ['/v1/subjects/C000005/tiers']);
    // The next caller starts afresh rather than joining the aborted request.
    assert.equal(urlOf(await client.getTiers('C000005')), '/v1/subjects/C000005/tiers');
  });

  test('an already aborted signal rejects at once without a request', async () => {
    const client = createClient({ baseUrl });
    api.seen.length = 0;
    await assert.rejects(client.getTiers('C000009', { signal: AbortSignal.abort() }));
    assert.equal(api.seen.length, 0);
  });

  test('errors arrive as TierkitApiError with the problem the server sent', async () => {
    const client = createClient({ baseUrl });
    await assert.rejects(client.getTiers('C404'), (e: unknown) => {
      assert.ok(e instanceof TierkitApiError);
      assert.equal(e.status, 404);
      assert.equal(e.problem.type, 'https://tierkit.dev/problems/not-found');
      assert.equal(e.problem.detail, 'No subject C404');
      return true;
    });
  });

  test('a non-JSON error page still becomes a problem with the status', async () => {
    const client = createClient({ baseUrl });
    await assert.rejects(
      client.getScheme('broken'),
      (e: unknown) => e instanceof TierkitApiError && e.status === 502 && e.problem.type === 'about:blank',
    );
  });

  test('a token function is asked on each request, and query parameters are encoded and ordered', async () => {
    let n = 0;
    const client = createClient({ baseUrl, token: async () => `t${++n}`, freshFor: 0 });
    api.seen.length = 0;
    await client.getHistory('C 1', { scheme: 'retail-tier', limit: 50 });
    await client.getMatrix('risk-value', { filter: { rm: 'RM 7', branch: 'SZ01' } });
    assert.deepEqual(
      api.seen.map((s) => s.url),
      ['/v1/subjects/C%201/history?limit=50&scheme=retail-tier', '/v1/matrix/risk-value?branch=SZ01&rm=RM%207'],
    );
    assert.deepEqual(
      api.seen.map((s) => s.auth),
      ['Bearer t1', 'Bearer t2'],
    );
  });

  test("a token function's failure is its own error marked source 'token'; the API's refusal is not", async () => {
    // The bank's /token answering 401 (its session ended) and the API answering 401 read alike by status:
    // only the mark tells a 401 recovery that renewing cannot mend the first.
    const ended = Object.assign(new Error('token'), { status: 401 });
    const client = createClient({ baseUrl, token: () => Promise.reject(ended) });
    api.seen.length = 0;
    await assert.rejects(client.getTiers('C000001'), (e: unknown) => e === ended && (e as Partial<TokenFunctionError>).source === 'token');
    await assert.rejects(
      createClient({
        baseUrl,
        token: () => {
          throw 'no session';
        },
      }).getTiers('C000001'),
      (e: unknown) => (e as { source?: string }).source === 'token' && String(e) === 'no session',
    );
    assert.equal(api.seen.length, 0, 'nothing is sent without a token');
    await assert.rejects(
      createClient({ baseUrl, token: 't' }).getTiers('C404'),
      (e: unknown) => e instanceof TierkitApiError && !('source' in e),
    );
  });

  test('invalidate forgets cached bodies so the next read asks the server', async () => {
    const client = createClient({ baseUrl });
    api.seen.length = 0;
    await client.getEntitlements('C000004');
    client.invalidate('/v1/subjects/C000004/');
    await client.getEntitlements('C000004');
    assert.equal(api.seen.length, 2);
  });

  test('the widgets’ client is their reads, the cache and the transport: no staff route rides in their bundle', () => {
    const reads = createReadClient({ baseUrl });
    assert.deepEqual(Object.keys(reads).sort(), [
      'getEntitlements',
      'getHistory',
      'getMatrix',
      'getScheme',
      'getTiers',
      'http',
      'invalidate',
    ]);
    const staff = createClient({ baseUrl });
    for (const route of ['getSession', 'listSubjects', 'listStaff', 'getManager', 'setManager', 'assignManagers'] as const)
      assert.equal(typeof staff[route], 'function', route);
  });

  test('a staff write forgets the reads it made stale, in the one cache the reads fill', async () => {
    const client = createClient({ baseUrl });
    api.seen.length = 0;
    await client.getMatrix('rv-book');
    await client.getMatrix('rv-book');
    assert.equal(api.seen.length, 1, 'the second read is served from the cache');
    await client.setManager('C000004', 'RM001');
    await client.getMatrix('rv-book');
    assert.deepEqual(
      api.seen.map((r) => r.url),
      ['/v1/matrix/rv-book', '/v1/subjects/C000004/manager', '/v1/matrix/rv-book'],
    );
  });

  test('a read after invalidate() never gets the answer that was already on its way', async () => {
    const client = createClient({ baseUrl });
    const versionOf = (b: unknown) => (b as { version: number }).version;
    api.hold();
    const before = client.getTiers('INV1');
    // The first request must have reached the server before the change, however busy the machine.
    while (!api.seen.some((s) => s.url === '/v1/subjects/INV1/tiers')) await tick(5);
    api.bump(); // an officer's override changed the subject on the server
    client.invalidate('/v1/subjects/INV1/');
    const after = client.getTiers('INV1');
    await tick();
    api.release();
    const [old, fresh] = await Promise.all([before, after]);
    assert.equal(versionOf(fresh), versionOf(old) + 1, 'the read after invalidate() asked the server again');
    assert.equal(versionOf(await client.getTiers('INV1')), versionOf(fresh), 'the stale answer did not refill the cache');
  });

  test('keeps at most cacheSize responses, dropping the least recently used', async () => {
    const client = createClient({ baseUrl, cacheSize: 2, freshFor: 60_000 });
    await client.getTiers('LRU1');
    await client.getTiers('LRU2');
    await client.getTiers('LRU1'); // LRU1 is now the most recently used
    await client.getTiers('LRU3'); // evicts LRU2
    const asked = () => api.seen.filter((r) => /LRU/.test(r.url)).map((r) => r.url.split('/')[3]);
    assert.deepEqual(asked(), ['LRU1', 'LRU2', 'LRU3']);
    await client.getTiers('LRU1');
    await client.getTiers('LRU3');
    assert.deepEqual(asked(), ['LRU1', 'LRU2', 'LRU3'], 'LRU1 and LRU3 come from the cache');
    await client.getTiers('LRU2');
    assert.deepEqual(asked(), ['LRU1', 'LRU2', 'LRU3', 'LRU2'], 'LRU2 was evicted and is asked for again');
  });

  test('a read with no answer within `timeout` rejects with a TierkitApiError of status 0, and the request is abandoned', async () => {
    const client = createClient({ baseUrl, timeout: 150 });
    api.seen.length = 0;
    api.aborted.length = 0;
    api.hold();
    const started = Date.now();
    try {
      const err = await client.getTiers('STALLED').then(
        () => assert.fail('a stalled read must not resolve'),
        (e: unknown) => e,
      );
      const waited = Date.now() - started;
      assert.ok(err instanceof TierkitApiError, `rejects with the client's error type, not ${String(err)}`);
      assert.equal(err.status, 0, 'no HTTP status: the server never answered');
      assert.equal(err.problem.type, 'https://tierkit.dev/problems/timeout');
      assert.ok(waited >= 140 && waited < 2000, `gave up after ${waited} ms`);
      await tick(50);
      assert.deepEqual(api.aborted, ['/v1/subjects/STALLED/tiers'], 'the connection is closed, not left open');
      // Nothing stale is kept: the retry the widget offers asks the server again.
      api.release();
      assert.equal(urlOf(await client.getTiers('STALLED')), '/v1/subjects/STALLED/tiers');
      assert.equal(api.seen.length, 2);
    } finally {
      api.release();
    }
  });

  test('a slow answer inside the timeout arrives, and a caller’s own abort keeps its own reason', async () => {
    const client = createClient({ baseUrl, timeout: 1000 });
    api.hold();
    const slow = client.getTiers('SLOW');
    await tick(100);
    api.release();
    assert.equal(urlOf(await slow), '/v1/subjects/SLOW/tiers');
    api.hold();
    const ctl = new AbortController();
    const mine = client.getTiers('MINE', { signal: ctl.signal });
    ctl.abort(new Error('gone'));
    await assert.rejects(mine, /gone/);
    api.release();
  });

  test('a write with no answer within `timeout` rejects the same way', async () => {
    const client = createClient({ baseUrl, timeout: 150 });
    api.hold();
    try {
      await assert.rejects(client.http.send('PUT', '/v1/subjects/W1/manager', { manager: 'rm1' }), (e: unknown) => {
        assert.ok(e instanceof TierkitApiError);
        assert.equal(e.status, 0);
        return true;
      });
    } finally {
      api.release();
    }
  });
});
