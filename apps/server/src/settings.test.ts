import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Db } from '@tierkit/db';
import { createApiKey, provisionTenant } from '@tierkit/api';
import { databasePoolSizeFromEnv, databaseTimeoutsFromEnv, opsSettingsFromEnv, scheduleTimingFromEnv } from '@tierkit/ops';
import { backgroundFromEnv, scheduleForApi } from './background.js';
import { openDatabase, serverApp, settingsFromEnv } from './server.js';

describe('who can reach the demo', () => {
  it('listens on this machine only by default, with demo tokens on', () => {
    const s = settingsFromEnv({});
    assert.equal(s.host, '127.0.0.1');
    assert.equal(s.demoTokens, true);
  });

  it('turns demo tokens off when it listens beyond this machine, unless asked explicitly', () => {
    assert.equal(settingsFromEnv({ HOST: '0.0.0.0' }).demoTokens, false);
    assert.equal(settingsFromEnv({ HOST: '10.1.2.3' }).demoTokens, false);
    assert.equal(settingsFromEnv({ HOST: '0.0.0.0', DEMO_TOKENS: 'on' }).demoTokens, true);
    assert.equal(settingsFromEnv({ HOST: 'localhost' }).demoTokens, true);
    assert.equal(settingsFromEnv({ DEMO_TOKENS: 'off' }).demoTokens, false);
  });

  it('refuses a DEMO_TOKENS value it does not understand rather than guessing', () => {
    assert.throws(() => settingsFromEnv({ DEMO_TOKENS: 'maybe' }), /DEMO_TOKENS must be on or off/);
  });
});

describe("the console's staff-token address (TIERKIT_CONSOLE_TOKEN_URL)", () => {
  it('is a path on this origin, as written', () => {
    assert.equal(settingsFromEnv({}).consoleTokenUrl, undefined);
    assert.equal(settingsFromEnv({ TIERKIT_CONSOLE_TOKEN_URL: '/sso/tierkit-token' }).consoleTokenUrl, '/sso/tierkit-token');
    assert.equal(settingsFromEnv({ TIERKIT_CONSOLE_TOKEN_URL: '/sso/token?app=tierkit' }).consoleTokenUrl, '/sso/token?app=tierkit');
  });

  it('stops the start on an address a browser would take to another origin or to tierkit itself', () => {
    for (const value of [
      'https://sso.bank.example/token',
      '//sso.bank.example/token',
      '/\\sso.bank.example/token',
      'sso/token',
      '/sso/../v1/staff-tokens',
      '/%2e%2e/v1/staff-tokens',
      '/sso token',
      '/',
      '/v1/staff-tokens',
      '/admin/token',
      '/demo/staff-token',
      '/healthz',
    ])
      assert.throws(() => settingsFromEnv({ TIERKIT_CONSOLE_TOKEN_URL: value }), /TIERKIT_CONSOLE_TOKEN_URL must be a path/, value);
  });
});

describe("the bank's calendar", () => {
  it('is Asia/Shanghai unless TIERKIT_TIME_ZONE names another zone; a zone the runtime does not know stops the start', () => {
    assert.equal(settingsFromEnv({}).timeZone, 'Asia/Shanghai');
    assert.equal(settingsFromEnv({ TIERKIT_TIME_ZONE: 'Asia/Taipei' }).timeZone, 'Asia/Taipei');
    for (const bad of ['Asia/Shanghi', 'GMT+8', 'shanghai'])
      assert.throws(() => settingsFromEnv({ TIERKIT_TIME_ZONE: bad }), /TIERKIT_TIME_ZONE must be an IANA time zone/, bad);
  });
});

describe('the read cache bound', () => {
  it('is 32 MiB unless READ_CACHE_MB says otherwise, 0 keeping nothing; anything but a whole number is refused', () => {
    assert.equal(settingsFromEnv({}).readCacheBytes, 32 * 1024 * 1024);
    assert.equal(settingsFromEnv({ READ_CACHE_MB: '512' }).readCacheBytes, 512 * 1024 * 1024);
    assert.equal(settingsFromEnv({ READ_CACHE_MB: '0' }).readCacheBytes, 0);
    for (const bad of ['-1', '1.5', 'lots', '1e3', '0x10'])
      assert.throws(() => settingsFromEnv({ READ_CACHE_MB: bad }), /READ_CACHE_MB must be/);
  });
});

