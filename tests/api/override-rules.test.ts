import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { drainJobs, mintStaffToken } from '@tierkit/api';
import { defaultPolicyPack, type PolicyPack } from '@tierkit/core';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

interface Override {
  id: string;
  status: string;
  contentHash: string;
}
interface Problem {
  type: string;
  detail: string;
  errors?: { path: string; code?: string; params?: Record<string, unknown> }[];
}
interface AuditRecord {
  route: string;
  phase: string;
  status: number | null;
  target: Record<string, string>;
  detail: Record<string, unknown> | null;
}

const DAY = 86_400_000;
const days = (n: number) => new Date(START.getTime() + n * DAY).toISOString();

/**
 * Each scheme's rule for overrides, as the default pack sets it (packages/core/README.md, "Override
 * rules"): an AML grade is not a relationship manager's to request, an exception to it runs at most six
 * months, and one that can hold it low (or whose revocation lowers it) needs an admin; a credit grade loosens
 * upwards; the card tier keeps the rules it always had.
 * Every step of an override is found in the audit trail by its customer, with what was decided.
 */
forEachDialect('override rules of the policy, and the trail of who decided what', (f) => {
  let t: FourEyesTenant;
  let rm = '';
  const asRm = () => ({ credential: rm });
  const request = (who: Parameters<FourEyesTenant['req']>[0], subject: string, body: Record<string, unknown>) =>
    t.req(who, 'POST', `/v1/subjects/${subject}/overrides`, { mode: 'fixed', reason: '老客户，关系良好', expiresAt: null, ...body });
  const refused = async (res: Response, status: number, kind: string): Promise<Problem> => {
    const body = (await res.json()) as Problem;
    assert.equal(res.status, status, JSON.stringify(body));
    assert.equal(body.type, `https://tierkit.dev/problems/${kind}`);
    return body;
  };
  // An AML request is its readers' (docs/domain.md §4, "Who reads a grade"): read as compliance reads it.
  const pendingOf = async (subject: string) =>
    (await ok<{ items: Override[] }>(await t.req('officer', 'GET', `/v1/subjects/${subject}/overrides?status=pending`))).items;
  // Read as compliance reads it: the default pack's AML grade is not a viewer's (docs/domain.md §4, "Who reads a grade").
  const level = async (subject: string, scheme: string) => {
    const tiers = await ok<{ assignments: { scheme: string; level: string }[] }>(
      await t.req('officer', 'GET', `/v1/subjects/${subject}/tiers`),
    );
    return tiers.assignments.find((a) => a.scheme === scheme)?.level;
  };
  const actionsOf = async (id: string) =>
    (await ok<{ decisions: { action: string }[] }>(await t.req('officer', 'GET', `/v1/overrides/${id}`))).decisions.map((d) => d.action);
  const trail = async (target: string) =>
    (await ok<{ items: AuditRecord[] }>(await t.req('admin', 'GET', `/v1/audit?target=${encodeURIComponent(target)}&limit=100`))).items;

  before(async () => {
    t = await fourEyesTenant(f, 'override-rules', START, defaultPolicyPack);
    await ok(await t.req('admin', 'PUT', '/v1/staff/RM001', { name: 'RM001', role: 'officer', scope: 'book' }), 201);
    rm = (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: 'RM001', ttlSeconds: 900, now: START })).token;
    // A politically exposed person in RM001's book: the PEP trigger grades them 高 whatever the scores.
    await ok(await t.req('officer', 'PUT', '/v1/subjects/PEP1', { kind: 'customer', displayName: '王芳' }), 201);
    await ok(
      await t.req('officer', 'PUT', '/v1/subjects/PEP1/metrics', {
        metrics: [
          { metric: 'pep', period: '2025-10', value: 1 },
          { metric: 'aml_customer_risk', period: '2025-10', value: 20 },
          { metric: 'avg_daily_balance', period: '2025-10', value: 0 },
        ],
      }),
    );
    await ok(await t.req('officer', 'PUT', '/v1/subjects/PEP1/manager', { manager: 'RM001' }));
    assert.equal(await level('PEP1', 'aml-risk'), 'high');
  });

  it('a relationship manager may not request an AML or credit override (403 naming the rule), nothing is filed; the card tier is theirs as before', async () => {
    for (const [scheme, lvl] of [
      ['aml-risk', 'low'],
      ['credit-rating', 'AAA'],
    ] as const) {
      const p = await refused(await request(asRm(), 'PEP1', { scheme, level: lvl, expiresAt: days(30) }), 403, 'forbidden');
      assert.match(p.detail, /overrides\.requestedBy "tenant"/);
    }
    assert.deepEqual(await pendingOf('PEP1'), []);

    // The card tier is the RM's to file (with an expiry: see below), and an approver approves.
    const card = await ok<Override>(await request(asRm(), 'PEP1', { scheme: 'retail-tier', level: 'gold', expiresAt: days(90) }), 201);
    const approved = await ok<Override>(
      await t.req('approver', 'POST', `/v1/overrides/${card.id}/approve`, { contentHash: card.contentHash }),
    );
    assert.equal(approved.status, 'approved');
    assert.equal(await level('PEP1', 'retail-tier'), 'gold');
  });

  it('an AML override needs an expiry at most 180 days ahead, on request and on edit (400 on expiresAt); nothing is filed or changed', async () => {
    const none = await refused(await request('officer', 'PEP1', { scheme: 'aml-risk', level: 'low' }), 400, 'validation');
    assert.deepEqual(
      none.errors?.map((e) => [e.path, e.code, e.params?.maxDays]),
      [['expiresAt', 'expiry_required', 180]],
    );
    const far = await refused(
      await request('officer', 'PEP1', { scheme: 'aml-risk', level: 'low', expiresAt: days(200) }),
      400,
      'validation',
    );
    assert.deepEqual(
      far.errors?.map((e) => [e.path, e.code, e.params?.latest]),
      [['expiresAt', 'expiry_too_late', days(180)]],
    );
    assert.deepEqual(await pendingOf('PEP1'), []);

    const filed = await ok<Override>(await request('officer', 'PEP1', { scheme: 'aml-risk', level: 'low', expiresAt: days(90) }), 201);
    const edit = await refused(await t.req('officer', 'PATCH', `/v1/overrides/${filed.id}`, { expiresAt: null }), 400, 'validation');
    assert.equal(edit.errors?.[0]?.code, 'expiry_required');
    const still = await pendingOf('PEP1');
    assert.deepEqual(
      still.map((o) => [o.id, o.contentHash]),
      [[filed.id, filed.contentHash]],
    );
    await ok(await t.req('officer', 'POST', `/v1/overrides/${filed.id}/withdraw`, {}));
  });

  it('lowering a PEP’s AML grade: an approver is refused (403 naming overrides.loosenNeeds) and nothing changes; an admin approves', async () => {
    const filed = await ok<Override>(await request('officer', 'PEP1', { scheme: 'aml-risk', level: 'low', expiresAt: days(90) }), 201);
    const p = await refused(
      await t.req('approver', 'POST', `/v1/overrides/${filed.id}/approve`, { contentHash: filed.contentHash }),
      403,
      'forbidden',
    );
    assert.match(p.detail, /overrides\.loosenNeeds/);
    assert.equal((await pendingOf('PEP1'))[0]?.id, filed.id, 'still pending');
    assert.equal(await level('PEP1', 'aml-risk'), 'high', 'the grade the rules give stands');

    const approved = await ok<Override>(
      await t.req('admin', 'POST', `/v1/overrides/${filed.id}/approve`, { contentHash: filed.contentHash, note: '合规负责人批准' }),
    );
    assert.equal(approved.status, 'approved');
    assert.equal(await level('PEP1', 'aml-risk'), 'low');

    // Raising it (tightening) is an ordinary approver's.
    await ok(await t.req('admin', 'POST', `/v1/overrides/${filed.id}/revoke`, { note: '复核后撤销' }));
    await ok(await t.req('officer', 'PUT', '/v1/subjects/LOW1', { kind: 'customer', displayName: '李雷' }), 201);
    await ok(
      await t.req('officer', 'PUT', '/v1/subjects/LOW1/metrics', {
        metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: 10 }],
      }),
    );
    const up = await ok<Override>(
      await request('officer', 'LOW1', { scheme: 'aml-risk', level: 'medium-high', mode: 'floor', expiresAt: days(90) }),
      201,
    );
    await ok(await t.req('approver', 'POST', `/v1/overrides/${up.id}/approve`, { contentHash: up.contentHash }));
    assert.equal(await level('LOW1', 'aml-risk'), 'medium-high');
    // Taking the floor away drops the grade back to 低: that is an admin's too.
    await ok(await t.req('admin', 'POST', `/v1/overrides/${up.id}/revoke`, { note: '复核' }));
  });

  it('a fixed AML level below 高 needs an admin whatever the rules give now: a customer with no data, or one raised from 低 to 中', async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/NEW1', { kind: 'customer', displayName: '新客户' }), 201);
    for (const [subject, lvl] of [
      ['NEW1', 'low'],
      ['LOW1', 'medium'],
    ] as const) {
      const before = await level(subject, 'aml-risk');
      const filed = await ok<Override>(await request('officer', subject, { scheme: 'aml-risk', level: lvl, expiresAt: days(90) }), 201);
      const p = await refused(
        await t.req('approver', 'POST', `/v1/overrides/${filed.id}/approve`, { contentHash: filed.contentHash }),
        403,
        'forbidden',
      );
      assert.match(p.detail, /overrides\.loosenNeeds/);
      assert.equal((await pendingOf(subject))[0]?.id, filed.id, 'still pending');
      assert.equal(await level(subject, 'aml-risk'), before, subject);
      await ok(await t.req('officer', 'POST', `/v1/overrides/${filed.id}/withdraw`, {}));
    }
  });

  it('revoking an override that holds AML above the rules’ grade needs an admin: an approver is refused and the grade stays', async () => {
    const up = await ok<Override>(await request('officer', 'LOW1', { scheme: 'aml-risk', level: 'high', expiresAt: days(90) }), 201);
    await ok(await t.req('approver', 'POST', `/v1/overrides/${up.id}/approve`, { contentHash: up.contentHash }));
    assert.equal(await level('LOW1', 'aml-risk'), 'high');
    const p = await refused(await t.req('approver2', 'POST', `/v1/overrides/${up.id}/revoke`, { note: '撤销' }), 403, 'forbidden');
    assert.match(p.detail, /overrides\.loosenNeeds/);
    assert.equal(await level('LOW1', 'aml-risk'), 'high');
    // The refusal came after the revocation was written and the rules ran: all of it was rolled back.
    assert.deepEqual(await actionsOf(up.id), ['requested', 'approved']);
    const still = await ok<{ items: Override[] }>(await t.req('officer', 'GET', '/v1/subjects/LOW1/overrides?status=approved'));
    assert.deepEqual(
      still.items.map((o) => o.id),
      [up.id],
    );
    await ok(await t.req('admin', 'POST', `/v1/overrides/${up.id}/revoke`, { note: '复核后撤销' }));
    assert.equal(await level('LOW1', 'aml-risk'), 'low');
  });

  it('a credit grade loosens upwards: AAA (fixed, or as a floor) and NR (read as low risk, like AAA) need an admin; holding a borrower at C is an approver’s', async () => {
    for (const [lvl, mode] of [
      ['AAA', 'fixed'],
      ['AAA', 'floor'],
      ['NR', 'fixed'],
    ] as const) {
      const filed = await ok<Override>(
        await request('officer', 'LOW1', { scheme: 'credit-rating', level: lvl, mode, expiresAt: days(90) }),
        201,
      );
      const p = await refused(
        await t.req('approver', 'POST', `/v1/overrides/${filed.id}/approve`, { contentHash: filed.contentHash }),
        403,
        'forbidden',
      );
      assert.match(p.detail, /looser side/);
      await ok(await t.req('officer', 'POST', `/v1/overrides/${filed.id}/withdraw`, {}));
    }
    const c = await ok<Override>(await request('officer', 'LOW1', { scheme: 'credit-rating', level: 'C', expiresAt: days(90) }), 201);
    await ok(await t.req('approver', 'POST', `/v1/overrides/${c.id}/approve`, { contentHash: c.contentHash }));
    assert.equal(await level('LOW1', 'credit-rating'), 'C');
    await ok(await t.req('admin', 'POST', `/v1/overrides/${c.id}/revoke`, { note: '复核' }));
  });

  /** Approve `filed` as `who`, expecting the 403 of a looser level left behind, and check nothing of it stayed. */
  const refusedAsLoosening = async (who: 'approver' | 'approver2', subject: string, scheme: string, filed: Override, held: string) => {
    const p = await refused(
      await t.req(who, 'POST', `/v1/overrides/${filed.id}/approve`, { contentHash: filed.contentHash }),
      403,
      'forbidden',
    );
    assert.match(p.detail, /overrides\.loosenNeeds/);
    assert.equal(await level(subject, scheme), held, 'the level held stands');
    assert.equal((await pendingOf(subject))[0]?.id, filed.id, 'still pending');
    assert.deepEqual(await actionsOf(filed.id), ['requested'], 'no approval recorded');
  };

  it('approving a newer override ends the one in force: a floor 低 over a fixed 高 needs an admin, as revoking the 高 would', async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/SUP1', { kind: 'customer', displayName: '赵敏' }), 201);
    await ok(
      await t.req('officer', 'PUT', '/v1/subjects/SUP1/metrics', {
        metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: 10 }],
      }),
    );
    assert.equal(await level('SUP1', 'aml-risk'), 'low');
    const high = await ok<Override>(await request('officer', 'SUP1', { scheme: 'aml-risk', level: 'high', expiresAt: days(90) }), 201);
    await ok(await t.req('approver', 'POST', `/v1/overrides/${high.id}/approve`, { contentHash: high.contentHash }));
    assert.equal(await level('SUP1', 'aml-risk'), 'high');
    // A floor at 低 can never lift anyone looser (static check passes), yet approving it ends the 高.
    const floor = await ok<Override>(
      await request('officer', 'SUP1', { scheme: 'aml-risk', level: 'low', mode: 'floor', expiresAt: days(90) }),
      201,
    );
    await refusedAsLoosening('approver2', 'SUP1', 'aml-risk', floor, 'high');
    assert.deepEqual(await actionsOf(high.id), ['requested', 'approved'], 'the 高 still in force');
    await ok(await t.req('admin', 'POST', `/v1/overrides/${floor.id}/approve`, { contentHash: floor.contentHash }));
    assert.equal(await level('SUP1', 'aml-risk'), 'low');
  });

  it('credit: a floor NR approved over a fixed C would let the score’s AAA through: an admin’s', async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/CR1', { kind: 'customer', displayName: '周强' }), 201);
    await ok(
      await t.req('officer', 'PUT', '/v1/subjects/CR1/metrics', {
        metrics: [
          { metric: 'aml_customer_risk', period: '2025-10', value: 10 },
          { metric: 'credit_score', period: '2025-10', value: 100 },
        ],
      }),
    );
    assert.equal(await level('CR1', 'credit-rating'), 'AAA');
    const c = await ok<Override>(await request('officer', 'CR1', { scheme: 'credit-rating', level: 'C', expiresAt: days(90) }), 201);
    await ok(await t.req('approver', 'POST', `/v1/overrides/${c.id}/approve`, { contentHash: c.contentHash }));
    assert.equal(await level('CR1', 'credit-rating'), 'C');
    const nr = await ok<Override>(
      await request('officer', 'CR1', { scheme: 'credit-rating', level: 'NR', mode: 'floor', expiresAt: days(90) }),
      201,
    );
    await refusedAsLoosening('approver2', 'CR1', 'credit-rating', nr, 'C');
  });

  it('the risk band read from AML keeps AML’s rule: an officer’s fixed low on a PEP’s band needs an admin and an expiry', async () => {
    assert.equal(await level('PEP1', 'risk-band'), 'high');
    const none = await refused(await request('officer', 'PEP1', { scheme: 'risk-band', level: 'low', expiresAt: null }), 400, 'validation');
    assert.equal(none.errors?.[0]?.code, 'expiry_required');
    const filed = await ok<Override>(await request('officer', 'PEP1', { scheme: 'risk-band', level: 'low', expiresAt: days(90) }), 201);
    await refusedAsLoosening('approver2', 'PEP1', 'risk-band', filed, 'high');
    await ok(await t.req('officer', 'POST', `/v1/overrides/${filed.id}/withdraw`, {}));
  });

  it('a relationship manager may not edit an AML request someone else filed; it stays as filed', async () => {
    const filed = await ok<Override>(await request('officer', 'PEP1', { scheme: 'aml-risk', level: 'high', expiresAt: days(30) }), 201);
    const res = await t.req(asRm(), 'PATCH', `/v1/overrides/${filed.id}`, { reason: '客户经理改写' });
    assert.ok(res.status === 403 || res.status === 404, String(res.status));
    assert.deepEqual(
      (await pendingOf('PEP1')).map((o) => [o.id, o.contentHash]),
      [[filed.id, filed.contentHash]],
    );
    await ok(await t.req('officer', 'POST', `/v1/overrides/${filed.id}/withdraw`, {}));
  });

  it('approve, reject and revoke records carry what was decided, and a search by the customer finds every step', async () => {
    const filed = await ok<Override>(await request('officer', 'PEP1', { scheme: 'aml-risk', level: 'medium', expiresAt: days(60) }), 201);
    await ok(await t.req('approver', 'POST', `/v1/overrides/${filed.id}/reject`, { contentHash: filed.contentHash, note: '依据不足' }));
    const low = await ok<Override>(await request('officer', 'PEP1', { scheme: 'aml-risk', level: 'low', expiresAt: days(30) }), 201);
    await ok(await t.req('admin', 'POST', `/v1/overrides/${low.id}/approve`, { contentHash: low.contentHash, note: '合规负责人批准' }));
    await ok(await t.req('admin2', 'POST', `/v1/overrides/${low.id}/revoke`, { note: '复核后撤销' }));

    const records = await trail('PEP1');
    const result = (route: string, status = 200) =>
      records.filter((r) => r.route === `/v1/overrides/{overrideId}/${route}` && r.phase === 'result' && r.status === status);
    const rejected = result('reject').find((r) => r.target.overrideId === filed.id);
    assert.deepEqual(rejected?.target, { overrideId: filed.id, subject: 'PEP1' });
    assert.deepEqual(rejected?.detail, {
      override: filed.id,
      subject: 'PEP1',
      scheme: 'aml-risk',
      level: 'medium',
      mode: 'fixed',
      expiresAt: days(60),
      note: '依据不足',
      contentHash: filed.contentHash,
    });
    const approvals = result('approve');
    const byAdmin = approvals.find((r) => r.target.overrideId === low.id);
    assert.deepEqual(
      [byAdmin?.detail?.level, byAdmin?.detail?.scheme, byAdmin?.detail?.note, byAdmin?.detail?.expiresAt],
      ['low', 'aml-risk', '合规负责人批准', days(30)],
    );
    const revoked = result('revoke').find((r) => r.target.overrideId === low.id);
    assert.deepEqual([revoked?.target.subject, revoked?.detail?.note], ['PEP1', '复核后撤销']);
    const requested = records.find((r) => r.route === '/v1/subjects/{id}/overrides' && r.detail?.override === filed.id);
    assert.equal(requested?.detail?.level, 'medium');

    const verified = await ok<{ ok: boolean; problems: unknown[] }>(await t.req('admin', 'GET', '/v1/audit/verify'));
    assert.deepEqual([verified.ok, verified.problems], [true, []]);
  });

  it('the schemes list carries each scheme’s rule, for a console to offer only what the API takes', async () => {
    const list = await ok<{ items: { key: string; overrides?: Record<string, unknown> }[] }>(await t.req('officer', 'GET', '/v1/schemes'));
    const by = new Map(list.items.map((s) => [s.key, s.overrides]));
    assert.deepEqual(by.get('aml-risk'), {
      requestedBy: 'tenant',
      approvedBy: 'approver',
      maxDays: 180,
      order: ['high', 'medium-high', 'medium', 'low', 'unassessed'],
      loosenNeeds: 'admin',
    });
    assert.deepEqual(by.get('retail-tier'), { requestedBy: 'book', approvedBy: 'approver', maxDays: 366, maxStep: 1 });
  });

  it('the card tier: an RM’s override needs an expiry within 366 days and moves one tier at most (422 override_jump_too_far), on request and on edit; nothing is filed or changed', async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/T1', { kind: 'customer', displayName: '陈静文' }), 201);
    await ok(
      await t.req('officer', 'PUT', '/v1/subjects/T1/metrics', { metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 0 }] }),
    );
    await ok(await t.req('officer', 'PUT', '/v1/subjects/T1/manager', { manager: 'RM001' }));
    assert.equal(await level('T1', 'retail-tier'), 'standard');

    const none = await refused(await request(asRm(), 'T1', { scheme: 'retail-tier', level: 'gold' }), 400, 'validation');
    assert.deepEqual(
      none.errors?.map((e) => [e.path, e.code, e.params?.maxDays]),
      [['expiresAt', 'expiry_required', 366]],
    );
    // Ten years, as the demo's 金卡 "until 2036" was.
    const tenYears = await refused(
      await request(asRm(), 'T1', { scheme: 'retail-tier', level: 'gold', expiresAt: days(3652) }),
      400,
      'validation',
    );
    assert.equal(tenYears.errors?.[0]?.code, 'expiry_too_late');
    // 普通 → 钻石卡: three tiers up.
    const jump = await refused(
      await request(asRm(), 'T1', { scheme: 'retail-tier', level: 'diamond', expiresAt: days(90) }),
      422,
      'unprocessable',
    );
    assert.deepEqual(
      jump.errors?.map((e) => [e.path, e.code, e.params?.from, e.params?.steps, e.params?.maxStep]),
      [['level', 'override_jump_too_far', 'standard', 3, 1]],
    );
    assert.match(jump.detail, /overrides\.maxStep/);
    assert.deepEqual(await pendingOf('T1'), []);

    const gold = await ok<Override>(await request(asRm(), 'T1', { scheme: 'retail-tier', level: 'gold', expiresAt: days(90) }), 201);
    const edit = await refused(await t.req(asRm(), 'PATCH', `/v1/overrides/${gold.id}`, { level: 'platinum' }), 422, 'unprocessable');
    assert.equal(edit.errors?.[0]?.code, 'override_jump_too_far');
    assert.deepEqual(
      (await pendingOf('T1')).map((o) => [o.id, o.contentHash]),
      [[gold.id, gold.contentHash]],
    );
    // Within the rule, the checker's card warns of nothing; the customer is named, masked.
    const queue = await ok<{ items: { id: string; subjectName?: string; ruleProblems?: unknown[] }[] }>(
      await t.req('approver', 'GET', '/v1/approvals?kind=override&subject=T1'),
    );
    assert.deepEqual(
      queue.items.map((i) => [i.id, i.subjectName, i.ruleProblems]),
      [[gold.id, '陈*文', []]],
    );
    await ok(await t.req(asRm(), 'POST', `/v1/overrides/${gold.id}/withdraw`, {}));
  });
});

