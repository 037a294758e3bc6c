import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { createApp, mintStaffToken, UNAUTHENTICATED_CHAIN, verifyAuditChain } from '@tierkit/api';
import type { Db } from '@tierkit/db';
import { NOW, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';

/*
 * Malformed requests generated from the OpenAPI document, over every operation it lists: wrong types,
 * huge numbers, NUL and lone surrogates, bytes that are not UTF-8, oversized and truncated bodies,
 * injection strings in ids, sent with several kinds of valid (and some invalid) credentials. Every
 * answer must be below 500, every error problem+json, and no table may change. Seeded: a failure
 * prints its seed and path; FUZZ_SEED=<n> replays another run.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20_251_115);
const RUNS_PER_OPERATION = 240;
const MAX_BODY = 16 * 1024;

type Schema = {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  example?: unknown;
  $ref?: string;
};
type Parameter = { name: string; in: 'path' | 'query'; schema: Schema };
type Operation = { method: string; path: string; parameters: Parameter[]; body: Schema | undefined };

const INJECTIONS = [
  "' OR '1'='1",
  '1; DROP TABLE subjects;--',
  '../../etc/passwd',
  '..%2F..%2F',
  '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as a literal
  '${7*7}',
  '{{7*7}}',
  '%00',
  '\u0000',
  'C000001\u0000',
  '\ud800',
  'x\udfff',
  "C000001'--",
  '$where',
  '{"$gt":""}',
  '\\',
  '%',
  'NULL',
  'undefined',
  '__proto__',
  'constructor',
  '😀'.repeat(40),
  '\u202e',
  ' ',
  'C000001 ',
  'a'.repeat(5000),
];

/** Percent-encode like a browser would, and lone surrogates as the WTF-8 bytes a careless client sends. */
function encodeLoose(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0xd800 && cp <= 0xdfff)
      out +=
        `%${(0xe0 | (cp >> 12)).toString(16)}%${(0x80 | ((cp >> 6) & 0x3f)).toString(16)}%${(0x80 | (cp & 0x3f)).toString(16)}`.toUpperCase();
    else out += encodeURIComponent(ch);
  }
  return out;
}

/** Raw fragments placed into URLs unencoded: broken escapes and encoded control bytes. */
const RAW_FRAGMENTS = ['%', '%0', '%FF', '%E4%B8', '%00', '%C0%AF', '%ED%A0%80', '%2e%2e%2f', '%F4%90%80%80'];

function resolve(doc: { components: { schemas: Record<string, Schema> } }, s: Schema, depth = 0): Schema {
  // Nested references too: a `$ref` property would otherwise look typeless, and a "wrong" value for it
  // could be a valid one (an empty filter object), which the route rightly accepts.
  if (depth > 8) return s;
  const target = s.$ref ? (doc.components.schemas[s.$ref.split('/').pop() ?? ''] ?? {}) : s;
  const inner = (x: Schema) => resolve(doc, x, depth + 1);
  return {
    ...target,
    ...(target.properties ? { properties: Object.fromEntries(Object.entries(target.properties).map(([k, v]) => [k, inner(v)])) } : {}),
    ...(target.items ? { items: inner(target.items) } : {}),
    ...(target.anyOf ? { anyOf: target.anyOf.map(inner) } : {}),
  };
}

/** A value the schema accepts (or close to it): the base that one invalid part is put into. */
function validOf(s: Schema): unknown {
  if (s.enum) return s.enum[0];
  if (s.example !== undefined && s.type !== 'object' && s.type !== 'array') return s.example;
  switch (s.type) {
    case 'string':
      return s.pattern?.includes('\\d{4}') ? '2025-10' : 'x';
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return s.items && (s.minItems ?? 0) > 0 ? [validOf(s.items)] : [];
    case 'object':
      return Object.fromEntries((s.required ?? []).map((k) => [k, validOf(s.properties?.[k] ?? {})]));
    default:
      return null;
  }
}

