import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { createApiKey, rotateSigningKey } from '@tierkit/api';
import { createClient, renewingFetch, TokenHolderChangedError, type TokenFunctionError } from '@tierkit/client';
import { client, forEachDialect, NOW } from '../support/api-fixture.js';

/*
 * A portal renews its customer's embed token against the real API over HTTP (packages/client,
 * `renewingFetch`): the portal's backend mints with an embedder key through POST /v1/embed-tokens, the
 * tenant's signing key is rotated (every token out is refused, 401), and the page's client renews. A
 * renewal that hands back a token for another customer — the backend minted for the wrong session — is
 * refused by the client itself: the request rejects with `TokenHolderChangedError`, and no request ever
 * carries the other customer's token, so nothing of theirs is asked for or shown — not even by the
 * page's next read, once the host's cache holds that token.
 */

const PORTAL = 'https://ebank.example';
const SHOWN = 'C000301';
const OTHER = 'C000302';

forEachDialect('a renewed embed token must be for the customer the page shows', { corsOrigins: [PORTAL] }, (f) => {
  let server: ServerType;
  let baseUrl = '';
  let embedder = '';
  /** Every Authorization the page's client sent, in order. */
  const sent: string[] = [];

  before(async () => {
    server = serve({ fetch: f.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((r) => server.once('listening', () => r()));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    embedder = (await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'embedder', label: 'portal backend', now: NOW })).secret;
    for (const s of [SHOWN, OTHER]) await client(f).customer(s, '上官婉');
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  /** The portal backend: mints a token for `subject` over HTTP with its embedder key. */
  const mint = async (subject: string): Promise<string> => {
    const res = await fetch(`${baseUrl}/v1/embed-tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${embedder}` },
      body: JSON.stringify({ subject, origins: [PORTAL] }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return ((await res.json()) as { token: string }).token;
  };

  /** The page for SHOWN: its first token, then whatever `renewFor` says the backend mints on renewal. */
  const page = async (renewFor: () => string) => {
    let held: Promise<string> = mint(SHOWN);
    const token = () => held;
    const renew = () => {
      held = mint(renewFor());
    };
    // The page's requests, as a browser on the portal's origin sends them.
    const inner: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('Origin', PORTAL);
      sent.push(headers.get('authorization') ?? '');
      return fetch(input, { ...init, headers });
    };
    const read = createClient({ baseUrl, token, fetch: renewingFetch(token, renew, inner) });
    // The first token works, then the signing key is rotated: every token out is refused from now on.
    await read.getTiers(SHOWN);
    await rotateSigningKey(f.db.db, 'bank-a');
    return read;
  };

  it('a renewal that returns another customer’s token is refused by the client, and never sent', async () => {
    sent.length = 0;
    const read = await page(() => OTHER);
    const err = await read.getTiers(SHOWN, { locale: 'en' }).then(
      () => assert.fail('the read went through with another customer’s token'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof TokenHolderChangedError, String(err));
    assert.equal((err as TokenFunctionError).source, 'token');
    assert.equal((err as TokenFunctionError).status, 403);
    assert.match((err as Error).message, /another customer/);
    // The host's cache now holds the other customer's token: the page's next read must not send it.
    const before = sent.length;
    const next = await read.getTiers(SHOWN, { locale: 'zh-TW' }).then(
      () => assert.fail('the next read went through with another customer’s token'),
      (e: unknown) => e,
    );
    assert.ok(next instanceof TokenHolderChangedError, String(next));
    assert.equal(sent.length, before, 'the next read never reached the server');
    const others = sent.filter((a) => holderOf(a) === OTHER);
    assert.deepEqual(others, [], 'no request carried a token for the other customer');
  });

  it('a renewal for the same customer is sent again and read', async () => {
    sent.length = 0;
    const read = await page(() => SHOWN);
    // Another locale than the first read's: a read of its own, not the client's cached answer.
    const tiers = await read.getTiers(SHOWN, { locale: 'en' });
    assert.ok(Array.isArray(tiers.assignments));
    assert.equal(sent.length, 3, 'the first read, the refused one, and the one sent again with the renewed token');
    assert.equal(holderOf(sent[2] ?? ''), SHOWN);
  });
});

/** The customer a `Bearer tkt_…` header's token names (its claims, unsigned), or undefined. */
function holderOf(authorization: string): string | undefined {
  const m = /^Bearer tkt_([A-Za-z0-9_-]+)\./.exec(authorization);
  if (!m?.[1]) return undefined;
  return (JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8')) as { sub?: string }).sub;
}
