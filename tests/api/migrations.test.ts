import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import type { HistoryResponse, TiersResponse } from '@tierkit/core';
import { migrateToLatest } from '@tierkit/db';
import { client, forEachDialect } from '../support/api-fixture.js';

const PREVIOUS_LEVEL = '2026-11-23T00-00-00-previous-level';
const SCHEME_AUDIENCE = '2026-12-02T00-00-00-scheme-audience';
const EVENT_PERIOD = '2026-12-02T00-00-01-event-period';
const SUBJECT_VERSION = '2026-12-02T00-00-02-subject-version';
const STAFF_BOOKS = '2026-12-03T00-00-80-staff-books';
const LATER = [PREVIOUS_LEVEL, SCHEME_AUDIENCE, EVENT_PERIOD, SUBJECT_VERSION, STAFF_BOOKS];

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
    assert.deepEqual(await migrateToLatest(db), [SCHEME_AUDIENCE, EVENT_PERIOD, SUBJECT_VERSION, STAFF_BOOKS]);
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
    assert.ok((await history()).every((e) => e.period === undefined));
    assert.deepEqual(await migrateToLatest(db), [EVENT_PERIOD, SUBJECT_VERSION, STAFF_BOOKS]);
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
    assert.deepEqual(await migrateToLatest(db), [SUBJECT_VERSION, STAFF_BOOKS]);
    const version = async () =>
      Number((await sql<{ version: number }>`SELECT version FROM subjects WHERE external_id = 'MG3'`.execute(db)).rows[0]?.version);
    const before = await version();
    const etag = (await api.get('/v1/subjects/MG3/tiers')).headers.get('etag');
    assert.equal((await api.balances('MG3', [['2025-11', 900_000]])).status, 200);
    assert.ok((await version()) > before, 'a re-evaluation bumps the version');
    assert.notEqual((await api.get('/v1/subjects/MG3/tiers')).headers.get('etag'), etag);
  });

  it('upgrading adds staff and books: an existing database starts with no staff, and books work at once', async () => {
    await api.customer('MG4');
    const db = f.db.db;
    await undoDownTo(db, STAFF_BOOKS);
    await assert.rejects(sql`SELECT id FROM staff`.execute(db), 'the table is gone');
    assert.deepEqual(await migrateToLatest(db), [STAFF_BOOKS]);
    assert.deepEqual(((await (await api.get('/v1/staff')).json()) as { items: unknown[] }).items, []);
    assert.equal((await api.put('/v1/staff/MGR', { name: '经理', role: 'viewer', scope: 'book' })).status, 201);
    assert.equal((await api.put('/v1/subjects/MG4/manager', { manager: 'MGR' })).status, 200);
    const book = (await (await api.get('/v1/subjects?manager=MGR')).json()) as { items: { id: string }[] };
    assert.deepEqual(
      book.items.map((s) => s.id),
      ['MG4'],
    );
  });
});
