import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { AuditRecord, AuditVerification, EntitlementsResponse, StaffHistoryResponse, TiersResponse } from '@tierkit/core';
import { createApp, settleLapsedOverrides } from '@tierkit/api';
import { overridesForRead } from '@tierkit/db';
import { type CompiledQuery, sql } from 'kysely';
import { forEachDialect } from '../support/api-fixture.js';
import { occupyNextAuditPlace } from '../support/audit-squatter.js';
import { approvedOverride, fourEyesTenant, ok, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

/*
 * An approved override with an expiry decides the level until that instant and not after it —
 * although nothing writes when it expires. The customer's reads (tiers, entitlements, history; kept
 * or not) show the level the rules decide from then on, with the `override-expired` event, once.
 */
forEachDialect('an override that expires', (f) => {
  let t: FourEyesTenant;
  const at = (ms: number) => t.setClock(new Date(START.getTime() + ms));

  before(async () => {
    t = await fourEyesTenant(f, 'fe-expiry', START);
  });

  /** A customer the rules put at standard, an approved diamond override until five minutes after START (a customer’s token lasts 15), and a customer's token. */
  async function overridden(id: string) {
    at(0);
    await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
    await ok(
      await t.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, {
        metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 0 }],
      }),
    );
    const expiresAt = new Date(START.getTime() + 300_000).toISOString();
    await approvedOverride(t, id, { level: 'diamond', reason: 'retention', expiresAt });
    return { credential: await t.embedToken(id), expiresAt };
  }

  const reads = (id: string) => ({
    tiers: `/v1/subjects/${id}/tiers`,
    front: `/v1/subjects/${id}/tiers?scheme=retail-tier&locale=zh-CN`,
    entitlements: `/v1/subjects/${id}/entitlements`,
    history: `/v1/subjects/${id}/history`,
  });
  const retail = (body: TiersResponse) => {
    const a = body.assignments.find((x) => x.scheme === 'retail-tier');
    assert.ok(a);
    return { level: a.level, decidedBy: a.explanation.decidedBy.kind, override: a.override?.level ?? null };
  };
  /** The audit records of settlings of `id`'s overrides, as a compliance officer lists them, and whether the chain still verifies. */
  const settlings = async (id: string) =>
    (await ok<{ items: AuditRecord[] }>(await t.req('admin', 'GET', `/v1/audit?actor=system:override-expiry&target=${id}`))).items;
  const chainOk = async () => {
    const v = await ok<AuditVerification>(await t.req('admin', 'GET', '/v1/audit/verify'));
    assert.deepEqual(v.problems, []);
    assert.equal(v.ok, true);
  };
  /** What a settling of `id`'s one retail-tier override from diamond to standard records. */
  const settledDiamond = (id: string, overrideId: string) => ({
    phase: 'result',
    actor: 'system:override-expiry',
    credential: 'system',
    method: 'SCHEDULE',
    route: 'override expired',
    target: { id, overrideId },
    status: 200,
    detail: {
      subject: id,
      overrides: [overrideId],
      before: { level: { 'retail-tier': 'diamond' } },
      after: { level: { 'retail-tier': 'standard' } },
    },
  });
  const recordOf = (r: AuditRecord | undefined) => {
    assert.ok(r);
    const { phase, actor, credential, method, route, target, status, detail } = r;
    return { phase, actor, credential, method, route, target, status, detail };
  };
  const overrideOf = async (id: string) =>
    (
      await f.db.db
        .selectFrom('overrides')
        .innerJoin('subjects', 'subjects.id', 'overrides.subject_id')
        .select('overrides.id')
        .where('subjects.tenant_id', '=', t.tenantId)
        .where('subjects.external_id', '=', id)
        .executeTakeFirstOrThrow()
    ).id;
  // The customer's history (an embed token) tells no reason for an override's end, only the move
  // back from the override's diamond to the rules' level.
  const expiredEvents = (body: StaffHistoryResponse) =>
    body.items.filter((e) => e.scheme === 'retail-tier' && e.from === 'diamond' && e.to === 'standard');

  it('decides until it expires; then every read, kept ones included, shows the rules’ level and its event', async () => {
    const { credential } = await overridden('X1');
    const paths = reads('X1');
    const before = new Map<string, string>();
    // Three asks each: the bodies are kept (ReadCache keeps a body asked for twice).
    for (const path of Object.values(paths))
      for (let i = 0; i < 3; i++) before.set(path, (await t.req({ credential }, 'GET', path).then((r) => r.headers.get('etag'))) ?? '');
    const held = await ok<TiersResponse>(await t.req({ credential }, 'GET', paths.tiers));
    assert.deepEqual(retail(held), { level: 'diamond', decidedBy: 'override', override: 'diamond' });
    const heldBenefits = await ok<EntitlementsResponse>(await t.req({ credential }, 'GET', paths.entitlements));

    at(300_000 + 1);
    const tiers = await ok<TiersResponse>(await t.req({ credential }, 'GET', paths.tiers));
    assert.deepEqual(retail(tiers), { level: 'standard', decidedBy: 'default', override: null });
    const front = await ok<TiersResponse>(await t.req({ credential }, 'GET', paths.front));
    assert.equal(front.assignments[0]?.level, 'standard');
    const benefits = await ok<EntitlementsResponse>(await t.req({ credential }, 'GET', paths.entitlements));
    assert.notDeepEqual(benefits, heldBenefits, 'what diamond granted is no longer granted');
    const history = await ok<StaffHistoryResponse>(await t.req({ credential }, 'GET', paths.history));
    assert.equal(expiredEvents(history).length, 1);
    assert.equal(expiredEvents(history)[0]?.reason, undefined, 'a customer is not told an override ended');
    assert.equal(history.items[0]?.to, 'standard');
    for (const path of Object.values(paths)) {
      const res = await t.req({ credential }, 'GET', path, undefined);
      assert.notEqual(res.headers.get('etag'), before.get(path), `${path}: a new body, not the kept one`);
    }
    // Staff see it too, and the override is listed as expired.
    const staff = await ok<TiersResponse>(await t.req('viewer', 'GET', paths.tiers));
    assert.deepEqual(retail(staff), { level: 'standard', decidedBy: 'default', override: null });
    // The first read after the expiry settled it, and that is in the audit trail once: none of the
    // dozen reads since appended another.
    const recorded = await settlings('X1');
    assert.equal(recorded.length, 1);
    assert.deepEqual(recordOf(recorded[0]), settledDiamond('X1', await overrideOf('X1')));
    await chainOk();
  });

  it('a staff key’s first ask after it expired, one scheme or every one, shows the rules’ level: not the row read before the settling', async () => {
    // A staff tiers read reads the subject and its assignments in one statement (findSubjectForTiers);
    // the settling that read starts moves the level, so what that statement read no longer holds.
    for (const [id, path] of [
      ['XF1', (id: string) => reads(id).front],
      ['XF2', (id: string) => reads(id).tiers],
    ] as const) {
      await overridden(id);
      at(300_000 + 1);
      const body = await ok<TiersResponse>(await t.req('viewer', 'GET', path(id)));
      assert.deepEqual(retail(body), { level: 'standard', decidedBy: 'default', override: null }, path(id));
      assert.equal((await settlings(id)).length, 1, `${id}: settled by that read`);
    }
  });

  it('a staff front page’s first ask whose subject statement ran before another process settled it shows the rules’ level', async () => {
    // The front page's first ask reads the assignment with the subject (findSubjectForTiers). The
    // schedule's sweep (or another server) settles the override right after that statement: the
    // overrides the ask reads next no longer say lapsed, and the assignment it read is the override's.
    await overridden('XF3');
    at(300_000 + 1);
    const after = new Date(START.getTime() + 300_001);
    let clock = new Date(START.getTime() + 299_000);
    let swept = true;
    const db = new Proxy(f.db.db, {
      get(target, name) {
        if (name === 'executeQuery')
          return async (query: CompiledQuery) => {
            const result = await target.executeQuery(query);
            if (!swept && /from "subjects"/i.test(query.sql)) {
              swept = true;
              assert.equal(await settleLapsedOverrides(f.db.db, after), 1);
            }
            return result;
          };
        const value = Reflect.get(target, name, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const app = createApp({ db, now: () => clock, logError: (e) => console.error(e), rateLimit: false });
    const front = () => app.request(reads('XF3').front, { headers: { Authorization: `Bearer ${t.keys.viewer}` } });
    // The chain verifies the key first; the fast path answers only a credential it has verified.
    assert.equal((await front()).status, 200);
    clock = after;
    swept = false;
    const res = await front();
    assert.equal(swept, true);
    assert.deepEqual(retail(await ok<TiersResponse>(res)), { level: 'standard', decidedBy: 'default', override: null });
  });

  it('reads at once settle it once: one event', async () => {
    const { credential } = await overridden('X2');
    const paths = reads('X2');
    at(300_000 + 1);
    const all = await Promise.all(
      [paths.tiers, paths.entitlements, paths.history, paths.tiers, paths.front].map((p) => t.req({ credential }, 'GET', p)),
    );
    assert.deepEqual(
      all.map((r) => r.status),
      [200, 200, 200, 200, 200],
    );
    const history = await ok<StaffHistoryResponse>(await t.req('viewer', 'GET', `${paths.history}?scheme=retail-tier`));
    assert.equal(expiredEvents(history).length, 1);
    assert.equal((await settlings('X2')).length, 1, 'one audit record, by whichever read won');
    await chainOk();
  });
  it('the schedule’s sweep settles it with nobody reading: the matrix and the book follow', async () => {
    await overridden('X3');
    const level = async () =>
      (
        await f.db.db
          .selectFrom('assignments')
          .innerJoin('subjects', 'subjects.id', 'assignments.subject_id')
          .select('assignments.level')
          .where('subjects.tenant_id', '=', t.tenantId)
          .where('subjects.external_id', '=', 'X3')
          .where('assignments.scheme', '=', 'retail-tier')
          .executeTakeFirstOrThrow()
      ).level;
    assert.equal(await level(), 'diamond');
    assert.equal(await settleLapsedOverrides(f.db.db, new Date(START.getTime() + 299_999)), 0, 'not yet: it is in force until its instant');
    assert.equal(await level(), 'diamond');
    const after = new Date(START.getTime() + 300_001);
    assert.equal(await settleLapsedOverrides(f.db.db, after), 1);
    assert.equal(await level(), 'standard');
    assert.equal(await settleLapsedOverrides(f.db.db, after), 0, 'settled once');
    at(300_001);
    const recorded = await settlings('X3');
    assert.equal(recorded.length, 1, 'one audit record: the second sweep settled nothing');
    assert.deepEqual(recordOf(recorded[0]), settledDiamond('X3', await overrideOf('X3')));
    await chainOk();
    const history = await ok<StaffHistoryResponse>(await t.req('viewer', 'GET', '/v1/subjects/X3/history?scheme=retail-tier'));
    assert.equal(expiredEvents(history).length, 1);
    assert.equal(history.items[0]?.actor, 'system');
  });
  it('is acted on once, also when re-evaluating changes nothing (its scheme since retired): reads then write nothing', async () => {
    const { credential } = await overridden('X4');
    const subject = await f.db.db
      .selectFrom('subjects')
      .select(['id', 'version'])
      .where('external_id', '=', 'X4')
      .where('tenant_id', '=', t.tenantId)
      .executeTakeFirstOrThrow();
    // The scheme the override and its level belong to is no longer in the pack: re-evaluation leaves its row alone.
    for (const table of ['overrides', 'assignments'] as const)
      await f.db.db
        .updateTable(table)
        .set({ scheme: 'retired-tier' })
        .where('subject_id', '=', subject.id)
        .where('scheme', '=', 'retail-tier')
        .execute();
    at(300_001);
    const version = async () =>
      (await f.db.db.selectFrom('subjects').select('version').where('id', '=', subject.id).executeTakeFirstOrThrow()).version;
    assert.equal((await t.req({ credential }, 'GET', reads('X4').tiers)).status, 200);
    const settled = await version();
    for (const path of Object.values(reads('X4')))
      assert.equal((await t.req('viewer', 'GET', `${path}${path.includes('?') ? '&' : '?'}unmask=false`)).status, 200);
    assert.equal(await version(), settled, 'later reads wrote nothing');
    // Settled all the same, and recorded once. The retired scheme's level is left as it was; the
    // pack's retail-tier, which the subject no longer had a row of, got its first level.
    const recorded = await settlings('X4');
    assert.equal(recorded.length, 1);
    assert.deepEqual(recorded[0]?.detail, {
      subject: 'X4',
      overrides: [await overrideOf('X4')],
      before: { level: { 'retail-tier': null } },
      after: { level: { 'retail-tier': 'standard' } },
    });
    const seen = await overridesForRead(f.db.db, t.tenantId, subject.id, new Date(START.getTime() + 300_001).toISOString());
    assert.equal(seen.lapsed, false, 'nor will they try: a read finds nothing left to act on');
    assert.equal(await settleLapsedOverrides(f.db.db, new Date(START.getTime() + 300_001)), 0, 'nothing left for the sweep');
  });

  it('cannot be recorded (audit table broken): reads still answer the rules’ level, unkept; the sweep logs each customer and settles once it can', async (c) => {
    const { credential } = await overridden('X5');
    await overridden('X6');
    const settledAt = new Date(START.getTime() + 300_001);
    at(300_001);
    await occupyNextAuditPlace(f.db.db, t.tenantId, settledAt);
    const logged = c.mock.method(console, 'error', () => undefined);
    // Lines name the internal id, never the customer number (docs/operations.md, "Log lines").
    const internal = async (id: string) =>
      (
        await f.db.db
          .selectFrom('subjects')
          .select('id')
          .where('tenant_id', '=', t.tenantId)
          .where('external_id', '=', id)
          .executeTakeFirstOrThrow()
      ).id;
    const [x5, x6] = [await internal('X5'), await internal('X6')];
    const lines = (id: string) =>
      logged.mock.calls
        .map((call) => String(call.arguments[0]))
        .filter((l) => l.includes(`subject ${id === 'X5' ? x5 : x6} `) && !l.includes(' X5 ') && !l.includes(' X6 '));
    const paths = reads('X5');
    const tiers = await ok<TiersResponse>(await t.req({ credential }, 'GET', paths.tiers));
    // Not the expired override's diamond with no override behind it: the level the settling would store.
    assert.deepEqual(retail(tiers), { level: 'standard', decidedBy: 'default', override: null });
    const entitlements = await ok<EntitlementsResponse>(await t.req({ credential }, 'GET', paths.entitlements));
    // Built anew each time (nothing kept), so each read tries the settling again and says so. Three
    // of each: a body that were kept would be kept on the second ask and served on the third.
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(retail(await ok<TiersResponse>(await t.req({ credential }, 'GET', paths.tiers))), retail(tiers));
      assert.deepEqual(await ok<EntitlementsResponse>(await t.req({ credential }, 'GET', paths.entitlements)), entitlements);
    }
    // History shows what is stored: no event of a settling that was never saved.
    for (let i = 0; i < 3; i++) {
      const history = await ok<StaffHistoryResponse>(await t.req({ credential }, 'GET', paths.history));
      assert.deepEqual(expiredEvents(history), [], `history read ${i + 1}`);
    }
    assert.equal(lines('X5').length, 9, 'one line per read');
    assert.ok(lines('X5').every((l) => l.includes(`tenant ${t.tenantId}`)));
    const unsettled = async (id: string) =>
      (
        await f.db.db
          .selectFrom('overrides')
          .innerJoin('subjects', 'subjects.id', 'overrides.subject_id')
          .select(['overrides.expiry_settled_at', 'subjects.version'])
          .where('subjects.tenant_id', '=', t.tenantId)
          .where('subjects.external_id', '=', id)
          .executeTakeFirstOrThrow()
      ).expiry_settled_at === null;
    assert.ok(await unsettled('X5'), 'the reads wrote nothing: the level moved back stays unrecorded nowhere');
    // The sweep fails for X5 too, says so, and goes on to X6.
    const sweepLog: string[] = [];
    await settleLapsedOverrides(f.db.db, settledAt, { logError: (e) => sweepLog.push(String(e)) });
    assert.equal(sweepLog.filter((l) => l.includes(t.tenantId) && l.includes(`subject ${x5} `)).length, 1);
    assert.equal(sweepLog.filter((l) => l.includes(t.tenantId) && l.includes(`subject ${x6} `)).length, 1);
    assert.ok(!sweepLog.some((l) => /\bX[56]\b/.test(l)), 'no customer number in the sweep’s lines');
    assert.ok((await unsettled('X5')) && (await unsettled('X6')));
    // Once the trail takes records again, the next sweep settles both, each recorded once, and the
    // customer reads what they were shown meanwhile.
    await f.db.db.deleteFrom('audit_records').where('chain', '=', t.tenantId).where('request_id', '=', 'squatter').execute();
    await settleLapsedOverrides(f.db.db, settledAt, { logError: (e) => sweepLog.push(String(e)) });
    assert.ok(!(await unsettled('X5')) && !(await unsettled('X6')));
    assert.deepEqual(await ok<EntitlementsResponse>(await t.req({ credential }, 'GET', paths.entitlements)), entitlements);
    assert.deepEqual(retail(await ok<TiersResponse>(await t.req({ credential }, 'GET', paths.tiers))), retail(tiers));
    // Its event now, once, as saved: the same in every read.
    const saved = expiredEvents(await ok<StaffHistoryResponse>(await t.req({ credential }, 'GET', paths.history)));
    assert.equal(saved.length, 1);
    assert.deepEqual(expiredEvents(await ok<StaffHistoryResponse>(await t.req({ credential }, 'GET', paths.history))), saved);
    logged.mock.restore();
    for (const id of ['X5', 'X6']) assert.deepEqual(recordOf((await settlings(id))[0]), settledDiamond(id, await overrideOf(id)));
    assert.equal(lines('X5').length, 9, 'reads after the settling had nothing to settle');
    await chainOk();
  });

  it('a settling that fails for another reason than its audit record fails the read, as it always has: nothing is served unsettled', async (c) => {
    const { credential } = await overridden('X8');
    at(300_001);
    // The claim itself fails, as a lock wait or a busy database would fail it; the audit trail is fine.
    const refuse =
      f.db.dialect === 'postgres'
        ? [
            sql`CREATE FUNCTION refuse_claim() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'claim refused'; END $$`,
            sql`CREATE TRIGGER refuse_claim BEFORE UPDATE OF expiry_settled_at ON overrides FOR EACH ROW EXECUTE FUNCTION refuse_claim()`,
          ]
        : [
            sql`CREATE TRIGGER refuse_claim BEFORE UPDATE OF expiry_settled_at ON overrides BEGIN SELECT RAISE(ABORT, 'claim refused'); END`,
          ];
    for (const q of refuse) await q.execute(f.db.db);
    const logged = c.mock.method(console, 'error', () => undefined);
    try {
      for (const path of Object.values(reads('X8'))) assert.equal((await t.req({ credential }, 'GET', path)).status, 500, path);
    } finally {
      await sql`DROP TRIGGER refuse_claim${f.db.dialect === 'postgres' ? sql` ON overrides` : sql``}`.execute(f.db.db);
      if (f.db.dialect === 'postgres') await sql`DROP FUNCTION refuse_claim()`.execute(f.db.db);
    }
    assert.deepEqual(
      logged.mock.calls.map((call) => String(call.arguments[0])).filter((l) => l.includes('read served unsettled')),
      [],
      'no read went round the failure',
    );
    logged.mock.restore();
    // Once the claim works, the next read settles and records it.
    assert.deepEqual(retail(await ok<TiersResponse>(await t.req({ credential }, 'GET', reads('X8').tiers))), {
      level: 'standard',
      decidedBy: 'default',
      override: null,
    });
    assert.equal((await settlings('X8')).length, 1);
  });

  it('a settling names only the overrides whose expiry it settled, not one a write had already passed', async () => {
    await overridden('X7');
    const first = await overrideOf('X7');
    at(301_000);
    // A write re-evaluates the customer after the first override expired: that expiry is acted on.
    await ok(
      await t.req('officer', 'PUT', '/v1/subjects/X7/metrics', { metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 1 }] }),
    );
    assert.equal((await settlings('X7')).length, 0, 'a read after the write has nothing to settle');
    await ok(await t.req('viewer', 'GET', '/v1/subjects/X7/tiers'));
    assert.equal((await settlings('X7')).length, 0);
    const second = await approvedOverride(t, 'X7', {
      level: 'diamond',
      reason: 'retention',
      expiresAt: new Date(START.getTime() + 600_000).toISOString(),
    });
    at(601_000);
    await ok(await t.req('viewer', 'GET', '/v1/subjects/X7/tiers'));
    const recorded = await settlings('X7');
    assert.equal(recorded.length, 1);
    assert.notEqual(second.id, first);
    assert.deepEqual(recordOf(recorded[0]), settledDiamond('X7', second.id));
    await chainOk();
  });
});

