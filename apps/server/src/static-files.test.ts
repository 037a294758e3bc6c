import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Db } from '@tierkit/db';
import { Hono } from 'hono';
import { CONSOLE_ASSETS, openDatabase, serverApp } from './server.js';
import { chooseCoding, serveFile, setStaticFilesCap, staticFilesKept, type ServeOptions } from './static-files.js';

const dir = mkdtempSync(join(tmpdir(), 'tierkit-static-'));
let db: Db;
before(async () => {
  db = await openDatabase(join(dir, 'static.db'));
});
after(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

it('demo pages (served while demo tokens are on) may not be framed, re-based or submit elsewhere; every file is nosniff', async () => {
  const app = serverApp(db, { tenant: 'demo', corsOrigins: undefined, demoTokens: true });
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
  for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, '*', '"other", *']) {
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

it('a rebuild of the same size is seen by its new modification time', async () => {
  const root = mkdtempSync(join(dir, 'mtime-'));
  const file = join(root, 'a.js');
  writeFileSync(file, 'export const a = 1;\n');
  utimesSync(file, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
  const app = filesApp(root);
  const first = await app.request('/files/a.js');
  assert.equal(await first.text(), 'export const a = 1;\n');
  writeFileSync(file, 'export const a = 2;\n');
  utimesSync(file, new Date('2026-01-01T00:00:01Z'), new Date('2026-01-01T00:00:01Z'));
  const rebuilt = await app.request('/files/a.js', { headers: { 'If-None-Match': first.headers.get('ETag') ?? '' } });
  assert.equal(rebuilt.status, 200);
  assert.equal(await rebuilt.text(), 'export const a = 2;\n');
});

it('a tag of another coding is not a match: the client gets the representation it asks for', async () => {
  const root = mkdtempSync(join(dir, 'codings-'));
  writeFileSync(join(root, 'a.js'), `export const text = '${'tier '.repeat(200)}';\n`);
  const app = filesApp(root);
  const identity = await app.request('/files/a.js');
  const br = await app.request('/files/a.js', { headers: { 'Accept-Encoding': 'br' } });
  assert.equal(br.headers.get('Content-Encoding'), 'br');
  const brAskedWithIdentityTag = await app.request('/files/a.js', {
    headers: { 'Accept-Encoding': 'br', 'If-None-Match': identity.headers.get('ETag') ?? '' },
  });
  assert.equal(brAskedWithIdentityTag.status, 200);
  assert.equal(brAskedWithIdentityTag.headers.get('Content-Encoding'), 'br');
  const identityAskedWithBrTag = await app.request('/files/a.js', { headers: { 'If-None-Match': br.headers.get('ETag') ?? '' } });
  assert.equal(identityAskedWithBrTag.status, 200);
  assert.equal(identityAskedWithBrTag.headers.get('Content-Encoding'), null);
  assert.equal(await identityAskedWithBrTag.text(), await identity.text());
});

it('HEAD answers the headers GET would, without a body', async () => {
  const root = mkdtempSync(join(dir, 'head-'));
  writeFileSync(join(root, 'a.js'), `export const text = '${'tier '.repeat(200)}';\n`);
  const app = filesApp(root, { anyOrigin: true });
  const asked = { 'Accept-Encoding': 'gzip' };
  const get = await app.request('/files/a.js', { headers: asked });
  const head = await app.request('/files/a.js', { method: 'HEAD', headers: asked });
  assert.equal(head.status, 200);
  for (const name of ['ETag', 'Content-Type', 'Content-Encoding', 'Cache-Control', 'Vary', 'Access-Control-Allow-Origin'])
    assert.equal(head.headers.get(name), get.headers.get(name), name);
  assert.equal((await head.arrayBuffer()).byteLength, 0);
});

it("the console's hashed chunks are cached for good, its entry and unhashed names revalidated", async () => {
  const root = mkdtempSync(join(dir, 'immutable-'));
  mkdirSync(join(root, 'chunks'));
  for (const name of ['console.js', 'chunks/chunk-3KGF455K.js', 'chunks/chunk.js', 'chunks/chunk-3kgf455k.js'])
    writeFileSync(join(root, name), 'export {};\n');
  const app = filesApp(root, CONSOLE_ASSETS);
  const cacheControl = async (name: string) => (await app.request(`/files/${name}`)).headers.get('Cache-Control');
  assert.equal(await cacheControl('chunks/chunk-3KGF455K.js'), 'public, max-age=31536000, immutable');
  assert.equal(await cacheControl('console.js'), 'no-cache', 'the entry keeps its name across builds');
  assert.equal(await cacheControl('chunks/chunk.js'), 'no-cache');
  assert.equal(await cacheControl('chunks/chunk-3kgf455k.js'), 'no-cache', 'not the build’s hash alphabet');
});

it('one file asked by many names is kept once', async () => {
  const root = mkdtempSync(join(dir, 'names-'));
  writeFileSync(join(root, 'a.js'), 'export const a = 1;\n');
  // Links stand in for the spellings a case-insensitive file system answers for one name.
  for (let i = 0; i < 20; i++) {
    symlinkSync(join(root, 'a.js'), join(root, `s${i}.js`));
    linkSync(join(root, 'a.js'), join(root, `h${i}.js`));
  }
  const app = filesApp(root);
  const before = staticFilesKept().files;
  for (let i = 0; i < 20; i++) {
    assert.equal((await app.request(`/files/s${i}.js`)).status, 200);
    assert.equal((await app.request(`/files/h${i}.js`)).status, 200);
  }
  assert.equal(staticFilesKept().files, before + 1);
});

it('the cache holds no more than its cap, dropping the least recently served (a deleted file among them)', async () => {
  const root = mkdtempSync(join(dir, 'cap-'));
  const app = filesApp(root);
  const previous = setStaticFilesCap(10_000);
  try {
    assert.ok(staticFilesKept().bytes <= 10_000);
    writeFileSync(join(root, 'gone.bin'), Buffer.alloc(3_000, 1));
    assert.equal((await app.request('/files/gone.bin')).status, 200);
    rmSync(join(root, 'gone.bin'));
    assert.equal((await app.request('/files/gone.bin')).status, 404);
    const held = staticFilesKept();
    for (let i = 0; i < 10; i++) {
      writeFileSync(join(root, `f${i}.bin`), Buffer.alloc(3_000, i));
      assert.equal((await app.request(`/files/f${i}.bin`)).status, 200);
      assert.ok(staticFilesKept().bytes <= 10_000, `${staticFilesKept().bytes} bytes kept`);
    }
    assert.ok(held.bytes >= 3_000, 'the deleted file was kept');
    assert.equal(staticFilesKept().files, 3, 'the three most recent, the deleted one gone');
    const big = Buffer.alloc(20_000, 7);
    writeFileSync(join(root, 'big.bin'), big);
    const res = await app.request('/files/big.bin');
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), big, 'a file over the cap is served, just not kept');
    assert.ok(staticFilesKept().bytes <= 10_000);
  } finally {
    setStaticFilesCap(previous);
  }
});

it('compresses text for a client that accepts it, the same bytes once decoded, and never for one that does not', async () => {
  const app = serverApp(db, { tenant: 'demo', corsOrigins: undefined, demoTokens: true });
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

it('picks the coding a client prefers, brotli on a tie', () => {
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
  assert.equal(chooseCoding('gzip;q=1, br;q=0.1', both), 'gzip', 'the client prefers gzip');
  assert.equal(chooseCoding('gzip, br;q=0.9', both), 'gzip');
  assert.equal(chooseCoding('gzip;q=0.5, br;q=0.5', both), 'br', 'brotli on a tie');
  assert.equal(chooseCoding('*;q=0.2, gzip;q=0.1', both), 'br', '* weighs what it does not name');
  assert.equal(chooseCoding('gzip;q=1e999, br;q=-1', both), undefined, 'q-values outside 0..1 refuse');
});
