import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApiKey, createApp, pendingPolicyApprovals, provisionTenant, reevaluateBook, TenantPacks, type Role } from '@tierkit/api';
import type { Problem, TiersResponse } from '@tierkit/core';
import { NOW, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';
import { testPack } from '../support/test-pack.js';
import { retireByTwo } from '../support/retire.js';

interface Version {
  scheme: string;
  version: number;
  status: string;
  effectiveFrom: string | null;
  contentHash: string | null;
  authors: string[];
  submittedBy: string | null;
  decidedBy: string | null;
  note: string | null;
  document: { key: string; policy: { version: number; levels: { when: { value?: unknown } }[] } & Record<string, unknown> };
}

async function ok<T>(res: Response, status = 200): Promise<T> {
  assert.equal(res.status, status, await res.clone().text());
  return (await res.json()) as T;
}

async function problem(res: Response, status: number, kind: string): Promise<Problem> {
  assert.equal(res.status, status, await res.clone().text());
  const body = (await res.json()) as Problem;
  assert.equal(body.type, `https://tierkit.dev/problems/${kind}`);
  return body;
}

/** The AML test scheme with its 高 line moved from a score of 80 to `line` (no hysteresis: it applies at once). */
function amlAt(doc: Version['document'], line: number): Version['document'] {
  const copy = structuredClone(doc);
  (copy.policy.levels[0] as { when: { value: number } }).when.value = line;
  return copy;
}

const who = (f: ApiFixture, role: Role) => client(f, () => f.keys.roles[role]);

forEachDialect('policy lifecycle', (f) => {
  const officer = who(f, 'officer');
  const approver = who(f, 'approver');
  const admin = client(f);

  /** A submitted draft of aml-test with its line at `line`, by the officer. */
  async function submitted(line: number): Promise<Version> {
    const draft = await ok<Version>(await officer.post('/v1/policies/aml-test/drafts', {}), 201);
    await ok<Version>(await officer.put(`/v1/policies/aml-test/versions/${draft.version}`, { document: amlAt(draft.document, line) }));
    return ok<Version>(await officer.post(`/v1/policies/aml-test/versions/${draft.version}/submit`, {}));
  }

  async function amlLevel(id: string, as = admin): Promise<{ level: string; policyVersion: number }> {
    const body = await ok<TiersResponse>(await as.get(`/v1/subjects/${id}/tiers?scheme=aml-test`));
    const a = body.assignments[0];
    assert.ok(a && 'policyVersion' in a.explanation, 'staff read the policy version');
    return { level: a.level, policyVersion: a.explanation.policyVersion };
  }

  it('lists each scheme with the version it came with, in force from the beginning; analysts read, viewers and embed tokens do not', async () => {
    const body = await ok<{ items: { scheme: string; active: Version | null; drafts: Version[] }[] }>(
      await who(f, 'analyst').get('/v1/policies'),
    );
    assert.deepEqual(
      body.items.map((s) => [s.scheme, s.active?.version, s.active?.status, s.active?.effectiveFrom]),
      [
        ['retail-tier', 1, 'active', null],
        ['aml-test', 1, 'active', null],
        ['risk-value-test', 1, 'active', null],
      ],
    );
    await problem(await who(f, 'viewer').get('/v1/policies'), 403, 'forbidden');
    await ok(await admin.put('/v1/subjects/E1', { kind: 'customer', displayName: '张三' }), 201);
    const token = (await ok<{ token: string }>(await officer.post('/v1/embed-tokens', { subject: 'E1' }), 201)).token;
    const embed = client(f, () => token);
    for (const res of [
      await embed.get('/v1/policies'),
      await embed.get('/v1/policies/retail-tier/versions'),
      await embed.get('/v1/policies/retail-tier/versions/1'),
      await embed.post('/v1/policies/retail-tier/drafts', {}),
      await embed.post('/v1/policies/retail-tier/versions/1/simulate', {}),
      await embed.post('/v1/policies/retail-tier/versions/1/retire', { note: 'x' }),
    ]) {
      await problem(res, 403, 'forbidden');
    }
    await problem(await who(f, 'analyst').post('/v1/policies/aml-test/drafts', {}), 403, 'forbidden');
    await problem(await officer.post('/v1/policies/aml-test/versions/1/retire', { note: 'x' }), 403, 'forbidden');
  });

  it('a draft copies the version in force, numbered next, and only the draft can be edited', async () => {
    const draft = await ok<Version>(await officer.post('/v1/policies/aml-test/drafts', {}), 201);
    assert.equal(draft.status, 'draft');
    assert.ok(draft.version >= 2);
    assert.equal(draft.document.policy.version, draft.version, 'the document names the version it is stored as');
    assert.equal(draft.contentHash, null);
    assert.equal(draft.authors.length, 1, 'its author');
    const edited = await ok<Version>(
      await officer.put(`/v1/policies/aml-test/versions/${draft.version}`, { document: amlAt(draft.document, 70) }),
    );
    assert.equal((edited.document.policy.levels[0] as { when: { value: number } }).when.value, 70);
    await problem(await officer.put('/v1/policies/aml-test/versions/1', { document: draft.document }), 409, 'conflict');
    await problem(await officer.put('/v1/policies/aml-test/versions/999', { document: draft.document }), 404, 'not-found');
    const copy = await ok<Version>(await officer.post('/v1/policies/aml-test/drafts', { from: draft.version }), 201);
    assert.equal((copy.document.policy.levels[0] as { when: { value: number } }).when.value, 70, 'a copy of the named version');
    await problem(await officer.post('/v1/policies/aml-test/drafts', { from: 1, document: draft.document }), 400, 'validation');
    const diff = await ok<{ against: number; changes: { key: string; change: string; text: { en: string } }[] }>(
      await who(f, 'analyst').get(`/v1/policies/aml-test/versions/${draft.version}/diff`),
    );
    assert.equal(diff.against, 1);
    assert.deepEqual(
      diff.changes.map((c) => [c.key, c.change]),
      [['rule:high/high.score', 'changed']],
    );
    assert.match(diff.changes[0]?.text.en ?? '', /80.*→.*70/);
  });

  it('the diff lists what a level entitles: a rate added then moved from +10bp to +15bp, never "same"', async () => {
    type Doc = Version['document'] & { entitlements: Record<string, Record<string, unknown>[]> };
    const draft = await ok<Version>(await officer.post('/v1/policies/aml-test/drafts', {}), 201);
    const doc = structuredClone(draft.document) as Doc;
    const rateOf = (bp: number) => ({
      kind: 'rate',
      key: 'deposit-rate',
      bp,
      applies: 'deposit',
      label: { 'zh-CN': '存款利率上浮', 'zh-TW': '存款利率加碼', en: 'deposit rate uplift' },
    });
    doc.entitlements.low = [rateOf(10)];
    await ok<Version>(await officer.put(`/v1/policies/aml-test/versions/${draft.version}`, { document: doc }));
    const diff = async (v: number, against?: number) =>
      ok<{ changes: { key: string; change: string; text: Record<string, string> }[] }>(
        await who(f, 'analyst').get(`/v1/policies/aml-test/versions/${v}/diff${against ? `?against=${against}` : ''}`),
      );
    const added = await diff(draft.version);
    assert.deepEqual(
      added.changes.map((c) => [c.key, c.change]),
      [['entitlement:low/deposit-rate', 'added']],
    );
    assert.equal(added.changes[0]?.text['zh-CN'], '新增: 低 权益 存款利率上浮（+10bp）');

    const next = await ok<Version>(await officer.post('/v1/policies/aml-test/drafts', { from: draft.version }), 201);
    const moved = structuredClone(next.document) as Doc;
    moved.entitlements.low = [rateOf(15)];
    await ok<Version>(await officer.put(`/v1/policies/aml-test/versions/${next.version}`, { document: moved }));
    const changed = await diff(next.version, draft.version);
    assert.deepEqual(
      changed.changes.map((c) => [c.key, c.change]),
      [['entitlement:low/deposit-rate', 'changed']],
    );
    assert.deepEqual(changed.changes[0]?.text, {
      'zh-CN': '修改: 低 权益 存款利率上浮（+10bp） → 低 权益 存款利率上浮（+15bp）',
      'zh-TW': '修改: 低 權益 存款利率加碼（+10bp） → 低 權益 存款利率加碼（+15bp）',
      en: 'changed: Low benefit deposit rate uplift (+10bp) → Low benefit deposit rate uplift (+15bp)',
    });
  });

  it('a customer tier that reads a company’s metric is refused at submit, 422 with the field, and nothing is submitted', async () => {
    const draft = await ok<Version>(await officer.post('/v1/policies/retail-tier/drafts', {}), 201);
    const doc = structuredClone(draft.document) as Version['document'] & { policy: { levels: { when: { of: unknown[] } }[] } };
    doc.policy.levels[0]?.when.of.push({ kind: 'threshold', metric: 'annual_revenue', window: null, op: 'gte', value: 100_000_000 });
    await ok<Version>(await officer.put(`/v1/policies/retail-tier/versions/${draft.version}`, { document: doc }));
    const body = await problem(await officer.post(`/v1/policies/retail-tier/versions/${draft.version}/submit`, {}), 422, 'unprocessable');
    assert.deepEqual(
      body.errors?.map((e) => [e.path, e.code, e.params]),
      [
        [
          'document.policy.levels[0].when.of[3].metric',
          'metric_subject_kind',
          { metric: 'annual_revenue', subjectKind: 'customer', metricKinds: ['corporate'] },
        ],
      ],
    );
    const still = await ok<Version>(await officer.get(`/v1/policies/retail-tier/versions/${draft.version}`));
    assert.equal(still.status, 'draft');
    // The catalogue the editor validates with names each metric's kinds.
    const list = await ok<{ metrics: { key: string; subjectKinds?: string[] }[] }>(await officer.get('/v1/policies'));
    assert.deepEqual(list.metrics.find((m) => m.key === 'annual_revenue')?.subjectKinds, ['corporate']);
    assert.deepEqual(list.metrics.find((m) => m.key === 'avg_daily_balance')?.subjectKinds, ['customer']);
  });

  it('submitting validates with the engine: errors carry field paths into the document, and nothing is submitted', async () => {
    const draft = await ok<Version>(await officer.post('/v1/policies/aml-test/drafts', {}), 201);
    const bad = structuredClone(draft.document);
    (bad.policy.levels[0] as { when: { value: unknown; metric: string } }).when.value = 'eighty';
    await ok(await officer.put(`/v1/policies/aml-test/versions/${draft.version}`, { document: bad }));
    const body = await problem(await officer.post(`/v1/policies/aml-test/versions/${draft.version}/submit`, {}), 400, 'validation');
    assert.ok(
      body.errors?.some((e) => e.path === 'document.policy.levels[0].when.value'),
      JSON.stringify(body.errors),
    );
    const unknownMetric = structuredClone(draft.document);
    (unknownMetric.policy.levels[0] as { when: { metric: string } }).when.metric = 'no_such_metric';
    await ok(await officer.put(`/v1/policies/aml-test/versions/${draft.version}`, { document: unknownMetric }));
    const second = await problem(await officer.post(`/v1/policies/aml-test/versions/${draft.version}/submit`, {}), 400, 'validation');
    assert.ok(
      second.errors?.some((e) => e.path === 'document.policy.levels[0].when.metric'),
      JSON.stringify(second.errors),
    );
    const wrongKey = { ...draft.document, key: 'retail-tier' };
    await ok(await officer.put(`/v1/policies/aml-test/versions/${draft.version}`, { document: wrongKey }));
    const third = await problem(await officer.post(`/v1/policies/aml-test/versions/${draft.version}/submit`, {}), 400, 'validation');
    assert.deepEqual(
      third.errors?.map((e) => e.path),
      ['document.key'],
    );
    assert.equal((await ok<Version>(await officer.get(`/v1/policies/aml-test/versions/${draft.version}`))).status, 'draft');
  });

  it('a draft’s errors carry stable codes and params, for a console to word in its own language', async () => {
    const draft = await ok<Version>(await officer.post('/v1/policies/aml-test/drafts', {}), 201);
    type Doc = {
      key: string;
      levels: { key: string; rank: number; name: unknown; color: string }[];
      policy: { levels: { level: string; when: Record<string, unknown> }[] };
    };
    /** The codes of the errors submitting `change(document)` meets: by path, code and params. */
    const codes = async (change: (d: Doc) => void) => {
      const doc = structuredClone(draft.document) as unknown as Doc;
      change(doc);
      await ok(await officer.put(`/v1/policies/aml-test/versions/${draft.version}`, { document: doc }));
      const body = await problem(await officer.post(`/v1/policies/aml-test/versions/${draft.version}/submit`, {}), 400, 'validation');
      messages.push(...(body.errors ?? []).map((e) => e.message));
      return (body.errors ?? []).map((e) => [e.path, e.code, e.params]);
    };
    const messages: string[] = [];
    const rule = (level: string, value: number) => ({
      level,
      when: { kind: 'threshold', id: `${level}.score`, metric: 'aml_customer_risk', window: null, op: 'gte', value },
    });
    assert.deepEqual(
      await codes((d) => {
        (d.policy.levels[0] as { when: Record<string, unknown> }).when.value = 'eighty';
      }),
      [['document.policy.levels[0].when.value', 'invalid_type', { expected: 'number' }]],
    );
    assert.deepEqual(
      await codes((d) => {
        (d.policy.levels[0] as { when: Record<string, unknown> }).when.metric = 'no_such_metric';
      }),
      [
        [
          'document.policy.levels[0].when.metric',
          'unknown_metric',
          { metric: 'no_such_metric', known: testPack().metrics.map((m) => m.key) },
        ],
      ],
    );
    assert.deepEqual(
      await codes((d) => {
        d.key = 'retail-tier';
      }),
      [['document.key', 'invalid_value', { values: ['aml-test'] }]],
    );
    assert.deepEqual(
      await codes((d) => {
        d.levels.push({ key: 'severe', rank: 2, name: { 'zh-CN': '严重', 'zh-TW': '嚴重', en: 'Severe' }, color: 'danger' });
        d.policy.levels.push(rule('severe', 70));
      }),
      [
        [
          'document.policy.levels[1].when.value',
          'out_of_order',
          {
            of: 'threshold',
            value: 70,
            other: 80,
            at: 'document.policy.levels[0].when',
            higher: 'below',
            level: 'severe',
            otherLevel: 'high',
          },
        ],
        // The matrix over aml-test has no row for the new level: its error keeps its code, and says where.
        ['document', 'unmapped', { level: 'severe', scheme: 'aml-test', elsewhere: 'schemes[2].matrix.rows', inScheme: 'risk-value-test' }],
      ],
    );
    // The English names the other threshold by the document's path too, not the pack's.
    assert.ok(
      messages.some((m) => m.endsWith('below 80 at document.policy.levels[0].when')),
      messages.join('\n'),
    );
    assert.deepEqual(
      await codes((d) => {
        d.levels.push({ key: 'high', rank: 2, name: { 'zh-CN': '高', 'zh-TW': '高', en: 'High' }, color: 'danger' });
        d.policy.levels.push(rule('low', 10));
        d.policy.levels.push(rule('ghost', 0));
      }),
      [
        ['document.levels[2].key', 'duplicate', { level: 'high' }],
        ['document.policy.levels[1].level', 'lowest_level', { level: 'low' }],
        ['document.policy.levels[2].level', 'unknown_level', { level: 'ghost', scheme: 'aml-test', levels: ['low', 'high'] }],
      ],
    );
  });

  it('four eyes: whoever wrote or submitted a version cannot approve or reject it, whatever their role', async () => {
    const draft = await ok<Version>(await admin.post('/v1/policies/aml-test/drafts', {}), 201);
    const v = draft.version;
    const own = await ok<Version>(await admin.post(`/v1/policies/aml-test/versions/${v}/submit`, {}));
    const approve = { contentHash: own.contentHash, effectiveFrom: '2026-01-01' };
    await problem(await admin.post(`/v1/policies/aml-test/versions/${v}/approve`, approve), 403, 'four-eyes');
    await problem(await admin.post(`/v1/policies/aml-test/versions/${v}/reject`, { note: 'mine' }), 403, 'four-eyes');
    // The approver edits it (back to draft), the officer submits: the approver wrote part of it.
    await ok(await approver.put(`/v1/policies/aml-test/versions/${v}`, { document: amlAt(draft.document, 75) }));
    const again = await ok<Version>(await officer.post(`/v1/policies/aml-test/versions/${v}/submit`, {}));
    assert.equal(again.authors.length, 2);
    await problem(
      await approver.post(`/v1/policies/aml-test/versions/${v}/approve`, { contentHash: again.contentHash, effectiveFrom: '2026-01-01' }),
      403,
      'four-eyes',
    );
    const third = (await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'approver', label: 'third person', now: NOW })).secret;
    const rejected = await ok<Version>(
      await client(f, () => third).post(`/v1/policies/aml-test/versions/${v}/reject`, { note: 'too lax' }),
    );
    assert.equal(rejected.status, 'rejected');
    assert.equal(rejected.note, 'too lax');
    assert.ok(rejected.decidedBy);
    await problem(await officer.put(`/v1/policies/aml-test/versions/${v}`, { document: draft.document }), 409, 'conflict');
  });

  it('an approval binds to the content submitted: editing after submit voids the hash', async () => {
    const queueDeps = { db: f.db.db, tenantId: 'bank-a', now: () => NOW, packs: new TenantPacks(), timeZone: 'Asia/Shanghai' };
    const first = await submitted(65);
    const v = first.version;
    assert.match(first.contentHash ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(first.status, 'submitted');
    const queue = await pendingPolicyApprovals(queueDeps);
    const item = queue.find((q) => q.id === `aml-test@${v}`);
    assert.equal(item?.contentHash, first.contentHash);
    assert.equal(item?.kind, 'policy');
    assert.equal(item?.requestedBy, first.submittedBy);
    // Edited after submission: back to draft, no hash, and an approval of what was submitted fails.
    const edited = await ok<Version>(await officer.put(`/v1/policies/aml-test/versions/${v}`, { document: amlAt(first.document, 66) }));
    assert.equal(edited.status, 'draft');
    assert.equal(edited.contentHash, null);
    const stale = { contentHash: first.contentHash, effectiveFrom: '2026-01-01' };
    const back = await problem(await approver.post(`/v1/policies/aml-test/versions/${v}/approve`, stale), 409, 'conflict');
    assert.equal(back.detail, `Version ${v} of "aml-test" is draft; only submitted versions can be approved.`);
    const second = await ok<Version>(await officer.post(`/v1/policies/aml-test/versions/${v}/submit`, {}));
    assert.notEqual(second.contentHash, first.contentHash);
    await problem(await approver.post(`/v1/policies/aml-test/versions/${v}/approve`, stale), 409, 'content-changed');
    const approved = await ok<{ version: Version; reevaluation: { status: string } }>(
      await approver.post(`/v1/policies/aml-test/versions/${v}/approve`, {
        contentHash: second.contentHash,
        effectiveFrom: '2026-01-01',
        note: 'ok',
      }),
    );
    assert.equal(approved.version.status, 'approved', 'its date has not come');
    assert.equal(approved.version.effectiveFrom, '2026-01-01');
    assert.equal(approved.reevaluation.status, 'scheduled');
    assert.ok(!(await pendingPolicyApprovals(queueDeps)).some((q) => q.id === `aml-test@${v}`));
    // One active version per scheme and date.
    const twin = await submitted(67);
    await problem(
      await approver.post(`/v1/policies/aml-test/versions/${twin.version}/approve`, {
        contentHash: twin.contentHash,
        effectiveFrom: '2026-01-01',
      }),
      409,
      'conflict',
    );
    // A scheduled version can be withdrawn; then the twin's date is free.
    const retired = await ok<Version>(await retireByTwo(approver.post, admin.post, 'aml-test', v, 'replaced'));
    assert.equal(retired.status, 'retired');
    await ok(
      await approver.post(`/v1/policies/aml-test/versions/${twin.version}/approve`, {
        contentHash: twin.contentHash,
        effectiveFrom: '2026-01-01',
      }),
    );
    await ok(await retireByTwo(approver.post, admin.post, 'aml-test', twin.version, 'tidy up'));
  });

  it('effective dates: a version from next month leaves this month under the old one; when its month comes, it decides', async () => {
    await ok(await admin.put('/v1/subjects/D1', { kind: 'customer', displayName: '李四' }), 201);
    await ok(await admin.put('/v1/subjects/D1/metrics', { metrics: [{ metric: 'aml_customer_risk', period: '2025-11', value: 60 }] }));
    assert.deepEqual(await amlLevel('D1'), { level: 'low', policyVersion: 1 });
    const v = await submitted(50);
    const bad = await problem(
      await approver.post(`/v1/policies/aml-test/versions/${v.version}/approve`, {
        contentHash: v.contentHash,
        effectiveFrom: '2025-10-31',
      }),
      400,
      'validation',
    );
    assert.deepEqual(
      bad.errors?.map((e) => e.path),
      ['effectiveFrom'],
    );
    await problem(
      await approver.post(`/v1/policies/aml-test/versions/${v.version}/approve`, {
        contentHash: v.contentHash,
        effectiveFrom: '2025-02-30',
      }),
      400,
      'validation',
    );
    await ok(
      await approver.post(`/v1/policies/aml-test/versions/${v.version}/approve`, {
        contentHash: v.contentHash,
        effectiveFrom: '2025-12-01',
      }),
    );
    // November again (corrected data): still judged by version 1, which is in force for November.
    await ok(await admin.put('/v1/subjects/D1/metrics', { metrics: [{ metric: 'aml_customer_risk', period: '2025-11', value: 61 }] }));
    assert.deepEqual(await amlLevel('D1'), { level: 'low', policyVersion: 1 });
    const list = await ok<{ items: { scheme: string; active: Version; scheduled: Version[] }[] }>(await admin.get('/v1/policies'));
    const aml = list.items.find((s) => s.scheme === 'aml-test');
    assert.equal(aml?.active.version, 1);
    assert.deepEqual(
      aml?.scheduled.map((s) => s.version),
      [v.version],
    );

    // December: the same app code a month later.
    const december = createApp({ db: f.db.db, now: () => new Date('2025-12-10T04:00:00Z'), logError: () => undefined });
    const later = client({ ...f, app: december });
    await ok(await later.put('/v1/subjects/D1/metrics', { metrics: [{ metric: 'aml_customer_risk', period: '2025-12', value: 60 }] }));
    assert.deepEqual(await amlLevel('D1', later), { level: 'high', policyVersion: v.version });
    const versions = await ok<{ items: Version[] }>(await later.get('/v1/policies/aml-test/versions'));
    assert.equal(versions.items.find((x) => x.version === v.version)?.status, 'active');
    assert.equal(versions.items.find((x) => x.version === 1)?.status, 'superseded');
    // Retiring the version in force hands December back to version 1; the matrix keeps a valid axis.
    const laterApprover = client({ ...f, app: december }, () => f.keys.roles.approver);
    await ok(await retireByTwo(laterApprover.post, later.post, 'aml-test', v.version, 'back to 80'));
    await ok(await later.put('/v1/subjects/D1/metrics', { metrics: [{ metric: 'aml_customer_risk', period: '2025-12', value: 60 }] }));
    assert.deepEqual(await amlLevel('D1', later), { level: 'low', policyVersion: 1 });
    // Version 1 is the matrix's row axis: it cannot go while the matrix reads it.
    const refused = await problem(await later.post('/v1/policies/aml-test/versions/1/retire', { note: 'no' }), 422, 'unprocessable');
    // The pack's errors carry their codes, as a draft's do, and the month and scheme they break.
    assert.ok(
      refused.errors?.some(
        (e) =>
          e.path.endsWith('.matrix.rowScheme') &&
          e.code === 'unknown_scheme' &&
          JSON.stringify(e.params) === JSON.stringify({ scheme: 'aml-test', inForce: '2025-12', inScheme: 'risk-value-test' }),
      ),
      JSON.stringify(refused.errors),
    );
  });

  it('approved from the current month, it re-evaluates the book at once', async () => {
    await ok(await admin.put('/v1/subjects/N1', { kind: 'customer', displayName: '王五' }), 201);
    await ok(await admin.put('/v1/subjects/N1/metrics', { metrics: [{ metric: 'aml_customer_risk', period: '2025-11', value: 40 }] }));
    assert.equal((await amlLevel('N1')).level, 'low');
    const v = await submitted(30);
    const approved = await ok<{ version: Version; reevaluation: { status: string; fromPeriod: string; changes: number } }>(
      await approver.post(`/v1/policies/aml-test/versions/${v.version}/approve`, {
        contentHash: v.contentHash,
        effectiveFrom: '2025-11-01',
        // The month under way, judged again at once: the approver says so (the default is next month).
        confirmRetier: true,
      }),
    );
    assert.equal(approved.version.status, 'active');
    assert.equal(approved.reevaluation.status, 'done');
    assert.equal(approved.reevaluation.fromPeriod, '2025-11');
    assert.ok(approved.reevaluation.changes >= 1);
    assert.deepEqual(await amlLevel('N1'), { level: 'high', policyVersion: v.version });
    // Retiring it evaluates the month again, as approving did: version 1 decides again.
    const retired = await ok<{ reevaluation?: { status: string; fromPeriod: string } }>(
      await retireByTwo(approver.post, admin.post, 'aml-test', v.version, 'too strict'),
    );
    assert.equal(retired.reevaluation?.status, 'done');
    assert.equal(retired.reevaluation?.fromPeriod, '2025-11');
    assert.deepEqual(await amlLevel('N1'), { level: 'low', policyVersion: 1 }, 'back under version 1');
    // A book over the limit is left for a job (tests/api/system-jobs.test.ts); without a limit it is done.
    const deps = {
      db: f.db.db,
      packs: new TenantPacks(),
      tenantId: 'bank-a',
      now: () => NOW,
      timeZone: 'Asia/Shanghai',
      principal: { tenantId: 'bank-a', via: 'key' as const, role: 'admin' as const, subject: null, origins: null, actor: 'job' },
    };
    const deferred = await reevaluateBook(deps, 'aml-test', '2025-11', { limit: 1 });
    assert.equal(deferred.status, 'deferred');
    assert.ok(deferred.subjects >= 2);
    assert.equal(deferred.changes, 0);
    const done = await reevaluateBook(deps, 'aml-test', '2025-11');
    assert.equal(done.status, 'done');
    assert.deepEqual(await amlLevel('N1'), { level: 'low', policyVersion: 1 }, 'evaluating again changes nothing');
  });

  it('retiring a version the tenant came with evaluates the month again, whatever day the tenant was set up on', async () => {
    // Provisioned on the 15th of the current month: its versions are in force from the beginning, not from the 16th.
    await provisionTenant(f.db.db, { id: 'bank-retire', name: 'bank-retire', pack: testPack(), now: NOW });
    const secret = (await createApiKey(f.db.db, { tenantId: 'bank-retire', role: 'approver', label: 'checker', now: NOW })).secret;
    const checker = client(f, () => secret);
    const second = (await createApiKey(f.db.db, { tenantId: 'bank-retire', role: 'approver', label: 'second checker', now: NOW })).secret;
    const listed = await ok<{ items: Version[] }>(await checker.get('/v1/policies/risk-value-test/versions'));
    assert.deepEqual(
      listed.items.map((v) => [v.version, v.status, v.effectiveFrom]),
      [[1, 'active', null]],
    );
    const retired = await ok<Version & { reevaluation?: { status: string; fromPeriod: string } }>(
      await retireByTwo(checker.post, client(f, () => second).post, 'risk-value-test', 1, 'the matrix is no longer used'),
    );
    assert.equal(retired.status, 'retired');
    assert.equal(retired.reevaluation?.status, 'done', 'a version in force was retired: the month is judged again');
    assert.equal(retired.reevaluation?.fromPeriod, '2025-11');
  });

  it('another tenant sees none of it and can change none of it', async () => {
    const draft = await ok<Version>(await officer.post('/v1/policies/retail-tier/drafts', {}), 201);
    const other = client(f, 'b');
    await problem(await other.get(`/v1/policies/retail-tier/versions/${draft.version}`), 404, 'not-found');
    await problem(await other.put(`/v1/policies/retail-tier/versions/${draft.version}`, { document: draft.document }), 404, 'not-found');
    await problem(await other.post(`/v1/policies/retail-tier/versions/${draft.version}/submit`, {}), 404, 'not-found');
    await problem(await other.post(`/v1/policies/retail-tier/versions/${draft.version}/simulate`, {}), 404, 'not-found');
    const submittedA = await ok<Version>(await officer.post(`/v1/policies/retail-tier/versions/${draft.version}/submit`, {}));
    await problem(
      await other.post(`/v1/policies/retail-tier/versions/${draft.version}/approve`, {
        contentHash: submittedA.contentHash,
        effectiveFrom: '2026-01-01',
      }),
      404,
      'not-found',
    );
    const mine = await ok<{ items: Version[] }>(await other.get('/v1/policies/retail-tier/versions'));
    assert.deepEqual(
      mine.items.map((v) => v.version),
      [1],
    );
    assert.equal((await ok<Version>(await officer.get(`/v1/policies/retail-tier/versions/${draft.version}`))).status, 'submitted');
  });

  it('version lists page with cursors, newest first', async () => {
    const all = await ok<{ items: Version[]; nextCursor: string | null }>(await admin.get('/v1/policies/aml-test/versions?limit=100'));
    assert.ok(all.items.length >= 4);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Version[]; nextCursor: string | null } = await ok(
        await admin.get(`/v1/policies/aml-test/versions?limit=2${cursor ? `&cursor=${cursor}` : ''}`),
      );
      seen.push(...page.items.map((v) => v.version));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(
      seen,
      all.items.map((v) => v.version),
    );
    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => b - a),
    );
    await problem(await admin.get('/v1/policies/aml-test/versions?cursor=nonsense'), 400, 'bad-cursor');
  });
});

