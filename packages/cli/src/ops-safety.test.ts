// What a bank's platform operator ran into with the CLI on a real deployment: `migrate --down` dropping
// everything unasked, a worker quietly making a SQLite file, `audit verify` not naming its database.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { provisionTenant } from '@tierkit/api';
import { connect, listTenants, redactDatabaseUrl } from '@tierkit/db';
import { dialectUrls } from '../../../tests/support/dialect-urls.js';
import { databaseName } from './migrate.js';
import { runCaptured } from './run-captured.js';

const tenantsOf = async (url: string) => {
  const db = connect({ url });
  try {
    return (await listTenants(db.db)).map((t) => t.id);
  } catch {
    // No tenants table: dropped.
    return undefined;
  } finally {
    await db.close();
  }
};

for (const [dialect, urlOf] of dialectUrls('cli-ops-safety'))
  describe(`an operator's slips are caught [${dialect}]`, () => {
    it('migrate --down drops nothing unless confirmed with --yes-drop-all-data or the database name typed back', async () => {
      const url = await urlOf('down');
      assert.equal((await runCaptured(['migrate', '--database', url])).code, 0);
      const setup = connect({ url });
      await provisionTenant(setup.db, { id: 'cmb', name: 'CMB' });
      await setup.close();
      const name = databaseName(url);
      for (const extra of [[], ['--confirm', 'tierkit'], ['--confirm', `${name}x`]]) {
        const r = await runCaptured(['migrate', '--down', '--database', url, ...extra]);
        assert.equal(r.code, 1, extra.join(' '));
        assert.equal(r.err.length, 1, JSON.stringify(r.err));
        assert.match(r.err[0] ?? '', /^migrate --down: refused: it drops every table of .* add --yes-drop-all-data or --confirm /);
        assert.ok(r.err[0]?.includes(`--confirm ${name} to do it`), r.err[0]);
        assert.deepEqual(await tenantsOf(url), ['cmb'], 'nothing dropped');
      }
      const confirmed = await runCaptured(['migrate', '--down', '--database', url, '--confirm', name]);
      assert.equal(confirmed.code, 0, confirmed.err.join('\n'));
      assert.equal(await tenantsOf(url), undefined, 'every table dropped once confirmed');
      assert.equal((await runCaptured(['migrate', '--database', url])).code, 0);
      assert.equal((await runCaptured(['migrate', '--down', '--yes-drop-all-data', '--database', url])).code, 0);
      assert.equal(await tenantsOf(url), undefined);
    });

    if (dialect === 'postgres')
      it('a login refused or a server not listening is said as such, not as a migration that failed', async () => {
        const wrong = new URL(await urlOf('login'));
        wrong.password = 'not-the-password';
        const refused = await runCaptured(['migrate', '--database', wrong.toString()]);
        assert.equal(refused.code, 1);
        assert.match(refused.err.at(-1) ?? '', /^tierkit migrate: cannot connect to the database: password authentication failed/);
        // A port nothing listens on (the mistyped one of the report).
        wrong.port = '1';
        const closed = await runCaptured(['migrate', '--database', wrong.toString()]);
        assert.equal(closed.code, 1);
        assert.match(closed.err.at(-1) ?? '', /^tierkit migrate: cannot connect to the database: .*ECONNREFUSED/);
        assert.doesNotMatch([...refused.err, ...closed.err].join('\n'), /not-the-password/);
      });

    it('audit verify names the database it checked on stderr, its verdict alone on stdout', async () => {
      const url = await urlOf('verify-line');
      // A SQLite file is made by migrate, not by audit verify (a mistyped path is refused: missing-database.test.ts).
      assert.equal((await runCaptured(['migrate', '--database', url])).code, 0);
      const r = await runCaptured(['audit', 'verify', '--database', url]);
      assert.equal(r.code, 0, r.err.join('\n'));
      assert.ok(
        r.err.some((l) => l.startsWith(`database: ${redactDatabaseUrl(url)} (${dialect})`)),
        JSON.stringify(r.err),
      );
      assert.ok(!r.out.some((l) => l.startsWith('database:')));
    });
  });

describe('commands that must not run on what they were not meant for', () => {
  it('migrate --help warns that --down drops every table', async () => {
    const r = await runCaptured(['migrate', '--help']);
    assert.match(r.out.join('\n'), /--down --yes-drop-all-data \| --confirm NAME\s+WARNING: drops every table/);
  });

  // Without the refusal the worker waits for chunks forever: the timeout fails it.
  it('a worker without DATABASE_URL refuses SQLite in one line and makes no database file', { timeout: 20_000 }, async () => {
    const saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    const file = join(dirname(new URL(import.meta.url).pathname), 'no-such-dir', 'tierkit.db');
    try {
      for (const argv of [['worker', '--database', file], ['worker']]) {
        const r = await runCaptured(argv);
        assert.equal(r.code, 1, argv.join(' '));
        assert.deepEqual(r.out, []);
        assert.equal(r.err.length, 1, JSON.stringify(r.err));
        assert.match(r.err[0] ?? '', /^tierkit worker: a worker runs on PostgreSQL only: set DATABASE_URL=postgres:\/\/… /);
      }
      assert.equal(existsSync(dirname(file)), false, 'no SQLite file made');
    } finally {
      if (saved !== undefined) process.env.DATABASE_URL = saved;
    }
  });

  it('a mistyped PostgreSQL URL is refused by every command, its password masked, and no file is made', async () => {
    const mistyped = 'postgresql:/postgres:opspw@127.0.0.1:8815/tierkit';
    for (const argv of [
      ['tenants', 'list', '--database', mistyped],
      ['retier', '--period', '2025-10', '--database', mistyped],
    ]) {
      const r = await runCaptured(argv);
      assert.notEqual(r.code, 0, argv.join(' '));
      assert.equal(r.err.length, 1, JSON.stringify(r.err));
      assert.match(r.err[0] ?? '', /DATABASE_URL must be postgres:\/\/… or postgresql:\/\/…/);
      assert.doesNotMatch(r.err[0] ?? '', /opspw/);
    }
    assert.equal(existsSync('postgresql:'), false);
  });

  it('masks the credentials of any URL-like string, whatever its form', () => {
    for (const [url, shown] of [
      ['postgresql:/postgres:opspw@127.0.0.1:8815/tierkit', 'postgresql:/***@127.0.0.1:8815/tierkit'],
      ['postgres:opspw@h/db', 'postgres:***@h/db'],
      ['mysql://u:p@ss@h/db?password=x', 'mysql://***@h/db?password=***'],
      ['u:opspw@h/db', '***@h/db'],
      ['file:./x.db?password=opspw', 'file:./x.db?password=***'],
      ['./data/tierkit.db', './data/tierkit.db'],
      ['C:\\data\\tierkit.db', 'C:\\data\\tierkit.db'],
    ])
      assert.equal(redactDatabaseUrl(url as string), shown, url);
  });
});
