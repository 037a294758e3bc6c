import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, reuseToken, TierkitApiError, type TokenGrant } from './index.js';

/** A host's token backend: mints `tok<n>-<customer>` valid for `lifeMs`, counting its mints. */
function backend(lifeMs: number | undefined) {
  const mints: string[] = [];
  return {
    mints,
    /** While set, mints wait for it, as on a slow backend. */
    gate: undefined as Promise<void> | undefined,
    async mint(customer = 'C1'): Promise<TokenGrant> {
      if (this.gate) await this.gate;
      const token = `tok${mints.length + 1}-${customer}`;
      mints.push(token);
      return { token, expiresAt: lifeMs === undefined ? (undefined as unknown as string) : new Date(Date.now() + lifeMs).toISOString() };
    },
  };
}

/** What the API saw: the authorization header of each request; answers 200 with an empty tiers body. */
function recordingFetch(seen: (string | null)[]): typeof fetch {
  return async (_url, init) => {
    const auth = new Headers(init?.headers).get('authorization');
    seen.push(auth);
    if (!auth) {
      return new Response(JSON.stringify({ title: 'Unauthorized', status: 401 }), {
        status: 401,
        headers: { 'content-type': 'application/problem+json' },
      });
    }
    return new Response(JSON.stringify({ subjectId: 'C1', assignments: [], metrics: [] }), {
      headers: { 'content-type': 'application/json' },
    });
  };
}

describe('reuseToken', () => {
  test('a page of widgets reading at once costs one mint, and every request carries its token', async () => {
    const b = backend(600_000);
    let open: () => void = () => undefined;
    b.gate = new Promise((r) => {
      open = r;
    });
    const token = reuseToken(() => b.mint());
    const seen: (string | null)[] = [];
    const client = createClient({ baseUrl: 'https://tier.example', token, fetch: recordingFetch(seen), freshFor: 0 });
    const reads = [client.getTiers('C1'), client.getEntitlements('C1'), client.getHistory('C1')];
    open();
    await Promise.allSettled(reads);
    await client.getTiers('C1');
    assert.deepEqual(b.mints, ['tok1-C1']);
    assert.deepEqual(seen, Array(4).fill('Bearer tok1-C1'));
  });

  test('a token is asked for anew 30 s before its expiresAt, and never reused without one', async () => {
    const soon = backend(10_000);
    const s = reuseToken(() => soon.mint());
    assert.deepEqual([await s(), await s()], ['tok1-C1', 'tok2-C1']);
    const unknown = backend(undefined);
    const u = reuseToken(() => unknown.mint());
    assert.deepEqual([await u(), await u()], ['tok1-C1', 'tok2-C1']);
  });

  test('a host that mints per customer never gets another customer’s token after the subject changes', async () => {
    const b = backend(600_000);
    const tokenFor = reuseToken((customer: string) => b.mint(customer));
    let customer = 'C1';
    const seen: (string | null)[] = [];
    const client = createClient({
      baseUrl: 'https://tier.example',
      token: () => tokenFor(customer),
      fetch: recordingFetch(seen),
      freshFor: 0,
    });
    await client.getTiers('C1');
    customer = 'C2';
    await client.getTiers('C2');
    customer = 'C1';
    await client.getTiers('C1');
    assert.deepEqual(seen, ['Bearer tok1-C1', 'Bearer tok2-C2', 'Bearer tok1-C1']);
  });

  test('invalidate() makes the next request mint, as the host does on a 401', async () => {
    const b = backend(600_000);
    const token = reuseToken(() => b.mint());
    await token();
    token.invalidate();
    assert.equal(await token(), 'tok2-C1');
    assert.equal(await token(), 'tok2-C1');
  });

  test('a failed mint is not kept: the next request asks again', async () => {
    let fail = true;
    const token = reuseToken(async (): Promise<TokenGrant> => {
      if (fail) throw Object.assign(new Error('token'), { status: 503 });
      return { token: 'ok', expiresAt: Date.now() + 600_000 };
    });
    await assert.rejects(token(), /token/);
    fail = false;
    assert.equal(await token(), 'ok');
  });
});

describe('createClient with a token function', () => {
  test('asks it for every request (no reuse unless the host wraps it)', async () => {
    let n = 0;
    const seen: (string | null)[] = [];
    const client = createClient({ baseUrl: 'https://tier.example', token: () => `t${++n}`, fetch: recordingFetch(seen), freshFor: 0 });
    await client.getTiers('C1');
    await client.getTiers('C1');
    assert.deepEqual(seen, ['Bearer t1', 'Bearer t2']);
  });

  test('a function answering null or undefined sends no credential, so the API’s 401 shows signed out', async () => {
    for (const empty of [null, undefined]) {
      const seen: (string | null)[] = [];
      const client = createClient({
        baseUrl: 'https://tier.example',
        token: () => empty as unknown as string,
        fetch: recordingFetch(seen),
      });
      await assert.rejects(client.getTiers('C1'), (e: unknown) => e instanceof TierkitApiError && e.status === 401);
      assert.deepEqual(seen, [null]);
    }
  });
});
