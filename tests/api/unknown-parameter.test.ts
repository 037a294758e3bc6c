import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { mintEmbedToken } from '@tierkit/api';
import type { Problem } from '@tierkit/core';
import { client, forEachDialect, NOW } from '../support/api-fixture.js';

/** A value for each path parameter the document's GET routes take; what it names need not exist. */
const PATH_VALUES: Record<string, string> = {
  id: 'UP1',
  scheme: 'retail-tier',
  key: 'retail-tier',
  version: '1',
  overrideId: 'o-1',
};

/** `{id}` and friends filled in from PATH_VALUES; a parameter not listed fails the test, naming it. */
function filled(template: string): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = PATH_VALUES[name];
    assert.ok(value !== undefined, `${template}: no value for {${name}} in PATH_VALUES`);
    return value;
  });
}

function assertUnknown(res: Response, body: Problem, route: string, name: string): void {
  assert.equal(res.status, 400, `${route}: ${JSON.stringify(body)}`);
  assert.equal(body.type, 'https://tierkit.dev/problems/validation', route);
  assert.deepEqual(
    body.errors?.map((e) => [e.path, e.code, e.params?.parameter]),
    [[`query.${name}`, 'unknown_parameter', name]],
    route,
  );
}

/**
 * `GET /v1/subjects?schem=retail-tier` (a typo of `scheme`) answered every subject, read as the
 * filtered list: a zod query object drops what it does not name. Every GET of the API now refuses a
 * parameter it does not take, as analytics did (packages/api/README.md, "Errors"), before reading
 * anything — walked from the OpenAPI document, so a route added later is covered without being listed.
 */
forEachDialect('every GET refuses a query parameter it does not take', (f) => {
  let routes: string[] = [];
  before(async () => {
    const doc = (await (await f.app.request('/openapi.json')).json()) as { paths: Record<string, { get?: unknown }> };
    routes = Object.entries(doc.paths)
      .filter(([path, item]) => path.startsWith('/v1/') && item.get !== undefined)
      .map(([path]) => path);
    await client(f).customer('UP1');
  });

  it('each GET /v1 route: `schem=` (and a known name in another case) is a 400 unknown_parameter, nothing read', async () => {
    assert.ok(routes.length >= 40, `the document lists the API's GET routes (${routes.length})`);
    const api = client(f);
    for (const template of routes) {
      const path = filled(template);
      for (const name of ['schem', 'Limit']) {
        const res = await api.get(`${path}?${name}=1`);
        assertUnknown(res, (await res.json()) as Problem, `${template}?${name}=`, name);
      }
      // unmask is every route's (packages/api/README.md, "Masking"): never refused as unknown.
      const masked = await api.get(`${path}?unmask=false`);
      if (masked.status === 400) {
        const body = (await masked.json()) as Problem;
        assert.ok(!body.errors?.some((e) => e.code === 'unknown_parameter'), `${template}?unmask=false: ${JSON.stringify(body)}`);
      }
    }
  });

  it('a list with a typo answers 400, not the whole list; spelt right it filters', async () => {
    const api = client(f);
    const typo = await api.get('/v1/subjects?schem=retail-tier&level=gold');
    assertUnknown(typo, (await typo.json()) as Problem, '/v1/subjects?schem=', 'schem');
    assert.equal((await api.get('/v1/subjects?scheme=retail-tier&level=gold')).status, 200);
    const overrides = await api.get('/v1/overrides?stauts=pending');
    assertUnknown(overrides, (await overrides.json()) as Problem, '/v1/overrides?stauts=', 'stauts');
  });

  it("an embed token's reads refuse one too, the fast path's included", async () => {
    const { token } = await mintEmbedToken(f.db.db, { tenantId: 'bank-a', subject: 'UP1', now: NOW });
    const widget = client(f, () => token);
    for (const path of ['/v1/subjects/UP1/tiers', '/v1/subjects/UP1/entitlements', '/v1/subjects/UP1/history']) {
      assert.equal((await widget.get(`${path}?locale=zh-CN`)).status, 200, path);
      const res = await widget.get(`${path}?locale=zh-CN&lang=en`);
      assertUnknown(res, (await res.json()) as Problem, `${path}?lang=`, 'lang');
    }
  });
});