describe('the trust of a subject version', () => {
  it('is 1,000 ms unless VERSION_TRUST_MS says otherwise, 0 asking on every read; anything but 0–60,000 whole ms is refused', () => {
    assert.equal(settingsFromEnv({}).versionTrustMs, 1000);
    assert.equal(settingsFromEnv({ VERSION_TRUST_MS: '250' }).versionTrustMs, 250);
    assert.equal(settingsFromEnv({ VERSION_TRUST_MS: '0' }).versionTrustMs, 0);
    for (const bad of ['-1', '1.5', 'soon', '60001', '1e3', '0x10', ' 5'])
      assert.throws(() => settingsFromEnv({ VERSION_TRUST_MS: bad }), /VERSION_TRUST_MS must be/);
  });
});

describe('the monthly schedule’s settle time', () => {
  it('is 60 minutes unless TIERKIT_SCHEDULE_SETTLE_MINUTES says otherwise, 0 queuing once the data has come; anything but whole minutes is refused', () => {
    assert.equal(backgroundFromEnv({}, 'sqlite').settleMinutes, 60);
    assert.equal(backgroundFromEnv({ TIERKIT_SCHEDULE_SETTLE_MINUTES: '240' }, 'postgres').settleMinutes, 240);
    assert.equal(backgroundFromEnv({ TIERKIT_SCHEDULE_SETTLE_MINUTES: '0' }, 'sqlite').settleMinutes, 0);
    for (const bad of ['-1', '1.5', 'soon', '1e3', ' 5', '123456'])
      assert.throws(() => backgroundFromEnv({ TIERKIT_SCHEDULE_SETTLE_MINUTES: bad }, 'sqlite'), /TIERKIT_SCHEDULE_SETTLE_MINUTES must be/);
  });

  it('calls a month still waiting overdue 7 days after it ended unless TIERKIT_SCHEDULE_OVERDUE_DAYS says otherwise (1–365 whole days)', () => {
    assert.equal(backgroundFromEnv({}, 'sqlite').overdueDays, 7);
    assert.equal(backgroundFromEnv({ TIERKIT_SCHEDULE_OVERDUE_DAYS: '12' }, 'postgres').overdueDays, 12);
    for (const bad of ['0', '-1', '1.5', 'a week', '366', ' 5'])
      assert.throws(() => backgroundFromEnv({ TIERKIT_SCHEDULE_OVERDUE_DAYS: bad }, 'sqlite'), /TIERKIT_SCHEDULE_OVERDUE_DAYS must be/);
  });
});

describe('whether this server runs the monthly schedule', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tierkit-schedule-'));
  let db: Db;
  let key: string;
  before(async () => {
    db = await openDatabase(join(dir, 'schedule.db'));
    const now = new Date('2025-12-03T02:00:00.000Z');
    await provisionTenant(db.db, { id: 'ops', name: 'ops', now });
    key = (await createApiKey(db.db, { tenantId: 'ops', role: 'viewer', label: 'ops desk', now })).secret;
  });
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says so on GET /v1/jobs/schedule as TIERKIT_SCHEDULE says (on by default), with the timing it runs by', async () => {
    const read = async (env: NodeJS.ProcessEnv) => {
      const app = serverApp(
        db,
        { tenant: 'ops', corsOrigins: undefined, demoTokens: false },
        {
          schedule: scheduleForApi(backgroundFromEnv(env, db.dialect)),
        },
      );
      const res = await app.request('http://localhost/v1/jobs/schedule', { headers: { Authorization: `Bearer ${key}` } });
      assert.equal(res.status, 200, await res.clone().text());
      const body = (await res.json()) as { running: boolean; settleMinutes: number; overdueDays: number };
      return [body.running, body.settleMinutes, body.overdueDays];
    };
    assert.deepEqual(await read({}), [true, 60, 7]);
    assert.deepEqual(await read({ TIERKIT_SCHEDULE: 'off', TIERKIT_SCHEDULE_SETTLE_MINUTES: '15' }), [false, 15, 7]);
    assert.throws(() => backgroundFromEnv({ TIERKIT_SCHEDULE: 'sometimes' }, 'sqlite'), /TIERKIT_SCHEDULE must be on or off/);
  });

  it('refuses an API key sent from a browser page unless TIERKIT_API_KEYS_FROM_BROWSERS=allow (any case); another word stops the start', async () => {
    const status = async (env: NodeJS.ProcessEnv, headers: Record<string, string>) => {
      const app = serverApp(db, { ...settingsFromEnv(env), tenant: 'ops', corsOrigins: undefined, demoTokens: false });
      return (await app.request('http://localhost/v1/schemes', { headers: { Authorization: `Bearer ${key}`, ...headers } })).status;
    };
    const page = { Origin: 'https://ebank.example' };
    assert.deepEqual(
      [await status({}, page), await status({}, {}), await status({ TIERKIT_API_KEYS_FROM_BROWSERS: 'refuse' }, page)],
      [403, 200, 403],
    );
    assert.equal(await status({ TIERKIT_API_KEYS_FROM_BROWSERS: 'allow' }, page), 200);
    // Any case, as the on/off settings take theirs.
    assert.deepEqual(
      [await status({ TIERKIT_API_KEYS_FROM_BROWSERS: 'Allow' }, page), await status({ TIERKIT_API_KEYS_FROM_BROWSERS: 'REFUSE' }, page)],
      [200, 403],
    );
    for (const bad of ['yes', 'on', 'allowed', ' allow'])
      assert.throws(
        () => settingsFromEnv({ TIERKIT_API_KEYS_FROM_BROWSERS: bad }),
        /TIERKIT_API_KEYS_FROM_BROWSERS must be refuse or allow/,
        bad,
      );
  });
});

