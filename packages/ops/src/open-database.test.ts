import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { latestAppliedMigration, MIGRATIONS } from '@tierkit/db';
import { dialectUrls } from '../../../tests/support/dialect-urls.js';
import { openApiPools, openDatabase } from './open-database.js';
import { migrateFromEnv } from './settings.js';

// TIERKIT_MIGRATE=off (apps/server/README.md, "Upgrading"): servers that log in with a role that may
// not change the schema run on it as they find it, and the operator runs `tierkit migrate` once.
const latest = Object.keys(MIGRATIONS).sort().at(-1);

for (const [dialect, urlOf] of dialectUrls('ops-open-database'))
  describe(`opening a database with TIERKIT_MIGRATE=off [${dialect}]`, () => {
    it('serves a schema that is current without migrating, and refuses one behind in one line saying what to run', async () => {
      const url = await urlOf('migrate_off');
      if (dialect === 'sqlite')
        await assert.rejects(
          openDatabase(url, () => undefined, 'requests', undefined, false),
          (e: Error) => {
            assert.equal(
              e.message,
              `the database schema is behind this build (its latest migration: none; needed: ${latest}) and TIERKIT_MIGRATE=off: run tierkit migrate first (packages/cli/README.md)`,
            );
            return true;
          },
        );
      // The operator's `tierkit migrate` (the dialect harness hands PostgreSQL over migrated).
      await (await openDatabase(url, () => undefined, 'batch', undefined, true)).close();
      const lines: string[] = [];
      const db = await openDatabase(url, (l) => lines.push(l), 'requests', undefined, false);
      try {
        assert.equal(await latestAppliedMigration(db.db), latest);
        assert.match(lines.join('\n'), /\(TIERKIT_MIGRATE=off: not migrated\)$/);
      } finally {
        await db.close();
      }
    });
  });

it('TIERKIT_MIGRATE is on unless turned off, and a mistyped value stops the start', () => {
  assert.equal(migrateFromEnv({}), true);
  assert.equal(migrateFromEnv({ TIERKIT_MIGRATE: 'off' }), false);
  assert.throws(() => migrateFromEnv({ TIERKIT_MIGRATE: 'of' }), /TIERKIT_MIGRATE must be on or off, got "of"/);
});

describe('the API pools on SQLite: reader processes for heavy reads', () => {
  it('starts them by default, none with TIERKIT_HEAVY_READ_PROCESSES=0 or for :memory:, and refuses a mistyped setting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tierkit-ops-heavy-'));
    const file = join(dir, 'book.db');
    const db = await openDatabase(file);
    try {
      const pools = openApiPools(file, {});
      try {
        assert.ok(pools.heavyReads, 'a reader by default');
        assert.deepEqual((await sql<{ n: number }>`SELECT count(*) AS n FROM tenants`.execute(pools.heavyReads)).rows, [{ n: 0 }]);
      } finally {
        await pools.close();
      }
      assert.equal(openApiPools(file, { TIERKIT_HEAVY_READ_PROCESSES: '0' }).heavyReads, undefined);
      assert.equal(openApiPools(':memory:', {}).heavyReads, undefined);
      for (const [name, value] of [
        ['TIERKIT_HEAVY_READ_PROCESSES', 'two'],
        ['TIERKIT_HEAVY_READ_PROCESSES', '17'],
        ['TIERKIT_HEAVY_READ_TIMEOUT_MS', '50'],
        ['TIERKIT_HEAVY_READ_QUEUE', '-1'],
      ] as const)
        assert.throws(
          () => openApiPools(file, { [name]: value }),
          new RegExp(`^Error: ${name} must be a whole number`),
          `${name}=${value}`,
        );
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
