import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cellOf, createApiKey, createApp, MATRIX_CREDENTIALS, routeTable, type RouteEntry } from '@tierkit/api';
import {
  ALSO_UNDISCLOSED,
  CONTACT_BRANCH,
  defaultPolicyPack,
  LOCALES,
  metricIsStaffOnly,
  schemeMetrics,
  SCORE_WITHHELD,
  UNAVAILABLE_NOTICE,
  UNDISCLOSED,
  type Condition,
  type LocalizedText,
  type TiersResponse,
} from '@tierkit/core';
import { seedDemo, SHOWCASE_IDS } from '@tierkit/ops';
import { allDialects } from '../support/databases.js';
import { NOW } from '../support/api-fixture.js';

/*
 * The examiner's regression guard: every route an embed token may call — read off the permission table,
 * so a route opened to customers later is walked without anyone listing it here — with every value of
 * its enumerated query parameters, every scheme key and every locale, answers no string that holds a
 * staff-only word anywhere in it: staff schemes' keys and names, their levels' names, a customer level's
 * staff name behind its customer face (风险), staff metrics, internal reasons (staff triggers and
 * restrictions, nine-box actions, an override's reason). The book is the demo seeder's (C000107 was the
 * finding: 储蓄客户等级 "良好 → 风险"), cut to 160 customers; walked for one customer of each kind a
 * customer surface treats apart — an override in force, the faced bottom level (风险 read as 基础), a
 * restriction from a staff scheme (AML 高), and an ordinary one — since every other customer of the book
 * reads through the same code with other figures.
 */

const pack = defaultPolicyPack;
const texts = (t: LocalizedText) => LOCALES.map((l) => t[l]);
const customerSchemes = pack.schemes.filter((s) => s.audience === 'customer');
const staffSchemes = pack.schemes.filter((s) => s.audience === 'staff');
const staffMetrics = new Set([
  ...staffSchemes.flatMap((s) => [...schemeMetrics(s)]),
  ...pack.metrics.filter(metricIsStaffOnly).map((m) => m.key),
]);
const reads = (c: Condition): string[] => (c.kind === 'threshold' ? [c.metric] : c.of.flatMap(reads));

/** What the override filed below gives as its reason: the bank's internal note. */
const INTERNAL_REASON = '内部挽留：合规已核 retention agreed internally';

/** Codes, read only as whole values: customer schemes' keys and their levels' keys (see the report on `risk`). */
const customerCodes = new Set(customerSchemes.flatMap((s) => [s.key, ...s.levels.map((l) => l.key)]));
/** Staff codes, refused as whole values (a level key such as `A` or `high` is no word to search text for). */
const staffCodes = new Set([...staffSchemes.flatMap((s) => [s.key, ...s.levels.map((l) => l.key)]), ...staffMetrics]);

/** Words that may appear nowhere, inside any string (a one-character name, AML's 低 / 中 / 高, whole only: 低于, 高端). */
const everyStaffWord = [
  ...staffSchemes.flatMap((s) => [s.key, ...texts(s.name), ...s.levels.flatMap((l) => texts(l.name))]),
  // A customer level's staff name, where it has a customer face (风险): also what a derived label would say.
  ...customerSchemes.flatMap((s) => s.levels.flatMap((l) => (l.customer ? texts(l.name) : []))),
  ...[...staffMetrics],
  ...pack.metrics.filter((m) => staffMetrics.has(m.key)).flatMap((m) => texts(m.label)),
  ...pack.schemes.flatMap((s) =>
    s.policy.kind === 'rules' || s.policy.kind === 'score'
      ? (s.policy.triggers ?? [])
          .filter((t) => s.audience === 'staff' || reads(t.when).some((m) => staffMetrics.has(m)))
          .flatMap((t) => texts(t.label))
      : [],
  ),
  ...staffSchemes.flatMap((s) => [
    ...Object.values(s.entitlements ?? {})
      .flat()
      .flatMap((e) => (e.kind === 'restriction' ? [...texts(e.label), ...texts(e.reason)] : [])),
    ...(s.matrix?.cells ?? []).flatMap((c) => texts(c.action)),
  ]),
  ...INTERNAL_REASON.split(' ').slice(0, 1),
  'retention agreed',
  '不良',
  '逾期',
  'past due',
  'credit score',
  'bad record',
];
const oneChar = (w: string) => [...w].length === 1 && !/^[\x20-\x7e]$/.test(w);
const staffWords = [...new Set(everyStaffWord.filter((w) => !oneChar(w)))];
const staffWholes = new Set(everyStaffWord.filter(oneChar));

