import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { redactDatabaseUrl } from '@tierkit/ops';
import { runCaptured } from './run-captured.js';

const dir = mkdtempSync(join(tmpdir(), 'tierkit-cli-db-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('commands whose stdout is their results name the database on stderr, and a job not found says which database was looked in', async () => {
  const database = join(dir, 'where.db');
  const line = `database: ${database} (sqlite)`;
  for (const args of [
    ['migrate', '--json'],
    ['tenants', 'list'],
    ['keys', 'list'],
    ['jobs', 'list'],
    ['retier', '--period', '2025-10', '--tenant', 'nope'],
  ]) {
    const r = await runCaptured([...args, '--database', database]);
    assert.ok(
      r.err.some((l) => l.startsWith(line)),
      `${args.join(' ')}: stderr ${JSON.stringify(r.err)}`,
    );
    assert.ok(!r.out.some((l) => l.startsWith('database:')), `${args.join(' ')}: not among the results on stdout`);
  }
  const shown = await runCaptured(['jobs', 'show', 'job_nope', '--database', database]);
  assert.equal(shown.code, 1);
  assert.equal(shown.err.at(-1), `jobs show: no job job_nope in tenant demo of database ${database}`);
  const cancelled = await runCaptured(['jobs', 'cancel', 'job_nope', '--database', database]);
  assert.equal(cancelled.err.at(-1), `jobs cancel: no job job_nope in tenant demo of database ${database}`);
});

it('a PostgreSQL URL is named without its password', () => {
  assert.equal(redactDatabaseUrl('postgres://bank:s3cret@db.internal:5432/tierkit'), 'postgres://bank:***@db.internal:5432/tierkit');
  assert.equal(redactDatabaseUrl('./data/tierkit.db'), './data/tierkit.db');
});

it('a password holding ":" or "@", or given in the query, is masked whole', () => {
  for (const [url, shown] of [
    ['postgres://u:pa:ss@h/db', 'postgres://u:***@h/db'],
    ['postgres://u:p@ss@h/db', 'postgres://u:***@h/db'],
    ['postgresql://u@h:5432/db?password=secret&sslmode=require', 'postgresql://u@h:5432/db?password=***&sslmode=require'],
    ['postgres://u:pw@h/db?sslpassword=keypass&application_name=tk', 'postgres://u:***@h/db?sslpassword=***&application_name=tk'],
    ['postgres://u@h/db', 'postgres://u@h/db'],
  ]) {
    const redacted = redactDatabaseUrl(url as string);
    assert.equal(redacted, shown, url);
    for (const secret of ['pa:ss', 'p@ss', 'secret', 'keypass', 'pw@']) assert.ok(!redacted.includes(secret), `${url}: ${redacted}`);
  }
  // Where its password ends cannot be told: nothing of it is shown.
  assert.equal(redactDatabaseUrl('postgres://u:se cr:et@h:port/db'), '<unparsable database URL>');
});