/** The default pack with AML open to relationship managers, credit approved by admins alone and the card tier unbounded: a bank before it adopts the rules. */
function packBefore(): PolicyPack {
  const pack = JSON.parse(JSON.stringify(defaultPolicyPack)) as PolicyPack;
  const schemes = pack.schemes.map((s) =>
    s.key === 'aml-risk'
      ? {
          ...s,
          overrides: { requestedBy: 'book' as const, approvedBy: 'approver' as const, maxDays: null },
          loweringNeeds: undefined,
          readers: { roles: ['officer' as const, 'approver' as const, 'admin' as const], books: true },
        }
      : s.key === 'credit-rating'
        ? { ...s, overrides: { requestedBy: 'tenant' as const, approvedBy: 'admin' as const, maxDays: 366 }, loweringNeeds: undefined }
        : s.key === 'retail-tier'
          ? { ...s, overrides: undefined }
          : s,
  );
  return { ...pack, schemes };
}

/**
 * An approval is judged by the rule in force when it is approved, not when the request was filed: a
 * relationship manager's request from before AML became tenant staff's, or one running longer than the
 * policy now allows, is refused (422, nothing changes); a scheme approved by admins refuses an approver.
 */
forEachDialect('override rules in force at approval', (f) => {
  let t: FourEyesTenant;
  let rm = '';
  const level = async (subject: string) =>
    (
      await ok<{ assignments: { scheme: string; level: string }[] }>(await t.req('officer', 'GET', `/v1/subjects/${subject}/tiers`))
    ).assignments.find((a) => a.scheme === 'aml-risk')?.level;
  const problem = async (res: Response, status: number) => {
    const body = (await res.json()) as Problem;
    assert.equal(res.status, status, JSON.stringify(body));
    return body;
  };

  before(async () => {
    t = await fourEyesTenant(f, 'override-rules-change', START, packBefore());
    await ok(await t.req('admin', 'PUT', '/v1/staff/RM001', { name: 'RM001', role: 'officer', scope: 'book' }), 201);
    rm = (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: 'RM001', ttlSeconds: 900, now: START })).token;
    await ok(await t.req('officer', 'PUT', '/v1/subjects/C1', { kind: 'customer', displayName: '张伟' }), 201);
    await ok(await t.req('officer', 'PUT', '/v1/subjects/C1/manager', { manager: 'RM001' }));
    await ok(await t.req('officer', 'PUT', '/v1/subjects/C2', { kind: 'customer', displayName: '李娜' }), 201);
  });

  it('approvedBy "admin" refuses an approver (403 naming the rule); an admin approves', async () => {
    const filed = await ok<Override>(
      await t.req('officer', 'POST', '/v1/subjects/C1/overrides', {
        scheme: 'credit-rating',
        level: 'NR',
        mode: 'fixed',
        reason: '复核',
        expiresAt: days(30),
      }),
      201,
    );
    const p = await problem(await t.req('approver', 'POST', `/v1/overrides/${filed.id}/approve`, { contentHash: filed.contentHash }), 403);
    assert.match(p.detail, /overrides\.approvedBy/);
    await ok(await t.req('admin', 'POST', `/v1/overrides/${filed.id}/approve`, { contentHash: filed.contentHash }));
  });

  it('after the policy adopts the rules, an RM’s earlier request and one running too long are refused at approval (422), nothing changes', async () => {
    const body = { scheme: 'aml-risk', level: 'high', mode: 'fixed', reason: '可疑交易', expiresAt: days(90) };
    const byRm = await ok<Override>(await t.req({ credential: rm }, 'POST', '/v1/subjects/C1/overrides', body), 201);
    const byOfficer = await ok<Override>(
      await t.req('officer', 'POST', '/v1/subjects/C2/overrides', { ...body, expiresAt: days(95) }),
      201,
    );

    const draft = await ok<{ version: number; document: Record<string, unknown> }>(
      await t.req('officer', 'POST', '/v1/policies/aml-risk/drafts', {}),
      201,
    );
    const document = {
      ...draft.document,
      overrides: {
        requestedBy: 'tenant',
        approvedBy: 'approver',
        maxDays: 60,
        order: ['high', 'medium-high', 'medium', 'low', 'unassessed'],
        loosenNeeds: 'admin',
      },
    };
    await ok(await t.req('officer', 'PUT', `/v1/policies/aml-risk/versions/${draft.version}`, { document }));
    const submitted = await ok<{ contentHash: string }>(
      await t.req('officer', 'POST', `/v1/policies/aml-risk/versions/${draft.version}/submit`, {}),
    );
    // AML has sign-off levels: its checker names the simulation they saw (docs/permissions.md, "Policy versions").
    const simulation = await ok<{ id: string }>(
      await t.req('approver', 'POST', `/v1/policies/aml-risk/versions/${draft.version}/simulations`, {}),
      202,
    );
    await drainJobs({ db: f.db.db, now: () => START });
    await ok(
      await t.req('approver', 'POST', `/v1/policies/aml-risk/versions/${draft.version}/approve`, {
        contentHash: submitted.contentHash,
        effectiveFrom: '2025-12-01',
        simulationJobId: simulation.id,
      }),
    );

    // A version takes effect by the month: the new one is in force from December.
    t.setClock(new Date('2025-12-02T04:00:00.000Z'));
    const schemes = await ok<{ items: { key: string; overrides?: { maxDays: number } }[] }>(await t.req('officer', 'GET', '/v1/schemes'));
    assert.equal(schemes.items.find((x) => x.key === 'aml-risk')?.overrides?.maxDays, 60);
    const before = await level('C1');
    const p = await problem(await t.req('approver', 'POST', `/v1/overrides/${byRm.id}/approve`, { contentHash: byRm.contentHash }), 422);
    assert.match(p.detail, /overrides\.requestedBy "tenant"/);
    const q = await problem(
      await t.req('approver', 'POST', `/v1/overrides/${byOfficer.id}/approve`, { contentHash: byOfficer.contentHash }),
      422,
    );
    assert.match(q.detail, /overrides\.maxDays/);
    for (const [subject, o] of [
      ['C1', byRm],
      ['C2', byOfficer],
    ] as const) {
      const pending = await ok<{ items: Override[] }>(await t.req('officer', 'GET', `/v1/subjects/${subject}/overrides?status=pending`));
      assert.deepEqual(
        pending.items.map((x) => x.id),
        [o.id],
      );
    }
    assert.equal(await level('C1'), before);
  });

  it('a card-tier request three tiers up, filed before the tier had a rule: the queue warns of it, approval is refused (422 naming overrides.maxStep), rejection is not', async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/T2', { kind: 'customer', displayName: '周杰' }), 201);
    await ok(
      await t.req('officer', 'PUT', '/v1/subjects/T2/metrics', { metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 0 }] }),
    );
    const tierOf = async () =>
      (
        await ok<{ assignments: { scheme: string; level: string }[] }>(await t.req('officer', 'GET', '/v1/subjects/T2/tiers'))
      ).assignments.find((a) => a.scheme === 'retail-tier')?.level;
    assert.equal(await tierOf(), 'standard');
    const filed = await ok<Override>(
      await t.req('officer', 'POST', '/v1/subjects/T2/overrides', {
        scheme: 'retail-tier',
        level: 'diamond',
        mode: 'fixed',
        reason: '大客户',
        expiresAt: '2026-03-01T00:00:00.000Z',
      }),
      201,
    );
    const draft = await ok<{ version: number; document: Record<string, unknown> }>(
      await t.req('officer', 'POST', '/v1/policies/retail-tier/drafts', {}),
      201,
    );
    const document = { ...draft.document, overrides: defaultPolicyPack.schemes.find((x) => x.key === 'retail-tier')?.overrides };
    await ok(await t.req('officer', 'PUT', `/v1/policies/retail-tier/versions/${draft.version}`, { document }));
    const submitted = await ok<{ contentHash: string }>(
      await t.req('officer', 'POST', `/v1/policies/retail-tier/versions/${draft.version}/submit`, {}),
    );
    await ok(
      await t.req('approver', 'POST', `/v1/policies/retail-tier/versions/${draft.version}/approve`, {
        contentHash: submitted.contentHash,
        effectiveFrom: '2026-01-01',
      }),
    );
    t.setClock(new Date('2026-01-02T04:00:00.000Z'));

    const queue = await ok<{ items: { id: string; ruleProblems?: { code: string; params: Record<string, unknown> }[] }[] }>(
      await t.req('approver', 'GET', '/v1/approvals?kind=override&subject=T2'),
    );
    assert.deepEqual(
      queue.items.map((i) => [i.id, i.ruleProblems]),
      [[filed.id, [{ code: 'override_jump_too_far', params: { from: 'standard', steps: 3, maxStep: 1 } }]]],
    );
    const p = await problem(await t.req('approver', 'POST', `/v1/overrides/${filed.id}/approve`, { contentHash: filed.contentHash }), 422);
    assert.match(p.detail, /overrides\.maxStep/);
    assert.equal(await tierOf(), 'standard');
    const pending = await ok<{ items: Override[] }>(await t.req('viewer', 'GET', '/v1/subjects/T2/overrides?status=pending'));
    assert.deepEqual(
      pending.items.map((x) => x.id),
      [filed.id],
    );
    await ok(await t.req('approver', 'POST', `/v1/overrides/${filed.id}/reject`, { contentHash: filed.contentHash, note: '跨级过多' }));
  });
});
