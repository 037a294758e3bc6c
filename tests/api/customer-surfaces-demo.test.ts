import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiKey, createApp } from '@tierkit/api';
import {
  defaultPolicyPack,
  LOCALES,
  metricIsStaffOnly,
  schemeMetrics,
  type Condition,
  type LocalizedText,
  type HistoryResponse,
  type TiersResponse,
} from '@tierkit/core';
import { seedDemo } from '@tierkit/ops';
import { sqliteHarness } from '../support/databases.js';
import { NOW } from '../support/api-fixture.js';

/*
 * The examiner's regression guard: every surface a customer's embed token reads (tiers, entitlements,
 * history — every locale, every `?scheme=`; the scheme list), for every customer the demo seeder makes,
 * carries no staff level name, staff metric or staff trigger reason. The seeder's book is what the demo
 * page shows (C000107 was the finding: 储蓄客户等级 "良好 → 风险"), cut to 160 customers to run under load.
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
/**
 * Levels of customer schemes that a trigger on a staff metric decides (the savings grade's 风险, by a bad
 * loan): their staff names tell the classification, so a customer may read them only by a customer face.
 */
const disclosing = new Set(
  customerSchemes.flatMap((s) =>
    s.policy.kind === 'rules' || s.policy.kind === 'score'
      ? (s.policy.triggers ?? []).filter((t) => reads(t.when).some((m) => staffMetrics.has(m))).map((t) => `${s.key}/${t.level}`)
      : [],
  ),
);
/** What customers may read as a whole value: their schemes' keys, level keys, and level names that tell no staff judgement. */
const customerWords = new Set(
  customerSchemes.flatMap((s) => [
    s.key,
    ...texts(s.name),
    ...s.levels.flatMap((l) => [
      l.key,
      ...(l.customer ? texts(l.customer.name) : disclosing.has(`${s.key}/${l.key}`) ? [] : texts(l.name)),
    ]),
  ]),
);
/** Whole values that are staff's: staff schemes and their levels, a disclosing level's staff name, staff metric keys. */
const staffWords = new Set(
  [
    ...staffSchemes.flatMap((s) => [s.key, ...texts(s.name), ...s.levels.flatMap((l) => [l.key, ...texts(l.name)])]),
    ...customerSchemes.flatMap((s) => s.levels.flatMap((l) => (l.customer || disclosing.has(`${s.key}/${l.key}`) ? texts(l.name) : []))),
    ...staffMetrics,
  ].filter((w) => !customerWords.has(w)),
);
/** Text that must appear nowhere: a staff metric's name, any trigger reading a staff metric, staff restrictions. */
const staffFragments = [
  ...pack.metrics.filter((m) => staffMetrics.has(m.key)).flatMap((m) => texts(m.label)),
  ...pack.schemes.flatMap((s) =>
    s.policy.kind === 'rules' || s.policy.kind === 'score'
      ? (s.policy.triggers ?? [])
          .filter((t) => s.audience === 'staff' || reads(t.when).some((m) => staffMetrics.has(m)))
          .flatMap((t) => texts(t.label))
      : [],
  ),
  ...staffSchemes.flatMap((s) =>
    Object.values(s.entitlements ?? {})
      .flat()
      .flatMap((e) => (e.kind === 'restriction' ? [...texts(e.label), ...texts(e.reason)] : [])),
  ),
  '不良',
  '逾期',
  'past due',
  'credit score',
  'bad record',
].map((x) => x.toLowerCase());

function strings(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string') out.push(node);
  else if (Array.isArray(node)) for (const n of node) strings(n, out);
  else if (node && typeof node === 'object') for (const v of Object.values(node)) strings(v, out);
  return out;
}

function assertCustomerOnly(what: string, text: string): void {
  const lower = text.toLowerCase();
  for (const f of staffFragments) assert.ok(!lower.includes(f), `${what}: mentions "${f}"`);
  for (const s of strings(JSON.parse(text))) assert.ok(!staffWords.has(s), `${what}: carries the staff value "${s}"`);
  // A level's customer face is read in place of its name, never beside it.
  assert.doesNotMatch(text, /"customer":\{/, `${what}: carries a level's customer face`);
}

describe('every customer surface, for every demo customer, carries nothing staff-only [sqlite]', () => {
  const harness = sqliteHarness();
  let app: ReturnType<typeof createApp>;
  let embedder = '';
  let customers: string[] = [];
  let viewer = '';
  after(() => harness.stopAll());

  before(async () => {
    const db = await harness.open();
    await seedDemo(db.db, { tenantId: 'demo', customers: 160, corporates: 4, products: 4, employees: 4, endPeriod: '2025-10' });
    embedder = (await createApiKey(db.db, { tenantId: 'demo', role: 'embedder', label: 'portal', now: NOW })).secret;
    viewer = (await createApiKey(db.db, { tenantId: 'demo', role: 'viewer', label: 'rm', now: NOW })).secret;
    customers = (
      await db.db.selectFrom('subjects').select('external_id').where('kind', '=', 'customer').orderBy('external_id').execute()
    ).map((r) => r.external_id);
    app = createApp({ db: db.db, now: () => NOW, logError: () => undefined });
  });

  const get = async (path: string, credential: string) => {
    const res = await app.request(path, { headers: { Authorization: `Bearer ${credential}` } });
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    return res.text();
  };

  it('the book holds the finding: customers whose savings grade staff read as 风险, by the bad-loan trigger', async () => {
    let forced = 0;
    for (const id of customers) {
      const staff = JSON.parse(await get(`/v1/subjects/${id}/tiers?scheme=savings-grade`, viewer)) as TiersResponse;
      if (staff.assignments[0]?.level === 'risk') forced++;
    }
    assert.ok(forced > 0, 'no customer at 风险: the guard below would prove nothing');
  });

  it('tiers, entitlements, history and schemes, in every locale and for every scheme', async () => {
    const locales = ['', ...LOCALES.map((l) => `locale=${l}`)];
    for (const id of customers) {
      const minted = await app.request('/v1/embed-tokens', {
        method: 'POST',
        headers: { Authorization: `Bearer ${embedder}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ subject: id, ttlSeconds: 600 }),
      });
      assert.equal(minted.status, 201);
      const { token } = (await minted.json()) as { token: string };
      for (const locale of locales) {
        const q = (more: string) => [more, locale].filter(Boolean).join('&');
        const paths = [
          `/v1/subjects/${id}/tiers?${q('')}`,
          `/v1/subjects/${id}/entitlements?${q('')}`,
          // The scheme list takes no locale: read once, with the first round.
          ...(locale ? [] : ['/v1/schemes']),
          ...customerSchemes.map((s) => `/v1/subjects/${id}/tiers?${q(`scheme=${s.key}`)}`),
          ...['', ...customerSchemes.map((s) => `scheme=${s.key}`)].map(
            (s) => `/v1/subjects/${id}/history?${q([s, 'limit=100'].filter(Boolean).join('&'))}`,
          ),
        ];
        for (const path of paths) {
          let next: string | null = path;
          while (next) {
            const text = await get(next, token);
            assertCustomerOnly(`${id} ${next}`, text);
            const cursor: string | null = path.includes('/history') ? (JSON.parse(text) as HistoryResponse).nextCursor : null;
            next = cursor ? `${path}&cursor=${encodeURIComponent(cursor)}` : null;
          }
        }
      }
    }
  });
});
