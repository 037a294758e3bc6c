import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getAt, setAt } from '@tierkit/admin';
import { movedCount, PolicyEditor } from '@tierkit/admin/policy-editor';
import { drainJobs } from '@tierkit/api';
import { NOW } from '../support/api-fixture.js';
import { kitFixture } from './kit-fixture.js';

/** Until the editor's state says `done` (it follows the simulation job's events), within a few seconds. */
async function until(ed: PolicyEditor, done: (s: PolicyEditor['state']) => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(ed.state); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(done(ed.state), JSON.stringify(ed.state.simulationJob?.status));
}

/** The card tiers' gold balance line in the default pack: ¥50,000 in fen. */
const GOLD_BALANCE = 'document.policy.levels[0].when.of[0].value';

describe('PolicyEditor against the real API', () => {
  const f = kitFixture();

  it('a maker drafts, sees the engine’s errors at their field paths as they type, simulates, diffs and submits', async () => {
    const ed = new PolicyEditor(f.client('OFF1'));
    await ed.load();
    assert.equal(ed.state.actions.list.status, 'ready');
    assert.deepEqual(ed.state.schemes.map((s) => s.scheme).sort(), ['aml-test', 'retail-tier', 'risk-value-test']);
    assert.ok(ed.state.metrics.some((m) => m.key === 'avg_daily_balance' && m.unit === 'money'));

    await ed.selectScheme('retail-tier');
    assert.equal(ed.state.version?.status, 'active', 'no draft yet: the version in force opens');
    assert.equal(ed.state.editable, false);
    ed.setValue(GOLD_BALANCE, 1);
    assert.equal(ed.valueAt(GOLD_BALANCE), 5_000_000, 'the version in force is not edited');

    await ed.createDraft();
    assert.equal(ed.state.version?.status, 'draft');
    assert.equal(ed.state.editable, true);
    assert.equal(ed.state.errors.length, 0, JSON.stringify(ed.state.errors));
    assert.equal(ed.state.versions[0]?.status, 'draft', 'the versions list has the new draft first');

    // The gold line above the platinum one: the engine's own complaint, at the engine's own path.
    ed.setValue(GOLD_BALANCE, 40_000_000);
    assert.equal(ed.state.dirty, true);
    assert.ok(ed.state.errors.length > 0);
    assert.ok(
      ed.state.errors.every((e) => e.path.startsWith('document.policy.levels')),
      JSON.stringify(ed.state.errors),
    );
    // With a code and params a host words in its own language, not only the engine's English.
    assert.ok(
      ed.state.errors.some((e) => e.code === 'out_of_order' && e.params?.of === 'threshold'),
      JSON.stringify(ed.state.errors),
    );
    ed.setValue(GOLD_BALANCE, 'fifty');
    assert.ok(ed.errorsAt(GOLD_BALANCE).length > 0, 'a wrong type is named at its field');
    assert.deepEqual(
      ed.errorsAt(GOLD_BALANCE).map((e) => [e.code, e.params]),
      [['invalid_type', { expected: 'number' }]],
    );

    // Lower the gold balance line to ¥5,000: K08–K10 (about ¥8,333 average) would become gold.
    ed.setValue(GOLD_BALANCE, 500_000);
    assert.equal(ed.state.errors.length, 0, JSON.stringify(ed.state.errors));
    await ed.simulate();
    assert.equal(ed.state.actions.save.status, 'ready', 'simulate saved the edits first');
    assert.equal(ed.state.dirty, false);
    // Queued as a job and followed: the result comes once a worker has run it.
    assert.equal(ed.state.simulationJob?.kind, 'simulate');
    // Read into a local: asserting on the state's field would narrow it for the rest of the test.
    const before = ed.state.simulation;
    assert.equal(before, undefined);
    await drainJobs({ db: f.db.db, now: () => NOW });
    await until(ed, (s) => s.simulation !== undefined);
    assert.equal(ed.state.simulationJob?.status, 'completed');
    const sim = ed.state.simulation;
    assert.ok(sim);
    assert.equal(movedCount(sim), 3);
    assert.deepEqual(sim.cells.find((c) => c.from === 'standard' && c.to === 'gold')?.samples.length, 3);
    await ed.loadDiff();
    assert.equal(ed.state.diff?.changes.length, 1, JSON.stringify(ed.state.diff));
    assert.match(ed.state.diff?.changes[0]?.text.en ?? '', /5,000/);

    await ed.submit();
    assert.equal(ed.state.actions.submit.status, 'ready');
    assert.equal(ed.state.version?.status, 'submitted');
    assert.equal(ed.state.editable, false);
    assert.match(ed.state.version?.contentHash ?? '', /^sha256:/);

    // The checker reviews it read-only: diff and simulation, no edits.
    const review = new PolicyEditor(f.client('admin'));
    await review.load();
    await review.selectScheme('retail-tier', ed.state.version?.version);
    assert.equal(review.state.version?.status, 'submitted');
    assert.equal(review.state.editable, false);
    review.setValue(GOLD_BALANCE, 1);
    assert.equal(review.state.dirty, false);
    await review.loadDiff();
    assert.equal(review.state.diff?.changes.length, 1);
    await review.simulate();
    await drainJobs({ db: f.db.db, now: () => NOW });
    await until(review, (s) => s.simulation !== undefined);
    assert.equal(movedCount(review.state.simulation ?? sim), 3);
    ed.cancel();
    review.cancel();
  });

  it('a new condition offers only the scheme’s kind of metric, and starts with the window its scheme reads that metric over', async () => {
    const ed = new PolicyEditor(f.client('OFF1'));
    await ed.load();
    await ed.selectScheme('retail-tier');
    await ed.createDraft();
    const offered = ed.metricsForScheme().map((m) => m.key);
    for (const other of ['annual_revenue', 'employees', 'performance_score', 'tenure_months', 'product_risk_class'])
      assert.ok(!offered.includes(other), `${other} is not a customer's metric`);
    assert.ok(offered.includes('avg_daily_balance') && offered.includes('household_income'));
    // A customer scheme is not offered what is kept from customers: its level would tell them (staff_metric).
    for (const staff of ['pep', 'aml_customer_risk', 'credit_score'])
      assert.ok(!offered.includes(staff), `${staff} is kept from customers`);
    // The card tier reads balances over a 3-month average everywhere: a new balance line does too.
    assert.deepEqual(ed.defaultWindow('avg_daily_balance'), { fn: 'avg', months: 3, missing: 'zero' });
    assert.equal(ed.defaultWindow('premium_card'), null, 'read as its latest value by the scheme');
    assert.equal(ed.defaultWindow('card_spend'), null, 'no condition reads it: the latest value');
    // A company's metric added by hand anyway: the engine's error at its field, with a code to word.
    ed.addCondition('document.policy.levels[0].when', { kind: 'threshold', metric: 'employees', window: null, op: 'gte', value: 10 });
    assert.deepEqual(
      ed.state.errors.map((e) => [e.path, e.code]),
      [['document.policy.levels[0].when.of[3].metric', 'metric_subject_kind']],
    );
    ed.cancel();
  });

  it('cancels a simulation job it started: it stops, says so, and no worker plans it after', async () => {
    const ed = new PolicyEditor(f.client('OFF1'));
    await ed.load();
    await ed.selectScheme('aml-test');
    await ed.createDraft();
    await ed.simulate();
    assert.equal(ed.state.simulationJob?.status, 'running');
    await ed.cancelSimulation();
    assert.equal(ed.state.actions.cancelSimulation.status, 'ready');
    assert.equal(ed.state.simulationJob?.status, 'cancelled');
    assert.equal(await drainJobs({ db: f.db.db, now: () => NOW }), 0);
    assert.equal(ed.state.simulation, undefined);
    ed.cancel();
  });

  it('adds and removes a condition as the format nests them; an emptied group is the engine’s error', async () => {
    const ed = new PolicyEditor(f.client('OFF1'));
    await ed.load();
    await ed.selectScheme('aml-test');
    await ed.createDraft();
    const when = 'document.policy.levels[0].when';
    ed.addCondition(when, { kind: 'threshold', metric: 'aml_customer_risk', window: null, op: 'gte', value: 95 });
    assert.equal((ed.valueAt(when) as { kind: string }).kind, 'any', 'a single threshold became “any of” two');
    assert.equal(ed.state.errors.length, 0, JSON.stringify(ed.state.errors));
    ed.removeCondition(`${when}.of[0]`);
    ed.removeCondition(`${when}.of[0]`);
    assert.deepEqual((ed.valueAt(when) as { of: unknown[] }).of, []);
    assert.ok(ed.errorsAt(`${when}.of`).length > 0, JSON.stringify(ed.state.errors));
    ed.addCondition(when, { kind: 'threshold', metric: 'no_such_metric', window: null, op: 'gte', value: 1 });
    assert.match(ed.errorsAt(`${when}.of[0]`)[0]?.message ?? '', /no_such_metric/);
    assert.equal(ed.errorsAt(`${when}.of[0]`)[0]?.params?.metric, 'no_such_metric');

    // The API refuses to submit what the engine refuses, with the same paths.
    await ed.submit();
    assert.equal(ed.state.actions.submit.status, 'error');
    assert.equal(ed.state.actions.submit.error?.status, 400);
    assert.ok(
      ed.state.errors.some((e) => e.path.startsWith(`${when}.of[0]`) && e.code === 'unknown_metric'),
      JSON.stringify(ed.state.errors),
    );
  });

  it('an RM (book-scoped) is refused the list: an error state, not a throw', async () => {
    const ed = new PolicyEditor(f.client('RM1'));
    await ed.load();
    assert.equal(ed.state.actions.list.status, 'error');
    assert.equal(ed.state.actions.list.error?.status, 403);
  });

  it('a newer pick cancels the older one: only the last scheme’s versions land', async () => {
    const ed = new PolicyEditor(f.client('OFF1'));
    await ed.load();
    const first = ed.selectScheme('retail-tier');
    const second = ed.selectScheme('aml-test');
    await Promise.all([first, second]);
    assert.equal(ed.state.scheme, 'aml-test');
    assert.ok(ed.state.versions.every((v) => v.scheme === 'aml-test'));
    assert.equal(ed.state.version?.scheme, 'aml-test');
  });

  it('field paths read and write plain JSON without changing it in place', () => {
    const doc = { policy: { levels: [{ when: { of: [{ value: 1 }, { value: 2 }] } }] } };
    const next = setAt(doc, 'document.policy.levels[0].when.of[1].value', 3);
    assert.equal(getAt(next, 'document.policy.levels[0].when.of[1].value'), 3);
    assert.equal(getAt(doc, 'policy.levels[0].when.of[1].value'), 2);
    const cut = setAt(doc, 'policy.levels[0].when.of[0]', undefined);
    assert.deepEqual(getAt(cut, 'policy.levels[0].when.of'), [{ value: 2 }]);
  });
});
