import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import type { StaffTiersResponse } from '@tierkit/core';
import type { ApiFixture } from '../support/api-fixture.js';
import { sqliteHarness } from '../support/databases.js';
import { fourEyesTenant, PEOPLE, type FourEyesTenant, type Person } from '../support/four-eyes-fixture.js';

/*
 * Model-based check of the four-eyes rules (packages/api/README.md, "Four eyes"): random sequences of
 * request / edit / approve / reject / revoke / withdraw / retry by random people of every role, run
 * against the real app on SQLite. After every step the app must agree with a small model of who may do
 * what, and must show:
 * - no override in force, and no level it decides, without an approver other than its requester;
 * - every approval recorded against exactly the content in force, i.e. the hash the approver sent.
 */

const SUBJECTS = ['M1', 'M2'] as const;
const LEVELS = ['gold', 'platinum', 'diamond'] as const;
const RANK: Record<Person, number> = { viewer: 0, officer: 2, officer2: 2, approver: 3, approver2: 3, admin: 4, admin2: 4 };
const OFFICER = 2;
const APPROVER = 3;

type HashPick = 'current' | 'first' | 'other' | 'garbage';
type Command =
  | { op: 'request'; who: Person; subject: (typeof SUBJECTS)[number]; level: (typeof LEVELS)[number]; mode: 'fixed' | 'floor' }
  | { op: 'edit'; who: Person; target: number; level: (typeof LEVELS)[number] }
  | { op: 'approve' | 'reject'; who: Person; target: number; hash: HashPick }
  | { op: 'revoke' | 'withdraw'; who: Person; target: number }
  | { op: 'retry' };

interface Modelled {
  id: string;
  subject: string;
  requester: Person;
  level: string;
  status: 'pending' | 'approved' | 'rejected' | 'withdrawn' | 'revoked';
  firstHash: string;
  hash: string;
  requestedAt: string;
  /** The hash the approver sent, when approved. */
  approvedHash?: string;
  /** When it was approved: of several approved overrides, the one approved last decides. */
  approvedAt?: string;
  approver?: Person;
}

const person = fc.constantFrom(...PEOPLE);
const target = fc.nat({ max: 7 });
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    op: fc.constant('request' as const),
    who: person,
    subject: fc.constantFrom(...SUBJECTS),
    level: fc.constantFrom(...LEVELS),
    mode: fc.constantFrom('fixed' as const, 'floor' as const),
  }),
  fc.record({ op: fc.constant('edit' as const), who: person, target, level: fc.constantFrom(...LEVELS) }),
  fc.record({
    op: fc.constantFrom('approve' as const, 'reject' as const),
    who: person,
    target,
    hash: fc.constantFrom<HashPick>('current', 'current', 'first', 'other', 'garbage'),
  }),
  fc.record({ op: fc.constantFrom('revoke' as const, 'withdraw' as const), who: person, target }),
  fc.constant({ op: 'retry' as const }),
);

/** The status the model expects, and how the model changes when it succeeds. */
function expect(c: Exclude<Command, { op: 'retry' }>, o: Modelled | undefined, sentHash: string, model: readonly Modelled[]): number {
  const rank = RANK[c.who];
  switch (c.op) {
    case 'request':
      if (rank < OFFICER) return 403;
      // One pending request per subject and scheme (every modelled request is retail-tier).
      return model.some((m) => m.subject === c.subject && m.status === 'pending') ? 409 : 201;
    case 'edit':
    case 'withdraw':
      if (rank < OFFICER || !o) return 403;
      if (o.requester !== c.who) return 403;
      return o.status === 'pending' ? 200 : 409;
    case 'approve':
    case 'reject':
      if (rank < APPROVER || !o) return 403;
      // The body is validated before the request is looked at.
      if (sentHash === 'garbage') return 400;
      // Who may decide it before where it stands: its requester learns nothing from a refusal.
      if (o.requester === c.who) return 403;
      if (o.status !== 'pending') return 409;
      return sentHash === o.hash ? 200 : 409;
    case 'revoke':
      if (rank < APPROVER || !o) return 403;
      return o.status === 'approved' ? 200 : 409;
  }
}

describeModel();

