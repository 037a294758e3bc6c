import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, createApp, provisionTenant } from '@tierkit/api';
import {
  defaultPolicyPack,
  SCORE_WITHHELD,
  SUBJECT_KINDS,
  STAFF_UNAVAILABLE_NOTICE,
  UNAVAILABLE_NOTICE,
  UNDISCLOSED,
  type EntitlementsResponse,
  type HistoryResponse,
  type LocalizedText,
  type PolicyPack,
  type SchemeResponse,
  type SchemesResponse,
  type TiersResponse,
} from '@tierkit/core';
import { findSubjectByExternalId, insertOverride } from '@tierkit/db';
import { NOW, client, forEachDialect } from '../support/api-fixture.js';

/*
 * A customer's credential never receives a staff scheme, its level names, scores, inputs or
 * restriction reasons — on any route of the OpenAPI document, with any query parameter. The tenant
 * runs the default pack, and its customer is the worst case: a politically exposed person with AML
 * scores of 70, a credit score of 30 and a loan 120 days past due, rich enough for benefits that the
 * AML 高 restriction then blocks.
 */

const TENANT = 'bank-default-pack';
const SUBJECT = 'PEP1';
const OTHER = 'OTHER1';
const MONTHS = ['2025-06', '2025-07', '2025-08', '2025-09', '2025-10'];

/**
 * The default pack with an override rule on the card tier, a customer scheme: who may file and approve
 * an exception to it is the bank's governance, never the customer's to read.
 */
/** What an event of a customer's history may hold (docs/permissions.md; CustomerTierEvent in the OpenAPI document). */
const CUSTOMER_EVENT_KEYS = ['id', 'scheme', 'from', 'to', 'at', 'period', 'notice', 'reason', 'because'];
const RETAIL_RULE = { requestedBy: 'tenant', approvedBy: 'admin', maxDays: 90 } as const;
const pack: PolicyPack = {
  ...defaultPolicyPack,
  schemes: defaultPolicyPack.schemes.map((s) => (s.key === 'retail-tier' ? { ...s, overrides: RETAIL_RULE } : s)),
};

const customerSchemes = defaultPolicyPack.schemes.filter((s) => s.audience === 'customer');
const staffSchemes = defaultPolicyPack.schemes.filter((s) => s.audience === 'staff');
const texts = (t: LocalizedText) => [t['zh-CN'], t['zh-TW'], t.en];

/** Every string a customer may legitimately receive as a whole value: customer scheme keys, level keys and the names customers read. */
const customerWords = new Set<string>(
  customerSchemes.flatMap((s) => [s.key, ...texts(s.name), ...s.levels.flatMap((l) => [l.key, ...texts(l.customer?.name ?? l.name)])]),
);
/** Whole string values that would give a staff scheme away: its key, its level keys and names, its metrics. */
const staffWords = new Set<string>(
  staffSchemes
    .flatMap((s) => [s.key, ...texts(s.name), ...s.levels.flatMap((l) => [l.key, ...texts(l.name)])])
    .filter((w) => !customerWords.has(w)),
);
const STAFF_METRICS = [
  'aml_customer_risk',
  'aml_geography_risk',
  'aml_product_risk',
  'aml_industry_risk',
  'pep',
  'credit_score',
  'loan_days_past_due',
  'risk_questionnaire_score',
];
for (const m of STAFF_METRICS) staffWords.add(m);
// A customer level's staff name where customers read another (the savings grade's 风险: a credit classification).
for (const s of customerSchemes)
  for (const l of s.levels) if (l.customer) for (const w of texts(l.name)) if (!customerWords.has(w)) staffWords.add(w);
/** Substrings that must never appear anywhere in a customer's response: AML, PEP, credit, and every staff reason and label. */
const staffFragments = [
  'aml',
  '反洗钱',
  '反洗錢',
  '政治公众人物',
  '政治公眾人物',
  'politically exposed',
  '信用评级',
  '信用評級',
  'credit rating',
  'credit_score',
  'loan',
  '贷款',
  '貸款',
  '逾期',
  'past due',
  'due diligence',
  '尽职调查',
  '盡職調查',
  '九宫格',
  'risk-value',
  'risk-band',
  'value-band',
  ...staffSchemes.flatMap((s) =>
    Object.values(s.entitlements ?? {})
      .flat()
      .flatMap((e) => [...texts(e.label), ...(e.kind === 'restriction' ? texts(e.reason) : [])]),
  ),
  ...staffSchemes.flatMap((s) =>
    s.policy.kind === 'rules' || s.policy.kind === 'score' ? (s.policy.triggers ?? []).flatMap((t) => texts(t.label)) : [],
  ),
].map((x) => x.toLowerCase());