forEachDialect('policy simulation against the book', (f) => {
  const keys = {} as Record<Role, string>;
  const as = (role: Role) => client(f, () => keys[role]);

  /** Retail customers at average balances (yuan) for Sep–Nov 2025: their current tiers and stored hysteresis state. */
  const BOOK: [id: string, balances: [number, number, number]][] = [
    ['S01', [10_000, 10_000, 10_000]],
    ['S02', [150_000, 0, 15_000]], // gold since September; November averages 55k: one month below a 60k line keeps it gold
    ['S03', [0, 0, 165_000]], // gold from November (55k) only, from standard: below 60k it never gets there
    ['S04', [70_000, 70_000, 70_000]],
    ['S05', [400_000, 400_000, 400_000]],
    ['S06', [58_000, 58_000, 58_000]],
    ['S07', [0, 0, 0]],
    ['S08', [2_000_000, 2_000_000, 2_000_000]],
  ];

  it('the migration matrix and distributions match what evaluating the same customers under the approved version stores', async () => {
    await provisionTenant(f.db.db, { id: 'bank-sim', name: 'sim', pack: testPack(), now: NOW });
    for (const role of ['analyst', 'officer', 'approver'] as const) {
      keys[role] = (await createApiKey(f.db.db, { tenantId: 'bank-sim', role, label: role, now: NOW })).secret;
    }
    const officer = as('officer');
    for (const [id, b] of BOOK) {
      await ok(await officer.put(`/v1/subjects/${id}`, { kind: 'customer', displayName: '客户' }), 201);
      // Month by month, as a monthly batch: each evaluation carries the state of the one before.
      for (const [i, period] of ['2025-09', '2025-10', '2025-11'].entries()) {
        await ok(
          await officer.put(`/v1/subjects/${id}/metrics`, { metrics: [{ metric: 'avg_daily_balance', period, value: (b[i] ?? 0) * 100 }] }),
        );
      }
    }
    const levels = async () => {
      const out: Record<string, string> = {};
      for (const [id] of BOOK) {
        const t = await ok<TiersResponse>(await officer.get(`/v1/subjects/${id}/tiers?scheme=retail-tier`));
        out[id] = t.assignments[0]?.level ?? 'none';
      }
      return out;
    };
    const before = await levels();
    assert.equal(before.S02, 'gold');

    // Gold from ¥60,000 instead of ¥50,000. November judged again (the book's month, not the next
    // re-tier's): what approving it from November, below, re-evaluates.
    const draft = await ok<Version>(await officer.post('/v1/policies/retail-tier/drafts', {}), 201);
    const doc = JSON.parse(JSON.stringify(draft.document).replace('5000000', '6000000')) as Version['document'];
    await ok(await officer.put(`/v1/policies/retail-tier/versions/${draft.version}`, { document: doc }));
    const sim = await ok<{
      total: number;
      against: number;
      cells: { from: string; to: string; count: number; samples: string[] }[];
      before: { level: string; count: number }[];
      after: { level: string; count: number }[];
      downgraded: number;
    }>(await as('analyst').post(`/v1/policies/retail-tier/versions/${draft.version}/simulate`, { samplesPerCell: 10, period: '2025-11' }));
    assert.equal(sim.total, BOOK.length);
    assert.equal(sim.against, 1);
    const cellOf = (id: string) => sim.cells.find((c) => c.samples.includes(id));
    assert.deepEqual([cellOf('S02')?.from, cellOf('S02')?.to], ['gold', 'gold'], 'hysteresis: one month below keeps gold');

    // The independent path: approve from this month (the book is re-evaluated), read every customer.
    const submittedV = await ok<Version>(await officer.post(`/v1/policies/retail-tier/versions/${draft.version}/submit`, {}));
    const approval = await ok<{ reevaluation: { status: string; subjects: number } }>(
      await as('approver').post(`/v1/policies/retail-tier/versions/${draft.version}/approve`, {
        contentHash: submittedV.contentHash,
        effectiveFrom: '2025-11-01',
        // The month under way, judged again at once: the approver says so (the default is next month).
        confirmRetier: true,
      }),
    );
    assert.deepEqual(approval.reevaluation.status, 'done');
    const after = await levels();
    const expected = new Map<string, number>();
    for (const [id] of BOOK) {
      const k = `${before[id]}→${after[id]}`;
      expected.set(k, (expected.get(k) ?? 0) + 1);
    }
    assert.deepEqual(
      new Map(sim.cells.map((c) => [`${c.from}→${c.to}`, c.count])),
      expected,
      `simulated ${JSON.stringify(sim.cells)} vs stored ${JSON.stringify(before)} → ${JSON.stringify(after)}`,
    );
    for (const c of sim.cells) for (const id of c.samples) assert.equal(`${before[id]}→${after[id]}`, `${c.from}→${c.to}`, id);
    const count = (levels: Record<string, string>) => {
      const m = new Map<string, number>();
      for (const l of Object.values(levels)) m.set(l, (m.get(l) ?? 0) + 1);
      return m;
    };
    assert.deepEqual(new Map(sim.before.map((d) => [d.level, d.count])), count(before));
    assert.deepEqual(new Map(sim.after.map((d) => [d.level, d.count])), count(after));
    assert.ok(sim.downgraded >= 1, 'the stricter line moves someone down');
  });
});
