import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Db } from '@tierkit/db';
import { Hono } from 'hono';
import { openDatabase, serverApp } from './server.js';
import { chooseCoding, serveFile, type ServeOptions } from './static-files.js';

const dir = mkdtempSync(join(tmpdir(), 'tierkit-static-'));
let db: Db;
before(async () => {
  db = await openDatabase(join(dir, 'static.db'));
});
after(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

it('demo pages may not be framed, re-based or submit elsewhere; every file is nosniff', async () => {
  const app = serverApp(db, { tenant: 'demo', corsOrigins: undefined, demoTokens: false });
  for (const page of ['/', '/rm.html', '/two-versions.html']) {
    const res = await app.request(`http://localhost:8787${page}`);
    assert.equal(res.status, 200, page);
    const csp = res.headers.get('Content-Security-Policy') ?? '';
    for (const d of [
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "script-src 'self'",
      "require-trusted-types-for 'script'",
    ])
      assert.ok(csp.includes(d), `${page}: ${d} in ${csp}`);
    assert.equal(res.headers.get('X-Content-Type-Options'), 'nosniff', page);
  }
  const twoCopies = (await app.request('http://localhost:8787/two-versions.html')).headers.get('Content-Security-Policy') ?? '';
  assert.ok(twoCopies.includes("trusted-types lit-html 'allow-duplicates'"), twoCopies);
});

it('API paths reach the API and everything else the site, whatever the query string says', async () => {
  const app = serverApp(db, { tenant: 'demo', corsOrigins: undefined, demoTokens: false });
  const api = await app.request('http://localhost:8787/v1/subjects/C000001/tiers');
  assert.equal(api.status, 401, 'an API read without a credential is refused by the API');
  assert.match(api.headers.get('Content-Type') ?? '', /^application\/problem\+json/);
  const page = await app.request('http://localhost:8787/?next=/v1/subjects');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('Content-Type') ?? '', /^text\/html/);
});

/** A Hono app serving `root` at `/files/` the way the server serves its trees. */
function filesApp(root: string, options: ServeOptions = {}) {
  return new Hono().get('/files/*', async (c, next) => (await serveFile(c, root, '/files/', options)) ?? next());
}

it('the widget tree answers any origin, credential-free; other trees name none', async () => {
  const root = mkdtempSync(join(dir, 'cors-'));
  writeFileSync(join(root, 'tierkit.js'), 'export {};\n');
  const asked = { headers: { Origin: 'https://bank.example' } };
  const widgets = await filesApp(root, { anyOrigin: true }).request('/files/tierkit.js', asked);
  assert.equal(widgets.status, 200);
  assert.equal(widgets.headers.get('Access-Control-Allow-Origin'), '*');
  assert.equal(widgets.headers.get('Access-Control-Allow-Credentials'), null, 'never with credentials: * would not allow them anyway');
  const revalidated = await filesApp(root, { anyOrigin: true }).request('/files/tierkit.js', {
    headers: { ...asked.headers, 'If-None-Match': widgets.headers.get('ETag') ?? '' },
  });
  assert.equal(revalidated.status, 304);
  assert.equal(revalidated.headers.get('Access-Control-Allow-Origin'), '*', 'a revalidation from the bank’s page is a CORS response too');
  const page = await filesApp(root).request('/files/tierkit.js', asked);
  assert.equal(page.headers.get('Access-Control-Allow-Origin'), null);
});

it('a file is revalidated by its strong ETag: 304 when unchanged, the new bytes once it changes', async () => {
  const root = mkdtempSync(join(dir, 'etag-'));
  writeFileSync(join(root, 'a.js'), 'export const a = 1;\n');
  const app = filesApp(root);
  const first = await app.request('/files/a.js');
  const etag = first.headers.get('ETag') ?? '';
  assert.match(etag, /^"[\w-]+"$/, 'strong: no W/');
  assert.equal(first.headers.get('Cache-Control'), 'no-cache', 'a name without a hash is revalidated on every use');
  for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
    const again = await app.request('/files/a.js', { headers: { 'If-None-Match': inm } });
    assert.equal(again.status, 304, inm);
    assert.equal(again.headers.get('ETag'), etag);
    assert.equal((await again.arrayBuffer()).byteLength, 0);
  }
  assert.equal((await app.request('/files/a.js', { headers: { 'If-None-Match': '"stale"' } })).status, 200);
  // A rebuild writes the file again: its new content is served, under a new tag.
  writeFileSync(join(root, 'a.js'), 'export const a = 22;\n');
  const rebuilt = await app.request('/files/a.js', { headers: { 'If-None-Match': etag } });
  assert.equal(rebuilt.status, 200);
  assert.equal(await rebuilt.text(), 'export const a = 22;\n');
  assert.notEqual(rebuilt.headers.get('ETag'), etag);
});