/** Every string value and object key in a JSON body. */
function strings(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string') out.push(node);
  else if (Array.isArray(node)) for (const n of node) strings(n, out);
  else if (node && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) {
      out.push(k);
      strings(v, out);
    }
  return out;
}

/** The values of every `…cursor` key in a JSON body (cursors are base64url JSON: opaque, not random). */
function cursors(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) cursors(n, out);
  else if (node && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) {
      if (/cursor$/i.test(k) && typeof v === 'string') out.push(v);
      else cursors(v, out);
    }
  return out;
}

/**
 * Fails with the request and the offending value when a response carries anything staff-only.
 * `echo` are the values the request itself sent (a 404 names the scheme it was asked for): those
 * are left out, as nothing the caller did not already say. Text a fragment could turn up in by chance
 * is read for what it holds instead: the ETag is a hash of the body (base64url, so "aml" or "loan" in
 * it is luck: with random ids in the body it changes every run), and a cursor is checked decoded.
 */
function assertNoStaff(what: string, res: Response, text: string, echo: readonly string[] = []): void {
  const headers = [...res.headers.entries()]
    .filter(([k]) => k !== 'etag')
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n')
    .toLowerCase();
  let body: unknown;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      assert.fail(`${what}: not JSON: ${text.slice(0, 80)}`);
    }
  }
  let lower = text;
  for (const c of cursors(body)) lower = lower.replaceAll(c, Buffer.from(c, 'base64url').toString('utf8'));
  lower = lower.toLowerCase();
  for (const e of echo) lower = lower.replaceAll(e.toLowerCase(), '');
  for (const f of staffFragments) {
    assert.ok(!lower.includes(f), `${what}: the body mentions "${f}"`);
    assert.ok(!headers.includes(f), `${what}: a header mentions "${f}"`);
  }
  if (!text) return;
  for (const s of strings(body))
    assert.ok(!staffWords.has(s) || echo.some((e) => s.includes(e)), `${what}: carries the staff value "${s}"`);
}

type Op = { parameters?: { name: string; in: string }[] };
type Doc = { paths: Record<string, Record<string, Op>> };

/** The worst case's months: AML 中 until September, then the PEP flag and scores of 70 (AML 高), credit C, a loan past due. */
function worstCaseMetrics(): { metric: string; period: string; value: number }[] {
  const aml = ['aml_customer_risk', 'aml_geography_risk', 'aml_product_risk', 'aml_industry_risk'];
  const metrics = MONTHS.flatMap((period, i) => [
    { metric: 'avg_daily_balance', period, value: 40_000_000 },
    { metric: 'transaction_count', period, value: 30 },
    { metric: 'card_spend', period, value: 1_000_000 },
    // AML 中 until September, then the PEP flag and scores of 70: AML 高 with its restriction.
    ...aml.map((metric) => ({ metric, period, value: i < 3 ? 40 : 70 })),
    { metric: 'credit_score', period, value: i < 3 ? 85 : 30 },
    { metric: 'loan_days_past_due', period, value: i === MONTHS.length - 1 ? 120 : 0 },
    { metric: 'risk_questionnaire_score', period, value: 50 },
  ]);
  metrics.push({ metric: 'pep', period: '2025-09', value: 1 });
  return metrics;
}

