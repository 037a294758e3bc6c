import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import type { HistoryResponse, TiersResponse } from '@tierkit/core';
import {
  appendAuditRecord,
  auditHash,
  createImport,
  erasedSubjectsAfter,
  isPostgres,
  latestEvaluatedPeriods,
  latestVersionSimulationJob,
  metricImportersOf,
  migrateToLatest,
  readErasedSeqs,
  signOffInputWriters,
  signOffInputWritersOfMany,
} from '@tierkit/db';
import { disableStaff, drainJobs, type JobView } from '@tierkit/api';
import { client, forEachDialect } from '../support/api-fixture.js';

const PREVIOUS_LEVEL = '2026-11-23T00-00-00-previous-level';
const SCHEME_AUDIENCE = '2026-12-02T00-00-00-scheme-audience';
const EVENT_PERIOD = '2026-12-02T00-00-01-event-period';
const SUBJECT_VERSION = '2026-12-02T00-00-02-subject-version';
const STAFF_BOOKS = '2026-12-03T00-00-80-staff-books';
const FOUR_EYES = '2026-12-03T00-00-10-four-eyes';
const JOBS = '2026-12-03T00-00-50-jobs';
const IMPORTS = '2026-12-03T00-00-40-imports';
const POLICY_LIFECYCLE = '2026-12-03T00-00-20-policy-lifecycle';
const AUDIT = '2026-12-03T00-00-30-audit';
const TIER_EVENTS_SCHEME_PERIOD = '2026-12-03T00-00-60-tier-events-scheme-period';
const IMPORT_OWNER = '2026-12-04T00-00-30-import-owner';
const SUBJECT_VERSION_EXPLICIT = '2026-12-05T00-00-20-subject-version-explicit';
const OVERRIDE_EXPIRY_SETTLED = '2026-12-06T00-00-10-override-expiry-settled';
const METRIC_PERIODS = '2026-12-07T00-00-10-metric-periods';
const KEY_OWNERS = '2026-12-07T00-00-20-key-owners';
const IMPORT_ROW_CODES = '2026-12-08T00-00-10-import-row-codes';
const TIER_EVENTS_REASON_INDEX = '2026-12-08T00-00-20-tier-events-reason-index';
const OVERRIDE_REQUESTER_SCOPE = '2026-12-09T00-10-00-override-requester-scope';
const BOOK_MOVES = '2026-12-09T00-20-00-book-moves';
const AUDIT_DETAIL = '2026-12-10T00-00-10-audit-detail';
const SUBJECT_CLOSING = '2026-12-11T00-00-04-subject-closing';
const IDEMPOTENCY_LEASE = '2026-12-11T00-00-05-idempotency-lease';
const PENDING_SIGN_OFF_UNIQUE = '2026-12-12T00-00-06-pending-sign-off-unique';
const CLOSING_LEFT_AT = '2026-12-13T00-00-02-closing-left-at';
const CLOSING_WITHDRAWALS = '2026-12-14T00-00-01-closing-withdrawals';
const APPROVALS_QUEUE_ORDER = '2026-12-14T00-00-04-approvals-queue-order';
const ASSIGNMENTS_SCHEME_PERIOD = '2026-12-15T00-00-01-assignments-scheme-period';
const STAFF_DISABLED = '2026-12-15T00-00-20-staff-disabled';
const WRITE_SEQUENCE = '2026-12-15T00-00-30-write-sequence';
const STALE_SIGN_OFFS = '2026-12-15T00-00-50-stale-sign-offs';
const BOOK_CALL_LISTS = '2026-12-15T00-00-80-book-call-lists';
const EVENT_NOTES_PERIOD = '2026-12-15T00-00-90-event-notes-period';
const LOWERING_SIGN_OFFS = '2026-12-16T00-00-01-lowering-sign-offs';
const STAFF_GRANTS = '2026-12-16T00-00-10-staff-grants';
const NEAR_NEXT = '2026-12-16T00-00-40-near-next';
const SIGN_OFF_INPUT_WRITERS = '2026-12-17T00-00-30-sign-off-input-writers';
const SIMULATION_VERSION = '2026-12-17T00-00-40-simulation-version';
const RETENTION = '2026-12-18T00-00-30-retention';
const TEAMS = '2026-12-19T00-00-40-teams';
const RETIREMENT_REQUESTS = '2026-12-20T00-00-01-retirement-requests';
const TEAM_GRANTS = '2026-12-20T00-00-10-team-grants';
const AUDIT_PERSONAL = '2026-12-20T00-00-20-audit-personal';
const METRIC_AUDIENCE_REQUESTS = '2026-12-20T00-00-30-metric-audience-requests';
const AUDIT_ERASURES = '2026-12-21T00-00-20-audit-erasures';
const AUDIT_LISTED = '2026-12-22T00-00-30-audit-listed';
const AUDIENCE_REQUEST_REASON = '2026-12-22T00-00-37-audience-request-reason';
const POLICY_NOTES = '2026-12-22T00-00-72-policy-notes';
const IMPORT_VALUE_WRITERS = '2026-12-23T00-00-30-import-value-writers';
const CLOSING_REQUESTS = '2026-12-24T00-00-33-closing-requests';
const ERASURE_INDEXES = '2026-12-24T00-00-41-erasure-indexes';
const ERASURE_RULES_MIGRATION = '2026-12-25T00-00-03-erasure-rules';
const RETIER_PERIODS = '2026-12-25T00-00-20-retier-periods';
const OVERRIDES_EXPIRY = '2026-12-25T00-00-21-overrides-expiry';
const METRIC_WRITERS = '2026-12-25T00-00-70-metric-writers';
const INDEX = 'tier_events_tenant_scheme_subject_period_idx';
const LATER = [
  PREVIOUS_LEVEL,
  SCHEME_AUDIENCE,
  EVENT_PERIOD,
  SUBJECT_VERSION,
  FOUR_EYES,
  POLICY_LIFECYCLE,
  AUDIT,
  IMPORTS,
  JOBS,
  TIER_EVENTS_SCHEME_PERIOD,
  STAFF_BOOKS,
  IMPORT_OWNER,
  SUBJECT_VERSION_EXPLICIT,
  OVERRIDE_EXPIRY_SETTLED,
  METRIC_PERIODS,
  KEY_OWNERS,
  IMPORT_ROW_CODES,
  TIER_EVENTS_REASON_INDEX,
  OVERRIDE_REQUESTER_SCOPE,
  BOOK_MOVES,
  AUDIT_DETAIL,
  SUBJECT_CLOSING,
  IDEMPOTENCY_LEASE,
  PENDING_SIGN_OFF_UNIQUE,
  CLOSING_LEFT_AT,
  CLOSING_WITHDRAWALS,
  APPROVALS_QUEUE_ORDER,
  ASSIGNMENTS_SCHEME_PERIOD,
  STAFF_DISABLED,
  WRITE_SEQUENCE,
  STALE_SIGN_OFFS,
  BOOK_CALL_LISTS,
  EVENT_NOTES_PERIOD,
  LOWERING_SIGN_OFFS,
  STAFF_GRANTS,
  NEAR_NEXT,
  SIGN_OFF_INPUT_WRITERS,
  SIMULATION_VERSION,
  RETENTION,
  TEAMS,
  RETIREMENT_REQUESTS,
  TEAM_GRANTS,
  AUDIT_PERSONAL,
  METRIC_AUDIENCE_REQUESTS,
  AUDIT_ERASURES,
  AUDIT_LISTED,
  AUDIENCE_REQUEST_REASON,
  POLICY_NOTES,
  IMPORT_VALUE_WRITERS,
  CLOSING_REQUESTS,
  ERASURE_INDEXES,
  ERASURE_RULES_MIGRATION,
  RETIER_PERIODS,
  OVERRIDES_EXPIRY,
  METRIC_WRITERS,
];

/** `name` and every later migration: what an upgrade from just before `name` runs. */
const fromOn = (name: string) => LATER.slice(LATER.indexOf(name));

/**
 * Undo the executed migrations from the newest down to `name` included — what a database of an
 * earlier release looks like. Kysely checks every executed migration is still known: the earlier
 * ones are listed as no-ops, the ones undone are the real modules.
 */
// biome-ignore lint/suspicious/noExplicitAny: the schema of an earlier release is not the current Database type
async function undoDownTo(db: Kysely<any>, name: string): Promise<void> {
  const names = (
    (await db
      .selectFrom('kysely_migration' as never)
      .select('name' as never)
      .execute()) as { name: string }[]
  )
    .map((n) => n.name)
    .sort();
  assert.equal(names.at(-1), LATER.at(-1), 'the newest migration is the last one this test knows');
  const real: Record<string, Migration> = {};
  for (const n of LATER) real[n] = (await import(`../../packages/db/src/migrations/${n}.js`)) as Migration;
  const known: Record<string, Migration> = Object.fromEntries(names.map((n) => [n, real[n] ?? { up: async () => undefined }]));
  const migrator = new Migrator({ db, provider: { getMigrations: async () => known } });
  for (const n of [...names].reverse()) {
    if (n < name) break;
    const { error } = await migrator.migrateDown();
    assert.equal(error, undefined);
  }
}

