import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { forEachDialect } from '../support/api-fixture.js';
import { responseChecker } from '../support/openapi-responses.js';

type Doc = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
  components?: { schemas?: Record<string, unknown> };
};

/** Every `$ref` in the document, to check each points at a schema that exists. */
function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) refs(n, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

forEachDialect('the API describes itself', (f) => {
  it('/openapi.json is an OpenAPI 3.1 document whose operations all have responses and whose refs resolve', async () => {
    const res = await f.app.request('/openapi.json');
    assert.equal(res.status, 200);
    const doc = (await res.json()) as Doc;
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    assert.ok(doc.info.title && doc.info.version);
    for (const path of [
      '/v1/subjects/{id}/tiers',
      '/v1/subjects/{id}/history',
      '/v1/subjects/{id}/metrics',
      '/v1/subjects/{id}/entitlements',
      '/v1/schemes',
      '/v1/schemes/{key}',
      '/v1/matrix/{scheme}',
      '/v1/subjects',
    ]) {
      assert.ok(doc.paths[path], `documents ${path}`);
    }
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        assert.ok(op.responses && Object.keys(op.responses).length > 0, `${method} ${path} has responses`);
        for (const status of Object.keys(op.responses)) assert.match(status, /^[1-5]\d\d$/);
      }
      for (const name of path.match(/\{(\w+)\}/g) ?? []) {
        const params = Object.values(item).flatMap((op) => (op as { parameters?: { name: string; in: string }[] }).parameters ?? []);
        assert.ok(
          params.some((p) => p.in === 'path' && `{${p.name}}` === name),
          `${path} declares ${name}`,
        );
      }
    }
    const schemas = doc.components?.schemas ?? {};
    for (const ref of refs(doc)) assert.ok(schemas[ref.replace('#/components/schemas/', '')], `${ref} resolves`);
    assert.ok(schemas.Problem && schemas.TiersResponse);
  });

  it('every published `pattern` compiles as ECMA-262 and matches a valid example: no regex flag leaked into one', async () => {
    const doc = (await (await f.app.request('/openapi.json')).json()) as Doc;
    // Values a client would send, for the patterns whose schema carries no example of its own.
    const valid: Record<string, string> = {
      [String.raw`^\d{4}-(0[1-9]|1[0-2])$`]: '2025-10',
      '^[A-Za-z0-9][A-Za-z0-9_.-]*$': 'aml-risk',
      '^[A-Za-z0-9][A-Za-z0-9_.:-]*$': 'C000003',
      '^sha256:[0-9a-f]{64}$': `sha256:${'0'.repeat(64)}`,
      [String.raw`^[\x21-\x7e]{1,255}$`]: 'close-2025-10-C000003',
      [String.raw`^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?$`]: 'https://bank.example:8443',
    };
    const found: { where: string; pattern: string; example: unknown }[] = [];
    const walk = (node: unknown, where: string, paramExample?: unknown): void => {
      if (Array.isArray(node)) {
        for (const [i, n] of node.entries()) walk(n, `${where}[${i}]`);
      } else if (node && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        if (typeof o.pattern === 'string') found.push({ where, pattern: o.pattern, example: o.example ?? paramExample });
        // A parameter's example sits beside its schema, not in it.
        for (const [k, v] of Object.entries(o)) walk(v, `${where}.${k}`, k === 'schema' ? o.example : undefined);
      }
    };
    walk(doc, '');
    assert.ok(
      found.some((p) => p.where.includes('OverrideRequestBody')),
      'the override request’s scheme and level have one',
    );
    for (const { where, pattern, example } of found) {
      let re: RegExp;
      try {
        re = new RegExp(pattern, 'u');
      } catch (e) {
        throw new Error(`${where}: ${pattern} does not compile: ${String(e)}`);
      }
      const sample = typeof example === 'string' ? example : (valid[pattern] ?? (example === undefined ? undefined : String(example)));
      assert.ok(sample !== undefined, `${where}: ${pattern} has no example, here or in the test's list`);
      assert.match(sample, re, `${where}: ${pattern} matches ${sample}`);
    }
  });

  it('/openapi.json documents Idempotency-Key on the POSTs that take it, with the 409 and 422 it can answer', async () => {
    type Op = { parameters?: { name: string; in: string }[]; responses: Record<string, { description: string }> };
    const doc = (await (await f.app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, Op>> };
    const takesKey = (op: Op | undefined) => op?.parameters?.some((p) => p.in === 'header' && p.name === 'Idempotency-Key') ?? false;
    for (const path of ['/v1/embed-tokens', '/v1/subjects/{id}/overrides', '/v1/overrides/{overrideId}/approve', '/v1/jobs']) {
      const op = doc.paths[path]?.post;
      assert.ok(takesKey(op), `POST ${path} takes an Idempotency-Key`);
      assert.match(op?.responses['409']?.description ?? '', /idempotency-key-in-use/, `POST ${path}`);
      assert.match(op?.responses['422']?.description ?? '', /idempotency-key-reused/, `POST ${path}`);
    }
    // Only POSTs take one: the middleware serves no other method.
    assert.ok(Object.values(doc.paths).every((item) => Object.entries(item).every(([m, op]) => m === 'post' || !takesKey(op))));
    assert.equal(takesKey(doc.paths['/v1/imports']?.post), false, 'a CSV upload is idempotent by content, not by key');
  });

  it('a history page’s audience names its items’ shape: a staff field on a customer’s event breaks the document', async () => {
    const check = responseChecker((await (await f.app.request('/openapi.json')).json()) as Parameters<typeof responseChecker>[0]);
    const page = (audience: string, item: object) =>
      new Response(
        JSON.stringify({ subject: { id: 'C1', kind: 'customer', displayName: '张*' }, audience, items: [item], nextCursor: null }),
        {
          headers: { 'Content-Type': 'application/json' },
        },
      );
    const move = { id: 'e1', scheme: 'retail-tier', from: 'gold', to: 'platinum', at: '2025-11-01T00:00:00.000Z', period: '2025-10' };
    const whole = { ...move, reason: 'rule', ruleId: 'platinum.balance', note: null, actor: 'system', approvedBy: null, policyVersion: 3 };
    const url = '/v1/subjects/C1/history';
    assert.equal(await check('GET', url, page('customer', move)), undefined);
    assert.equal(await check('GET', url, page('staff', whole)), undefined);
    for (const reason of ['initial', 'policy-change'])
      assert.equal(await check('GET', url, page('customer', { ...move, reason })), undefined, reason);
    for (const reason of ['rule', 'override', 'override-expired'])
      assert.ok(await check('GET', url, page('customer', { ...move, reason })), reason);
    for (const [k, v] of Object.entries(whole).filter(([k]) => !(k in move))) {
      assert.ok(await check('GET', url, page('customer', { ...move, [k]: v })), `a customer's event with ${k}`);
    }
    assert.ok(await check('GET', url, page('staff', move)), 'a staff page of customer events');
    assert.ok(await check('GET', url, page('customer', whole)), 'a customer page of whole events');
  });

  it('an import’s `retiered` names only schedule states GET /v1/jobs/schedule can answer', async () => {
    const doc = (await (await f.app.request('/openapi.json')).json()) as Doc;
    type Props = { properties: Record<string, { description?: string; enum?: string[] }> };
    const schemas = doc.components?.schemas as Record<string, Props>;
    const states = schemas.ScheduleMonth?.properties.state?.enum ?? [];
    const text = schemas.Import?.properties.retiered?.description ?? '';
    const named = [...text.matchAll(/state `([\w-]+)`/g)].map((m) => m[1]);
    assert.ok(named.length >= 2, text);
    for (const state of named) assert.ok(states.includes(state as string), `${state} is a schedule state (${states.join(', ')})`);
  });

  it('a tiers answer’s audience names its assignments’ shape: an override id or another staff field on a customer’s breaks the document', async () => {
    const check = responseChecker((await (await f.app.request('/openapi.json')).json()) as Parameters<typeof responseChecker>[0]);
    const body = (audience: string, assignment: object) =>
      new Response(
        JSON.stringify({
          subject: { id: 'C1', kind: 'customer', displayName: '张*' },
          asOf: '2025-10',
          audience,
          assignments: [assignment],
          metrics: [],
        }),
        { headers: { 'Content-Type': 'application/json' } },
      );
    const schemeInfo = {
      key: 'retail-tier',
      subjectKind: 'customer',
      category: 'value',
      name: { 'zh-CN': '客户等级', 'zh-TW': '客戶等級', en: 'customer tier' },
      levels: [],
    };
    const move = {
      scheme: 'retail-tier',
      level: 'gold',
      rank: 2,
      previousLevel: null,
      changed: true,
      approvalRequired: false,
      progress: null,
      retention: null,
      schemeInfo,
      period: '2025-10',
      evaluatedAt: '2025-11-01T00:00:00.000Z',
    };
    const label = { 'zh-CN': '人工调整', 'zh-TW': '人工調整', en: 'manual override' };
    const customer = {
      ...move,
      explanation: { decidedBy: { kind: 'override', label }, inputs: [], override: { level: 'gold', mode: 'fixed' } },
      override: { scheme: 'retail-tier', level: 'gold', mode: 'fixed', expiresAt: null },
    };
    const staffOverride = {
      id: 'ov-1',
      scheme: 'retail-tier',
      level: 'gold',
      mode: 'fixed',
      reason: 'AML hold',
      expiresAt: null,
      requestedBy: 'staff:E1',
      approvedBy: 'staff:E2',
    };
    const whole = {
      ...move,
      explanation: {
        policyId: 'retail-tier',
        policyVersion: 3,
        decidedBy: { kind: 'override', id: 'ov-1', label },
        inputs: [],
        override: { id: 'ov-1', level: 'gold', mode: 'fixed' },
      },
      override: staffOverride,
    };
    const url = '/v1/subjects/C1/tiers';
    assert.equal(await check('GET', url, body('customer', customer)), undefined);
    assert.equal(await check('GET', url, body('staff', whole)), undefined);
    for (const [k, v] of Object.entries(staffOverride).filter(([k]) => !(k in customer.override))) {
      assert.ok(
        await check('GET', url, body('customer', { ...customer, override: { ...customer.override, [k]: v } })),
        `a customer's override with ${k}`,
      );
    }
    assert.ok(
      await check(
        'GET',
        url,
        body('customer', { ...customer, explanation: { ...customer.explanation, override: whole.explanation.override } }),
      ),
      'a customer’s explanation naming the override',
    );
    assert.ok(
      await check(
        'GET',
        url,
        body('customer', {
          ...customer,
          schemeInfo: { ...schemeInfo, overrides: { requestedBy: 'tenant', approvedBy: 'admin', maxDays: 90 } },
        }),
      ),
      'a customer’s scheme carrying its override rule',
    );
    assert.ok(await check('GET', url, body('customer', whole)), 'a customer’s answer of whole assignments');
    assert.ok(await check('GET', url, body('staff', customer)), 'a staff answer of customer assignments');
  });

  it('/openapi.json passes the official OpenAPI 3.1 JSON schema', async () => {
    const doc = (await (await f.app.request('/openapi.json')).json()) as Record<string, unknown>;
    const validator = new Validator();
    const result = await validator.validate(doc);
    assert.equal(validator.version, '3.1');
    assert.deepEqual(result.errors ?? [], [], 'schema errors');
    assert.equal(result.valid, true);
  });

  it('/docs is a self-contained page with every operation and no external scripts', async () => {
    const res = await f.app.request('/docs');
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<h1>tierkit API/);
    assert.match(html, /\/v1\/subjects\/\{id\}\/tiers/);
    assert.match(html, /problem\+json/);
    assert.doesNotMatch(html, /<script/i);
    assert.equal((await f.app.request('/healthz')).status, 200);
  });

  it('answers CORS preflights from localhost and not from strangers', async () => {
    const pre = (origin: string) =>
      f.app.request('/v1/subjects/X/tiers', { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' } });
    assert.equal((await pre('http://localhost:5173')).headers.get('Access-Control-Allow-Origin'), 'http://localhost:5173');
    assert.equal((await pre('https://evil.example')).headers.get('Access-Control-Allow-Origin'), null);
  });

  it('lets a staff page on a trusted origin decide four-eyes requests: POST and PATCH with a credential pass the preflight', async () => {
    for (const method of ['POST', 'PATCH']) {
      const res = await f.app.request('/v1/overrides/X/approve', {
        method: 'OPTIONS',
        headers: {
          Origin: 'http://localhost:5173',
          'Access-Control-Request-Method': method,
          'Access-Control-Request-Headers': 'authorization,content-type,idempotency-key',
        },
      });
      assert.equal(res.headers.get('Access-Control-Allow-Origin'), 'http://localhost:5173', method);
      assert.match(res.headers.get('Access-Control-Allow-Methods') ?? '', new RegExp(`\\b${method}\\b`));
      assert.match(res.headers.get('Access-Control-Allow-Headers') ?? '', /Authorization/i);
      assert.match(res.headers.get('Access-Control-Allow-Headers') ?? '', /Idempotency-Key/i);
    }
  });
});