it('names with a content hash are cached for good', async () => {
  const root = mkdtempSync(join(dir, 'immutable-'));
  mkdirSync(join(root, 'chunks'));
  writeFileSync(join(root, 'chunks', 'chunk-3KGF455K.js'), 'export {};\n');
  const app = filesApp(root, { immutable: (rel) => rel.startsWith('chunks/') });
  assert.equal((await app.request('/files/chunks/chunk-3KGF455K.js')).headers.get('Cache-Control'), 'public, max-age=31536000, immutable');
});

it('compresses text for a client that accepts it, the same bytes once decoded, and never for one that does not', async () => {
  const app = serverApp(db, { tenant: 'demo', corsOrigins: undefined, demoTokens: false });
  const get = (path: string, acceptEncoding?: string) =>
    app.request(`http://localhost:8787${path}`, acceptEncoding === undefined ? {} : { headers: { 'Accept-Encoding': acceptEncoding } });
  for (const path of ['/demo.js', '/demo.css', '/']) {
    const plain = await get(path);
    assert.equal(plain.headers.get('Content-Encoding'), null, `${path}: not asked, not compressed`);
    assert.equal(plain.headers.get('Vary'), 'Accept-Encoding', path);
    const bytes = Buffer.from(await plain.arrayBuffer());
    const gz = await get(path, 'gzip, deflate');
    assert.equal(gz.headers.get('Content-Encoding'), 'gzip', path);
    assert.equal(gz.headers.get('Vary'), 'Accept-Encoding', path);
    assert.equal(gz.headers.get('Content-Type'), plain.headers.get('Content-Type'), path);
    const gzBody = Buffer.from(await gz.arrayBuffer());
    assert.ok(gzBody.length < bytes.length, `${path}: ${gzBody.length} < ${bytes.length}`);
    assert.deepEqual(gunzipSync(gzBody), bytes, path);
    const br = await get(path, 'gzip, deflate, br, zstd');
    assert.equal(br.headers.get('Content-Encoding'), 'br', path);
    assert.deepEqual(brotliDecompressSync(Buffer.from(await br.arrayBuffer())), bytes, path);
    // Each coding is its own representation: a cache must not answer one with another's validator.
    assert.equal(new Set([plain, gz, br].map((r) => r.headers.get('ETag'))).size, 3, path);
    assert.equal(
      (
        await app.request(`http://localhost:8787${path}`, {
          headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': gz.headers.get('ETag') ?? '' },
        })
      ).status,
      304,
      path,
    );
    assert.equal((await get(path, 'br;q=0, gzip;q=0')).headers.get('Content-Encoding'), null, `${path}: refused codings`);
    assert.equal((await get(path, 'identity')).headers.get('Content-Encoding'), null, path);
  }
  const html = await get('/', 'gzip');
  assert.match(
    html.headers.get('Content-Security-Policy') ?? '',
    /require-trusted-types-for 'script'/,
    'compressed pages keep the strict CSP',
  );
});

it('picks brotli, then gzip, among the codings a client accepts', () => {
  const both = ['br', 'gzip'] as const;
  assert.equal(chooseCoding(undefined, both), undefined);
  assert.equal(chooseCoding('', both), undefined);
  assert.equal(chooseCoding('gzip, deflate, br', both), 'br');
  assert.equal(chooseCoding('GZIP', both), 'gzip');
  assert.equal(chooseCoding('br;q=0, gzip;q=0.5', both), 'gzip');
  assert.equal(chooseCoding('*', both), 'br');
  assert.equal(chooseCoding('*;q=0, gzip', both), 'gzip');
  assert.equal(chooseCoding('br', ['gzip']), undefined, 'only a coding that made the file smaller is offered');
  assert.equal(chooseCoding('gzip;q=nonsense', both), undefined);
});
