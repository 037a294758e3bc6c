import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, renewingFetch, type TokenFunctionError } from './index.js';

/**
 * A real HTTP server that accepts one token at a time (`accepted`) and refuses any other with a 401
 * problem, as the API refuses an expired embed token; it answers once `release()`d, so the requests
 * of four widgets meet the refusal together.
 */
function api() {
  const seen: string[] = [];
  let accepted = 't1';
  let gate: Promise<void> = Promise.resolve();
  let open = () => undefined as void;
  const server: Server = createServer((req, res) => {
    seen.push(`${req.url} ${req.headers.authorization}`);
    void gate.then(() => {
      if (req.headers.authorization !== `Bearer ${accepted}`) {
        res.writeHead(401, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify({ type: 'https://tierkit.dev/problems/unauthorized', title: 'Unauthorized', status: 401 }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: req.url }));
    });
  });
  return {
    server,
    seen,
    accept: (token: string) => (accepted = token),
    hold: () => (gate = new Promise((r) => (open = r))),
    release: () => open(),
  };
}

const srv = api();
let baseUrl = '';
before(async () => {
  await new Promise<void>((r) => srv.server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(srv.server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => srv.server.close(() => r())));

/** A portal page's token: held until `renew` forgets it, the next minted by `mint`. */
function portal(mint: (n: number) => string | Promise<string>) {
  let held: string | Promise<string> | undefined;
  let mints = 0;
  const token = async () => {
    held ??= mint(++mints);
    // A failed mint is not kept: the next request asks again.
    return Promise.resolve(held).catch((e: unknown) => {
      held = undefined;
      throw e;
    });
  };
  const renew = () => {
    held = undefined;
  };
  return { token, renew, mints: () => mints };
}

const READS = ['/v1/subjects/C1/tiers', '/v1/subjects/C1/entitlements', '/v1/subjects/C1/history', '/v1/schemes/retail-tier'];

describe('renewingFetch', () => {
  test('four reads refused with an expired token: one renewal, each sent again with the new token', async () => {
    srv.accept('t1');
    const p = portal((n) => `t${n}`);
    const client = createClient({ baseUrl, token: p.token, fetch: renewingFetch(p.token, p.renew) });
    await client.http.get(READS[0]!);
    srv.accept('t2'); // t1 expired
    srv.seen.length = 0;
    srv.hold();
    const reads = READS.map((path) => client.http.get<{ url: string }>(`${path}?again`));
    await new Promise((r) => setTimeout(r, 50));
    srv.release();
    assert.deepEqual(
      (await Promise.all(reads)).map((r) => r.url),
      READS.map((path) => `${path}?again`),
    );
    assert.equal(p.mints(), 2, 'the first token, then one renewal');
    assert.equal(srv.seen.filter((s) => s.endsWith('t2')).length, 4, 'each read sent again once, with t2');
  });

  test('a renewal that fails rejects every waiting read marked as the token’s, and a later read renews again', async () => {
    srv.accept('t1');
    let down = false;
    const p = portal(async (n) => {
      if (down) throw Object.assign(new Error('token'), { status: 503 });
      return `t${n}`;
    });
    const client = createClient({ baseUrl, token: p.token, fetch: renewingFetch(p.token, p.renew) });
    await client.http.get('/v1/x');
    srv.accept('t9');
    down = true;
    srv.hold();
    const reads = READS.map((path) =>
      client.http.get(path).then(
        () => undefined,
        (e: Partial<TokenFunctionError>) => e,
      ),
    );
    await new Promise((r) => setTimeout(r, 50));
    srv.release();
    const failed = await Promise.all(reads);
    assert.deepEqual(
      failed.map((e) => [e?.source, e?.status]),
      READS.map(() => ['token', 503]),
    );
    assert.equal(p.mints(), 2, 'one failed renewal for the four reads');
    // The widget's retry, the backend back: it renews again rather than meet the old failure.
    down = false;
    srv.accept('t3');
    assert.deepEqual(await client.http.get('/v1/retry'), { url: '/v1/retry' });
  });

  test('a token function that answers the refused token again sends nothing again', async () => {
    srv.accept('other');
    srv.seen.length = 0;
    let renewals = 0;
    const client = createClient({
      baseUrl,
      token: () => 'stale',
      fetch: renewingFetch(
        () => 'stale',
        () => renewals++,
      ),
    });
    await assert.rejects(client.http.get('/v1/stale'), (e: { status?: number }) => e.status === 401);
    assert.equal(renewals, 1);
    assert.equal(srv.seen.length, 1, 'one request: the same token would be refused again');
  });
});
