import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { runCaptured } from './run-captured.js';

const dir = mkdtempSync(join(tmpdir(), 'tierkit-cli-missing-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('a mistyped database path is refused in one line by every command that needs a database, and nothing is created', async () => {
  // A folder that does not exist either: connecting made it as well as the file.
  const typo = join(dir, 'typo', 'tierkit.db');
  const csv = join(dir, 'subjects.csv');
  writeFileSync(csv, 'id,name\nK1,one\n');
  for (const argv of [
    ['retier', '--period', '2025-10'],
    ['jobs', 'list'],
    ['jobs', 'schedule'],
    ['import', csv, '--kind', 'subjects'],
    ['tenants', 'list'],
    ['keys', 'list'],
    ['staff', 'list'],
    ['audit', 'verify'],
    ['retention', 'run', '--dry-run'],
    ['simulate', 'retail-tier', '1'],
  ]) {
    const r = await runCaptured([...argv, '--database', typo]);
    const what = argv.slice(0, 2).join(' ');
    assert.equal(r.code, 1, `${what}: ${r.err.join('\n')}`);
    assert.deepEqual(r.out, [], what);
    assert.match(
      r.err.at(-1) ?? '',
      new RegExp(
        `^tierkit ${argv[0]}: no database at ${typo.replaceAll('/', '\\/')}: the file does not exist \\(check --database or DATABASE_URL`,
      ),
      what,
    );
    assert.ok(!existsSync(join(dir, 'typo')), `${what} created nothing`);
  }
});

it('the command line is checked before the database: a bad month is said even where the database is wrong', async () => {
  const typo = join(dir, 'typo', 'tierkit.db');
  for (const json of [[], ['--json']]) {
    const r = await runCaptured(['retier', '--period', '2025-13', '--tenant', 'nope', '--database', typo, ...json]);
    assert.equal(r.code, 2, r.err.join('\n'));
    assert.deepEqual(r.err, ['retier: period: "2025-13" is not a month (YYYY-MM, 2000-01 or later)']);
    const kind = await runCaptured(['retier', '--period', '2025-10', '--kind', 'martian', '--database', typo, ...json]);
    assert.equal(kind.code, 2, kind.err.join('\n'));
    assert.match(kind.err.join('\n'), /^retier: --kind must be one of /);
    const poll = await runCaptured(['retier', '--period', '2025-10', '--poll-ms', 'soon', '--database', typo, ...json]);
    assert.deepEqual([poll.code, poll.err], [2, ['retier: --poll-ms must be a positive number']]);
    const action = await runCaptured(['jobs', 'explode', '--database', typo, ...json]);
    assert.equal(action.code, 2, action.err.join('\n'));
    assert.match(action.err.join('\n'), /^jobs: unknown action "explode"/);
  }
  assert.ok(!existsSync(join(dir, 'typo')), 'nothing created');
});

it('migrate, seed and tenants create make a new database, and say how many migrations they applied', async () => {
  for (const [name, argv] of [
    ['migrated.db', ['migrate']],
    ['seeded.db', ['seed', '--customers', '5']],
    ['tenant.db', ['tenants', 'create', 'bank', '--name', 'Bank']],
  ] as const) {
    const database = join(dir, 'new', name);
    const r = await runCaptured([...argv, '--database', database]);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.ok(existsSync(database), name);
    const line = [...r.out, ...r.err].find((l) => l.startsWith('database: ')) ?? '';
    // How many, and where the schema stands: not every migration's name on one line.
    assert.match(line, /^database: \S+ \(sqlite\), \d+ migrations applied \(now at \d{4}-\d\d-\d\dT[\w-]+\)$/);
    assert.ok(!line.includes('2025-11-23T00-00-00-initial'), line);
  }
});