const wrongType = (s: Schema): unknown[] =>
  [42, -1, true, null, {}, [], 'text'].filter((v) => {
    if (s.type === 'string') return typeof v !== 'string';
    if (s.type === 'integer' || s.type === 'number') return typeof v !== 'number';
    if (s.type === 'boolean') return typeof v !== 'boolean';
    if (s.type === 'array') return !Array.isArray(v);
    if (s.type === 'object') return typeof v !== 'object' || v === null || Array.isArray(v);
    return typeof v === 'object' && v !== null; // anyOf of scalars: an object matches none
  });

/** A value the schema refuses, whatever is chosen. */
function invalidOf(s: Schema): fc.Arbitrary<unknown> {
  const options: fc.Arbitrary<unknown>[] = [fc.constantFrom(...wrongType(s))];
  if (s.type === 'string' || s.anyOf) {
    options.push(fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udc00y'));
    options.push(fc.string().map((t) => `${t}\u0000`));
    if (s.maxLength !== undefined) options.push(fc.constant('x'.repeat(s.maxLength + 1)));
    if ((s.minLength ?? 0) >= 1) options.push(fc.constant(''));
    if (s.enum) options.push(fc.constantFrom('not-a-member', ...INJECTIONS.filter((i) => !s.enum?.includes(i))));
    if (s.pattern) options.push(fc.constantFrom("' OR 1=1 --", '2025-13', '9999-00', ' '));
  }
  if (s.type === 'integer' || s.type === 'number') {
    options.push(fc.constantFrom(1e308, -1e308, 2 ** 53 + 2, -(2 ** 53) - 2, 1e21));
    if (s.type === 'integer') options.push(fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)));
    if (s.maximum !== undefined && s.maximum < 2 ** 53) options.push(fc.constant(s.maximum + 1));
    if (s.minimum !== undefined && s.minimum > -(2 ** 53)) options.push(fc.constant(s.minimum - 1));
  }
  if (s.type === 'array') {
    if (s.maxItems !== undefined && s.items)
      options.push(fc.constant(Array.from({ length: s.maxItems + 1 }, () => validOf(s.items ?? {}))));
    if ((s.minItems ?? 0) >= 1) options.push(fc.constant([]));
    if (s.items) options.push(invalidOf(s.items).map((bad) => [validOf(s.items ?? {}), bad]));
  }
  if (s.type === 'object') {
    const base = validOf(s) as Record<string, unknown>;
    for (const k of s.required ?? []) options.push(fc.constant(Object.fromEntries(Object.entries(base).filter(([key]) => key !== k))));
    if (s.additionalProperties === false)
      options.push(fc.constantFrom('extra', '__proto__x', 'kind\u0000').map((k) => ({ ...base, [k]: 1 })));
    for (const [k, prop] of Object.entries(s.properties ?? {})) options.push(invalidOf(prop).map((bad) => ({ ...base, [k]: bad })));
  }
  return fc.oneof(...options);
}

/** A whole request body that is refused: an invalid document, or bytes that are not one. */
function badBody(s: Schema): fc.Arbitrary<string | Uint8Array<ArrayBuffer>> {
  const valid = JSON.stringify(validOf(s));
  return fc.oneof(
    { weight: 6, arbitrary: invalidOf(s).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.nat({ max: valid.length - 1 }).map((n) => valid.slice(0, n)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        'null',
        'not json',
        '{"a":',
        '[]',
        '{"__proto__":{"admin":true}}',
        '\u0000',
        `${'['.repeat(100_000)}${']'.repeat(100_000)}`.slice(0, MAX_BODY - 1),
      ),
    },
    { weight: 1, arbitrary: fc.constant(`{"pad":"${'a'.repeat(MAX_BODY + 1)}"}`) },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ minLength: 1, maxLength: 64 })
        .map((junk) => new Uint8Array([...Buffer.from(valid.slice(0, -2)), 0xff, ...junk, ...Buffer.from(valid.slice(-2))])),
    },
    {
      weight: 1,
      arbitrary: fc
        .jsonValue()
        .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
        .map((v) => JSON.stringify(v)),
    },
  );
}