function describeModel() {
  const harness = sqliteHarness();
  const f = {} as ApiFixture;
  let runs = 0;
  before(async () => {
    f.db = await harness.open();
  });
  after(() => harness.stopAll());

  it('no change takes effect without a distinct approver, and no approval applies to other content than it saw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 10, maxLength: 30 }), async (commands) => {
        let clock = Date.parse('2025-11-15T04:00:00.000Z');
        const t: FourEyesTenant = await fourEyesTenant(f, `model-${++runs}`, new Date(clock));
        for (const s of SUBJECTS) {
          await t.req('officer', 'PUT', `/v1/subjects/${s}`, { kind: 'customer', displayName: '王芳' });
          await t.req('officer', 'PUT', `/v1/subjects/${s}/metrics`, {
            metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 0 }],
          });
        }
        const model: Modelled[] = [];
        let last: Exclude<Command, { op: 'retry' }> | undefined;
        let lastHash = '';
        for (const raw of commands) {
          const c = raw.op === 'retry' ? last : raw;
          if (!c) continue;
          // Every step a second later, so requests and approvals are ordered by time as the app orders them.
          clock += 1000;
          t.setClock(new Date(clock));
          const o = c.op === 'request' ? undefined : model[c.target % Math.max(model.length, 1)];
          if (c.op !== 'request' && !o) continue;
          let sent = lastHash;
          if (raw.op !== 'retry' && (c.op === 'approve' || c.op === 'reject')) {
            const other = model.find((m) => m !== o)?.hash ?? `sha256:${'a'.repeat(64)}`;
            sent =
              c.hash === 'current' ? (o?.hash ?? '') : c.hash === 'first' ? (o?.firstHash ?? '') : c.hash === 'other' ? other : 'garbage';
          }
          last = c;
          lastHash = sent;
          const expected = expect(c, o, sent, model);
          let res: Response;
          switch (c.op) {
            case 'request':
              res = await t.req(c.who, 'POST', `/v1/subjects/${c.subject}/overrides`, {
                scheme: 'retail-tier',
                level: c.level,
                mode: c.mode,
                reason: 'model',
                expiresAt: null,
              });
              break;
            case 'edit':
              res = await t.req(c.who, 'PATCH', `/v1/overrides/${o?.id}`, { level: c.level });
              break;
            case 'approve':
            case 'reject':
              res = await t.req(c.who, 'POST', `/v1/overrides/${o?.id}/${c.op}`, { contentHash: sent, note: 'model' });
              break;
            case 'revoke':
            case 'withdraw':
              res = await t.req(c.who, 'POST', `/v1/overrides/${o?.id}/${c.op}`, { note: 'model' });
              break;
          }
          const body = (await res.json()) as {
            id: string;
            contentHash: string;
            level: string;
            requestedAt: string;
            decidedAt: string | null;
            detail?: string;
          };
          assert.equal(res.status, expected, `${JSON.stringify(c)} → ${res.status} ${body.detail ?? ''}`);
          if (res.status >= 300) continue;
          if (c.op === 'request') {
            model.push({
              id: body.id,
              subject: c.subject,
              requester: c.who,
              level: c.level,
              status: 'pending',
              firstHash: body.contentHash,
              hash: body.contentHash,
              requestedAt: body.requestedAt,
            });
          } else if (o) {
            if (c.op === 'edit') {
              o.level = c.level;
              o.hash = body.contentHash;
            } else if (c.op === 'approve') {
              o.status = 'approved';
              o.approvedHash = sent;
              o.approvedAt = body.decidedAt ?? undefined;
              o.approver = c.who;
            } else o.status = c.op === 'reject' ? 'rejected' : c.op === 'withdraw' ? 'withdrawn' : 'revoked';
          }
          await checkInvariants(t, model);
        }
        await checkInvariants(t, model);
      }),
      { numRuns: 40 },
    );
  });
}

async function checkInvariants(t: FourEyesTenant, model: readonly Modelled[]): Promise<void> {
  for (const o of model) {
    const res = await t.req('viewer', 'GET', `/v1/overrides/${o.id}`);
    const stored = (await res.json()) as {
      status: string;
      level: string;
      contentHash: string;
      requestedBy: string;
      decidedBy: string | null;
      decisions: { action: string; actor: string; contentHash: string | null }[];
    };
    assert.equal(stored.status, o.status, o.id);
    assert.equal(stored.level, o.level);
    const approvals = stored.decisions.filter((d) => d.action === 'approved');
    if (o.status === 'approved' || o.status === 'revoked') {
      assert.equal(approvals.length, 1, 'approved exactly once');
      assert.notEqual(approvals[0]?.actor, stored.requestedBy, 'a distinct approver');
      assert.equal(approvals[0]?.contentHash, stored.contentHash, 'the approval is of the content now stored');
      assert.equal(approvals[0]?.contentHash, o.approvedHash, 'and of the hash the approver sent');
    } else {
      assert.equal(approvals.length, 0, 'never approved');
    }
  }
  for (const s of SUBJECTS) {
    const tiers = (await (await t.req('viewer', 'GET', `/v1/subjects/${s}/tiers?scheme=retail-tier`)).json()) as StaffTiersResponse;
    const a = tiers.assignments[0];
    assert.ok(a);
    const inForce = model
      .filter((m) => m.subject === s && m.status === 'approved')
      .sort((x, y) => ((x.approvedAt ?? '') < (y.approvedAt ?? '') ? 1 : -1))[0];
    if (!inForce) {
      assert.notEqual(a.explanation.decidedBy.kind, 'override', `${s}: no approved override, so none decides`);
      assert.equal(a.level, 'standard');
    } else {
      assert.equal(a.explanation.override?.id, inForce.id, `${s}: the override approved last decides`);
      assert.equal(a.level, inForce.level);
    }
  }
}