forEachDialect('a customer credential sees only customer schemes', (f) => {
  let token = '';
  let officerKey = '';
  let viewerKey = '';
  let cursor = '';

  before(async () => {
    const db = f.db.db;
    await provisionTenant(db, { id: TENANT, name: 'default pack', pack, now: NOW });
    officerKey = (await createApiKey(db, { tenantId: TENANT, role: 'officer', label: 'backend', now: NOW })).secret;
    viewerKey = (await createApiKey(db, { tenantId: TENANT, role: 'viewer', label: 'rm', now: NOW })).secret;
    const officer = client(f, () => officerKey);
    for (const [id, name] of [
      [SUBJECT, '陈志强'],
      [OTHER, '李四'],
    ] as const) {
      assert.equal((await officer.put(`/v1/subjects/${id}`, { kind: 'customer', displayName: name })).status, 201);
    }
    const metrics = worstCaseMetrics();
    const put = await officer.put(`/v1/subjects/${SUBJECT}/metrics`, { metrics });
    assert.equal(put.status, 200, await put.clone().text());
    // A second upload, so the history has events of more than one run (the catch-up replays the months).
    assert.equal(
      (
        await officer.put(`/v1/subjects/${SUBJECT}/metrics`, {
          metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 200_000_000 }],
        })
      ).status,
      200,
    );
    const minted = await officer.post('/v1/embed-tokens', { subject: SUBJECT, ttlSeconds: 600 });
    assert.equal(minted.status, 201);
    token = ((await minted.json()) as { token: string }).token;
    const page = (await (await client(f, () => token).get(`/v1/subjects/${SUBJECT}/history?limit=1`)).json()) as HistoryResponse;
    assert.ok(page.nextCursor, 'the customer has more than one history entry');
    cursor = page.nextCursor;
  });

  it('staff credentials see what their role allows, unchanged: AML 高, credit C, the nine-box cell and why', async () => {
    // The AML grade's readers (officer, approver, admin of the whole bank) see it and the block it causes.
    const tiers = (await (await client(f, () => officerKey).get(`/v1/subjects/${SUBJECT}/tiers`)).json()) as TiersResponse;
    const level = (k: string) => tiers.assignments.find((a) => a.scheme === k)?.level;
    assert.equal(level('aml-risk'), 'high');
    assert.equal(level('credit-rating'), 'C');
    assert.equal(level('risk-value'), 'high-risk-high-value');
    assert.equal(tiers.assignments.length, defaultPolicyPack.schemes.filter((s) => s.subjectKind === 'customer').length);
    const ent = (await (await client(f, () => officerKey).get(`/v1/subjects/${SUBJECT}/entitlements`)).json()) as EntitlementsResponse;
    const lane = ent.entitlements.find((e) => e.def.key === 'priority-lane');
    assert.deepEqual(lane?.blockedBy, { scheme: 'aml-risk', level: 'high', restriction: 'enhanced-due-diligence' });
    const history = (await (
      await client(f, () => officerKey).get(`/v1/subjects/${SUBJECT}/history?scheme=aml-risk`)
    ).json()) as HistoryResponse;
    assert.ok(history.items.some((e) => e.to === 'high'));

    // A viewer (an RM's desk) is not among them: credit C and the nine-box cell, but no AML grade, no
    // reason naming it, and a 403 when it asks for it by name — never an empty answer.
    const viewer = client(f, () => viewerKey);
    const vTiers = (await (await viewer.get(`/v1/subjects/${SUBJECT}/tiers`)).json()) as TiersResponse;
    const vLevel = (k: string) => vTiers.assignments.find((a) => a.scheme === k)?.level;
    assert.equal(vLevel('aml-risk'), undefined);
    assert.equal(vLevel('credit-rating'), 'C');
    assert.equal(vLevel('risk-value'), 'high-risk-high-value');
    assert.equal(vTiers.assignments.length, tiers.assignments.length - 1);
    const vEnt = (await (await viewer.get(`/v1/subjects/${SUBJECT}/entitlements`)).json()) as EntitlementsResponse;
    const vLane = vEnt.entitlements.find((e) => e.def.key === 'priority-lane');
    assert.equal(vLane?.status, 'blocked');
    assert.equal(vLane.blockedBy, undefined);
    // The staff wording, not the customer's "contact your branch": the RM is the branch.
    assert.deepEqual(vLane.notice, STAFF_UNAVAILABLE_NOTICE);
    assert.match(vLane.notice?.['zh-CN'] ?? '', /请转合规部门核实/);
    const named = await viewer.get(`/v1/subjects/${SUBJECT}/history?scheme=aml-risk`);
    assert.equal(named.status, 403);
    const problem = (await named.json()) as { errors?: { code: string; params?: { scheme?: string } }[] };
    assert.ok(
      problem.errors?.some((e) => e.code === 'scheme_not_readable' && e.params?.scheme === 'aml-risk'),
      JSON.stringify(problem),
    );
  });

  it('the customer sees their card tier, stars and savings grade; a benefit the AML restriction blocks is left out, as if not included', async () => {
    const as = client(f, () => token);
    const tiers = (await (await as.get(`/v1/subjects/${SUBJECT}/tiers`)).json()) as TiersResponse;
    assert.deepEqual(
      tiers.assignments.map((a) => a.scheme),
      customerSchemes.map((s) => s.key),
    );
    const savings = tiers.assignments.find((a) => a.scheme === 'savings-grade');
    assert.equal(savings?.level, 'risk', 'the level itself is the customer’s');
    assert.deepEqual(savings?.explanation.decidedBy, { kind: 'trigger', label: UNDISCLOSED }, 'the bad-loan trigger is not named');
    // 风险 in red would tell the customer a credit (NPL) classification: they read 基础, neutral — and not at
    // rank 0, the bottom of the scale, which says the same: beside 普通, listed after it (customerLevels).
    assert.deepEqual(
      savings?.schemeInfo.levels.find((l) => l.key === 'risk'),
      { key: 'risk', rank: 1, name: { 'zh-CN': '基础', 'zh-TW': '基礎', en: 'Basic' }, color: 'neutral' },
    );
    assert.deepEqual(
      savings?.schemeInfo.levels.map((l) => l.key),
      ['ordinary', 'risk', 'good', 'premium'],
    );
    assert.equal(savings?.rank, 1);
    const staffSavings = (await (
      await client(f, () => viewerKey).get(`/v1/subjects/${SUBJECT}/tiers?scheme=savings-grade`)
    ).json()) as TiersResponse;
    const staffRisk = staffSavings.assignments[0]?.schemeInfo.levels.find((l) => l.key === 'risk');
    assert.equal(staffRisk?.name['zh-CN'], '风险', 'staff keep 风险');
    assert.equal(staffRisk?.color, 'danger');
    assert.equal(staffRisk?.customer?.name['zh-CN'], '基础', 'and see what customers read');
    assert.deepEqual(
      tiers.assignments.find((a) => a.scheme === 'star-rating')?.explanation.decidedBy.label,
      SCORE_WITHHELD,
      'a score reading the credit score says more counts than it lists',
    );
    // How the bank runs its policies — the policy's id and version, the deciding rule's id — is no customer's:
    // no widget shows them (packages/api/README.md, "What a customer sees").
    for (const a of tiers.assignments) {
      for (const internal of ['policyId', 'policyVersion'] as const)
        assert.ok(!(internal in a.explanation), `${a.scheme} carries ${internal}`);
      assert.ok(!('id' in a.explanation.decidedBy), `${a.scheme} names its rule`);
    }
    const staffTiers = (await (await client(f, () => viewerKey).get(`/v1/subjects/${SUBJECT}/tiers`)).json()) as TiersResponse;
    for (const a of staffTiers.assignments) {
      assert.ok('policyId' in a.explanation && 'policyVersion' in a.explanation && 'id' in a.explanation.decidedBy, `staff's ${a.scheme}`);
    }
    const stars = tiers.assignments.find((a) => a.scheme === 'star-rating');
    assert.equal(stars?.explanation.score, undefined, 'no total or factor points that would give the credit factor away');
    assert.ok(!stars?.progress?.paths.some((p) => p.metric === '@score') && !stars?.retention?.lines.some((p) => p.metric === '@score'));
    assert.ok(stars?.explanation.inputs.some((i) => i.metric === 'avg_daily_balance'));

    const ent = (await (await as.get(`/v1/subjects/${SUBJECT}/entitlements`)).json()) as EntitlementsResponse;
    // AML 高 blocks these: a customer's list leaves them out, as if not included, so no notice that only
    // AML-restricted customers get tells them their grade (the pack's default, customerBlocks: omit).
    const blockedByAml = ['priority-lane', 'fee-waiver-transfer', 'non-counter-transfer-limit'];
    assert.deepEqual(
      ent.entitlements.filter((e) => blockedByAml.includes(e.def.key) || e.status === 'blocked' || e.notice !== undefined),
      [],
    );
    // The AML grade's readers see the block (an officer; a viewer is not among its readers).
    const staffEnt = (await (await client(f, () => officerKey).get(`/v1/subjects/${SUBJECT}/entitlements`)).json()) as EntitlementsResponse;
    assert.equal(staffEnt.entitlements.find((e) => e.def.key === 'priority-lane')?.blockedBy?.scheme, 'aml-risk', 'staff see the block');
    // Nor does "upgrade to 钻石卡 for a 3× transfer limit" promise what AML 高 keeps blocked (the demo's C000005).
    const staffGain = staffEnt.next.find((n) => n.scheme === 'retail-tier');
    assert.equal(staffGain?.toLevel, 'diamond');
    assert.ok(staffGain.adds.some((d) => d.key === 'non-counter-transfer-limit'));
    assert.deepEqual(staffGain.blockedBy?.['non-counter-transfer-limit'], {
      scheme: 'aml-risk',
      level: 'high',
      restriction: 'enhanced-due-diligence',
    });
    const gain = ent.next.find((n) => n.scheme === 'retail-tier');
    assert.ok(gain && gain.adds.length > 0, 'the rest of what diamond adds is still the customer’s');
    assert.deepEqual(
      gain.adds.filter((d) => blockedByAml.includes(d.key)),
      [],
    );
    assert.equal(gain.blockedBy, undefined);
    assert.equal(gain.notices, undefined);
    assert.ok(ent.entitlements.every((e) => customerSchemes.some((s) => s.key === e.grantedBy.scheme)));

    const history = (await (await as.get(`/v1/subjects/${SUBJECT}/history?limit=100`)).json()) as HistoryResponse;
    assert.ok(history.items.length > 0);
    assert.ok(history.items.every((e) => customerSchemes.some((s) => s.key === e.scheme) && e.period !== undefined));
  });

  it('a tenant whose AML scheme opts in (customerBlocks: notice) shows those benefits blocked with "contact your branch", never why', async () => {
    const tenant = 'bank-notice-pack';
    const noticePack: PolicyPack = {
      ...pack,
      schemes: pack.schemes.map((s) => (s.key === 'aml-risk' ? { ...s, customerBlocks: 'notice' as const } : s)),
    };
    await provisionTenant(f.db.db, { id: tenant, name: 'notice pack', pack: noticePack, now: NOW });
    const officerOf = (await createApiKey(f.db.db, { tenantId: tenant, role: 'officer', label: 'backend', now: NOW })).secret;
    const officer = client(f, () => officerOf);
    const viewerOf = (await createApiKey(f.db.db, { tenantId: tenant, role: 'viewer', label: 'rm', now: NOW })).secret;
    assert.equal((await officer.put(`/v1/subjects/${SUBJECT}`, { kind: 'customer', displayName: '陈志强' })).status, 201);
    assert.equal((await officer.put(`/v1/subjects/${SUBJECT}/metrics`, { metrics: worstCaseMetrics() })).status, 200);
    const minted = await officer.post('/v1/embed-tokens', { subject: SUBJECT, ttlSeconds: 600 });
    assert.equal(minted.status, 201);
    const { token: noticeToken } = (await minted.json()) as { token: string };

    const res = await client(f, () => noticeToken).get(`/v1/subjects/${SUBJECT}/entitlements`);
    const text = await res.text();
    assertNoStaff('entitlements with customerBlocks: notice', res, text);
    const ent = JSON.parse(text) as EntitlementsResponse;
    const blocked = ent.entitlements.filter((e) => e.status === 'blocked');
    assert.deepEqual(blocked.map((e) => e.def.key).sort(), ['fee-waiver-transfer', 'non-counter-transfer-limit', 'priority-lane']);
    for (const e of blocked) {
      assert.equal(e.blockedBy, undefined);
      assert.deepEqual(e.notice, UNAVAILABLE_NOTICE);
    }
    const gain = ent.next.find((n) => n.scheme === 'retail-tier');
    assert.ok(gain, 'diamond is still listed');
    assert.ok(
      gain.adds.some((d) => d.key === 'non-counter-transfer-limit'),
      'kept, with its notice',
    );
    assert.deepEqual(gain.notices, { 'non-counter-transfer-limit': UNAVAILABLE_NOTICE });
    assert.equal(gain.blockedBy, undefined);
    // The same customer in the default tenant (customerBlocks: omit) is never told, whatever its pack's cache holds.
    const omitted = (await (await client(f, () => token).get(`/v1/subjects/${SUBJECT}/entitlements`)).json()) as EntitlementsResponse;
    assert.ok(omitted.entitlements.every((e) => e.status !== 'blocked'));
    // Staff who read the AML grade see why (an officer: the pack's readers are officer, approver, admin).
    const staffEnt = (await (await officer.get(`/v1/subjects/${SUBJECT}/entitlements`)).json()) as EntitlementsResponse;
    assert.equal(staffEnt.entitlements.find((e) => e.def.key === 'priority-lane')?.blockedBy?.scheme, 'aml-risk', 'staff see why');
    // A viewer, not among its readers: blocked, never why — in the staff wording (refer to compliance), not the customer's.
    const viewerEnt = (await (await client(f, () => viewerOf).get(`/v1/subjects/${SUBJECT}/entitlements`)).json()) as EntitlementsResponse;
    const viewerLane = viewerEnt.entitlements.find((e) => e.def.key === 'priority-lane');
    assert.equal(viewerLane?.status, 'blocked');
    assert.equal(viewerLane.blockedBy, undefined);
    assert.deepEqual(viewerLane.notice, STAFF_UNAVAILABLE_NOTICE);
  });

  it('the history tells the customer of a level a staff metric forced what /tiers tells: the level, and "rated by the bank" with no reason', async () => {
    const mine = (await (await client(f, () => token).get(`/v1/subjects/${SUBJECT}/history?limit=100`)).json()) as HistoryResponse;
    const staff = (await (await client(f, () => viewerKey).get(`/v1/subjects/${SUBJECT}/history?limit=100`)).json()) as HistoryResponse;
    assert.equal(mine.audience, 'customer');
    assert.equal(staff.audience, 'staff');
    // The bank's own view names the bad-loan trigger, so the customer's event below is that one.
    const forced = staff.items.find((e) => e.scheme === 'savings-grade' && e.to === 'risk');
    assert.ok(forced?.ruleId, 'staff see the rule that forced 风险');
    assert.equal(forced.notice, undefined, 'staff read the reason itself');
    const seen = mine.items.find((e) => e.id === forced.id);
    assert.equal(seen?.to, 'risk', 'the level itself is the customer’s, as in /tiers');
    assert.deepEqual(seen?.notice, UNDISCLOSED);
    for (const e of mine.items) {
      const keys = Object.keys(e).filter((k) => !CUSTOMER_EVENT_KEYS.includes(k));
      assert.deepEqual(keys, [], `${e.id} carries ${keys.join(', ')}`);
    }
  });

  it('a customer’s history holds when, which scheme, the move and its month; staff keep the reason, rule, policy version and who', async () => {
    const mine = (await (await client(f, () => token).get(`/v1/subjects/${SUBJECT}/history?limit=100`)).json()) as HistoryResponse;
    const staff = (await (await client(f, () => viewerKey).get(`/v1/subjects/${SUBJECT}/history?limit=100`)).json()) as HistoryResponse;
    assert.ok(mine.items.length > 1);
    assert.equal(mine.audience, 'customer');
    let told = 0;
    for (const e of mine.items) {
      const whole = staff.items.find((s) => s.id === e.id);
      assert.ok(whole, `${e.id} is in the staff history too`);
      // A first assessment or a change of the bank's criteria is told in its coarse word; any other reason is the bank's.
      if (whole.reason === 'initial' || whole.reason === 'policy-change') {
        assert.equal(e.reason, whole.reason, e.id);
        told++;
      } else assert.ok(!('reason' in e), `${e.id} carries ${whole.reason}`);
      // Absent, not null: the customer's row has nothing to render for them.
      for (const internal of ['ruleId', 'policyVersion', 'actor', 'approvedBy', 'note'] as const) {
        assert.ok(!(internal in e), `${e.id} carries ${internal}`);
        assert.ok(internal in whole, `staff's ${e.id} lacks ${internal}`);
      }
      assert.deepEqual(
        { id: e.id, scheme: e.scheme, from: e.from, to: e.to, at: e.at, period: e.period },
        { id: whole.id, scheme: whole.scheme, from: whole.from, to: whole.to, at: whole.at, period: whole.period },
      );
    }
    // This customer's visible changes are all first assessments; a rule's reason withheld is core's audience-view test.
    assert.ok(told > 0, 'the first assessments are told');
  });

  it('a staff scheme in a query or a path is answered exactly like a scheme that does not exist', async () => {
    const as = client(f, () => token);
    for (const path of [`/v1/subjects/${SUBJECT}/history?scheme=`, `/v1/subjects/${SUBJECT}/tiers?scheme=star-rating,`, '/v1/schemes/']) {
      const hidden = await as.get(`${path}aml-risk`);
      const missing = await as.get(`${path}no-such-scheme`);
      assert.equal(hidden.status, 404, path);
      assert.equal(missing.status, 404, path);
      const [h, m] = [(await hidden.json()) as Record<string, unknown>, (await missing.json()) as Record<string, unknown>];
      const same = (body: Record<string, unknown>, name: string) => JSON.parse(JSON.stringify(body).replaceAll(name, 'X')) as unknown;
      assert.deepEqual(same(h, 'aml-risk'), same(m, 'no-such-scheme'));
    }
  });

  it('a body the read cache built for staff is never served to the customer: same URL, another body and ETag', async () => {
    const staff = client(f, () => viewerKey);
    const as = client(f, () => token);
    for (const url of [
      'tiers',
      'tiers?locale=en',
      'tiers?scheme=star-rating',
      'entitlements',
      'entitlements?locale=zh-CN',
      'history',
      'history?locale=en&limit=100',
    ]) {
      const path = `/v1/subjects/${SUBJECT}/${url}`;
      // Twice as staff, so the second answer comes from the cache; then as the customer.
      await staff.get(path);
      const cached = await staff.get(path);
      assert.equal(cached.status, 200, path);
      const etag = cached.headers.get('ETag') ?? '';
      const mine = await as.get(path, { 'If-None-Match': etag });
      assert.equal(mine.status, 200, `${path}: the staff ETag does not match the customer's body`);
      assert.notEqual(mine.headers.get('ETag'), etag, path);
      assert.equal(mine.headers.get('Cache-Control'), 'no-store', path);
      assertNoStaff(`customer ${path}`, mine, await mine.text());
      const again = await as.get(path, { 'If-None-Match': mine.headers.get('ETag') ?? '' });
      assert.equal(again.status, 304, `${path}: the customer's own ETag still gives a 304`);
      assert.equal(again.headers.get('Cache-Control'), 'no-store', path);
    }
  });

  it('walking every route and query parameter of the OpenAPI document finds no staff scheme, level, score, input or reason', async () => {
    // An app of its own with the rate limits off: the walk sends over a thousand requests with one
    // token, and the fixture's limits (600 at once, 100 a second) answered a fast run's later requests
    // 429, which checked nothing of those routes and made what the walk covered depend on the machine's
    // speed. Its errors are kept, so a 5xx says why.
    const errors: unknown[] = [];
    const app = createApp({ db: f.db.db, now: () => NOW, rateLimit: false, logError: (e) => errors.push(e) });
    const doc = (await (await app.request('/openapi.json')).json()) as Doc;
    const schemeKeys = [...defaultPolicyPack.schemes.map((s) => s.key), 'no-such-scheme'];
    const levelKeys = [...new Set(defaultPolicyPack.schemes.flatMap((s) => s.levels.map((l) => l.key)))];
    const values: Record<string, readonly string[]> = {
      scheme: schemeKeys,
      key: schemeKeys,
      level: levelKeys,
      row: levelKeys,
      col: levelKeys,
      kind: SUBJECT_KINDS,
      limit: ['1', '100'],
      cursor: [cursor],
      id: [SUBJECT, OTHER],
    };
    const as = client({ ...f, app }, () => token);
    let requests = 0;
    let ok = 0;
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const params = op.parameters ?? [];
        const pathParams = params.filter((p) => p.in === 'path');
        const queryParams = params.filter((p) => p.in === 'query');
        // Every combination of path values, each with no query, then each query parameter alone with
        // each of its values, then `scheme` with each `level`, `row` and `col`.
        let paths = [template];
        for (const p of pathParams) {
          paths = paths.flatMap((t) => (values[p.name] ?? ['x']).map((v) => t.replace(`{${p.name}}`, encodeURIComponent(v))));
        }
        const queries: string[] = [''];
        for (const q of queryParams) for (const v of values[q.name] ?? ['x']) queries.push(`${q.name}=${encodeURIComponent(v)}`);
        if (queryParams.some((q) => q.name === 'scheme')) {
          for (const s of defaultPolicyPack.schemes) {
            for (const l of s.levels)
              for (const q of queryParams.filter((p) => ['level', 'row', 'col'].includes(p.name)))
                queries.push(`scheme=${s.key}&${q.name}=${l.key}`);
          }
        }
        for (const path of paths) {
          for (const query of queries) {
            const url = query ? `${path}?${query}` : path;
            const res =
              method === 'get'
                ? await as.get(url)
                : await app.request(url, {
                    method: method.toUpperCase(),
                    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
                    body: '{}',
                  });
            requests++;
            if (res.status === 200) ok++;
            const text = await res.text();
            assert.ok(
              res.status < 500 && res.status !== 429,
              `${method.toUpperCase()} ${url}: ${res.status} ${text.slice(0, 300)} ${errors.map(String).join('; ')}`,
            );
            const sent = [...new URL(url, 'http://x').searchParams.values(), ...path.split('/').map(decodeURIComponent)].filter(
              (v) => v.length > 1,
            );
            assertNoStaff(`${method.toUpperCase()} ${url} → ${res.status}`, res, text, sent);
          }
        }
      }
    }
    assert.deepEqual(errors.map(String), [], 'no route logged an unexpected error');
    assert.ok(requests > 500, `walked ${requests} requests`);
    assert.ok(ok >= 15, `${ok} of them answered 200: the walk reached real data`);
    console.log(`customer walk: ${requests} requests, ${ok} answered 200`);
  });

  it('an override on a customer scheme shows its level, never its reason (in any label) nor who made it', async () => {
    const db = f.db.db;
    const other = await findSubjectByExternalId(db, TENANT, OTHER);
    assert.ok(other);
    const reason = '反洗钱调查期间保留等级 AML review E1024';
    await insertOverride(
      db,
      TENANT,
      other.id,
      {
        id: 'ov-1',
        scheme: 'retail-tier',
        level: 'diamond',
        mode: 'fixed',
        reason,
        expiresAt: null,
        requestedBy: 'E1024',
        approvedBy: 'E3302',
      },
      NOW.toISOString(),
    );
    const officer = client(f, () => officerKey);
    assert.equal(
      (
        await officer.put(`/v1/subjects/${OTHER}/metrics`, {
          metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 1_000_000 }],
        })
      ).status,
      200,
    );
    const staffView = (await (await client(f, () => viewerKey).get(`/v1/subjects/${OTHER}/tiers`)).json()) as TiersResponse;
    assert.ok(JSON.stringify(staffView).includes(reason), 'staff read the reason: the override decided');
    const minted = (await (await officer.post('/v1/embed-tokens', { subject: OTHER, ttlSeconds: 600 })).json()) as { token: string };
    const as = client(f, () => minted.token);
    const staffRetail = staffView.audience === 'customer' ? undefined : staffView.assignments.find((a) => a.scheme === 'retail-tier');
    assert.equal(staffRetail?.override?.id, 'ov-1', 'staff read the request’s id, to open it');
    assert.equal(staffRetail?.explanation.override?.id, 'ov-1');
    for (const path of [`/v1/subjects/${OTHER}/tiers`, `/v1/subjects/${OTHER}/history?limit=100`, `/v1/subjects/${OTHER}/entitlements`]) {
      const res = await as.get(path);
      const text = await res.text();
      assert.equal(res.status, 200, path);
      assertNoStaff(path, res, text);
      // The request's id too: it is the bank's record, which nothing a customer holds may name.
      for (const internal of ['E1024', 'E3302', 'key:', '反洗钱调查', 'ov-1'])
        assert.ok(!text.includes(internal), `${path} carries "${internal}"`);
    }
    const tiers = (await (await as.get(`/v1/subjects/${OTHER}/tiers`)).json()) as TiersResponse;
    assert.equal(tiers.audience, 'customer');
    const retail = tiers.assignments.find((a) => a.scheme === 'retail-tier');
    assert.equal(retail?.level, 'diamond');
    // Absent, not blanked: what the customer holds (the level, how, until when), nothing of the request.
    assert.deepEqual(retail?.override, { scheme: 'retail-tier', level: 'diamond', mode: 'fixed', expiresAt: null });
    assert.deepEqual(retail?.explanation.override, { level: 'diamond', mode: 'fixed' });
  });

  it('a scheme’s override rule (who files, who approves, for how long) reaches staff, never the customer', async () => {
    const staff = client(f, () => viewerKey);
    const as = client(f, () => token);
    const rules = (schemes: readonly { key: string; overrides?: unknown }[]): Record<string, unknown> =>
      Object.fromEntries(schemes.map((s) => [s.key, s.overrides]));
    const staffList = (await (await staff.get('/v1/schemes')).json()) as SchemesResponse;
    assert.deepEqual(rules(staffList.items)['retail-tier'], RETAIL_RULE, 'staff read the rule: the pack has one');
    const staffOne = (await (await staff.get('/v1/schemes/retail-tier')).json()) as SchemeResponse;
    assert.deepEqual(staffOne.overrides, RETAIL_RULE);

    const list = (await (await as.get('/v1/schemes')).json()) as SchemesResponse;
    assert.deepEqual(
      Object.keys(rules(list.items)),
      customerSchemes.map((s) => s.key),
    );
    for (const s of list.items) assert.ok(!('overrides' in s), `/v1/schemes: ${s.key} carries its override rule`);
    const oneRes = await as.get('/v1/schemes/retail-tier');
    const oneText = await oneRes.clone().text();
    assertNoStaff('/v1/schemes/retail-tier', oneRes, oneText);
    const one = JSON.parse(oneText) as SchemeResponse;
    assert.equal(one.key, 'retail-tier');
    // What each level grants, for a compare-tiers table: the customer scheme's own benefits, level by level.
    const defined = customerSchemes.find((s) => s.key === 'retail-tier')?.entitlements ?? {};
    assert.ok(Object.keys(defined).length > 0, 'the default pack’s card tier grants benefits');
    assert.deepEqual(one.entitlements, defined);
    assert.deepEqual(staffOne.entitlements, defined, 'staff read the same benefits');
    assert.ok(!('overrides' in one), '/v1/schemes/retail-tier carries its override rule');
    for (const query of ['', '?locale=en', '?scheme=retail-tier']) {
      const tiers = (await (await as.get(`/v1/subjects/${SUBJECT}/tiers${query}`)).json()) as TiersResponse;
      assert.ok(
        tiers.assignments.some((a) => a.scheme === 'retail-tier'),
        query,
      );
      for (const a of tiers.assignments)
        assert.ok(!('overrides' in a.schemeInfo), `tiers${query}: ${a.scheme}'s schemeInfo carries its override rule`);
    }
  });

  it('the check is not vacuous: a staff credential’s answer fails it', async () => {
    const res = await client(f, () => viewerKey).get(`/v1/subjects/${SUBJECT}/tiers`);
    const text = await res.text();
    assert.throws(() => assertNoStaff('viewer', res, text), /staff value|mentions/);
  });
});
