import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { startPostgres, type TestPostgres } from './postgres.js';

/**
 * A new database URL of each dialect, named `name`, for tests that hand a URL to what they test (the
 * CLI opens its own database): a SQLite file in a temp folder, a migrated PostgreSQL database on a
 * cluster started on first use. Both are removed when the file's tests end.
 */
export function dialectUrls(prefix: string): readonly [dialect: 'sqlite' | 'postgres', url: (name: string) => Promise<string>][] {
  const dir = mkdtempSync(join(tmpdir(), `tierkit-${prefix}-`));
  let postgres: Promise<TestPostgres> | undefined;
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    if (postgres) await (await postgres).stop();
  });
  return [
    ['sqlite', async (name) => join(dir, `${name}.db`)],
    [
      'postgres',
      async (name) => {
        postgres ??= startPostgres();
        return (await postgres).createDatabase(`tierkit_${prefix.replaceAll('-', '_')}_${name}_${process.pid}`, { migrated: true });
      },
    ],
  ];
}
