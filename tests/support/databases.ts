import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, migrateToLatest, type Db, type DialectName } from '@tierkit/db';
import { startPostgres, type TestPostgres } from './postgres.js';

/**
 * One migrated database per dialect, for suites that loop over both. Call `open()` for each test
 * group that wants a fresh database and `stopAll()` once at the end.
 */
export interface DialectHarness {
  readonly dialect: DialectName;
  open(): Promise<Db>;
  stopAll(): Promise<void>;
}

let counter = 0;

/** Temp-file SQLite databases (not `:memory:`, so WAL and the file path are exercised). */
export function sqliteHarness(): DialectHarness {
  const dir = mkdtempSync(join(tmpdir(), 'tierkit-sqlite-'));
  const open: Db[] = [];
  return {
    dialect: 'sqlite',
    async open() {
      const db = connect({ url: join(dir, `test-${++counter}.db`) });
      await migrateToLatest(db.db);
      open.push(db);
      return db;
    },
    async stopAll() {
      for (const db of open) await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Databases on one embedded PostgreSQL server, started lazily by the first `open()`. */
export function postgresHarness(): DialectHarness {
  let server: Promise<TestPostgres> | undefined;
  const open: Db[] = [];
  return {
    dialect: 'postgres',
    async open() {
      server ??= startPostgres();
      const url = await (await server).createDatabase(`tierkit_test_${process.pid}_${++counter}`, { migrated: true });
      const db = connect({ url, poolSize: 4 });
      await migrateToLatest(db.db);
      open.push(db);
      return db;
    },
    async stopAll() {
      for (const db of open) await db.close();
      if (server) await (await server).stop();
    },
  };
}

/** Both dialects, SQLite first. */
export function allDialects(): DialectHarness[] {
  return [sqliteHarness(), postgresHarness()];
}
