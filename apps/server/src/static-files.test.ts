import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Db } from '@tierkit/db';
import { openDatabase, serverApp } from './server.js';

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
