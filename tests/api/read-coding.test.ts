import assert from 'node:assert/strict';
import { it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { createApp, mintEmbedToken } from '@tierkit/api';
import { acceptsGzip } from '../../packages/api/src/etag.js';
import { GZIP_MIN_BYTES } from '../../packages/api/src/read-cache.js';
import { client, forEachDialect, NOW } from '../support/api-fixture.js';

const Q3 = ['2025-08', '2025-09', '2025-10'] as const;
const BROWSER = 'gzip, deflate, br, zstd';

/** The body's bytes as they came over the wire, before any decoding. */
const bytesOf = async (res: Response) => Buffer.from(await res.arrayBuffer());

forEachDialect('kept subject reads go out gzip-compressed to readers that take it', (f) => {
  const fresh = () => createApp({ db: f.db.db, now: () => NOW, logError: () => undefined });
  const get = (app: ReturnType<typeof createApp>, path: string, credential: string, headers: Record<string, string> = {}) =>
    app.request(path, { headers: { Authorization: `Bearer ${credential}`, ...headers } });

  it('a browser’s kept read is gzip with its own ETag, the same document; a first ask is sent as built', async () => {
    await client(f).customer('GZ1');
    await client(f).balances(
      'GZ1',
      Q3.map((p) => [p, 400_000]),
    );
    const { token } = await mintEmbedToken(f.db.db, { tenantId: 'bank-a', subject: 'GZ1', now: NOW });
    for (const route of ['tiers', 'entitlements', 'history', 'tiers?locale=en']) {
      const small = route === 'history';
      const path = `/v1/subjects/GZ1/${route}`;
      for (const [credential, via] of [
        [token, 'the fast path'],
        [f.keys.roles.viewer, 'the fast path'],
        [f.keys.roles.viewer, 'the general chain'],
      ] as const) {
        // `?unmask=false` sends a read through the general chain (see fast-reads.test.ts).
        const url = via === 'the general chain' ? `${path}${path.includes('?') ? '&' : '?'}unmask=false` : path;
        const app = fresh();
        const first = await get(app, url, credential, { 'Accept-Encoding': BROWSER });
        assert.equal(first.status, 200);
        assert.equal(first.headers.get('content-encoding'), null, `${url}: a first ask is not compressed`);
        assert.match(first.headers.get('vary') ?? '', /Accept-Encoding/);
        const plain = await bytesOf(first);
        assert.equal(plain.length < GZIP_MIN_BYTES, small, `${url}: ${plain.length} bytes`);
        if (small) {
          // Too short to be worth compressing: sent as it is, kept or not.
          await get(app, url, credential, { 'Accept-Encoding': BROWSER });
          const kept = await get(app, url, credential, { 'Accept-Encoding': BROWSER });
          assert.equal(kept.headers.get('content-encoding'), null);
          assert.deepEqual(await bytesOf(kept), plain);
          continue;
        }
        const kept = await get(app, url, credential, { 'Accept-Encoding': BROWSER });
        const again = await get(app, url, credential, { 'Accept-Encoding': BROWSER });
        for (const res of [kept, again]) {
          assert.equal(res.status, 200);
          assert.equal(res.headers.get('content-encoding'), 'gzip', `${url} by ${via}`);
          assert.equal(res.headers.get('vary'), 'Accept-Encoding');
          assert.equal(res.headers.get('content-type'), 'application/json');
          const wire = await bytesOf(res);
          assert.ok(wire.length < plain.length, `${url}: ${wire.length} compressed bytes < ${plain.length}`);
          assert.deepEqual(gunzipSync(wire), plain, `${url}: the same document`);
        }
        const identityEtag = first.headers.get('etag') ?? '';
        const gzipEtag = kept.headers.get('etag') ?? '';
        assert.equal(again.headers.get('etag'), gzipEtag);
        assert.notEqual(gzipEtag, identityEtag, 'the coding is part of the representation');
        // A reader that takes no gzip, after the body was kept compressed only: the same bytes as built.
        const server = await get(app, url, credential);
        assert.equal(server.headers.get('content-encoding'), null);
        assert.equal(server.headers.get('etag'), identityEtag);
        assert.deepEqual(await bytesOf(server), plain);
        const refused = await get(app, url, credential, { 'Accept-Encoding': 'gzip;q=0, br' });
        assert.equal(refused.headers.get('content-encoding'), null, 'gzip;q=0 refuses gzip');
        // Either ETag is current in either coding: a 304 sends no body.
        for (const [etag, coding] of [
          [identityEtag, BROWSER],
          [gzipEtag, BROWSER],
          [identityEtag, ''],
          [`W/${gzipEtag}`, ''],
        ] as const) {
          const headers: Record<string, string> = { 'If-None-Match': etag };
          if (coding) headers['Accept-Encoding'] = coding;
          const res = await get(app, url, credential, headers);
          assert.equal(res.status, 304, `${url} If-None-Match ${etag} (${coding || 'no Accept-Encoding'})`);
          assert.equal(res.headers.get('vary'), 'Accept-Encoding');
        }
      }
    }
  });

  it('the fast path and the general chain send the same compressed bytes', async () => {
    await client(f).customer('GZ2');
    await client(f).balances(
      'GZ2',
      Q3.map((p) => [p, 400_000]),
    );
    const app = fresh();
    const viewer = f.keys.roles.viewer;
    const browser = { 'Accept-Encoding': BROWSER };
    for (let i = 0; i < 2; i++) await get(app, '/v1/subjects/GZ2/tiers', viewer, browser);
    const fast = await get(app, '/v1/subjects/GZ2/tiers', viewer, browser);
    for (let i = 0; i < 2; i++) await get(app, '/v1/subjects/GZ2/tiers?unmask=false', viewer, browser);
    const chain = await get(app, '/v1/subjects/GZ2/tiers?unmask=false', viewer, browser);
    assert.equal(fast.headers.get('content-encoding'), 'gzip');
    assert.equal(chain.headers.get('content-encoding'), 'gzip');
    assert.deepEqual(gunzipSync(await bytesOf(fast)), gunzipSync(await bytesOf(chain)));
  });

  it('after a write the compressed body is not served: a new ETag, never a stale 304', async () => {
    await client(f).customer('GZ3');
    await client(f).balances(
      'GZ3',
      Q3.map((p) => [p, 400_000]),
    );
    const app = fresh();
    const viewer = f.keys.roles.viewer;
    const browser = { 'Accept-Encoding': BROWSER };
    for (let i = 0; i < 2; i++) await get(app, '/v1/subjects/GZ3/tiers', viewer, browser);
    const before = await get(app, '/v1/subjects/GZ3/tiers', viewer, browser);
    const etag = before.headers.get('etag') ?? '';
    await client(f).balances(
      'GZ3',
      Q3.map((p) => [p, 900_000]),
    );
    const after = await get(app, '/v1/subjects/GZ3/tiers', viewer, { ...browser, 'If-None-Match': etag });
    assert.equal(after.status, 200);
    assert.notEqual(after.headers.get('etag'), etag);
    assert.notDeepEqual(await bytesOf(after), gunzipSync(await bytesOf(before)));
  });
});

it('Accept-Encoding takes gzip when it names gzip, x-gzip or * without q=0', () => {
  for (const header of ['gzip', 'GZIP', 'deflate, gzip;q=0.5', 'br;q=1, *', 'x-gzip', ' gzip ; q=1.0', BROWSER]) {
    assert.equal(acceptsGzip(header), true, header);
  }
  for (const header of [undefined, '', 'identity', 'br, deflate', 'gzip;q=0', 'gzip; q=0.000', '*;q=0', 'gzipx']) {
    assert.equal(acceptsGzip(header), false, String(header));
  }
});