/** The later migrations, undone and done again, the way an upgrade of an existing database runs them. */
forEachDialect('migrations', (f) => {
  const api = client(f);

  it('upgrading a database with assignments fills previousLevel from the stored state, and nothing is lost', async () => {
    await api.customer('MG1');
    await api.balances('MG1', [
      ['2025-09', 60_000],
      ['2025-10', 60_000],
    ]);
    const before = ((await (await api.get('/v1/subjects/MG1/tiers')).json()) as TiersResponse).assignments;

    const db = f.db.db;
    await undoDownTo(db, PREVIOUS_LEVEL);
    await assert.rejects(sql`SELECT previous_level FROM assignments`.execute(db), 'the column is gone');

    // ... then upgrade: the column comes back, filled from the engine state the rows already had.
    assert.deepEqual(await migrateToLatest(db), LATER);
    const after = ((await (await api.get('/v1/subjects/MG1/tiers')).json()) as TiersResponse).assignments;
    assert.equal(after.length, before.length);
    for (const [i, a] of after.entries()) {
      assert.equal(a.level, before[i]?.level);
      assert.equal(a.previousLevel, before[i]?.previousLevel, `${a.scheme}: the stored state before the month`);
    }
    assert.deepEqual(await migrateToLatest(db), [], 'a second run has nothing to do');
  });

  it('upgrading stored policies gives each scheme an audience: the card tier customer, anything unclassified staff', async () => {
    const db = f.db.db;
    await undoDownTo(db, SCHEME_AUDIENCE);
    const docs = async () => {
      const rows = await db.selectFrom('policies').select(['scheme', 'document']).where('tenant_id', '=', 'bank-a').execute();
      return Object.fromEntries(rows.map((r) => [r.scheme, (JSON.parse(r.document) as { audience?: string }).audience]));
    };
    assert.deepEqual(await docs(), { 'retail-tier': undefined, 'aml-test': undefined, 'risk-value-test': undefined });
    assert.deepEqual(await migrateToLatest(db), fromOn(SCHEME_AUDIENCE));
    assert.deepEqual(await docs(), { 'retail-tier': 'customer', 'aml-test': 'staff', 'risk-value-test': 'staff' });
    assert.equal((await api.get('/v1/subjects/MG1/tiers')).status, 200, 'the upgraded pack validates');
  });

  it('upgrading tier events dates each by the month it describes: a catch-up run by its note, others by the month before they were recorded', async () => {
    await api.customer('MG2');
    // August alone (average of Jun 0, Jul 0, Aug 150k = 50k): gold, one month, no note.
    assert.equal((await api.balances('MG2', [['2025-08', 150_000]])).status, 200);
    // September and October at once: a catch-up run, its events noted with their month. September
    // averages Jul 0, Aug 150k, Sep 900k = 350k: platinum.
    assert.equal(
      (
        await api.balances('MG2', [
          ['2025-09', 900_000],
          ['2025-10', 900_000],
        ])
      ).status,
      200,
    );
    const history = async () => ((await (await api.get('/v1/subjects/MG2/history?scheme=retail-tier')).json()) as HistoryResponse).items;
    const recorded = await history();
    assert.deepEqual(
      recorded.map((e) => [e.from, e.to, e.period]),
      [
        ['gold', 'platinum', '2025-09'],
        [null, 'gold', '2025-08'],
      ],
    );
    assert.ok(
      recorded.every((e) => e.at.startsWith('2025-11-15')),
      'both recorded at upload time, in November',
    );

    const db = f.db.db;
    await undoDownTo(db, EVENT_PERIOD);
    await assert.rejects(sql`SELECT period FROM tier_events`.execute(db), 'the column is gone');
    // The release before the column noted a catch-up run's month in English (no release since does).
    await sql`UPDATE tier_events SET note = 'evaluated 2025-09' WHERE to_level = 'platinum' AND subject_id IN (SELECT id FROM subjects WHERE external_id = 'MG2')`.execute(
      db,
    );
    // The events stay (read by SQL: the API's reads are for the schema it migrates to).
    const kept = await sql<{ n: number }>`SELECT count(*) AS n FROM tier_events`.execute(db);
    assert.ok(Number(kept.rows[0]?.n) >= recorded.length);
    assert.deepEqual(await migrateToLatest(db), fromOn(EVENT_PERIOD));
    // The catch-up event keeps its month; the other one could only be dated from when it was recorded.
    assert.deepEqual(
      (await history()).map((e) => e.period),
      ['2025-09', '2025-10'],
    );
  });
  it('upgrading adds the subject version the read cache keys by, and its triggers bump it on a write', async () => {
    await api.customer('MG3');
    assert.equal(
      (
        await api.balances('MG3', [
          ['2025-09', 60_000],
          ['2025-10', 60_000],
        ])
      ).status,
      200,
    );
    const db = f.db.db;
    await undoDownTo(db, SUBJECT_VERSION);
    await assert.rejects(sql`SELECT version FROM subjects`.execute(db), 'the column is gone');
    assert.deepEqual(await migrateToLatest(db), fromOn(SUBJECT_VERSION));
    const version = async () =>
      Number((await sql<{ version: number }>`SELECT version FROM subjects WHERE external_id = 'MG3'`.execute(db)).rows[0]?.version);
    const before = await version();
    const etag = (await api.get('/v1/subjects/MG3/tiers')).headers.get('etag');
    assert.equal((await api.balances('MG3', [['2025-11', 900_000]])).status, 200);
    assert.ok((await version()) > before, 'a re-evaluation bumps the version');
    assert.notEqual((await api.get('/v1/subjects/MG3/tiers')).headers.get('etag'), etag);
  });

  it('upgrading drops the per-row version triggers: plain SQL no longer bumps, the API’s writes still do', async () => {
    await api.customer('MG9');
    assert.equal((await api.balances('MG9', [['2025-09', 60_000]])).status, 200);
    const db = f.db.db;
    const version = async () =>
      Number((await sql<{ version: number }>`SELECT version FROM subjects WHERE external_id = 'MG9'`.execute(db)).rows[0]?.version);
    const touch = () =>
      sql`UPDATE assignments SET evaluated_at = evaluated_at WHERE subject_id = (SELECT id FROM subjects WHERE external_id = 'MG9')`.execute(
        db,
      );
    await undoDownTo(db, SUBJECT_VERSION_EXPLICIT);
    let before = await version();
    await touch();
    assert.ok((await version()) > before, 'before the upgrade a trigger bumps on any row write');
    assert.deepEqual(await migrateToLatest(db), fromOn(SUBJECT_VERSION_EXPLICIT));
    before = await version();
    await touch();
    assert.equal(await version(), before, 'after it, plain SQL bumps nothing');
    const etag = (await api.get('/v1/subjects/MG9/tiers')).headers.get('etag') ?? '';
    assert.equal((await api.balances('MG9', [['2025-10', 900_000]])).status, 200);
    assert.ok((await version()) > before, 'a re-evaluation bumps the version');
    assert.equal((await api.get('/v1/subjects/MG9/tiers', { 'If-None-Match': etag })).status, 200);
  });

  it('upgrading adds the index analytics read a scheme’s history by, and the answers stay the same', async () => {
    const db = f.db.db;
    const indexed = async () =>
      f.db.dialect === 'sqlite'
        ? (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND name = ${INDEX}`.execute(db)).rows.length
        : (await sql<{ indexname: string }>`SELECT indexname FROM pg_indexes WHERE indexname = ${INDEX}`.execute(db)).rows.length;
    const analyst = client(f, () => f.keys.roles.analyst);
    const read = async () => (await analyst.get('/v1/analytics/distribution?scheme=retail-tier&from=2025-08&to=2025-11')).json();
    const answer = await read();
    assert.ok(
      answer.totals.some((n: number) => n > 0),
      'the earlier tests left a history to count',
    );
    assert.equal(await indexed(), 1);
    await undoDownTo(db, TIER_EVENTS_SCHEME_PERIOD);
    assert.equal(await indexed(), 0, 'the index is gone');
    assert.deepEqual(await read(), answer, 'the same answer without it');
    assert.deepEqual(await migrateToLatest(db), fromOn(TIER_EVENTS_SCHEME_PERIOD));
    assert.equal(await indexed(), 1);
    assert.deepEqual(await read(), answer);
    // A move's cause is read from `reason`: the index holds it so the analytics reads stay covered.
    const definition = async () =>
      f.db.dialect === 'sqlite'
        ? (await sql<{ sql: string }>`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ${INDEX}`.execute(db)).rows[0]?.sql
        : (await sql<{ indexdef: string }>`SELECT indexdef FROM pg_indexes WHERE indexname = ${INDEX}`.execute(db)).rows[0]?.indexdef;
    assert.match((await definition()) ?? '', /reason/);
    await undoDownTo(db, TIER_EVENTS_REASON_INDEX);
    assert.equal(await indexed(), 1, 'undone, the index of before is back');
    assert.doesNotMatch((await definition()) ?? '', /reason/);
    assert.deepEqual(await migrateToLatest(db), fromOn(TIER_EVENTS_REASON_INDEX));
    assert.match((await definition()) ?? '', /reason/);
    assert.deepEqual(await read(), answer);
  });

  it('upgrading adds the index the latest month a scheme judges is read by, and the month stays the same', async () => {
    const db = f.db.db;
    const name = 'assignments_tenant_scheme_period_idx';
    const indexed = async () =>
      f.db.dialect === 'sqlite'
        ? (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND name = ${name}`.execute(db)).rows.length
        : (await sql<{ indexname: string }>`SELECT indexname FROM pg_indexes WHERE indexname = ${name}`.execute(db)).rows.length;
    const judged = () => latestEvaluatedPeriods(db, 'bank-a', ['retail-tier', 'aml-test']);
    const before = await judged();
    assert.equal(await indexed(), 1);
    await undoDownTo(db, ASSIGNMENTS_SCHEME_PERIOD);
    assert.equal(await indexed(), 0, 'the index is gone');
    assert.deepEqual(await judged(), before, 'the same months without it');
    assert.deepEqual(await migrateToLatest(db), fromOn(ASSIGNMENTS_SCHEME_PERIOD));
    assert.equal(await indexed(), 1);
    assert.deepEqual(await judged(), before);
  });

  it('upgrading adds the call lists’ indexes; the lists answer the same without them, and undoing drops them', async () => {
    const db = f.db.db;
    const names = ['assignments_changed_idx', 'assignments_grace_idx'];
    const indexed = async () =>
      f.db.dialect === 'sqlite'
        ? (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND name IN (${sql.join(names)})`.execute(db))
            .rows.length
        : (await sql<{ indexname: string }>`SELECT indexname FROM pg_indexes WHERE indexname IN (${sql.join(names)})`.execute(db)).rows
            .length;
    const read = async () =>
      Promise.all(
        ['change=down', 'change=any', 'grace=true'].map(async (filter) =>
          (await api.get(`/v1/subjects?scheme=retail-tier&${filter}`)).json(),
        ),
      );
    const answer = await read();
    assert.equal(await indexed(), 2);
    await undoDownTo(db, BOOK_CALL_LISTS);
    assert.equal(await indexed(), 0, 'the indexes are gone');
    // The lists read the latest re-tier from its own table, a later migration's: made here as it makes it
    // (its upgrade below finds it made, and fills nothing twice), so only the indexes are missing.
    const retierPeriods = (await import(`../../packages/db/src/migrations/${RETIER_PERIODS}.js`)) as Migration;
    await retierPeriods.up(db);
    assert.deepEqual(await read(), answer, 'the same answers without them');
    assert.deepEqual(await migrateToLatest(db), fromOn(BOOK_CALL_LISTS));
    assert.equal(await indexed(), 2);
    assert.deepEqual(await read(), answer);
  });

  it('upgrading fills the next level’s gap and the grace periods left from the stored JSON, as the writer writes them', async () => {
    const db = f.db.db;
    // MN1 ¥40,000: ¥10,000 short of gold. MN2 platinum, one month below its line: 2 periods left, and far from diamond.
    await api.customer('MN1');
    await api.customer('MN2');
    for (const p of ['2025-08', '2025-09', '2025-10']) assert.equal((await api.balances('MN1', [[p, 40_000]])).status, 200);
    for (const [p, yuan] of [
      ['2025-07', 400_000],
      ['2025-08', 400_000],
      ['2025-09', 400_000],
      ['2025-10', 0],
    ] as const)
      assert.equal((await api.balances('MN2', [[p, yuan]])).status, 200);
    const figures = async () =>
      (
        await sql<{
          external_id: string;
          scheme: string;
          next_gap: number | string | null;
          grace_left: number | null;
        }>`SELECT s.external_id, a.scheme, a.next_gap, a.grace_left
          FROM assignments a JOIN subjects s ON s.id = a.subject_id ORDER BY s.external_id, a.scheme`.execute(db)
      ).rows.map((r) => [r.external_id, r.scheme, r.next_gap === null ? null : Number(r.next_gap), r.grace_left]);
    const written = await figures();
    assert.deepEqual(
      written.filter(([id, scheme]) => (id === 'MN1' || id === 'MN2') && scheme === 'retail-tier'),
      [
        ['MN1', 'retail-tier', 1_000_000, null],
        // Diamond's ¥1,500,000 less the 3-month average ¥266,666.66 (floored to the fen).
        ['MN2', 'retail-tier', 123_333_334, 2],
      ],
    );
    const list = async () => (await api.get('/v1/subjects?scheme=retail-tier&nearNext=1000000&currency=CNY&sort=gap')).json();
    const listed = await list();
    await undoDownTo(db, NEAR_NEXT);
    await assert.rejects(sql`SELECT next_gap FROM assignments`.execute(db), 'the column is gone');
    assert.deepEqual(await migrateToLatest(db), fromOn(NEAR_NEXT));
    assert.deepEqual(await figures(), written, 'every row as the writer wrote it');
    assert.deepEqual(await list(), listed);
  });

  it('upgrading gives the simulations already stored their scheme and version, so an approval still finds them; re-tiers stay without', async () => {
    const db = f.db.db;
    await api.customer('MS1');
    await api.balances('MS1', [['2025-10', 60_000]]);
    // One simulation left completed, one still running, and a re-tier: the rows a release before stored.
    const done = (await (await api.post('/v1/policies/retail-tier/versions/1/simulations', {})).json()) as { id: string };
    await drainJobs({ db });
    const running = (await (await api.post('/v1/policies/retail-tier/versions/1/simulations', {})).json()) as { id: string };
    const retier = (await (await api.post('/v1/jobs', { kind: 'retier', schemes: ['retail-tier'], period: '2025-10' })).json()) as {
      id: string;
    };
    assert.ok(done.id && running.id && retier.id, JSON.stringify([done, running, retier]));
    const card = async () =>
      (await (await api.get('/v1/policies/retail-tier/versions/1/simulations')).json()) as {
        latest: { id: string } | null;
        running: { id: string } | null;
      };
    const shown = await card();
    assert.deepEqual([shown.latest?.id, shown.running?.id], [done.id, running.id]);

    await undoDownTo(db, SIMULATION_VERSION);
    await assert.rejects(sql`SELECT simulation_scheme FROM jobs`.execute(db), 'the columns are gone');
    assert.deepEqual(await migrateToLatest(db), fromOn(SIMULATION_VERSION));
    // Filled from each job's params, in the column types the writer uses: found by version, newest first.
    assert.equal((await latestVersionSimulationJob(db, 'bank-a', 'retail-tier', 1, 'completed'))?.id, done.id);
    assert.equal((await latestVersionSimulationJob(db, 'bank-a', 'retail-tier', 1, 'running'))?.id, running.id);
    assert.equal(await latestVersionSimulationJob(db, 'bank-a', 'retail-tier', 2), undefined);
    const re = await db
      .selectFrom('jobs')
      .select(['simulation_scheme', 'simulation_version'])
      .where('id', '=', retier.id)
      .executeTakeFirst();
    assert.deepEqual(re, { simulation_scheme: null, simulation_version: null });
    assert.deepEqual(await card(), shown, 'the approval card shows the same simulations as before the upgrade');
  });

  it('upgrading adds the writers of sign-off inputs, none recorded; undoing it drops them', async () => {
    const db = f.db.db;
    await undoDownTo(db, SIGN_OFF_INPUT_WRITERS);
    await assert.rejects(sql`SELECT written_by FROM sign_off_input_writers`.execute(db), 'the table is gone');
    assert.deepEqual(await migrateToLatest(db), fromOn(SIGN_OFF_INPUT_WRITERS));
    // Kept in the values' own rows since METRIC_WRITERS.
    assert.equal((await sql`SELECT written_by FROM metrics WHERE written_by IS NOT NULL`.execute(db)).rows.length, 0);
  });

  it('upgrading copies each risk input’s writer into its value’s row and keeps the table: the four-eyes check names the same writers; undoing puts the row’s back', async () => {
    await api.customer('MG6');
    assert.equal(
      (
        await api.balances('MG6', [
          ['2025-09', 1_000],
          ['2025-10', 2_000],
        ])
      ).status,
      200,
    );
    const db = f.db.db;
    const { id } = await db
      .selectFrom('subjects')
      .select('id')
      .where('tenant_id', '=', 'bank-a')
      .where('external_id', '=', 'MG6')
      .executeTakeFirstOrThrow();
    const columns = async () => (await db.introspection.getTables()).find((t) => t.name === 'metrics')?.columns.map((c) => c.name) ?? [];
    await undoDownTo(db, METRIC_WRITERS);
    assert.ok(!(await columns()).includes('written_by'), 'the column is gone');
    // What the release before kept for MG6: the last writer of its October value, in a table of its own.
    await sql`DELETE FROM sign_off_input_writers WHERE subject_id = ${id}`.execute(db);
    await sql`INSERT INTO sign_off_input_writers (tenant_id, subject_id, metric, period, written_by, written_at)
      VALUES ('bank-a', ${id}, 'avg_daily_balance', '2025-10', 'key:mg-writer', '2025-11-01T00:00:00.000Z')`.execute(db);
    assert.deepEqual(await migrateToLatest(db), fromOn(METRIC_WRITERS));
    // Kept for the instances still on the release before during a rolling deploy, which read and write it.
    const table = async () =>
      (
        await sql<{ metric: string; period: string; written_by: string }>`SELECT metric, period, written_by
          FROM sign_off_input_writers WHERE subject_id = ${id}`.execute(db)
      ).rows;
    assert.deepEqual(await table(), [{ metric: 'avg_daily_balance', period: '2025-10', written_by: 'key:mg-writer' }], 'the table is kept');
    const september = { metric: 'avg_daily_balance', period: '2025-09' };
    const october = { metric: 'avg_daily_balance', period: '2025-10' };
    assert.deepEqual(await signOffInputWriters(db, 'bank-a', id, [september, october]), ['key:mg-writer']);
    assert.deepEqual(await signOffInputWriters(db, 'bank-a', id, [september]), [], 'a value no writer was kept for names none');
    assert.deepEqual(
      await signOffInputWritersOfMany(db, 'bank-a', [
        { subjectId: id, ...september },
        { subjectId: id, ...october },
      ]),
      [{ subjectId: id, ...october, writtenBy: 'key:mg-writer' }],
      'the approvals queue’s read of a page names it too',
    );
    // A later write through this release names its writer in the row only; the table keeps the one before.
    await sql`UPDATE metrics SET value = 2500, written_by = 'key:mg-later' WHERE subject_id = ${id} AND period = '2025-10'`.execute(db);
    assert.deepEqual(
      (await signOffInputWriters(db, 'bank-a', id, [october])).sort(),
      ['key:mg-later', 'key:mg-writer'],
      'both are barred while the table is read',
    );
    // Undone: the row's writer, the later one, in the table the release before reads; and forward again.
    await undoDownTo(db, METRIC_WRITERS);
    assert.deepEqual(await table(), [{ ...october, written_by: 'key:mg-later' }]);
    assert.deepEqual(await migrateToLatest(db), fromOn(METRIC_WRITERS));
    assert.deepEqual(await signOffInputWriters(db, 'bank-a', id, [september, october]), ['key:mg-later']);
  });

  it('upgrading adds the audit chain and Idempotency-Key tables empty; writes after it are recorded and verify', async () => {
    const db = f.db.db;
    await undoDownTo(db, AUDIT);
    await assert.rejects(sql`SELECT seq FROM audit_records`.execute(db), 'the audit table is gone');
    await assert.rejects(sql`SELECT key FROM idempotency_keys`.execute(db), 'the idempotency table is gone');
    assert.deepEqual(await migrateToLatest(db), fromOn(AUDIT));
    assert.equal((await sql<{ n: number }>`SELECT count(*) AS n FROM audit_records`.execute(db)).rows[0]?.n, 0);
    await api.customer('MG4');
    const verified = (await (await api.get('/v1/audit/verify')).json()) as { ok: boolean; records: number };
    assert.deepEqual(verified, { ...verified, ok: true, records: 2 }, 'the intent and the result of the PUT');
  });

  it('upgrading adds the audit detail; undoing it keeps every sealed detail, so the chain verifies on both sides', async () => {
    const db = f.db.db;
    await api.customer('MG5');
    assert.equal((await api.put('/v1/staff/MG-S1', { name: '周敏', role: 'officer', scope: 'book' })).status, 201);
    await undoDownTo(db, AUDIT_DETAIL);
    const kept = await sql<{ n: number | string }>`SELECT count(*) AS n FROM audit_records WHERE detail IS NOT NULL`.execute(db);
    assert.ok(Number(kept.rows[0]?.n) > 0, 'the details are still there');
    assert.deepEqual(await migrateToLatest(db), fromOn(AUDIT_DETAIL));
    assert.equal((await api.put('/v1/staff/MG-S1', { name: '周敏', role: 'viewer', scope: 'book' })).status, 200);
    const verified = (await (await api.get('/v1/audit/verify')).json()) as { ok: boolean; problems: unknown[] };
    assert.deepEqual(verified.problems, []);
    const { items } = (await (await api.get('/v1/audit?route=/v1/staff/{id}&limit=1')).json()) as { items: { detail: unknown }[] };
    assert.deepEqual(items[0]?.detail, {
      before: { name: '周敏', role: 'officer', scope: 'book' },
      after: { name: '周敏', role: 'viewer', scope: 'book' },
    });
  });

  it('upgrading adds the staff grants, empty; undoing it drops them (a release before applies grants at once)', async () => {
    const db = f.db.db;
    assert.equal((await api.put('/v1/staff/MG-G1', { name: '吴刚', role: 'approver', scope: 'tenant' })).status, 202);
    await undoDownTo(db, STAFF_GRANTS);
    assert.equal(
      (await db.introspection.getTables()).some((t) => t.name === 'staff_grants'),
      false,
    );
    assert.deepEqual(await migrateToLatest(db), fromOn(STAFF_GRANTS));
    const n = await sql<{ n: number | string }>`SELECT count(*) AS n FROM staff_grants`.execute(db);
    assert.equal(Number(n.rows[0]?.n), 0);
    assert.equal((await api.put('/v1/staff/MG-G1', { name: '吴刚', role: 'approver', scope: 'tenant' })).status, 202);
  });

  it('upgrading adds the teams, empty; undoing drops them and keeps an override’s evidence columns', async () => {
    const db = f.db.db;
    const tables = async () => (await db.introspection.getTables()).map((t) => t.name);
    await undoDownTo(db, TEAMS);
    assert.ok(!(await tables()).includes('teams') && !(await tables()).includes('team_books'), 'the teams are gone');
    const overrides = (await db.introspection.getTables()).find((t) => t.name === 'overrides');
    assert.ok(
      overrides?.columns.some((c) => c.name === 'evidence') && overrides.columns.some((c) => c.name === 'reason_category'),
      'evidence is part of the record and stays',
    );
    assert.deepEqual(await migrateToLatest(db), fromOn(TEAMS));
    const n = await sql<{ n: number | string }>`SELECT count(*) AS n FROM teams`.execute(db);
    assert.equal(Number(n.rows[0]?.n), 0);
    assert.equal((await api.put('/v1/staff/MG-L1', { name: '周敏', role: 'officer', scope: 'book' })).status, 201);
    assert.equal((await api.put('/v1/teams/MG-T1', { name: '一组' })).status, 201);
  });

  it('upgrading lets team grants wait beside grants of powers; undoing drops them and keeps the grants of powers', async () => {
    const db = f.db.db;
    assert.equal((await api.put('/v1/staff/MG-L2', { name: '周敏', role: 'officer', scope: 'book' })).status, 201);
    assert.equal((await api.put('/v1/teams/MG-T2', { name: '二组', lead: 'MG-L2' })).status, 202);
    const powers = async () => Number((await sql<{ n: number | string }>`SELECT count(*) AS n FROM staff_grants`.execute(db)).rows[0]?.n);
    const before = await powers();
    await undoDownTo(db, TEAM_GRANTS);
    const columns = (await db.introspection.getTables()).find((t) => t.name === 'staff_grants')?.columns.map((c) => c.name) ?? [];
    assert.ok(!columns.includes('team_id'), 'the team columns are gone');
    assert.equal(await powers(), before - 1, 'the team grant is gone, the grants of powers stay');
    assert.deepEqual(await migrateToLatest(db), fromOn(TEAM_GRANTS));
    // The lead may have a grant of powers and a team grant waiting at once, one of each.
    assert.equal((await api.put('/v1/teams/MG-T2', { name: '二组', lead: 'MG-L2' })).status, 202);
    assert.equal((await api.put('/v1/staff/MG-L2', { name: '周敏', role: 'approver', scope: 'tenant' })).status, 202);
    assert.equal((await api.put('/v1/teams/MG-T2', { name: '二组', lead: 'MG-L2' })).status, 409);
  });

  it('upgrading adds a version’s pending retirement, none waiting; undoing drops it and the versions stay as they are', async () => {
    const db = f.db.db;
    const columns = async () => (await db.introspection.getTables()).find((t) => t.name === 'policies')?.columns.map((c) => c.name) ?? [];
    await undoDownTo(db, RETIREMENT_REQUESTS);
    assert.ok(!(await columns()).includes('retire_requested_by'), 'the request columns are gone');
    assert.deepEqual(await migrateToLatest(db), fromOn(RETIREMENT_REQUESTS));
    assert.ok((await columns()).includes('retire_request_note'));
    const v1 = (await (await api.get('/v1/policies/retail-tier/versions/1')).json()) as {
      status: string;
      retireRequestHash: string | null;
    };
    assert.equal(v1.retireRequestHash, null, 'nothing waits on a version from before');
    assert.equal(v1.status, 'active');
  });

  it('upgrading adds a version’s maker’s notes, none on a version from before; a draft then keeps its note', async () => {
    const db = f.db.db;
    const columns = async () => (await db.introspection.getTables()).find((t) => t.name === 'policies')?.columns.map((c) => c.name) ?? [];
    await undoDownTo(db, POLICY_NOTES);
    assert.ok(!(await columns()).includes('draft_note'), 'the note columns are gone');
    assert.deepEqual(await migrateToLatest(db), fromOn(POLICY_NOTES));
    const v1 = (await (await api.get('/v1/policies/retail-tier/versions/1')).json()) as {
      draftNote: string | null;
      submitNote: string | null;
    };
    assert.deepEqual([v1.draftNote, v1.submitNote], [null, null]);
    const draft = await api.post('/v1/policies/retail-tier/drafts', { note: '迁移后起草' });
    assert.equal(draft.status, 201);
    const { version, draftNote } = (await draft.json()) as { version: number; draftNote: string | null };
    assert.equal(draftNote, '迁移后起草');
    // The draft goes again: a later case reads retail-tier's versions as upgraded, with none after the first.
    await sql`DELETE FROM policies WHERE scheme = 'retail-tier' AND version = ${version}`.execute(db);
  });

  it('upgrading marks the imports that name their writer per value: one from before still bars its importer from the whole month', async () => {
    const db = f.db.db;
    const columns = async () => (await db.introspection.getTables()).find((t) => t.name === 'imports')?.columns.map((c) => c.name) ?? [];
    await undoDownTo(db, IMPORT_VALUE_WRITERS);
    assert.ok(!(await columns()).includes('value_writers'), 'the column is gone');
    // What the release before recorded: a metrics import of 2025-10 and no writer per value.
    await sql`INSERT INTO imports (id, tenant_id, kind, status, options, file_name, sha256, bytes, rows, rejected_rows, errors,
        written, unchanged, periods, created_by, created_at, finished_at, detail)
      VALUES ('imp_mg_old', 'bank-a', 'metrics', 'succeeded', '{}', 'old.csv', NULL, 0, 1, 0, 0, 1, 0, '["2025-10"]',
        'key:mg-old', '2025-11-01T00:00:00.000Z', '2025-11-01T00:00:01.000Z', NULL)`.execute(db);
    assert.deepEqual(await migrateToLatest(db), fromOn(IMPORT_VALUE_WRITERS));
    await createImport(db, {
      id: 'imp_mg_new',
      tenantId: 'bank-a',
      kind: 'metrics',
      options: {},
      fileName: 'new.csv',
      createdBy: 'key:mg-new',
      createdAt: '2025-11-02T00:00:00.000Z',
      valueWriters: true,
    });
    await sql`UPDATE imports SET periods = '["2025-10"]' WHERE id = 'imp_mg_new'`.execute(db);
    const importers = await metricImportersOf(db, 'bank-a', '2025-10', '2025-12-01T00:00:00.000Z');
    assert.ok(importers.includes('key:mg-old'), 'an import from before names no values: its importer is barred from the month');
    assert.ok(!importers.includes('key:mg-new'), 'an import since is answered for by its writer rows');
    await sql`DELETE FROM imports WHERE id IN ('imp_mg_old', 'imp_mg_new')`.execute(db);
  });

  it('upgrading adds the erasure’s partial indexes on subjects (erased by id, live by name)', async () => {
    const db = f.db.db;
    const names = async () =>
      isPostgres(db)
        ? (await sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'subjects'`.execute(db)).rows.map(
            (r) => r.name,
          )
        : (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'subjects'`.execute(db)).rows.map(
            (r) => r.name,
          );
    const ours = ['subjects_erased_tenant_id_idx', 'subjects_live_tenant_name_idx'];
    await undoDownTo(db, ERASURE_INDEXES);
    assert.deepEqual(
      (await names()).filter((n) => ours.includes(n)),
      [],
    );
    assert.deepEqual(await migrateToLatest(db), fromOn(ERASURE_INDEXES));
    assert.deepEqual((await names()).filter((n) => ours.includes(n)).sort(), ours);
  });

  it('upgrading marks every customer erased before as cleared under no known rules: the next rescrub looks at them', async () => {
    const db = f.db.db;
    await api.customer('MG_ERASED');
    await api.customer('MG_LIVE');
    await undoDownTo(db, ERASURE_RULES_MIGRATION);
    await assert.rejects(sql`SELECT erasure_rules FROM subjects`.execute(db), 'the column is gone');
    // What the release before left: a customer erased, their row blank.
    await sql`UPDATE subjects SET erased_at = '2025-01-01T00:00:00.000Z', display_name = '' WHERE external_id = 'MG_ERASED'`.execute(db);
    assert.deepEqual(await migrateToLatest(db), fromOn(ERASURE_RULES_MIGRATION));
    const rules = await db
      .selectFrom('subjects')
      .select(['external_id', 'erasure_rules'])
      .where('external_id', 'in', ['MG_ERASED', 'MG_LIVE'])
      .orderBy('external_id')
      .execute();
    assert.deepEqual(
      rules.map((r) => [r.external_id, Number(r.erasure_rules)]),
      [
        ['MG_ERASED', 0],
        ['MG_LIVE', 0],
      ],
    );
    const walk = await erasedSubjectsAfter(db, 'bank-a', 500);
    assert.deepEqual(
      walk.map((s) => s.number),
      ['MG_ERASED'],
      'the rescrub looks at the customer erased before, and only at them',
    );
    await sql`DELETE FROM subjects WHERE external_id IN ('MG_ERASED', 'MG_LIVE')`.execute(db);
  });

  it('upgrading adds the closing requests, empty; a closing dated years back then waits for a second person', async () => {
    const db = f.db.db;
    const tables = async () => (await db.introspection.getTables()).map((t) => t.name);
    await undoDownTo(db, CLOSING_REQUESTS);
    assert.ok(!(await tables()).includes('closing_requests'), 'the requests are gone');
    assert.deepEqual(await migrateToLatest(db), fromOn(CLOSING_REQUESTS));
    const n = await sql<{ n: number | string }>`SELECT count(*) AS n FROM closing_requests`.execute(db);
    assert.equal(Number(n.rows[0]?.n), 0);
    assert.equal((await api.put('/v1/subjects/MG_CLR', { kind: 'customer', displayName: '迁移' })).status, 201);
    // Known to the bank since 2018 and quiet since: the date would start its retention clock years back.
    await db.updateTable('subjects').set({ created_at: '2018-01-10T02:00:00.000Z' }).where('external_id', '=', 'MG_CLR').execute();
    const filed = await api.post('/v1/subjects/MG_CLR/close', { reason: '迁移', at: '2024-01-01T00:00:00Z', late: true });
    assert.equal(filed.status, 202, await filed.clone().text());
    await sql`DELETE FROM closing_requests`.execute(db);
  });

  it('upgrading adds the metric audience requests, empty; an admin’s lowering then waits for a second admin', async () => {
    const db = f.db.db;
    const tables = async () => (await db.introspection.getTables()).map((t) => t.name);
    await undoDownTo(db, METRIC_AUDIENCE_REQUESTS);
    assert.ok(!(await tables()).includes('metric_audience_requests'), 'the requests are gone');
    assert.deepEqual(await migrateToLatest(db), fromOn(METRIC_AUDIENCE_REQUESTS));
    const n = await sql<{ n: number | string }>`SELECT count(*) AS n FROM metric_audience_requests`.execute(db);
    assert.equal(Number(n.rows[0]?.n), 0);
    const entry = { unit: 'count', label: { 'zh-CN': '迁移', 'zh-TW': '遷移', en: 'migration' }, audience: 'staff' };
    assert.equal((await api.post('/v1/metrics', { key: 'mg_audience', ...entry })).status, 201);
    assert.equal((await api.put('/v1/metrics/mg_audience', { ...entry, audience: 'customer', reason: '迁移' })).status, 202);
  });

  it('upgrading gives metric audience requests a reason: one filed before reads as none; new ones carry theirs', async () => {
    const db = f.db.db;
    const columns = async () =>
      (await db.introspection.getTables()).find((t) => t.name === 'metric_audience_requests')?.columns.map((c) => c.name) ?? [];
    const entry = { unit: 'count', label: { 'zh-CN': '理由', 'zh-TW': '理由', en: 'reason' }, audience: 'staff' };
    assert.equal((await api.post('/v1/metrics', { key: 'mg_reason', ...entry })).status, 201);
    await undoDownTo(db, AUDIENCE_REQUEST_REASON);
    assert.ok(!(await columns()).includes('reason'), 'the column is gone');
    // What the release before filed: a request with no reason.
    const def = { key: 'mg_reason', unit: 'count', label: entry.label };
    await sql`INSERT INTO metric_audience_requests (id, tenant_id, metric, before, after, status, content_hash, requested_by, requested_at, expires_at)
      VALUES ('mar_mg_old', 'bank-a', 'mg_reason', ${JSON.stringify({ ...def, audience: 'staff' })}, ${JSON.stringify(def)}, 'withdrawn',
        'sha256:old', 'key:old', '2025-11-01T00:00:00.000Z', '2025-11-08T00:00:00.000Z')`.execute(db);
    assert.deepEqual(await migrateToLatest(db), fromOn(AUDIENCE_REQUEST_REASON));
    assert.ok((await columns()).includes('reason'));
    const all = (await (await api.get('/v1/metric-audience-requests?status=all')).json()) as {
      items: { id: string; reason: string | null }[];
    };
    assert.equal(all.items.find((r) => r.id === 'mar_mg_old')?.reason, null);
    const filed = await api.put('/v1/metrics/mg_reason', { ...entry, audience: 'customer', reason: '迁移后' });
    assert.equal(filed.status, 202, await filed.clone().text());
    assert.equal(((await filed.json()) as { request: { reason: string } }).request.reason, '迁移后');
  });

  it('upgrading splits the trail’s personal fields from the switch point on: one system record per chain, old records verify as before', async () => {
    const db = f.db.db;
    await api.customer('MG-AP1');
    await undoDownTo(db, AUDIT_PERSONAL);
    // The undo keeps the side table (and the digests the earlier cases' records were sealed with): take the
    // table away, so the upgrade runs as on a database of a release before it. Those records verify as erased ones do.
    await db.schema.dropTable('audit_personal').execute();
    const before = (await sql<{ seq: number }>`SELECT max(seq) AS seq FROM audit_records WHERE chain = 'bank-a'`.execute(db)).rows[0]?.seq;
    assert.deepEqual(await migrateToLatest(db), fromOn(AUDIT_PERSONAL));
    const { items } = (await (await api.get(`/v1/audit?route=${AUDIT_PERSONAL}&limit=5`)).json()) as {
      items: { seq: number; actor: string; detail: unknown }[];
    };
    assert.deepEqual(
      items.map((r) => [r.seq, r.actor, r.detail]),
      [[Number(before) + 1, 'system:migration', { auditPersonal: 'split', recordsBefore: Number(before) }]],
    );
    await api.customer('MG-AP2');
    const side = await db.selectFrom('audit_personal').select('subject').where('chain', '=', 'bank-a').execute();
    assert.ok(side.length > 0 && side.every((r) => r.subject === 'MG-AP2'), 'only records after the switch are split');
    const verified = (await (await api.get('/v1/audit/verify')).json()) as { ok: boolean; problems: unknown[] };
    assert.deepEqual(verified.problems, []);
  });

  it('upgrading names the side rows a retention run of the release before deleted: they verify as erased, one deleted after fails', async () => {
    const db = f.db.db;
    await api.customer('MG-AE1');
    await api.customer('MG-AE2');
    const sideOf = async (subject: string) =>
      (await db.selectFrom('audit_personal').select('seq').where('chain', '=', 'bank-a').where('subject', '=', subject).execute()).map(
        (r) => r.seq,
      );
    const [erasedBefore] = await sideOf('MG-AE1');
    assert.ok(erasedBefore !== undefined);
    // What a run of the release before left: a side row gone, and no record naming it.
    await db.deleteFrom('audit_personal').where('chain', '=', 'bank-a').where('subject', '=', 'MG-AE1').execute();
    await undoDownTo(db, AUDIT_ERASURES);
    assert.deepEqual(await migrateToLatest(db), fromOn(AUDIT_ERASURES));
    const { items } = (await (await api.get(`/v1/audit?route=${AUDIT_ERASURES}&limit=5`)).json()) as {
      items: { actor: string; detail: { erasedAuditSeqs: string } }[];
    };
    // The newest: an earlier case's upgrade (its side table dropped) was named by an earlier run of it.
    assert.equal(items[0]?.actor, 'system:migration');
    const named = new Set<number>();
    readErasedSeqs(items[0]?.detail.erasedAuditSeqs, named);
    assert.ok(named.has(erasedBefore), `${items[0]?.detail.erasedAuditSeqs} names record ${erasedBefore}`);
    const verified = async () =>
      (await (await api.get('/v1/audit/verify')).json()) as { ok: boolean; problems: { seq: number; kind: string }[] };
    assert.deepEqual((await verified()).problems, []);
    const [byHand] = await sideOf('MG-AE2');
    assert.ok(byHand !== undefined);
    const row = await db
      .selectFrom('audit_personal')
      .selectAll()
      .where('chain', '=', 'bank-a')
      .where('seq', '=', byHand)
      .executeTakeFirstOrThrow();
    await db.deleteFrom('audit_personal').where('chain', '=', 'bank-a').where('seq', '=', byHand).execute();
    assert.deepEqual(
      (await verified()).problems.map((p) => [p.seq, p.kind]),
      [[byHand, 'personal-deleted']],
    );
    await db.insertInto('audit_personal').values(row).execute();
    assert.deepEqual((await verified()).problems, []);
  });

  it('upgrading splits lists from then on: a list written before keeps and reads its numbers and verifies; the entries table comes anew', async () => {
    const db = f.db.db;
    await api.customer('MG-AL1', '迁移列表');
    await api.customer('MG-AL2', '迁移列表');
    const kept = await db.selectFrom('audit_listed').selectAll().execute();
    await undoDownTo(db, AUDIT_LISTED);
    // A database of the release before: no entries table, and a book move recorded with its numbers in the record.
    await db.schema.dropTable('audit_listed').execute();
    const fields = {
      at: new Date().toISOString(),
      request_id: 'mg-al-old',
      phase: 'change',
      actor: 'key:old',
      credential: 'key',
      method: 'POST',
      route: '/v1/subject-managers',
      target: JSON.stringify({ moves: '2' }),
      status: null,
      problem: null,
      unmasked: 0,
      detail: JSON.stringify({
        moves: [
          { subject: 'MG-AL1', from: '', to: 'RM1' },
          { subject: 'MG-AL2', from: '', to: 'RM1' },
        ],
      }),
    };
    const old = await appendAuditRecord(db, 'bank-a', fields, (seq, prevHash) =>
      auditHash({ chain: 'bank-a', seq, prev_hash: prevHash, ...fields }),
    );
    assert.deepEqual(await migrateToLatest(db), fromOn(AUDIT_LISTED));
    if (kept.length) await db.insertInto('audit_listed').values(kept).execute();
    const found = (await (await api.get('/v1/audit?target=MG-AL1&limit=10')).json()) as {
      items: { seq: number; detail: { moves: { subject: string }[] }; listed?: unknown }[];
    };
    const read = found.items.find((r) => r.seq === old.seq);
    assert.deepEqual(
      read?.detail.moves.map((m) => m.subject),
      ['MG-AL1', 'MG-AL2'],
      'the record written before reads as written',
    );
    assert.equal(read?.listed, undefined, 'it lists no digest');
    // A list read from now on is split: its entries are rows of the new table.
    assert.equal((await api.get(`/v1/subjects?name=${encodeURIComponent('迁移列表')}`)).status, 200);
    const rows = await db.selectFrom('audit_listed').select('subject').where('chain', '=', 'bank-a').execute();
    assert.ok(
      rows.some((r) => r.subject === 'MG-AL1'),
      'a new list read’s entries are kept apart',
    );
    const verified = (await (await api.get('/v1/audit/verify')).json()) as { ok: boolean; problems: unknown[] };
    assert.deepEqual(verified.problems, []);
  });

  it('upgrading a trail made anew drops entries of records that are gone, which the new records’ seqs would take', async () => {
    const db = f.db.db;
    await undoDownTo(db, AUDIT_LISTED);
    await db.insertInto('audit_listed').values({ chain: 'bank-a', seq: 99_999_999, pos: 0, subject: 'MG-AL9', salt: 'x' }).execute();
    assert.deepEqual(await migrateToLatest(db), fromOn(AUDIT_LISTED));
    const left = await db.selectFrom('audit_listed').select('seq').where('subject', '=', 'MG-AL9').execute();
    assert.deepEqual(left, []);
  });

  it('upgrading adds when staff were disabled: everyone on staff before works on; undoing it forgets no leaver', async () => {
    const db = f.db.db;
    assert.equal((await api.put('/v1/staff/MG-S7', { name: '孙丽', role: 'officer', scope: 'book' })).status, 201);
    assert.equal((await api.put('/v1/staff/MG-S8', { name: '钱进', role: 'viewer', scope: 'book' })).status, 201);
    await disableStaff(db, 'bank-a', 'MG-S8', new Date());
    await undoDownTo(db, STAFF_DISABLED);
    const kept = await sql<{
      id: string;
      disabled_at: string | null;
    }>`SELECT id, disabled_at FROM staff WHERE id IN ('MG-S7', 'MG-S8') ORDER BY id`.execute(db);
    assert.deepEqual(
      kept.rows.map((r) => [r.id, r.disabled_at !== null]),
      [
        ['MG-S7', false],
        ['MG-S8', true],
      ],
      'the leaver is still marked',
    );
    assert.deepEqual(await migrateToLatest(db), fromOn(STAFF_DISABLED));
    const staff = async (id: string) => ((await (await api.get(`/v1/staff/${id}`)).json()) as { disabledAt: string | null }).disabledAt;
    assert.equal(await staff('MG-S7'), null);
    assert.ok(await staff('MG-S8'));
  });

  it('upgrading clears the English month notes of tier events (the month is their period, worded by each reader); a person’s note stays', async () => {
    await api.customer('MG12');
    assert.equal((await api.balances('MG12', [['2025-08', 150_000]])).status, 200);
    assert.equal(
      (
        await api.balances('MG12', [
          ['2025-09', 900_000],
          ['2025-10', 900_000],
        ])
      ).status,
      200,
    );
    const history = async () =>
      ((await (await api.get('/v1/subjects/MG12/history?scheme=retail-tier')).json()) as HistoryResponse).items.map((e) => [
        e.to,
        e.period,
        (e as { note?: string | null }).note ?? null,
      ]);
    // A catch-up run stores no sentence for its months now.
    assert.deepEqual(await history(), [
      ['platinum', '2025-09', null],
      ['gold', '2025-08', null],
    ]);
    // Written by this build before the schema goes back: this build's writes need the columns of later migrations.
    await api.customer('MG13');
    assert.equal(
      (
        await api.balances('MG13', [
          ['2025-08', 150_000],
          ['2025-09', 900_000],
        ])
      ).status,
      200,
    );
    const db = f.db.db;
    await undoDownTo(db, EVENT_NOTES_PERIOD);
    // What the release before wrote: the month in English — an override re-dated to the month it was
    // decided in said so, and a period written wrong beside it takes the note's — and a person's note.
    const ids = sql`(SELECT id FROM subjects WHERE external_id = 'MG12')`;
    await sql`UPDATE tier_events SET note = 'decided in 2025-11', period = '2025-10' WHERE subject_id IN ${ids} AND to_level = 'gold'`.execute(
      db,
    );
    await sql`UPDATE tier_events SET note = '客户经理备注' WHERE subject_id IN ${ids} AND to_level = 'platinum'`.execute(db);
    await sql`UPDATE tier_events SET note = 'evaluated ' || period WHERE subject_id IN (SELECT id FROM subjects WHERE external_id = 'MG13')`.execute(
      db,
    );
    assert.deepEqual(await migrateToLatest(db), fromOn(EVENT_NOTES_PERIOD));
    assert.deepEqual(await history(), [
      ['platinum', '2025-09', '客户经理备注'],
      ['gold', '2025-11', null],
    ]);
    const other = ((await (await api.get('/v1/subjects/MG13/history?scheme=retail-tier')).json()) as HistoryResponse).items;
    assert.ok(other.length > 0);
    assert.ok(
      other.every((e) => ((e as { note?: string | null }).note ?? null) === null),
      JSON.stringify(other),
    );
  });

  it('upgrading gives level sign-offs a proposed level, empty for those before (sign-offs of a level entered); undoing drops it', async () => {
    const db = f.db.db;
    await undoDownTo(db, LOWERING_SIGN_OFFS);
    await assert.rejects(sql`SELECT proposed_level FROM level_approvals`.execute(db));
    await api.customer('MG20');
    await sql`INSERT INTO level_approvals (id, tenant_id, subject_id, scheme, level, from_level, period, policy_version, requested_by,
        requested_at, status, content_hash) SELECT 'lvl_mig', tenant_id, id, 'aml-risk', 'high', NULL, '2025-10', 1, 'system',
        '2025-11-01T00:00:00.000Z', 'approved', 'sha256:x' FROM subjects WHERE external_id = 'MG20'`.execute(db);
    assert.deepEqual(await migrateToLatest(db), fromOn(LOWERING_SIGN_OFFS));
    const row = await sql<{ proposed_level: string | null; proposal: string | null }>`SELECT proposed_level, proposal
      FROM level_approvals WHERE id = 'lvl_mig'`.execute(db);
    assert.deepEqual(row.rows, [{ proposed_level: null, proposal: null }]);
    await sql`DELETE FROM level_approvals WHERE id = 'lvl_mig'`.execute(db);
    // Overrides are not lowering requests: the column is level_approvals' alone, and the typed schema
    // must say so, or a query of it compiles and fails on either database.
    // @ts-expect-error overrides has no proposed_level
    await assert.rejects(db.selectFrom('overrides').select('proposed_level').execute());
  });

  it('upgrading adds the real date of a closing learnt late; a closing from before reads as it did; undoing it forgets no date', async () => {
    const db = f.db.db;
    await api.customer('MG8');
    await api.customer('MG9');
    assert.equal((await api.post('/v1/subjects/MG8/close', { at: '2025-09-20T00:00:00Z', reason: '补录', late: true })).status, 200);
    await undoDownTo(db, CLOSING_LEFT_AT);
    const kept = await sql<{ left_at: string | null }>`SELECT left_at FROM subjects WHERE external_id = 'MG8'`.execute(db);
    assert.equal(kept.rows[0]?.left_at, '2025-09-20T00:00:00.000Z', 'the real date is still recorded');
    // A closing written by a release before this one, which knew no real date.
    await sql`UPDATE subjects SET closed_at = '2025-11-01T00:00:00.000Z', closed_reason = '销户' WHERE external_id = 'MG9'`.execute(db);
    assert.deepEqual(await migrateToLatest(db), fromOn(CLOSING_LEFT_AT));
    const only = (await (await api.get('/v1/subjects?q=MG&closed=only')).json()) as {
      items: { id: string; closedAt?: string; leftAt?: string }[];
    };
    assert.deepEqual(
      only.items.filter((s) => s.id === 'MG8' || s.id === 'MG9').map((s) => [s.id, s.closedAt, s.leftAt]),
      [
        ['MG8', '2025-09-30T16:00:00.000Z', '2025-09-20T00:00:00.000Z'],
        ['MG9', '2025-11-01T00:00:00.000Z', undefined],
      ],
    );
  });

  it('upgrading names the closing that withdrew each request and sign-off, by the rule of the release before; steps answer as they did', async () => {
    const db = f.db.db;
    const request = async (id: string) => {
      const res = await api.post(`/v1/subjects/${id}/overrides`, {
        scheme: 'retail-tier',
        level: 'gold',
        mode: 'fixed',
        reason: '留存',
        expiresAt: null,
      });
      assert.equal(res.status, 201, await res.clone().text());
      return ((await res.json()) as { id: string }).id;
    };
    const withdraw = async (id: string) => {
      const res = await api.post(`/v1/overrides/${id}/withdraw`, {});
      const body = (await res.json()) as { errors?: { code?: string }[] };
      return [res.status, (body.errors ?? []).map((e) => e.code)];
    };
    const decide = async (id: string, contentHash: string) => {
      const res = await api.post(`/v1/subjects/${id}/levels/aml-test/approve`, { contentHash });
      const body = (await res.json()) as { errors?: { code?: string }[] };
      return [res.status, (body.errors ?? []).map((e) => e.code)];
    };
    const subjectId = async (external: string) => {
      const row = (await sql<{ id: string }>`SELECT id FROM subjects WHERE external_id = ${external} AND tenant_id = 'bank-a'`.execute(db))
        .rows[0];
      assert.ok(row, external);
      return row.id;
    };
    await api.customer('MGA');
    await api.customer('MGB');
    await api.customer('MGC');
    const byPerson = await request('MGA');
    assert.equal((await api.post(`/v1/overrides/${byPerson}/withdraw`, { note: 'customer closed' })).status, 200);
    const byClosing = await request('MGA');
    // A sign-off waiting on MGA's high grade, which the closing withdraws with the request (the test
    // pack asks for none, so it is stored as an evaluation would have opened it).
    const signOffHash = `sha256:${'0'.repeat(64)}`;
    await sql`INSERT INTO level_approvals (id, tenant_id, subject_id, scheme, level, from_level, period, policy_version,
        requested_by, requested_at, status, content_hash)
      VALUES ('lvl_mg_closed', 'bank-a', ${await subjectId('MGA')}, 'aml-test', 'high', 'low', '2025-10', 1, 'system',
        '2025-11-01T00:00:00.000Z', 'pending', ${signOffHash})`.execute(db);
    assert.equal((await api.post('/v1/subjects/MGA/close', { reason: '销户' })).status, 200);
    const byEarlier = await request('MGB');
    assert.equal((await api.post('/v1/subjects/MGB/close', { reason: '销户' })).status, 200);
    assert.equal((await api.post('/v1/subjects/MGB/reopen', {})).status, 200);
    assert.equal((await api.post('/v1/subjects/MGB/close', { reason: '销户' })).status, 200);
    // Closed, reopened and closed again in one instant (the app's clock stands still): both closings of
    // MGC were recorded when the first withdrew the request, so the old rule cannot tell them apart. The
    // second is dated back to the start of the month, so the reopened one is the later by closed_at too.
    const atOneInstant = await request('MGC');
    assert.equal((await api.post('/v1/subjects/MGC/close', { reason: '销户' })).status, 200);
    assert.equal((await api.post('/v1/subjects/MGC/reopen', {})).status, 200);
    assert.equal((await api.post('/v1/subjects/MGC/close', { reason: '销户', at: '2025-10-31T16:00:00.000Z' })).status, 200);
    await undoDownTo(db, CLOSING_WITHDRAWALS);
    // As a release before this one left them: no closing ids, no markers; the person withdrew a minute
    // before the closing (with its note), the earlier closing of MGB was recorded a minute before its reopening.
    await sql`UPDATE subject_closings SET id = NULL`.execute(db);
    await sql`UPDATE overrides SET withdrawn_by_closing = NULL`.execute(db);
    await sql`UPDATE level_approvals SET withdrawn_by_closing = NULL`.execute(db);
    const earlier = '2025-11-30T23:59:00.000Z';
    await sql`UPDATE overrides SET decided_at = ${earlier} WHERE id IN (${byPerson}, ${byEarlier})`.execute(db);
    await sql`UPDATE subject_closings SET recorded_at = ${earlier}
      WHERE reopened_at IS NOT NULL AND subject_id = (SELECT id FROM subjects WHERE external_id = 'MGB')`.execute(db);
    assert.deepEqual(await migrateToLatest(db), fromOn(CLOSING_WITHDRAWALS));

    const ids = await sql<{ id: string | null }>`SELECT id FROM subject_closings`.execute(db);
    assert.ok(ids.rows.length >= 3);
    assert.ok(
      ids.rows.every((r) => r.id !== null),
      'every closing has an id',
    );
    assert.equal(new Set(ids.rows.map((r) => r.id)).size, ids.rows.length, 'each its own');
    const named = await sql<{ id: string; closing: string | null; reopened_at: string | null }>`SELECT o.id, c.id AS closing, c.reopened_at
      FROM overrides o LEFT JOIN subject_closings c ON c.id = o.withdrawn_by_closing WHERE o.id IN (${byPerson}, ${byClosing}, ${byEarlier}, ${atOneInstant})`.execute(
      db,
    );
    const of = (id: string) => named.rows.find((r) => r.id === id);
    assert.equal(of(byPerson)?.closing, null, 'a person withdrew it before the closing');
    assert.ok(of(byClosing)?.closing, 'the closing withdrew it');
    assert.equal(of(byClosing)?.reopened_at, null, 'the closing MGA is under');
    assert.ok(of(byEarlier)?.closing && of(byEarlier)?.reopened_at, 'the closing MGB was reopened from');
    // Two closings recorded at its instant: the one MGC is still under, as the old rule read it.
    assert.ok(of(atOneInstant)?.closing, 'a closing withdrew it');
    assert.equal(of(atOneInstant)?.reopened_at, null, 'the closing MGC is under, not the one it was reopened from');
    const signOff = await sql<{ closing: string | null; reopened_at: string | null; subject_id: string | null }>`SELECT c.id AS closing,
        c.reopened_at, c.subject_id FROM level_approvals a LEFT JOIN subject_closings c ON c.id = a.withdrawn_by_closing
      WHERE a.id = 'lvl_mg_closed'`.execute(db);
    assert.deepEqual(signOff.rows, [{ closing: of(byClosing)?.closing, reopened_at: null, subject_id: await subjectId('MGA') }]);
    // Only what the closing the customer is under withdrew says so, as before the upgrade.
    assert.deepEqual(await withdraw(byClosing), [409, ['subject_closed']]);
    assert.deepEqual(await decide('MGA', signOffHash), [409, ['subject_closed']]);
    assert.deepEqual(await withdraw(atOneInstant), [409, ['subject_closed']]);
    // What a person or an earlier closing withdrew is settled: where it stands (already_decided, since s33-gov).
    assert.deepEqual(await withdraw(byPerson), [409, ['already_decided']]);
    assert.deepEqual(await withdraw(byEarlier), [409, ['already_decided']]);
    assert.deepEqual(await migrateToLatest(db), [], 'a second run has nothing to do');
  });

  it('upgrading adds the closing of a customer; undoing it forgets no closing, and upgrading again keeps it', async () => {
    const db = f.db.db;
    await api.customer('MG6');
    assert.equal((await api.post('/v1/subjects/MG6/close', { at: '2025-11-01T00:00:00Z', reason: '销户' })).status, 200);
    await undoDownTo(db, SUBJECT_CLOSING);
    const kept = await sql<{ closed_at: string | null }>`SELECT closed_at FROM subjects WHERE external_id = 'MG6'`.execute(db);
    assert.equal(kept.rows[0]?.closed_at, '2025-11-01T00:00:00.000Z', 'the closing is still recorded');
    assert.deepEqual(await migrateToLatest(db), fromOn(SUBJECT_CLOSING));
    const only = (await (await api.get('/v1/subjects?q=MG6&closed=only')).json()) as { items: { id: string; closedAt?: string }[] };
    assert.deepEqual(
      only.items.map((s) => [s.id, s.closedAt]),
      [['MG6', '2025-11-01T00:00:00.000Z']],
    );
    // Every closing is kept with its reopening, the months' figures read from there.
    const periods = await sql<{ closed_at: string; reopened_at: string | null }>`SELECT c.closed_at, c.reopened_at
      FROM subject_closings c JOIN subjects s ON s.id = c.subject_id WHERE s.external_id = 'MG6'`.execute(db);
    assert.deepEqual(periods.rows, [{ closed_at: '2025-11-01T00:00:00.000Z', reopened_at: null }]);
  });

  it('upgrading gives policy versions a lifecycle: the provisioned ones stay in force from the beginning, drafts can follow', async () => {
    const db = f.db.db;
    await undoDownTo(db, POLICY_LIFECYCLE);
    await assert.rejects(sql`SELECT content_hash FROM policies`.execute(db), 'the column is gone');
    assert.deepEqual(await migrateToLatest(db), fromOn(POLICY_LIFECYCLE));
    const res = await api.get('/v1/policies/retail-tier/versions');
    assert.equal(res.status, 200);
    const { items } = (await res.json()) as {
      items: { version: number; status: string; effectiveFrom: string | null; authors: string[] }[];
    };
    assert.deepEqual(
      items.map((v) => [v.version, v.status, v.effectiveFrom, v.authors]),
      [[1, 'active', null, []]],
    );
    assert.equal((await api.post('/v1/policies/retail-tier/drafts', {})).status, 201, 'a draft of the upgraded version');
  });

  it('upgrading adds the imports tables; undoing them leaves the metrics they loaded', async () => {
    await api.customer('MG4');
    const res = await f.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${f.keys.a}` },
      body: 'subject,metric,period,value\nMG4,avg_daily_balance,2025-10,100',
    });
    assert.equal(res.status, 201);
    const db = f.db.db;
    await undoDownTo(db, IMPORTS);
    await assert.rejects(sql`SELECT id FROM imports`.execute(db), 'the table is gone');
    assert.equal((await sql`SELECT value FROM metrics WHERE period = '2025-10' AND value = 100`.execute(db)).rows.length, 1);
    assert.deepEqual(await migrateToLatest(db), fromOn(IMPORTS));
    assert.deepEqual(await (await api.get('/v1/imports')).json(), { items: [], nextCursor: null });
  });

  it('upgrading records the months of metrics already stored, as loaded long ago: a re-tier of one is accepted at once', async () => {
    await api.customer('MG5');
    assert.equal((await api.balances('MG5', [['2025-07', 60_000]])).status, 200);
    const db = f.db.db;
    await undoDownTo(db, METRIC_PERIODS);
    await assert.rejects(sql`SELECT period FROM metric_periods`.execute(db), 'the table is gone');
    assert.deepEqual(await migrateToLatest(db), fromOn(METRIC_PERIODS));
    const july = await sql<{ last_written_at: string }>`SELECT last_written_at FROM metric_periods
      WHERE tenant_id = 'bank-a' AND period = '2025-07' AND metric = 'avg_daily_balance'`.execute(db);
    assert.deepEqual(july.rows, [{ last_written_at: '1970-01-01T00:00:00.000Z' }]);
    assert.equal(
      Number((await sql<{ n: number }>`SELECT count(*) AS n FROM metric_periods WHERE period = '2025-06'`.execute(db)).rows[0]?.n),
      0,
    );
    assert.equal((await api.post('/v1/jobs', { kind: 'retier', period: '2025-07', filter: { subjects: ['MG5'] } })).status, 201);
    assert.equal((await api.post('/v1/jobs', { kind: 'retier', period: '2025-06' })).status, 422);
  });

  it('upgrading numbers metric writes and jobs from then on; writes from before stay unnumbered, and undoing it keeps the data', async () => {
    await api.customer('MG9');
    assert.equal((await api.balances('MG9', [['2025-05', 60_000]])).status, 200);
    const db = f.db.db;
    await undoDownTo(db, WRITE_SEQUENCE);
    await assert.rejects(sql`SELECT last_write_seq FROM metric_periods`.execute(db), 'the column is gone');
    await assert.rejects(sql`SELECT retiered FROM imports`.execute(db), 'the column is gone');
    assert.deepEqual(await migrateToLatest(db), fromOn(WRITE_SEQUENCE));
    const may = async () =>
      (
        await sql<{ seq: number | string | null }>`SELECT last_write_seq AS seq FROM metric_periods
      WHERE tenant_id = 'bank-a' AND period = '2025-05' AND metric = 'avg_daily_balance'`.execute(db)
      ).rows[0]?.seq;
    assert.equal(await may(), null, 'written before the sequence');
    // A whole-book re-tier of the month: the first write after it is always recorded.
    assert.equal((await api.post('/v1/jobs', { kind: 'retier', period: '2025-05' })).status, 201);
    assert.equal((await api.balances('MG9', [['2025-05', 70_000]])).status, 200);
    const job = (await sql<{ seq: number | string | null }>`SELECT max(write_seq) AS seq FROM jobs`.execute(db)).rows[0]?.seq;
    assert.ok(job !== null && job !== undefined, 'the job is numbered');
    assert.ok(Number(await may()) > Number(job), 'the write after it is numbered after it');
  });

  it('upgrading adds the job queue, and undoing it leaves the tiering data alone', async () => {
    const db = f.db.db;
    const subjects = async () => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM subjects`.execute(db)).rows[0]?.n);
    const before = await subjects();
    await undoDownTo(db, JOBS);
    await assert.rejects(sql`SELECT id FROM jobs`.execute(db), 'the table is gone');
    assert.equal(await subjects(), before);
    assert.deepEqual(await migrateToLatest(db), fromOn(JOBS));
    await sql`INSERT INTO jobs (id, tenant_id, kind, status, params, requested_by, total_chunks, total_subjects, created_at, updated_at)
      VALUES ('job_1', 'bank-a', 'retier', 'completed', '{}', 'test', 0, 0, '2025-11-15T04:00:00.000Z', '2025-11-15T04:00:00.000Z')`.execute(
      db,
    );
    assert.equal(Number((await sql<{ n: number }>`SELECT count(*) AS n FROM jobs`.execute(db)).rows[0]?.n), 1);
  });

  it('upgrading keeps one pending sign-off per customer and scheme: the newest of two stays, the other is superseded on its trail', async () => {
    const db = f.db.db;
    await api.customer('MG7');
    await undoDownTo(db, PENDING_SIGN_OFF_UNIQUE);
    const subject = (await sql<{ id: string }>`SELECT id FROM subjects WHERE external_id = 'MG7' AND tenant_id = 'bank-a'`.execute(db))
      .rows[0]?.id;
    assert.ok(subject);
    // Two pending for one scheme, as a re-tier chunk and a metric write could leave them before.
    const signOff = (id: string, level: string, requestedAt: string) =>
      sql`INSERT INTO level_approvals (id, tenant_id, subject_id, scheme, level, from_level, period, policy_version,
          requested_by, requested_at, status, content_hash)
        VALUES (${id}, 'bank-a', ${subject}, 'aml-test', ${level}, 'low', '2025-11', 1, 'system', ${requestedAt}, 'pending', ${`sha256:${id}`})`.execute(
        db,
      );
    await signOff('lvl_dup_older', 'high', '2025-12-01T02:00:00.000Z');
    await signOff('lvl_dup_newer', 'high', '2025-12-01T02:00:01.000Z');
    assert.deepEqual(await migrateToLatest(db), fromOn(PENDING_SIGN_OFF_UNIQUE));
    const rows = await sql<{ id: string; status: string; decided_by: string | null }>`SELECT id, status, decided_by
      FROM level_approvals WHERE subject_id = ${subject} ORDER BY id`.execute(db);
    assert.deepEqual(
      rows.rows.map((r) => [r.id, r.status, r.decided_by]),
      [
        ['lvl_dup_newer', 'pending', null],
        ['lvl_dup_older', 'superseded', 'system'],
      ],
    );
    const trail = await sql<{
      request_id: string;
      action: string;
      actor: string;
      note: string | null;
    }>`SELECT request_id, action, actor, note
      FROM approval_decisions WHERE subject_id = ${subject}`.execute(db);
    assert.deepEqual(trail.rows, [
      { request_id: 'lvl_dup_older', action: 'superseded', actor: 'system', note: 'superseded by high (2025-11)' },
    ]);
    const pending = (await (await api.get('/v1/subjects/MG7/levels/aml-test/approval')).json()) as { id: string };
    assert.equal(pending.id, 'lvl_dup_newer');
    // The database now refuses a second pending one; a decided one beside it is fine.
    await assert.rejects(signOff('lvl_dup_third', 'high', '2025-12-01T02:00:02.000Z'));
    await sql`UPDATE level_approvals SET status = 'approved' WHERE id = 'lvl_dup_newer'`.execute(db);
    await signOff('lvl_dup_third', 'high', '2025-12-01T02:00:02.000Z');
  });

  it('upgrading supersedes a sign-off pending for a level its customer no longer has, on its trail, and clears the flag', async () => {
    const db = f.db.db;
    await api.customer('MGS1');
    await api.customer('MGS2');
    await undoDownTo(db, STALE_SIGN_OFFS);
    const idOf = async (ext: string) =>
      (await sql<{ id: string }>`SELECT id FROM subjects WHERE external_id = ${ext} AND tenant_id = 'bank-a'`.execute(db)).rows[0]?.id;
    const assignment = (subject: string, level: string) =>
      sql`INSERT INTO assignments (tenant_id, subject_id, scheme, level, rank, periods_below, base_level, base_periods_below,
          previous_level, explanation, progress, retention, approval_required, policy_version, period, evaluated_at)
        VALUES ('bank-a', ${subject}, 'aml-test', ${level}, 0, 0, ${level}, 0, 'high', '{}', NULL, NULL, 1, 1, '2025-11', '2025-12-01T00:00:00.000Z')`.execute(
        db,
      );
    const signOff = (id: string, subject: string) =>
      sql`INSERT INTO level_approvals (id, tenant_id, subject_id, scheme, level, from_level, period, policy_version,
          requested_by, requested_at, status, content_hash)
        VALUES (${id}, 'bank-a', ${subject}, 'aml-test', 'high', 'low', '2024-12', 1, 'system', '2024-12-31T16:00:00.000Z', 'pending', ${`sha256:${id}`})`.execute(
        db,
      );
    const stale = await idOf('MGS1');
    const current = await idOf('MGS2');
    assert.ok(stale && current);
    await assignment(stale, 'low');
    await assignment(current, 'high');
    await signOff('lvl_stale', stale);
    await signOff('lvl_current', current);
    assert.deepEqual(await migrateToLatest(db), fromOn(STALE_SIGN_OFFS));
    const rows = await sql<{ id: string; status: string; decision_note: string | null }>`SELECT id, status, decision_note
      FROM level_approvals WHERE id IN ('lvl_stale', 'lvl_current') ORDER BY id`.execute(db);
    const note = 'superseded by low (2025-11), moved before the upgrade';
    assert.deepEqual(
      rows.rows.map((r) => [r.id, r.status, r.decision_note]),
      [
        ['lvl_current', 'pending', null],
        ['lvl_stale', 'superseded', note],
      ],
    );
    const trail = await sql<{
      request_id: string;
      action: string;
      actor: string;
      note: string | null;
    }>`SELECT request_id, action, actor, note
      FROM approval_decisions WHERE request_id IN ('lvl_stale', 'lvl_current')`.execute(db);
    assert.deepEqual(trail.rows, [{ request_id: 'lvl_stale', action: 'superseded', actor: 'system', note }]);
    const flags = await sql<{ subject_id: string; approval_required: number | boolean }>`SELECT subject_id, approval_required
      FROM assignments WHERE subject_id IN (${stale}, ${current}) AND scheme = 'aml-test'`.execute(db);
    assert.deepEqual(Object.fromEntries(flags.rows.map((r) => [r.subject_id, Number(r.approval_required)])), { [stale]: 0, [current]: 1 });
  });

  it('upgrading overrides inserted before four eyes keeps the approved one in force and leaves the unapproved one pending, approvable by its hash', async () => {
    await api.customer('MG4');
    await api.balances('MG4', [['2025-10', 0]]);
    const db = f.db.db;
    await undoDownTo(db, FOUR_EYES);
    await assert.rejects(sql`SELECT status FROM overrides`.execute(db), 'the column is gone');
    const subject = (await sql<{ id: string }>`SELECT id FROM subjects WHERE external_id = 'MG4' AND tenant_id = 'bank-a'`.execute(db))
      .rows[0]?.id;
    assert.ok(subject);
    const insert = (id: string, level: string, approvedBy: string | null, createdAt: string, revokedAt: string | null) =>
      sql`INSERT INTO overrides (id, tenant_id, subject_id, scheme, level, mode, reason, expires_at, requested_by, approved_by, created_at, revoked_at)
        VALUES (${id}, 'bank-a', ${subject}, 'retail-tier', ${level}, 'fixed', 'legacy', NULL, 'rm-1', ${approvedBy}, ${createdAt}, ${revokedAt})`.execute(
        db,
      );
    await insert('ov-old-approved', 'gold', 'head-1', '2025-11-01T00:00:00.000Z', null);
    await insert('ov-old-revoked', 'diamond', 'head-1', '2025-11-02T00:00:00.000Z', '2025-11-03T00:00:00.000Z');
    await insert('ov-old-pending', 'platinum', null, '2025-11-04T00:00:00.000Z', null);
    // An assignment the engine flagged before four eyes: it must not lose the flag without a sign-off.
    await sql`UPDATE assignments SET approval_required = 1 WHERE subject_id = ${subject} AND scheme = 'aml-test'`.execute(db);
    assert.deepEqual(await migrateToLatest(db), fromOn(FOUR_EYES));
    const signOff = (await (await api.get('/v1/subjects/MG4/levels/aml-test/approval')).json()) as {
      contentHash: string;
      requestedBy: string;
    };
    assert.equal(signOff.requestedBy, 'system', JSON.stringify(signOff));
    const signed = await api.post('/v1/subjects/MG4/levels/aml-test/approve', { contentHash: signOff.contentHash });
    assert.equal(signed.status, 200, await signed.clone().text());

    const status = async (id: string) => (await (await api.get(`/v1/overrides/${id}`)).json()) as { status: string; contentHash: string };
    assert.equal((await status('ov-old-approved')).status, 'approved');
    assert.equal((await status('ov-old-revoked')).status, 'revoked');
    const pending = await status('ov-old-pending');
    assert.equal(pending.status, 'pending');
    assert.match(pending.contentHash, /^sha256:/);
    assert.equal((await api.balances('MG4', [['2025-11', 0]])).status, 200);
    const level = async () =>
      ((await (await api.get('/v1/subjects/MG4/tiers?scheme=retail-tier')).json()) as TiersResponse).assignments[0]?.level;
    assert.equal(await level(), 'gold', 'the approved override is still in force');
    const approved = await api.post('/v1/overrides/ov-old-pending/approve', { contentHash: pending.contentHash });
    assert.equal(approved.status, 200, await approved.clone().text());
    assert.equal(await level(), 'platinum', 'the newest approved override decides');
  });

  it('upgrading gives API keys an owner: every existing key is unowned and still works, and the audit records written before verify', async () => {
    await api.customer('MG7');
    const db = f.db.db;
    await undoDownTo(db, KEY_OWNERS);
    await assert.rejects(sql`SELECT staff_id FROM api_keys`.execute(db), 'the column is gone');
    assert.deepEqual(await migrateToLatest(db), fromOn(KEY_OWNERS));
    const owned = await sql<{ n: number | string }>`SELECT count(*) AS n FROM api_keys WHERE staff_id IS NOT NULL`.execute(db);
    assert.equal(Number(owned.rows[0]?.n), 0);
    await api.customer('MG8');
    const verified = (await (await api.get('/v1/audit/verify')).json()) as { ok: boolean; records: number };
    assert.equal(verified.ok, true, JSON.stringify(verified));
  });

  it('upgrading records who filed each override request as tenant-wide staff: only its requester may withdraw one filed before', async () => {
    await api.customer('MGO');
    const filed = await api.post('/v1/subjects/MGO/overrides', {
      scheme: 'retail-tier',
      level: 'gold',
      mode: 'fixed',
      reason: 'filed before the upgrade',
      expiresAt: null,
    });
    assert.equal(filed.status, 201, await filed.clone().text());
    const { id } = (await filed.json()) as { id: string };
    const db = f.db.db;
    await undoDownTo(db, OVERRIDE_REQUESTER_SCOPE);
    await assert.rejects(sql`SELECT requester_scope FROM overrides`.execute(db), 'the column is gone');
    assert.deepEqual(await migrateToLatest(db), fromOn(OVERRIDE_REQUESTER_SCOPE));
    const scopes = await sql<{ requester_scope: string }>`SELECT DISTINCT requester_scope FROM overrides`.execute(db);
    assert.deepEqual(
      scopes.rows.map((r) => r.requester_scope),
      ['tenant'],
    );
    const read = (await (await api.get(`/v1/overrides/${id}`)).json()) as { status: string; mayWithdraw: boolean };
    assert.deepEqual([read.status, read.mayWithdraw], ['pending', true], 'its requester still may');
  });

  it('upgrading gives import row errors a code: errors stored before read as their message alone, new ones carry code and params', async () => {
    await api.customer('MG9');
    const upload = () =>
      f.app.request('/v1/imports?kind=metrics&amounts=fen', {
        method: 'POST',
        headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${f.keys.a}` },
        body: 'subject,metric,period,value\nMG0,avg_daily_balance,2025-10,100',
      });
    const db = f.db.db;
    await undoDownTo(db, IMPORT_ROW_CODES);
    await assert.rejects(sql`SELECT code FROM import_errors`.execute(db), 'the column is gone');
    // An import stored by the release before: its error row has no code to write.
    await sql`INSERT INTO imports (id, tenant_id, kind, status, options, rows, rejected_rows, errors, created_by, created_at, finished_at)
      VALUES ('imp_old', 'bank-a', 'metrics', 'failed', '{}', 1, 1, 1, 'test', '2025-11-15T04:00:00.000Z', '2025-11-15T04:00:00.000Z')`.execute(
      db,
    );
    await sql`INSERT INTO import_errors (import_id, seq, line, column_name, message)
      VALUES ('imp_old', 0, 2, 'subject', 'no subject "MG0" in this tenant; import it first')`.execute(db);
    assert.deepEqual(await migrateToLatest(db), fromOn(IMPORT_ROW_CODES));
    const old = await api.get('/v1/imports/imp_old');
    assert.equal(old.status, 200, await old.clone().text());
    assert.deepEqual(((await old.json()) as { errors: { items: unknown[] } }).errors.items, [
      { line: 2, column: 'subject', message: 'no subject "MG0" in this tenant; import it first' },
    ]);
    const fresh = await upload();
    assert.equal(fresh.status, 422);
    const stored = await api.get(fresh.headers.get('Location') ?? '');
    assert.deepEqual(((await stored.json()) as { errors: { items: unknown[] } }).errors.items, [
      {
        line: 2,
        column: 'subject',
        message: 'no subject "MG0" in this tenant; import it first',
        code: 'unknown_subject',
        params: { subject: 'MG0' },
      },
    ]);
  });

  it('upgrading adds staff and books: an existing database starts with no staff, and books work at once', async () => {
    await api.customer('MG4');
    const db = f.db.db;
    await undoDownTo(db, STAFF_BOOKS);
    await assert.rejects(sql`SELECT id FROM staff`.execute(db), 'the table is gone');
    assert.deepEqual(await migrateToLatest(db), fromOn(STAFF_BOOKS));
    assert.deepEqual(((await (await api.get('/v1/staff')).json()) as { items: unknown[] }).items, []);
    assert.equal((await api.put('/v1/staff/MGR', { name: '经理', role: 'viewer', scope: 'book' })).status, 201);
    assert.equal((await api.put('/v1/subjects/MG4/manager', { manager: 'MGR' })).status, 200);
    const book = (await (await api.get('/v1/subjects?manager=MGR')).json()) as { items: { id: string }[] };
    assert.deepEqual(
      book.items.map((s) => s.id),
      ['MG4'],
    );
  });

  it('upgrading starts each subject’s moves between books from the book it is in, marked as not recorded; moves after it are kept', async () => {
    await api.customer('MG5');
    assert.equal((await api.put('/v1/staff/MGB', { name: '经理', role: 'viewer', scope: 'book' })).status, 201);
    assert.equal((await api.put('/v1/subjects/MG5/manager', { manager: 'MGB' })).status, 200);
    const db = f.db.db;
    await undoDownTo(db, BOOK_MOVES);
    assert.deepEqual(await migrateToLatest(db), fromOn(BOOK_MOVES));
    const moves = async () =>
      (
        (await (await api.get('/v1/subjects/MG5/manager/moves')).json()) as {
          moves: { from: string | null; to: string | null; recorded: boolean }[];
        }
      ).moves.map((m) => [m.from, m.to, m.recorded]);
    assert.deepEqual(await moves(), [[null, 'MGB', false]]);
    assert.equal((await api.put('/v1/subjects/MG5/manager', { manager: null })).status, 200);
    assert.deepEqual(await moves(), [
      ['MGB', null, true],
      [null, 'MGB', false],
    ]);
  });

  it('upgrading keeps each scheme’s latest re-tier: the month a month-end job re-tiered, not one a decision or a job for one customer reached', async () => {
    // bank-b, which nothing else here re-tiers: its month-end job is the only one of the tenant.
    const b = client(f, 'b');
    const db = f.db.db;
    const month = (p: string, id: string, yuan: number) =>
      b.put(`/v1/subjects/${id}/metrics`, { metrics: [{ metric: 'avg_daily_balance', period: p, value: yuan * 100 }] });
    for (const id of ['MR1', 'MR2']) await b.customer(id);
    for (const p of ['2025-04', '2025-05', '2025-06']) assert.equal((await month(p, 'MR1', 400_000)).status, 200);
    for (const p of ['2025-07', '2025-08']) assert.equal((await month(p, 'MR1', 0)).status, 200);
    for (const p of ['2025-07', '2025-08']) assert.equal((await month(p, 'MR2', 50_000)).status, 200);
    const imported = await f.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${f.keys.b}` },
      body: 'subject,metric,period,value\nMR1,avg_daily_balance,2025-09,0\nMR2,avg_daily_balance,2025-09,5000000',
    });
    assert.equal(imported.status, 201, await imported.text());
    assert.equal((await b.post('/v1/jobs', { kind: 'retier', period: '2025-09', reason: 'month end' })).status, 201);
    await drainJobs({ db, now: () => new Date() });
    const down = async () =>
      ((await (await b.get('/v1/subjects?scheme=retail-tier&change=down')).json()) as { items: { id: string }[] }).items.map((s) => s.id);
    assert.deepEqual(await down(), ['MR1']);
    // A job for MR2 alone at the next month, imported: no re-tier of the book, whichever release ran it.
    const next = await f.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${f.keys.b}` },
      body: 'subject,metric,period,value\nMR2,avg_daily_balance,2025-10,5000000',
    });
    assert.equal(next.status, 201, await next.text());
    assert.equal((await b.post('/v1/jobs', { kind: 'retier', period: '2025-10', filter: { subjects: ['MR2'] } })).status, 201);
    await drainJobs({ db, now: () => new Date() });
    await undoDownTo(db, RETIER_PERIODS);
    // A job stored before `schemes` was kept in its params counts as one of every scheme.
    const monthEnd = await db
      .selectFrom('jobs')
      .select(['id', 'params'])
      .where('tenant_id', '=', 'bank-b')
      .where('kind', '=', 'retier')
      .where('params', 'like', '%"2025-09"%')
      .executeTakeFirstOrThrow();
    const { schemes: _schemes, ...older } = JSON.parse(monthEnd.params) as Record<string, unknown>;
    await db
      .updateTable('jobs')
      .set({ params: JSON.stringify(older) })
      .where('id', '=', monthEnd.id)
      .execute();
    // What a release before it stored: an override's approval re-evaluated MR2 at its newest month, imported and not re-tiered.
    await db
      .updateTable('assignments')
      .set({ period: '2025-10' })
      .where('tenant_id', '=', 'bank-b')
      .where('subject_id', 'in', db.selectFrom('subjects').select('id').where('external_id', '=', 'MR2'))
      .execute();
    assert.deepEqual(await migrateToLatest(db), fromOn(RETIER_PERIODS));
    assert.deepEqual(await down(), ['MR1'], 'the job’s month, at once');
  });

  it('upgrading counts a job of one subject kind as the whole book of that kind: the month of a job started by hand for a scheme', async () => {
    // bank-b, after the test above: retail-tier's month-end job is 2025-09; MR2 was evaluated at 2025-10.
    const b = client(f, 'b');
    const db = f.db.db;
    const kept = async () =>
      (
        await db
          .selectFrom('retier_periods')
          .select('period')
          .where('tenant_id', '=', 'bank-b')
          .where('scheme', '=', 'retail-tier')
          .executeTakeFirstOrThrow()
      ).period;
    const month = (p: string, id: string, yuan: number) =>
      b.put(`/v1/subjects/${id}/metrics`, { metrics: [{ metric: 'avg_daily_balance', period: p, value: yuan * 100 }] });
    assert.equal((await month('2025-10', 'MR1', 0)).status, 200);
    // Started for retail-tier alone: enqueueRetier gives it the customers' kind as its filter.
    const byHand = await b.post('/v1/jobs', { kind: 'retier', period: '2025-10', schemes: ['retail-tier'], reason: 'month end, by hand' });
    const queued = (await byHand.json()) as JobView;
    assert.equal(byHand.status, 201, JSON.stringify(queued));
    assert.deepEqual(queued.params.filter, { kind: 'customer' });
    // A customer written at 2025-11 (so 2025-11 is within the scheme's stored months), and a job of
    // every corporate at 2025-11: no re-tier of retail-tier's customers.
    assert.equal((await month('2025-11', 'MR1', 0)).status, 200);
    const corporate = await b.post('/v1/jobs', { kind: 'retier', period: '2025-11', allowOpenMonth: true, filter: { kind: 'corporate' } });
    assert.equal(corporate.status, 201, await corporate.text());
    await drainJobs({ db, now: () => new Date() });
    assert.equal(await kept(), '2025-10', 'as the release marks it');
    await undoDownTo(db, RETIER_PERIODS);
    assert.deepEqual(await migrateToLatest(db), fromOn(RETIER_PERIODS));
    assert.equal(await kept(), '2025-10', 'the job by hand counts; the corporates’ does not');
  });

  it('upgrading adds the index the overrides expiring soon are read by; undoing drops it', async () => {
    const db = f.db.db;
    const name = 'overrides_tenant_status_expiry_idx';
    const indexed = async () =>
      isPostgres(db)
        ? (await sql<{ indexname: string }>`SELECT indexname FROM pg_indexes WHERE indexname = ${name}`.execute(db)).rows.length
        : (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND name = ${name}`.execute(db)).rows.length;
    assert.equal(await indexed(), 1);
    await undoDownTo(db, OVERRIDES_EXPIRY);
    assert.equal(await indexed(), 0);
    assert.deepEqual(await migrateToLatest(db), fromOn(OVERRIDES_EXPIRY));
    assert.equal(await indexed(), 1);
  });
});