/**
 * What customers may read whole: their schemes as the pack gives them, levels by their customer faces, and
 * the words core tells them. Read off the pack, not the customer view under test (a view naming 风险 would
 * cover its own leak); not a scheme's policy, which no answer to a customer carries: its staff trigger
 * (近6个月内贷款逾期…（不良记录）), metric keys and notes (风险) would cover the very words searched for.
 */
const customerPhrases = [
  ...new Set(
    [
      ...strings(
        customerSchemes.map(({ policy: _rules, overrides: _staff, loweringNeeds: _staffRule, levels, ...s }) => ({
          ...s,
          levels: levels.map(({ customer, ...l }) => ({ ...l, name: customer?.name ?? l.name })),
        })),
      ),
      ...pack.metrics.filter((m) => !staffMetrics.has(m.key)).flatMap((m) => texts(m.label)),
      ...[UNDISCLOSED, ALSO_UNDISCLOSED, SCORE_WITHHELD, CONTACT_BRANCH, UNAVAILABLE_NOTICE].flatMap(texts),
    ].filter((s) => !customerCodes.has(s)),
  ),
];

/**
 * A pattern finding `word` as a word: CJK anywhere; Latin at word boundaries (`High` is no part of
 * "Higher"), and a name without a lower-case letter (`A`, `AAA`, `C1`) by its case only.
 */
function wordPattern(word: string): RegExp {
  const esc = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (!/^[\x20-\x7e]+$/.test(word)) return new RegExp(esc, 'g');
  return new RegExp(`(?<![A-Za-z0-9])${esc}(?![A-Za-z0-9])`, /[a-z]/.test(word) ? 'gi' : 'g');
}
const occurrences = (text: string, pattern: RegExp): number[] => [...text.matchAll(pattern)].map((m) => m.index ?? 0);

// Compiled once: a pattern per word built for every string of every answer was where this test spent its
// minutes (hundreds of words and phrases, thousands of strings).
const staffPatterns = staffWords.map((w) => [w, wordPattern(w)] as const);
const phrasePatterns = customerPhrases.map((p) => [p, wordPattern(p)] as const);
/** Staff words a string holds at all, by string: answers repeat their strings (a scheme's levels in each). */
const holds = new Map<string, (typeof staffPatterns)[number][]>();

/**
 * Each staff word found in `text` outside the customer phrases that happen to contain it (中 in 中国) and
 * what the caller sent (a 404 naming the scheme key asked for tells them only what they typed).
 */
function staffWordsIn(text: string, sent: readonly string[]): string[] {
  let held = holds.get(text);
  if (!held) holds.set(text, (held = staffPatterns.filter(([, re]) => occurrences(text, re).length > 0)));
  if (!held.length) return [];
  const covered = new Set<number>();
  for (const [p, re] of [...phrasePatterns, ...sent.map((x) => [x, wordPattern(x)] as const)])
    for (const at of occurrences(text, re)) for (let i = at; i < at + p.length; i++) covered.add(i);
  return held.filter(([, re]) => occurrences(text, re).some((at) => !covered.has(at))).map(([w]) => w);
}

function strings(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string') out.push(node);
  else if (Array.isArray(node)) for (const n of node) strings(n, out);
  else if (node && typeof node === 'object')
    // Keys too: a `levelsRead` keyed by a staff scheme would name it.
    for (const [k, v] of Object.entries(node)) {
      out.push(k);
      strings(v, out);
    }
  return out;
}

/** Faced levels by scheme (風險 as 基础), and the lowest rank of a level without a face. */
const faced = new Map(customerSchemes.map((s) => [s.key, new Set(s.levels.filter((l) => l.customer).map((l) => l.key))]));
const plainFloor = new Map(customerSchemes.map((s) => [s.key, Math.min(...s.levels.filter((l) => !l.customer).map((l) => l.rank))]));

/**
 * Every node carrying a rank of a faced level (an assignment, a scheme's level) keeps it off the bottom of
 * the scale, and no move names one as where it leads (`toLevel` of a retention, a grace period's `keep`,
 * progress, a next level's gains): beside the level above it, 基础 is nowhere to fall to or climb to. 普通's
 * retention "score ≥ 0, else risk" was the finding — a drop target only a staff trigger reaches.
 */
function faceRanks(node: unknown, scheme: string | undefined, what: string): void {
  if (Array.isArray(node)) for (const n of node) faceRanks(n, scheme, what);
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    const here = typeof o.scheme === 'string' ? o.scheme : typeof o.key === 'string' && faced.has(o.key) ? o.key : scheme;
    const level = typeof o.level === 'string' ? o.level : o.key;
    if (here && typeof o.rank === 'number' && typeof level === 'string' && faced.get(here)?.has(level)) {
      assert.ok(o.rank >= (plainFloor.get(here) ?? 0), `${what}: ${here}/${level} at rank ${o.rank}, the bottom of the scale`);
    }
    if (here && typeof o.toLevel === 'string') {
      assert.ok(!faced.get(here)?.has(o.toLevel), `${what}: ${here} names ${o.toLevel}, a faced level, as a level to move to`);
    }
    for (const v of Object.values(o)) faceRanks(v, here, what);
  }
}