describe('static files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tierkit-static-'));
  let db: Db;
  before(async () => {
    db = await openDatabase(join(dir, 'static.db'));
  });
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a malformed escape in a page or widget path with 404, never a 500', async () => {
    const app = serverApp(db, { tenant: 'demo', corsOrigins: undefined, demoTokens: false });
    for (const path of ['/%E0', '/widgets/%E0%A4%A', '/%']) {
      const res = await app.request('http://localhost' + path);
      assert.equal(res.status, 404, path);
    }
  });

  it('never serves a file outside its folders', async () => {
    const app = serverApp(db, { tenant: 'demo', corsOrigins: undefined, demoTokens: false });
    for (const path of ['/..%2F..%2Fpackage.json', '/widgets/..%2F..%2F..%2Fpackage.json']) {
      assert.equal((await app.request('http://localhost' + path)).status, 404, path);
    }
  });
});

describe('PostgreSQL timeouts', () => {
  it('gives requests seconds, reports and batch work minutes, each overridable, and refuses what is not a number of milliseconds', () => {
    assert.equal(databaseTimeoutsFromEnv('requests', {}).statementTimeoutMs, 10_000);
    assert.equal(databaseTimeoutsFromEnv('batch', {}).statementTimeoutMs, 30 * 60_000);
    assert.equal(databaseTimeoutsFromEnv('reports', {}).statementTimeoutMs, 5 * 60_000);
    assert.equal(databaseTimeoutsFromEnv('reports', { TIERKIT_PG_REPORT_STATEMENT_TIMEOUT_MS: '600000' }).statementTimeoutMs, 600_000);
    const env = { TIERKIT_PG_STATEMENT_TIMEOUT_MS: '2500', TIERKIT_PG_BATCH_STATEMENT_TIMEOUT_MS: '0' };
    assert.equal(databaseTimeoutsFromEnv('requests', env).statementTimeoutMs, 2500);
    assert.equal(databaseTimeoutsFromEnv('batch', env).statementTimeoutMs, 0, '0: no limit');
    assert.throws(
      () => databaseTimeoutsFromEnv('requests', { TIERKIT_PG_STATEMENT_TIMEOUT_MS: '10s' }),
      /TIERKIT_PG_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds/,
    );
    assert.throws(() => databaseTimeoutsFromEnv('requests', { TIERKIT_PG_KEEPALIVE_MS: '0' }), /TIERKIT_PG_KEEPALIVE_MS .* from 1/);
  });
});

