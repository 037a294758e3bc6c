import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApiKey, createApp, CREDENTIAL_CACHE_SECONDS, drainJobs, enqueueRetier, mintEmbedToken, revokeKey } from '@tierkit/api';
import { findSubjectByExternalId, insertOverride, type Database } from '@tierkit/db';
import { Hono } from 'hono';
import type { CompiledQuery, Kysely } from 'kysely';
import { authenticate } from '../../packages/api/src/auth/authenticate.js';
import { CredentialCache } from '../../packages/api/src/auth/credential-cache.js';
import type { AppEnv, SharedDeps } from '../../packages/api/src/deps.js';
import { fastSubjectReads } from '../../packages/api/src/middleware/fast-reads.js';
import { ReadCache } from '../../packages/api/src/read-cache.js';
import { MAX_OBSERVATIONS } from '../../packages/api/src/routes/subject-writes.js';
import { TenantResultCache } from '../../packages/api/src/services/matrix-cache.js';
import { TenantPacks } from '../../packages/api/src/services/tenant-pack.js';
import { SubjectVersions } from '../../packages/api/src/version-trust.js';
import { client, forEachDialect, NOW } from '../support/api-fixture.js';

const Q3 = ['2025-08', '2025-09', '2025-10'] as const;

/** The database as the app sees it, recording the SQL of every prepared-once query (the subject lookups among them). */
function recording(db: Kysely<Database>): { db: Kysely<Database>; sql: string[] } {
  const sql: string[] = [];
  const proxy = new Proxy(db, {
    get(target, name) {
      if (name === 'executeQuery') {
        return (query: CompiledQuery) => {
          sql.push(query.sql);
          return target.executeQuery(query);
        };
      }
      const value = Reflect.get(target, name, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db: proxy, sql };
}

/** Headers that must be the same whichever path answered: all but the per-request ones. */
const sameHeaders = (res: Response) => [...res.headers].filter(([name]) => name !== 'x-request-id' && name !== 'date');

/**
 * Whether a request read the whole subject row. The general chain always does. The fast path does on
 * a first ask, and on a kept read only when the subject's version is not trusted — the apps below
 * trust it for an hour (writes here void it), so a kept read that reads it went through the chain.
 */
// The whole row: by itself, or with whether the subject has an approved override (findSubjectForRead),
// or with its assignments too (findSubjectForTiers, a staff tiers read's first ask).
const readWholeSubject = (sql: readonly string[]) =>
  sql.some((s) => /^select (\*|"subjects"\.\*)[, ].*from "subjects" (left join "assignments" as "a" on .* )?where/i.test(s));
/** How many times a request looked the subject up. */
const subjectLookups = (sql: readonly string[]) => sql.filter((s) => /from "subjects"/i.test(s)).length;

forEachDialect('the fast path of kept subject reads answers exactly as the general chain', (f) => {
  let clock = NOW.getTime();
  const appOn = (db: Kysely<Database>, rateLimit?: Parameters<typeof createApp>[0]['rateLimit']) =>
    createApp({
      db,
      now: () => new Date(clock),
      logError: () => undefined,
      subjectVersionTrustMs: 3_600_000,
      ...(rateLimit ? { rateLimit } : {}),
    });
  const get = (app: ReturnType<typeof createApp>, path: string, credential: string, headers: Record<string, string> = {}) =>
    app.request(path, { headers: { Authorization: `Bearer ${credential}`, ...headers } });

  it('a kept read (third ask) has the body, status and headers of the general chain’s; 304 and ?locale= too; the request id is echoed', async () => {
    clock = NOW.getTime();
    await client(f).customer('FR1');
    await client(f).balances(
      'FR1',
      Q3.map((p) => [p, 400_000]),
    );
    const { token } = await mintEmbedToken(f.db.db, { tenantId: 'bank-a', subject: 'FR1', now: NOW });
    const seen = recording(f.db.db);
    const app = appOn(seen.db);
    for (const path of [
      '/v1/subjects/FR1/tiers',
      '/v1/subjects/FR1/tiers?locale=zh-CN',
      // A bank's front page: one scheme, one language; a list of schemes, either order.
      '/v1/subjects/FR1/tiers?scheme=retail-tier&locale=zh-CN',
      '/v1/subjects/FR1/tiers?locale=en&scheme=retail-tier,aml-test',
      // The list as @tierkit/client sends it: URLSearchParams encodes the comma.
      '/v1/subjects/FR1/tiers?scheme=aml-test%2Cretail-tier',
      '/v1/subjects/FR1/tiers?scheme=retail-tier',
      '/v1/subjects/FR1/entitlements',
      '/v1/subjects/FR1/history',
    ]) {
      // aml-test is a staff scheme: a customer's token asking for it is the 404 tested below.
      for (const credential of path.includes('aml-test') ? [f.keys.roles.viewer] : [token, f.keys.roles.viewer]) {
        // `?unmask=false` changes nothing a reader sees but takes the general chain: the reference.
        const built = await get(app, `${path}${path.includes('?') ? '&' : '?'}unmask=false`, credential);
        seen.sql.length = 0;
        const firstAsk = await get(app, path, credential);
        // The row it builds from and, when not trusted yet, its version: one lookup.
        assert.equal(subjectLookups(seen.sql), 1, `${path}: the subject looked up once: ${seen.sql.join('; ')}`);
        assert.equal(await firstAsk.text(), await built.clone().text(), `${path}: a first ask built by the fast path`);
        assert.deepEqual(sameHeaders(firstAsk), sameHeaders(built), path);
        seen.sql.length = 0;
        const kept = await get(app, path, credential, { 'X-Request-Id': 'req-fast-1' });
        assert.equal(readWholeSubject(seen.sql), false, `${path}: answered by the fast path`);
        assert.equal(kept.status, 200, path);
        assert.equal(await kept.text(), await built.text(), path);
        assert.deepEqual(sameHeaders(kept), sameHeaders(built), path);
        assert.equal(kept.headers.get('x-request-id'), 'req-fast-1');
        const etag = built.headers.get('etag') ?? '';
        const notModified = await get(app, path, credential, { 'If-None-Match': `W/${etag}` });
        assert.equal(notModified.status, 304, path);
        assert.equal(await notModified.text(), '');
        assert.equal(notModified.headers.get('etag'), etag);
        assert.equal(notModified.headers.get('cache-control'), 'no-store');
        assert.equal(notModified.headers.get('x-content-type-options'), 'nosniff');
      }
    }
  });

  it('a kept read whose version and pack are trusted is answered by fetch itself, not a promise; after a write, through one again', async () => {
    clock = NOW.getTime();
    await client(f).customer('FR20');
    await client(f).balances(
      'FR20',
      Q3.map((p) => [p, 400_000]),
    );
    const { token } = await mintEmbedToken(f.db.db, { tenantId: 'bank-a', subject: 'FR20', now: NOW });
    const app = appOn(f.db.db);
    const ask = (headers: Record<string, string> = {}) =>
      app.fetch(new Request('http://localhost/v1/subjects/FR20/tiers', { headers: { Authorization: `Bearer ${token}`, ...headers } }));
    // The pack is trusted for PACK_CHECK_MS of real time (tenant-pack.ts), not the pinned clock, and a
    // loaded machine may take longer than that between two asks: the ask that finds the check expired
    // makes it again (a promise), and the ask right after it is within it. On main every ask is a promise.
    const afterPackCheck = async () => void (await ask());
    // The chain verifies the token; the fast path's first ask builds the body, its second keeps it.
    const built = await ask();
    await ask();
    await ask();
    await afterPackCheck();
    // @hono/node-server writes a Response returned as it is straight to the socket: no await, no close listener.
    const kept = ask({ 'X-Request-Id': 'req-sync-1' });
    assert.ok(kept instanceof Response, 'a kept read is answered without a promise');
    assert.equal(kept.status, 200);
    assert.equal(await kept.text(), await built.clone().text());
    assert.deepEqual(sameHeaders(kept), sameHeaders(built));
    assert.equal(kept.headers.get('x-request-id'), 'req-sync-1');
    await afterPackCheck();
    const notModified = ask({ 'If-None-Match': built.headers.get('etag') ?? '' });
    assert.ok(notModified instanceof Response);
    assert.equal(notModified.status, 304);
    // A write in this process voids the trusted version: the next read asks the database again (a promise).
    await client(f).balances('FR20', [['2025-10', 900_000]]);
    const after = ask();
    assert.ok(after instanceof Promise, 'after a write the version is read again');
    assert.equal((await after).status, 200);
  });
  it('with readCacheBytes 0 nothing is kept: every ask is built again from the stored rows', async () => {
    clock = NOW.getTime();
    await client(f).customer('FR6');
    const seen = recording(f.db.db);
    const app = createApp({ db: seen.db, now: () => new Date(clock), logError: () => undefined, readCacheBytes: 0 });
    for (let i = 0; i < 3; i++) {
      seen.sql.length = 0;
      assert.equal((await get(app, '/v1/subjects/FR6/tiers', f.keys.roles.viewer)).status, 200);
      assert.equal(readWholeSubject(seen.sql), true);
      assert.equal(
        seen.sql.some((s) => /(from|join) "assignments"/i.test(s)),
        true,
        `ask ${i + 1} built: ${seen.sql.join('; ')}`,
      );
    }
  });

  it('a browser’s kept read gets the chain’s CORS headers; a bad query, a foreign Origin or another subject is answered as before', async () => {
    clock = NOW.getTime();
    await client(f).customer('FR2');
    const { token } = await mintEmbedToken(f.db.db, { tenantId: 'bank-a', subject: 'FR2', now: NOW, origins: ['http://localhost:8080'] });
    const seen = recording(f.db.db);
    const app = appOn(seen.db);
    const page = { Origin: 'http://localhost:8080' };
    const built = await get(app, '/v1/subjects/FR2/tiers?unmask=false', token, page);
    await get(app, '/v1/subjects/FR2/tiers', token, page);
    seen.sql.length = 0;
    const cors = await get(app, '/v1/subjects/FR2/tiers', token, page);
    assert.equal(readWholeSubject(seen.sql), false, 'a browser’s kept read takes the fast path too');
    assert.equal(cors.status, 200);
    assert.equal(cors.headers.get('access-control-allow-origin'), 'http://localhost:8080');
    assert.deepEqual(sameHeaders(cors), sameHeaders(built));
    // A page the token names but CORS does not trust (a key from a page would be refused outright).
    const elsewhere = await mintEmbedToken(f.db.db, {
      tenantId: 'bank-a',
      subject: 'FR2',
      now: NOW,
      origins: ['https://elsewhere.example'],
    });
    const foreign = (query = '') => get(app, `/v1/subjects/FR2/tiers${query}`, elsewhere.token, { Origin: 'https://elsewhere.example' });
    const first = await foreign('?unmask=false');
    await foreign();
    const untrusted = await foreign();
    assert.deepEqual(sameHeaders(untrusted), sameHeaders(first));
    assert.equal(untrusted.headers.get('access-control-allow-origin'), null);
    assert.equal(untrusted.headers.get('vary'), 'Origin');
    assert.equal((await get(app, '/v1/subjects/FR2/tiers', token, { Origin: 'https://elsewhere.example' })).status, 403);
    assert.equal((await get(app, '/v1/subjects/FR2/tiers?locale=xx', token)).status, 400);
    // A scheme the reader does not see, or none of the tenant's: the chain's 404, kept or not.
    for (const query of ['scheme=aml-test', 'scheme=nope', 'scheme=retail-tier,nope', 'locale=en&scheme=nope']) {
      for (let i = 0; i < 3; i++) {
        const res = await get(app, `/v1/subjects/FR2/tiers?${query}`, token);
        assert.equal(res.status, 404, query);
        assert.equal(((await res.json()) as { type: string }).type.endsWith('scheme-not-found'), true, query);
      }
    }
    // Repeated or unknown parameters are the chain's to read: answered as before.
    // A list longer than SchemesQuery takes (1,024 characters) is its 400, though every key in it is seen.
    const tooLong = `scheme=${Array.from({ length: 86 }, () => 'retail-tier').join(',')}`;
    for (const query of ['scheme=retail-tier&scheme=aml-test', 'locale=en&locale=zh-CN', 'scheme', 'locale=en&x=1', tooLong]) {
      const viaChain = await get(app, `/v1/subjects/FR2/tiers?${query}&unmask=false`, f.keys.roles.viewer);
      const res = await get(app, `/v1/subjects/FR2/tiers?${query}`, f.keys.roles.viewer);
      assert.equal(res.status, viaChain.status, query);
      assert.equal(await res.text(), await viaChain.text(), query);
    }
    assert.equal((await get(app, '/v1/subjects/FR1/tiers', token)).status, 403, 'another subject than the token’s');
  });

  it(`a revoked key is refused at once when revoked here, within ${CREDENTIAL_CACHE_SECONDS} s when revoked elsewhere — kept reads included`, async () => {
    clock = NOW.getTime();
    await client(f).customer('FR3');
    const app = appOn(f.db.db);
    const here = await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'viewer', label: 'revoked here', now: NOW });
    const elsewhere = await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'viewer', label: 'revoked elsewhere', now: NOW });
    for (const { secret } of [here, elsewhere])
      for (let i = 0; i < 3; i++) assert.equal((await get(app, '/v1/subjects/FR3/tiers', secret)).status, 200);
    await revokeKey(f.db.db, here.key.id, NOW);
    assert.equal((await get(app, '/v1/subjects/FR3/tiers', here.secret)).status, 401);
    await f.db.db.updateTable('api_keys').set({ revoked_at: NOW.toISOString() }).where('id', '=', elsewhere.key.id).execute();
    clock += CREDENTIAL_CACHE_SECONDS * 1000;
    assert.equal((await get(app, '/v1/subjects/FR3/tiers', elsewhere.secret)).status, 401);
  });

  it('a kept read still spends the credential’s rate limit, and an empty bucket answers 429', async () => {
    clock = NOW.getTime();
    await client(f).customer('FR4');
    const { token } = await mintEmbedToken(f.db.db, { tenantId: 'bank-a', subject: 'FR4', now: NOW });
    const app = appOn(f.db.db, { burst: 4, perSecond: 0.001, clock: () => 0 });
    for (let i = 0; i < 4; i++) assert.equal((await get(app, '/v1/subjects/FR4/tiers', token)).status, 200);
    const limited = await get(app, '/v1/subjects/FR4/tiers', token);
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
  });

  it('after a write the kept body is not served: a new ETag, never a stale 304', async () => {
    clock = NOW.getTime();
    await client(f).customer('FR5');
    const { token } = await mintEmbedToken(f.db.db, { tenantId: 'bank-a', subject: 'FR5', now: NOW });
    const app = appOn(f.db.db);
    let etag = '';
    for (let i = 0; i < 3; i++) etag = (await get(app, '/v1/subjects/FR5/tiers', token)).headers.get('etag') ?? '';
    await client(f).balances(
      'FR5',
      Q3.map((p) => [p, 400_000]),
    );
    const after = await get(app, '/v1/subjects/FR5/tiers', token, { 'If-None-Match': etag });
    assert.equal(after.status, 200);
    assert.notEqual(after.headers.get('etag'), etag);
  });

  /**
   * What another process's write looks like to this one: plain SQL, no app told — a rename (so the
   * body, and with it the ETag, changes) with its version bumped.
   */
  let renames = 0;
  const writtenElsewhere = (id: string) =>
    f.db.db
      .updateTable('subjects')
      .set((eb) => ({ version: eb('version', '+', 1), display_name: `${String.fromCharCode(65 + (renames++ % 26))} Renamed` }))
      .where('tenant_id', '=', 'bank-a')
      .where('external_id', '=', id)
      .execute();

  it('a kept read within the version’s trust asks nothing of the subject, minting tokens included; another process’s write is seen once the trust has passed, or at once with 0', async () => {
    clock = NOW.getTime();
    await client(f).customer('FR8');
    const { token } = await mintEmbedToken(f.db.db, { tenantId: 'bank-a', subject: 'FR8', now: NOW });
    const seen = recording(f.db.db);
    const path = '/v1/subjects/FR8/tiers';
    const readSubject = () => seen.sql.some((s) => /from "subjects"/i.test(s));
    // An hour of trust: the stale answer below cannot depend on how fast this machine runs.
    const trusting = createApp({ db: seen.db, now: () => new Date(clock), logError: () => undefined, subjectVersionTrustMs: 3_600_000 });
    let etag = '';
    for (let i = 0; i < 3; i++) etag = (await get(trusting, path, token)).headers.get('etag') ?? '';
    seen.sql.length = 0;
    assert.equal((await get(trusting, path, token, { 'If-None-Match': etag })).status, 304);
    assert.equal(readSubject(), false, 'a kept read within the trust does not look the subject up');
    // The bank's backend mints a token at each login: that writes no subject and voids no trust.
    const minted = await trusting.request('/v1/embed-tokens', {
      method: 'POST',
      headers: { Authorization: `Bearer ${f.keys.roles.officer}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ subject: 'FR8' }),
    });
    assert.equal(minted.status, 201);
    seen.sql.length = 0;
    assert.equal((await get(trusting, path, token, { 'If-None-Match': etag })).status, 304);
    assert.equal(readSubject(), false, 'minting a token left the trust alone');

    await writtenElsewhere('FR8');
    assert.equal((await get(trusting, path, token, { 'If-None-Match': etag })).status, 304, 'within the trust: the version read before');

    // With 0 the same kept read asks for the version every time, so the write is seen at once.
    const checking = createApp({ db: f.db.db, now: () => new Date(clock), logError: () => undefined, subjectVersionTrustMs: 0 });
    for (let i = 0; i < 3; i++) etag = (await get(checking, path, token)).headers.get('etag') ?? '';
    assert.equal((await get(checking, path, token, { 'If-None-Match': etag })).status, 304);
    await writtenElsewhere('FR8');
    const fresh = await get(checking, path, token, { 'If-None-Match': etag });
    assert.equal(fresh.status, 200, 'with 0 every read asks the database');
    assert.notEqual(fresh.headers.get('etag'), etag);

    // A short trust, and a wait longer than it: the write is seen.
    const brief = createApp({ db: f.db.db, now: () => new Date(clock), logError: () => undefined, subjectVersionTrustMs: 20 });
    for (let i = 0; i < 3; i++) etag = (await get(brief, path, token)).headers.get('etag') ?? '';
    await writtenElsewhere('FR8');
    await new Promise((r) => setTimeout(r, 60));
    const later = await get(brief, path, token, { 'If-None-Match': etag });
    assert.equal(later.status, 200);
    assert.notEqual(later.headers.get('etag'), etag);
  });

  it('a re-tier chunk run by a worker in this process is seen at once by a trusted kept read', async () => {
    clock = NOW.getTime();
    await client(f).customer('FR9');
    await client(f).balances(
      'FR9',
      Q3.map((p) => [p, 400_000]),
    );
    const { token } = await mintEmbedToken(f.db.db, { tenantId: 'bank-a', subject: 'FR9', now: NOW });
    const app = createApp({ db: f.db.db, now: () => new Date(clock), logError: () => undefined, subjectVersionTrustMs: 3_600_000 });
    const path = '/v1/subjects/FR9/tiers';
    let etag = '';
    for (let i = 0; i < 3; i++) etag = (await get(app, path, token)).headers.get('etag') ?? '';
    // The next month, re-tiered by a job: every assignment is rewritten (its explanation names the month).
    const job = await enqueueRetier(f.db.db, { tenantId: 'bank-a', period: '2025-11', now: NOW, filter: { subjects: ['FR9'] } });
    assert.ok(job);
    await drainJobs({ db: f.db.db, now: () => NOW });
    const after = await get(app, path, token, { 'If-None-Match': etag });
    assert.equal(after.status, 200);
    assert.notEqual(after.headers.get('etag'), etag);
  });
  it('a kept read whose version is no longer trusted is still answered by the fast path, from the kept body', async () => {
    clock = NOW.getTime();
    await client(f).customer('FR10');
    // The fast path alone, in front of a chain that only authenticates (filling the credential cache
    // as the app's does) and then answers 599: whatever reaches the chain is told apart by its status.
    const seen = recording(f.db.db);
    const shared: SharedDeps = {
      db: seen.db,
      packs: new TenantPacks(),
      unmaskNames: false,
      maxObservations: MAX_OBSERVATIONS,
      timeZone: 'Asia/Shanghai',
      now: () => new Date(clock),
      matrices: new TenantResultCache(0),
    };
    const credentials = new CredentialCache(60_000);
    // Trust 0: every read asks for the subject's version, as a read after another process's write does.
    const versions = new SubjectVersions(0);
    const reads = new ReadCache();
    let chain = 0;
    const app = new Hono<AppEnv>()
      .use(
        '/v1/subjects/*',
        fastSubjectReads({
          shared,
          credentials,
          reads,
          versions,
          limits: undefined,
          headers: [],
          cors: { allow: () => null, expose: [] },
          keysFromBrowsers: 'refuse',
        }),
      )
      .use('/v1/*', authenticate(shared, credentials))
      .get('*', () => {
        chain++;
        return new Response('the general chain', { status: 599 });
      });
    const path = '/v1/subjects/FR10/tiers?locale=zh-CN';
    const ask = () => app.request(path, { headers: { Authorization: `Bearer ${f.keys.roles.viewer}` } });
    assert.equal((await ask()).status, 599, 'a credential not verified yet goes to the chain');
    assert.equal(chain, 1);
    const bodies: string[] = [];
    for (let i = 0; i < 3; i++) {
      seen.sql.length = 0;
      const res = await ask();
      assert.equal(res.status, 200, `ask ${i + 2}`);
      bodies.push(await res.text());
      assert.equal(subjectLookups(seen.sql), 1, `ask ${i + 2}: one lookup, version and row together`);
    }
    assert.equal(chain, 1, 'nothing after the first ask reached the chain');
    // The third was kept by the second: no assignment was read for it.
    assert.equal(
      seen.sql.some((s) => /from "assignments"/i.test(s)),
      false,
      `the last ask was kept: ${seen.sql.join('; ')}`,
    );
    assert.equal(new Set(bodies).size, 1);
  });
  it('a staff front page’s first ask reads the subject and its assignment in one statement, with the chain’s body and ETag; every scheme’s, two', async () => {
    clock = NOW.getTime();
    await client(f).customer('FR31');
    await client(f).balances(
      'FR31',
      Q3.map((p) => [p, 400_000]),
    );
    const seen = recording(f.db.db);
    // Nothing kept: every ask below is a first ask.
    const app = createApp({ db: seen.db, now: () => new Date(clock), logError: () => undefined, readCacheBytes: 0 });
    const key = f.keys.roles.viewer;
    // The fast path leaves an escape it does not take (`%2D`) to the general chain, which decodes it: the same read.
    for (const [fast, chain, statements] of [
      ['/v1/subjects/FR31/tiers?scheme=retail-tier&locale=zh-CN', '/v1/subjects/FR31/tiers?scheme=retail%2Dtier&locale=zh-CN', 1],
      ['/v1/subjects/FR31/tiers?scheme=retail-tier', '/v1/subjects/FR31/tiers?scheme=retail%2Dtier', 1],
      // Every scheme's rows cost more joined to the subject than read apart (findSubjectForTiers).
      ['/v1/subjects/FR31/tiers?locale=zh-CN', '/v1/subjects/FR31/tiers?locale=zh%2DCN', 2],
    ] as const) {
      const general = await get(app, chain, key);
      assert.equal(general.status, 200, chain);
      seen.sql.length = 0;
      const res = await get(app, fast, key);
      assert.equal(res.status, 200, fast);
      assert.equal(seen.sql.length, statements, `${fast}: ${seen.sql.join('; ')}`);
      assert.equal(subjectLookups(seen.sql), 1, fast);
      assert.equal(seen.sql.filter((s) => /"assignments"/i.test(s)).length, 1, fast);
      assert.equal(await res.text(), await general.text(), fast);
      assert.equal(res.headers.get('etag'), general.headers.get('etag'), fast);
      assert.deepEqual(sameHeaders(res), sameHeaders(general), fast);
      assert.equal((await get(app, fast, key, { 'If-None-Match': res.headers.get('etag') ?? '' })).status, 304, fast);
    }
    // A customer nobody knows is the chain's 404, as before.
    assert.equal((await get(app, '/v1/subjects/NOBODY-FR31/tiers?scheme=retail-tier', key)).status, 404);
  });
  it('a first ask reads the overrides only of a customer who has an approved one, and answers as the chain either way', async () => {
    clock = NOW.getTime();
    // FR12 none; FR13 one in force; FR14 one pending and one revoked; FR15 one expired after the
    // level was evaluated, which nothing has settled yet.
    const ids = ['FR12', 'FR13', 'FR14', 'FR15'] as const;
    const internal = new Map<string, string>();
    for (const id of ids) {
      await client(f).customer(id);
      await client(f).balances(
        id,
        Q3.map((p) => [p, 400_000]),
      );
      const subject = await findSubjectByExternalId(f.db.db, 'bank-a', id);
      assert.ok(subject);
      internal.set(id, subject.id);
    }
    const override = (id: string, expiresAt: string, approvedBy: string | null) => ({
      id,
      scheme: 'retail-tier',
      level: 'diamond',
      mode: 'fixed' as const,
      reason: 'VIP retention',
      expiresAt,
      requestedBy: 'rm-1',
      approvedBy,
    });
    const inAMonth = new Date(NOW.getTime() + 30 * 86_400_000).toISOString();
    const inAMinute = new Date(NOW.getTime() + 60_000).toISOString();
    const write = (id: string, o: ReturnType<typeof override>) =>
      insertOverride(f.db.db, 'bank-a', internal.get(id) ?? '', o, NOW.toISOString());
    await write('FR13', override('ov-fr13', inAMonth, 'head-1'));
    await write('FR14', override('ov-fr14-pending', inAMonth, null));
    await write('FR14', override('ov-fr14-revoked', inAMonth, 'head-1'));
    await f.db.db
      .updateTable('overrides')
      .set({ status: 'revoked', revoked_at: NOW.toISOString(), revoked_by: 'head-1' })
      .where('id', '=', 'ov-fr14-revoked')
      .execute();
    // Written straight to the database: no evaluation follows it, as none follows an expiry.
    await write('FR15', override('ov-fr15', inAMinute, 'head-1'));
    const settledAt = async () =>
      (await f.db.db.selectFrom('overrides').select('expiry_settled_at').where('id', '=', 'ov-fr15').executeTakeFirstOrThrow())
        .expiry_settled_at;
    assert.equal(await settledAt(), null);
    // Two minutes on: FR15's override has expired since its scheme was evaluated (at NOW).
    clock = NOW.getTime() + 120_000;
    const seen = recording(f.db.db);
    const app = appOn(seen.db);
    // The subject with whether it has an approved override: only the fast path's first ask reads it so.
    const subjectWithOverrideCheck = () =>
      seen.sql.some((s) => /^select "subjects"\.\*, exists \(select "o"\."id" from "overrides" as "o"/i.test(s));
    const overridesRead = () => seen.sql.some((s) => /^select "o"\.\*/i.test(s));
    // The credential verified by the chain first (a read none below repeats): the fast path answers only a credential it holds.
    assert.equal((await get(app, '/v1/subjects/FR12/tiers?locale=en', f.keys.roles.viewer)).status, 200);
    for (const [id, hasApproved] of [
      ['FR12', false],
      ['FR13', true],
      ['FR14', false],
      ['FR15', true],
    ] as const) {
      for (const path of [
        `/v1/subjects/${id}/tiers`,
        `/v1/subjects/${id}/tiers?scheme=retail-tier&locale=zh-CN`,
        `/v1/subjects/${id}/history`,
        `/v1/subjects/${id}/entitlements`,
      ]) {
        seen.sql.length = 0;
        const firstAsk = await get(app, path, f.keys.roles.viewer);
        assert.equal(subjectWithOverrideCheck(), true, `${path}: a first ask on the fast path: ${seen.sql.join('; ')}`);
        assert.equal(overridesRead(), hasApproved, `${path}: ${seen.sql.join('; ')}`);
        // The first of FR15's reads settled the expiry, before the chain read anything.
        if (id === 'FR15') assert.notEqual(await settledAt(), null, path);
        const chain = await get(app, `${path}${path.includes('?') ? '&' : '?'}unmask=false`, f.keys.roles.viewer);
        assert.equal(firstAsk.status, 200, path);
        assert.equal(await firstAsk.text(), await chain.text(), path);
      }
    }
    type Tiers = { assignments: { scheme: string; override: { id: string } | null }[] };
    const retailOverride = async (id: string) =>
      ((await (await get(app, `/v1/subjects/${id}/tiers?scheme=retail-tier`, f.keys.roles.viewer)).json()) as Tiers).assignments.find(
        (a) => a.scheme === 'retail-tier',
      )?.override?.id ?? null;
    // The override in force shows: what the skipped query would have missed; the others decide nothing.
    assert.equal(await retailOverride('FR13'), 'ov-fr13');
    assert.equal(await retailOverride('FR14'), null);
    assert.equal(await retailOverride('FR15'), null);
  });

  it('a staff-only write (an AML override requested) moves no ETag of the customer’s, whose bodies did not change', async () => {
    clock = NOW.getTime();
    await client(f).customer('FR11');
    await client(f).balances(
      'FR11',
      Q3.map((p) => [p, 400_000]),
    );
    const { token } = await mintEmbedToken(f.db.db, { tenantId: 'bank-a', subject: 'FR11', now: NOW });
    const app = appOn(f.db.db);
    const paths = [
      '/v1/subjects/FR11/tiers',
      '/v1/subjects/FR11/tiers?locale=en',
      '/v1/subjects/FR11/entitlements',
      '/v1/subjects/FR11/history',
    ];
    const before = new Map<string, { etag: string; body: string }>();
    for (const path of paths) {
      for (let i = 0; i < 2; i++) await get(app, path, token);
      const res = await get(app, path, token);
      before.set(path, { etag: res.headers.get('etag') ?? '', body: await res.text() });
    }
    const version = async () => (await findSubjectByExternalId(f.db.db, 'bank-a', 'FR11'))?.version;
    const was = await version();
    const requested = await app.request('/v1/subjects/FR11/overrides', {
      method: 'POST',
      headers: { Authorization: `Bearer ${f.keys.roles.officer}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ scheme: 'aml-test', level: 'high', mode: 'fixed', reason: 'adverse media', expiresAt: null }),
    });
    assert.equal(requested.status, 201);
    assert.notEqual(await version(), was, 'the request wrote the subject: every key the reads were kept under is new');
    for (const path of paths) {
      const was = before.get(path);
      const res = await get(app, path, token, { 'If-None-Match': was?.etag ?? '' });
      assert.equal(res.status, 304, `${path}: the customer's body is the same, and so is its ETag`);
      const again = await get(app, `${path}${path.includes('?') ? '&' : '?'}unmask=false`, token);
      assert.equal(await again.text(), was?.body, path);
    }
  });
});
