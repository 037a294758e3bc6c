import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Migrator, sql, type Migration } from 'kysely';
import type { TiersResponse } from '@tierkit/core';
import { MIGRATIONS, migrateToLatest } from '@tierkit/db';
import { client, forEachDialect } from '../support/api-fixture.js';

/** The previous-level migration, undone and done again, the way an upgrade of an existing database runs it. */
forEachDialect('migrations', (f) => {
  const api = client(f);

  it('upgrading a database with assignments fills previousLevel from the stored state, and nothing is lost', async () => {
    await api.customer('MG1');
    await api.balances('MG1', [['2025-09', 60_000], ['2025-10', 60_000]]);
    const before = ((await (await api.get('/v1/subjects/MG1/tiers')).json()) as TiersResponse).assignments;

    // Undo the previous-level migration and the ones after it (what a database of that release's
    // predecessor looks like) ...
    const db = f.db.db;
    const later = (await db.selectFrom('kysely_migration' as never).select('name' as never).execute() as { name: string }[]).map((n) => n.name).filter((n) => n > '2026-11-23T00-00-00-previous-level');
    assert.equal((await new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } }).migrateTo('2026-11-23T00-00-00-previous-level')).error, undefined);
    const names = (await db.selectFrom('kysely_migration' as never).select('name' as never).execute()) as { name: string }[];
    const last = names.map((n) => n.name).sort().at(-1);
    assert.equal(last, '2026-11-23T00-00-00-previous-level');
    // Kysely checks every executed migration is still known: the earlier ones are listed as no-ops.
    const mod = await import('../../packages/db/src/migrations/2026-11-23T00-00-00-previous-level.js');
    const known: Record<string, Migration> = Object.fromEntries(names.map((n) => [n.name, { up: async () => undefined }]));
    const getMigrations = async () => ({ ...known, [last]: mod });
    const { error } = await new Migrator({ db, provider: { getMigrations } }).migrateDown();
    assert.equal(error, undefined);
    await assert.rejects(sql`SELECT previous_level FROM assignments`.execute(db), 'the column is gone');

    // ... then upgrade: the column comes back, filled from the engine state the rows already had.
    assert.deepEqual(await migrateToLatest(db), ['2026-11-23T00-00-00-previous-level', ...later]);
    const after = ((await (await api.get('/v1/subjects/MG1/tiers')).json()) as TiersResponse).assignments;
    assert.equal(after.length, before.length);
    for (const [i, a] of after.entries()) {
      assert.equal(a.level, before[i]?.level);
      assert.equal(a.previousLevel, before[i]?.previousLevel, `${a.scheme}: the stored state before the month`);
    }
    assert.deepEqual(await migrateToLatest(db), [], 'a second run has nothing to do');
  });
});