function assertCustomerOnly(what: string, text: string, path: string): void {
  const body = JSON.parse(text) as unknown;
  const url = new URL(path, 'http://x');
  const sent = [...url.pathname.split('/').map(decodeURIComponent), ...url.searchParams.values()].filter((v) => v.length > 1);
  for (const s of strings(body)) {
    if (customerCodes.has(s) || sent.includes(s)) continue;
    assert.ok(!staffCodes.has(s) && !staffWholes.has(s), `${what}: carries the staff code or name "${s}"`);
    const found = staffWordsIn(s, sent);
    assert.deepEqual(found, [], `${what}: "${s}" holds the staff words ${found.join(', ')}`);
  }
  // A level's customer face is read in place of its name, never beside it.
  assert.doesNotMatch(text, /"customer":\{/, `${what}: carries a level's customer face`);
  faceRanks(body, undefined, what);
}

type Param = { name: string; in: string; schema?: { enum?: string[] } };
type Operation = { parameters?: Param[] };

/** The routes an embed token may call, from the permission table over the OpenAPI document. */
function customerRoutes(document: { paths: Record<string, Record<string, Operation>> }): (RouteEntry & { parameters: Param[] })[] {
  const embed = MATRIX_CREDENTIALS.find((c) => c.principal.via === 'embed-token');
  assert.ok(embed, 'the matrix has an embed-token column');
  return routeTable(document)
    .filter((r) => r.template.startsWith('/v1/') && cellOf(r, embed) !== 'no')
    .map((r) => ({ ...r, parameters: document.paths[r.template]?.[r.method.toLowerCase()]?.parameters ?? [] }));
}

/**
 * A route's paths for one customer: path parameters set to the customer or to each scheme key (staff
 * ones too: their refusal is an answer as well), every scheme and every locale crossed (a label's words
 * differ by both; no locale at all carries every label in all three), each other enumerated value once.
 */
function pathsOf(route: RouteEntry & { parameters: Param[] }, customer: string): string[] {
  const schemes = pack.schemes.map((s) => s.key);
  let bases = [route.template];
  for (const p of route.parameters.filter((x) => x.in === 'path')) {
    const values = p.name === 'id' ? [customer] : p.name === 'key' || p.name === 'scheme' ? schemes : undefined;
    assert.ok(values, `${route.method} ${route.template}: say what to put in {${p.name}}`);
    bases = bases.flatMap((b) => values.map((v) => b.replace(`{${p.name}}`, encodeURIComponent(v))));
  }
  const query = route.parameters.filter((x) => x.in === 'query');
  const crossed = (name: string, values: readonly string[]) =>
    query.some((q) => q.name === name) ? ['', ...values.map((v) => `${name}=${v}`)] : [''];
  const crosses = crossed('scheme', schemes).flatMap((s) => crossed('locale', LOCALES).map((l) => [s, l]));
  const once = query
    .filter((q) => q.name !== 'scheme' && q.name !== 'locale' && q.schema?.enum)
    .flatMap((q) => (q.schema?.enum ?? []).map((v) => [`${q.name}=${v}`]));
  const limit = query.some((q) => q.name === 'limit') ? ['limit=100'] : [];
  return bases.flatMap((b) => [...crosses, ...once].map((qs) => `${b}?${[...qs, ...limit].filter(Boolean).join('&')}`));
}

/** The demo's showcase customers by their stories (packages/ops seed/showcase.ts), fixed ids the demo page links to. */
const [, , ORDINARY, OVERRIDDEN, RESTRICTED] = SHOWCASE_IDS;

for (const harness of allDialects()) {
  describe(`every customer surface, for each kind of demo customer, carries nothing staff-only [${harness.dialect}]`, () => {
    let app: ReturnType<typeof createApp>;
    let embedder = '';
    let officer = '';
    after(() => harness.stopAll());

    const send = async (path: string, credential: string, init: RequestInit = {}) =>
      app.request(path, { ...init, headers: { Authorization: `Bearer ${credential}`, 'Content-Type': 'application/json' } });
    const get = async (path: string, credential: string) => {
      const res = await send(path, credential);
      assert.equal(res.status, 200, `${path}: ${res.status}`);
      return res.text();
    };

    before(async () => {
      const db = await harness.open();
      await seedDemo(db.db, { tenantId: 'demo', customers: 160, corporates: 4, products: 4, employees: 4, endPeriod: '2025-10' });
      embedder = (await createApiKey(db.db, { tenantId: 'demo', role: 'embedder', label: 'portal', now: NOW })).secret;
      // An officer reads AML too (its readers), as the checks below need.
      officer = (await createApiKey(db.db, { tenantId: 'demo', role: 'officer', label: 'rm', now: NOW })).secret;
      const approver = (await createApiKey(db.db, { tenantId: 'demo', role: 'approver', label: 'head', now: NOW })).secret;
      app = createApp({ db: db.db, now: () => NOW, logError: () => undefined });
      // An override in force, with the bank's reason: a customer reads its level (C000004, 普通, held at 金卡), never why.
      const filed = await send(`/v1/subjects/${OVERRIDDEN}/overrides`, officer, {
        method: 'POST',
        body: JSON.stringify({
          scheme: 'retail-tier',
          level: 'gold',
          mode: 'fixed',
          reason: INTERNAL_REASON,
          expiresAt: new Date(NOW.getTime() + 90 * 86_400_000).toISOString(),
        }),
      });
      assert.equal(filed.status, 201, await filed.clone().text());
      const { id, contentHash } = (await filed.json()) as { id: string; contentHash: string };
      const approved = await send(`/v1/overrides/${id}/approve`, approver, { method: 'POST', body: JSON.stringify({ contentHash }) });
      assert.equal(approved.status, 200, await approved.text());
    });

    /** The customers walked, each a kind the customer view treats apart. */
    const walked: string[] = [];
    it('the book holds each kind: the finding (风险 by the bad-loan trigger), an override in force, AML 高, an ordinary one', async () => {
      // Staff's own list of the savings grade's 风险 customers: one read, where a loop over the book was minutes.
      const risk = JSON.parse(await get('/v1/subjects?scheme=savings-grade&level=risk&limit=1', officer)) as { items: { id: string }[] };
      const faced = risk.items[0]?.id;
      assert.ok(faced, 'no customer at 风险: the guard below would prove nothing');
      const level = async (id: string, scheme: string) =>
        (JSON.parse(await get(`/v1/subjects/${id}/tiers?scheme=${scheme}`, officer)) as TiersResponse).assignments[0];
      assert.equal((await level(OVERRIDDEN, 'retail-tier'))?.override?.level, 'gold');
      assert.equal((await level(RESTRICTED, 'aml-risk'))?.level, 'high');
      const ordinary = await level(ORDINARY ?? '', 'savings-grade');
      assert.ok(ordinary && ordinary.level !== 'risk', 'the ordinary customer is at no faced level');
      // And one at 普通, the level the faced one stands beside: what its retention names is the finding above.
      assert.equal((await level(OVERRIDDEN ?? '', 'savings-grade'))?.level, 'ordinary');
      walked.push(OVERRIDDEN ?? '', faced, RESTRICTED ?? '', ORDINARY ?? '');
    });

    it('the routes walked are the permission table’s for an embed token, every one a read', async () => {
      const routes = customerRoutes((await (await app.request('/openapi.json')).json()) as never);
      assert.ok(routes.length >= 5, routes.map((r) => r.template).join(', '));
      for (const r of routes) assert.equal(r.method, 'GET', `${r.method} ${r.template} is open to an embed token`);
      assert.ok(routes.some((r) => r.template === '/v1/schemes/{key}'));
    });

    it('every answer to every customer route, every locale, scheme and enumerated value', async () => {
      const routes = customerRoutes((await (await app.request('/openapi.json')).json()) as never);
      assert.equal(walked.length, 4, 'the customers of each kind were found');
      for (const id of walked) {
        const minted = await send('/v1/embed-tokens', embedder, { method: 'POST', body: JSON.stringify({ subject: id, ttlSeconds: 600 }) });
        assert.equal(minted.status, 201);
        const { token } = (await minted.json()) as { token: string };
        // Answers that name no customer (the scheme list and a scheme) are the same for all: read with the first.
        const mine = id === walked[0] ? routes : routes.filter((r) => r.template.includes('{id}'));
        for (const route of mine) {
          for (const path of pathsOf(route, id)) {
            let next: string | null = path;
            while (next) {
              // A refusal (a staff scheme's 404, `unmask` refused) is an answer too, and searched as one.
              const res = await send(next, token);
              const text = await res.text();
              assertCustomerOnly(`${id} ${next} (${res.status})`, text, next);
              const cursor = res.status === 200 ? (JSON.parse(text) as { nextCursor?: string | null }).nextCursor : null;
              next = cursor ? `${path}&cursor=${encodeURIComponent(cursor)}` : null;
            }
          }
        }
      }
    });
  });
}