/** A path or query value: usually malformed, sometimes valid so the other parts get checked too. */
function paramValue(s: Schema, valid: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...valid).map(encodeLoose) },
    { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS).map(encodeLoose) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }).map(encodeLoose) },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom(...valid), fc.constantFrom(...RAW_FRAGMENTS)).map(([v, raw]) => encodeLoose(v) + raw),
    },
    {
      weight: s.type === 'integer' ? 3 : 1,
      arbitrary: fc.constantFrom('-1', '0', '1e309', '99999999999999999999999', '0x10', '1.5', 'NaN', 'Infinity', '', '+', '٣'),
    },
  );
}

interface Credential {
  readonly name: string;
  readonly header: string | undefined;
}

forEachDialect('fuzz: malformed requests from the OpenAPI document', (f: ApiFixture) => {
  // CPU-bound (thousands of requests): on a loaded 2-core machine it took over 180 s and was cancelled.
  it(`${RUNS_PER_OPERATION} malformed requests per operation: never a 5xx, every error problem+json, nothing written`, {
    timeout: 600_000,
  }, async () => {
    // Real data to aim at: subjects with metrics, so ids, levels and histories exist.
    const admin = client(f);
    for (const id of ['F1', 'F2']) {
      await admin.customer(id);
      await admin.balances(id, [
        ['2025-09', 120_000],
        ['2025-10', 600_000],
      ]);
    }
    const embed = (await (await client(f, () => f.keys.roles.officer).post('/v1/embed-tokens', { subject: 'F1' })).json()) as {
      token: string;
    };
    const staff = await mintStaffToken(f.db.db, { tenantId: 'bank-a', now: NOW });
    const credentials: Credential[] = [
      { name: 'admin', header: `Bearer ${f.keys.a}` },
      { name: 'officer', header: `Bearer ${f.keys.roles.officer}` },
      { name: 'viewer', header: `Bearer ${f.keys.roles.viewer}` },
      { name: 'other tenant', header: `Bearer ${f.keys.b}` },
      { name: 'embed token', header: `Bearer ${embed.token}` },
      { name: 'staff token', header: `Bearer ${staff.token}` },
      { name: 'none', header: undefined },
      { name: 'garbage', header: `Bearer tk_${'z'.repeat(43)}` },
      { name: 'forged token', header: `Bearer ${embed.token.slice(0, -4)}AAAA` },
      {
        name: 'forged key id',
        header: `Bearer tkt_${Buffer.from('{"kid":"sk_\\u0000","ten":"bank-a","typ":"staff","org":[],"iat":1763179200,"exp":1763179800}').toString('base64url')}.${'A'.repeat(43)}`,
      },
    ];
    const app = createApp({
      db: f.db.db,
      now: () => NOW,
      logError: (err) => assert.fail(`unexpected error: ${String(err)}`),
      maxBodyBytes: MAX_BODY,
      // Limits on, so their middleware is fuzzed too, but too high to refuse anything here.
      rateLimit: { burst: 1e9, perSecond: 1e9, failedBurst: 1e9, failedPerSecond: 1e9 },
    });

    const doc = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> } }>>;
      components: { schemas: Record<string, Schema> };
    };
    const operations: Operation[] = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => {
        const bodySchema = op.requestBody?.content['application/json']?.schema;
        return {
          method: method.toUpperCase(),
          path,
          parameters: op.parameters ?? [],
          body: bodySchema ? resolve(doc, bodySchema) : undefined,
        };
      }),
    );
    assert.ok(operations.length >= 10, `the document lists every operation (${operations.length})`);
    const validFor: Record<string, string[]> = {
      id: ['F1', 'F2', 'C000001'],
      key: ['retail-tier', 'risk-value-test'],
      scheme: ['retail-tier', 'risk-value-test', 'aml-test'],
      level: ['gold', 'low'],
      row: ['low'],
      col: ['gold'],
      kind: ['customer'],
      limit: ['1', '100'],
      cursor: ['eyJrIjoic3ViamVjdHMiLCJhZnRlciI6IkYxIn0'],
    };

    const before = await dump(f.db);
    let sent = 0;
    for (const [index, op] of operations.entries()) {
      // Writes mostly with credentials allowed to write, so the bodies reach validation.
      const valid =
        op.method === 'GET' ? credentials.slice(0, 6) : credentials.filter((c) => ['admin', 'officer', 'embed token'].includes(c.name));
      const request = fc.record({
        credential: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom(...valid) },
          { weight: 1, arbitrary: fc.constantFrom(...credentials.slice(6)) },
        ),
        params: fc.tuple(...op.parameters.filter((p) => p.in === 'path').map((p) => paramValue(p.schema, validFor[p.name] ?? ['x']))),
        query: fc.array(
          fc.oneof(
            ...op.parameters
              .filter((p) => p.in === 'query')
              .map((p) => paramValue(p.schema, validFor[p.name] ?? ['x']).map((v) => `${p.name}=${v}`)),
            fc.constantFrom('x=1', '%00=1', 'limit', '&&', '=', 'a%FF=b'),
          ),
          { maxLength: 4 },
        ),
        body: op.body ? badBody(op.body) : fc.constant(undefined),
        contentType: fc.oneof(
          { weight: 8, arbitrary: fc.constant('application/json') },
          { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/json; charset=latin1', '') },
        ),
        origin: fc.oneof(
          { weight: 8, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.constantFrom('https://evil.example', 'null', 'http://localhost:1') },
        ),
      });
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          let i = 0;
          const path = op.path.replace(/\{[^}]+\}/g, () => r.params[i++] ?? '');
          const url = r.query.length ? `${path}?${r.query.join('&')}` : path;
          const headers: Record<string, string> = {};
          if (r.credential.header) headers.Authorization = r.credential.header;
          if (r.body !== undefined && r.contentType) headers['Content-Type'] = r.contentType;
          // Only with a token: a key with an Origin is refused before any route (key-in-browser), so
          // the key's requests would never reach the routes being fuzzed.
          if (r.origin && r.credential.header?.startsWith('Bearer tkt_')) headers.Origin = r.origin;
          const res = await app.request(url, { method: op.method, headers, ...(r.body !== undefined ? { body: r.body } : {}) });
          sent++;
          const where = `${op.method} ${url.slice(0, 200)} as ${r.credential.name}`;
          assert.ok(res.status < 500, `${where} → ${res.status}`);
          if (op.method !== 'GET') assert.ok(res.status >= 400, `${where} was accepted (${res.status}): the fuzzer only sends bad writes`);
          if (res.status >= 400) {
            assert.match(res.headers.get('Content-Type') ?? '', /^application\/problem\+json/, where);
            const problem = (await res.json()) as { type: string; title: string; status: number };
            assert.equal(problem.status, res.status, where);
            assert.match(problem.type, /^https:\/\/tierkit\.dev\/problems\//, where);
          } else await res.arrayBuffer();
        }),
        { seed: SEED + index, numRuns: RUNS_PER_OPERATION },
      );
    }
    assert.ok(sent >= 2000, `sent ${sent} requests`);
    assert.deepEqual(await dump(f.db), before, 'no table changed');
    // Every refusal was recorded, and the chains they were appended to still verify.
    for (const chain of ['bank-a', UNAUTHENTICATED_CHAIN]) assert.deepEqual((await verifyAuditChain(f.db.db, chain)).problems, [], chain);
  });
});

/**
 * The audit trail records every refused request by design (tests/api/audit.test.ts): it is not "written"
 * data. A record naming a customer keeps that name in its side row (`audit_personal`), part of the trail.
 */
const AUDIT_TABLES = new Set(['audit_records', 'audit_heads', 'audit_personal']);

/** Every row of every table, in a stable order: what "nothing was written" is checked against. */
async function dump(db: Db): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of await db.db.introspection.getTables()) {
    if (AUDIT_TABLES.has(table.name)) continue;
    const rows = await db.db
      .selectFrom(table.name as 'tenants')
      .selectAll()
      .execute();
    out[table.name] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}