/*
 * Months end at midnight in the bank's calendar (Asia/Shanghai here, the default), not in UTC. At
 * 05:00 on 1 November in Shanghai, October has ended there; an override in force until 06:00 was in
 * force when October ended, so the October level it decides is what the customer sees now.
 */
forEachDialect("an override in force when the bank's month ended", (f) => {
  const now = new Date('2025-10-31T21:00:00.000Z'); // 1 November, 05:00 in Shanghai
  let t: FourEyesTenant;
  before(async () => {
    t = await fourEyesTenant(f, 'fe-zone', now);
  });

  it('decides that month although UTC has not reached its end', async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/Z1', { kind: 'customer', displayName: '王芳' }), 201);
    const expiresAt = '2025-10-31T22:00:00.000Z'; // 06:00 in Shanghai, an hour from now
    await approvedOverride(t, 'Z1', { level: 'diamond', reason: 'retention', expiresAt });
    // October's data arrives now: October is the month evaluated, and the override was in force at its end.
    await ok(
      await t.req('officer', 'PUT', '/v1/subjects/Z1/metrics', { metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 0 }] }),
    );
    const tiers = await ok<TiersResponse>(await t.req('viewer', 'GET', '/v1/subjects/Z1/tiers?scheme=retail-tier'));
    const a = tiers.assignments[0];
    assert.equal(a?.period, '2025-10');
    assert.equal(a?.level, 'diamond');
    assert.equal(a?.explanation.decidedBy.kind, 'override');
  });
});