describe('PostgreSQL pool sizes', () => {
  it('gives requests 10 connections and reports 4, each overridable, and refuses what is not a count from 1 to 1000', () => {
    assert.equal(databasePoolSizeFromEnv('requests', {}), 10);
    assert.equal(databasePoolSizeFromEnv('reports', {}), 4);
    const env = { TIERKIT_PG_POOL_MAX: '6', TIERKIT_PG_REPORT_POOL_MAX: '2' };
    assert.equal(databasePoolSizeFromEnv('requests', env), 6);
    assert.equal(databasePoolSizeFromEnv('reports', env), 2, 'each reads its own setting');
    for (const bad of ['0', '-1', '2.5', 'ten', '1001'])
      assert.throws(
        () => databasePoolSizeFromEnv('reports', { TIERKIT_PG_REPORT_POOL_MAX: bad }),
        /TIERKIT_PG_REPORT_POOL_MAX must be a whole number of connections from 1 to 1000/,
        bad,
      );
    assert.throws(() => databasePoolSizeFromEnv('requests', { TIERKIT_PG_POOL_MAX: '0' }), /TIERKIT_PG_POOL_MAX/);
  });
});

describe('whole-number settings', () => {
  it('a bad value of each is refused with its name, its unit, the values it takes and what was given', () => {
    const refused = (read: () => unknown) => {
      try {
        read();
      } catch (e) {
        return (e as Error).message;
      }
      assert.fail('accepted');
    };
    assert.equal(
      refused(() => databaseTimeoutsFromEnv('batch', { TIERKIT_PG_BATCH_STATEMENT_TIMEOUT_MS: '1e3' })),
      'TIERKIT_PG_BATCH_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds (0: no limit), got "1e3"',
    );
    assert.equal(
      refused(() => databaseTimeoutsFromEnv('requests', { TIERKIT_PG_KEEPALIVE_MS: '0' })),
      'TIERKIT_PG_KEEPALIVE_MS must be a whole number of milliseconds from 1, got "0"',
    );
    assert.equal(
      refused(() => databasePoolSizeFromEnv('requests', { TIERKIT_PG_POOL_MAX: '1001' })),
      'TIERKIT_PG_POOL_MAX must be a whole number of connections from 1 to 1000, got "1001"',
    );
    assert.equal(
      refused(() => scheduleTimingFromEnv({ TIERKIT_SCHEDULE_SETTLE_MINUTES: '-5' })),
      'TIERKIT_SCHEDULE_SETTLE_MINUTES must be a whole number of minutes from 0 to 99999, got "-5"',
    );
    assert.equal(
      refused(() => scheduleTimingFromEnv({ TIERKIT_SCHEDULE_OVERDUE_DAYS: '366' })),
      'TIERKIT_SCHEDULE_OVERDUE_DAYS must be a whole number of days from 1 to 365, got "366"',
    );
    assert.equal(
      refused(() => settingsFromEnv({ READ_CACHE_MB: '1e3' })),
      'READ_CACHE_MB must be a whole number of MiB (0: keeps nothing), got "1e3"',
    );
    assert.equal(
      refused(() => settingsFromEnv({ VERSION_TRUST_MS: '60001' })),
      'VERSION_TRUST_MS must be a whole number of milliseconds from 0 to 60000 (0: ask every read), got "60001"',
    );
    // A demo's size: `1e4` and `0x20` were read as 10,000 and 32 customers.
    for (const bad of ['1e4', '0x20', ' 12 ', '12.0', '4'])
      assert.equal(
        refused(() => opsSettingsFromEnv({ DEMO_CUSTOMERS: bad })),
        `DEMO_CUSTOMERS must be a whole number of customers from 5, got "${bad}"`,
      );
    assert.equal(opsSettingsFromEnv({ DEMO_CUSTOMERS: '5' }).customers, 5);
    assert.equal(opsSettingsFromEnv({}).customers, 10_000);
    // Unset or empty: the default; a good value as given.
    assert.deepEqual(scheduleTimingFromEnv({ TIERKIT_SCHEDULE_SETTLE_MINUTES: '', TIERKIT_SCHEDULE_OVERDUE_DAYS: '365' }), {
      settleMinutes: 60,
      overdueDays: 365,
    });
    assert.equal(databasePoolSizeFromEnv('requests', { TIERKIT_PG_POOL_MAX: '1000' }), 1000);
    assert.equal(databaseTimeoutsFromEnv('requests', { TIERKIT_PG_CONNECT_TIMEOUT_MS: '999999999' }).connectTimeoutMs, 999_999_999);
  });
});
