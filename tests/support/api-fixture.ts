import { after, before, describe } from 'node:test';
import { createApiKey, createApp, provisionTenant, type AppOptions, type Role } from '@tierkit/api';
import type { Db } from '@tierkit/db';
import { allDialects } from './databases.js';
import { checkedResponses } from './openapi-responses.js';
import { testPack } from './test-pack.js';

/** The instant every test app lives at: November 2025 in Shanghai, so 2025-11 is the current month. */
export const NOW = new Date('2025-11-15T04:00:00.000Z');

/** API key secrets the fixture created: an admin of each tenant and one key per role of `bank-a`. */
export interface FixtureKeys {
  /** Admin of tenant `bank-a`. */
  a: string;
  /** Admin of tenant `bank-b`. */
  b: string;
  /** `bank-a` keys by role. */
  roles: Record<Role, string>;
}

/** What a test gets: one app serving every tenant (the credential picks it), the keys, the db. */
export interface ApiFixture {
  app: ReturnType<typeof createApp>;
  keys: FixtureKeys;
  db: Db;
}

/**
 * Run `body` once per dialect (SQLite temp file, embedded PostgreSQL), each with fresh tenants and keys.
 * `options.corsOrigins`: the app's CORS allow-list (default the app's, `http://localhost:*`), the only
 * origins embed tokens are minted for.
 */
export function forEachDialect(name: string, body: (f: ApiFixture) => void): void;
export function forEachDialect(name: string, options: Pick<AppOptions, 'corsOrigins'>, body: (f: ApiFixture) => void): void;
export function forEachDialect(
  name: string,
  ...args: [body: (f: ApiFixture) => void] | [options: Pick<AppOptions, 'corsOrigins'>, body: (f: ApiFixture) => void]
): void {
  const [options, body] = args.length === 1 ? [{}, args[0]] : args;
  for (const harness of allDialects()) {
    describe(`${name} [${harness.dialect}]`, () => {
      const fixture = {} as ApiFixture;
      before(async () => {
        fixture.db = await harness.open();
        for (const id of ['bank-a', 'bank-b']) await provisionTenant(fixture.db.db, { id, name: id, pack: testPack(), now: NOW });
        const key = async (tenantId: string, role: Role) =>
          (await createApiKey(fixture.db.db, { tenantId, role, label: `test ${role}`, now: NOW })).secret;
        const roles = {} as Record<Role, string>;
        for (const role of ['viewer', 'analyst', 'officer', 'approver', 'admin'] as const) roles[role] = await key('bank-a', role);
        fixture.keys = { a: roles.admin, b: await key('bank-b', 'admin'), roles };
        fixture.app = checkedResponses(createApp({ db: fixture.db.db, now: () => NOW, logError: () => undefined, ...options }));
      });
      after(() => harness.stopAll());
      body(fixture);
    });
  }
}

/**
 * A client of the same database through an app whose clock stands at `at`: what happened years ago (a
 * customer first recorded, their figures, a closing) happens then, as the retention clock reads it.
 */
export function clientAt(f: ApiFixture, at: string, as: As = 'a') {
  return client({ ...f, app: checkedResponses(createApp({ db: f.db.db, now: () => new Date(at), logError: () => undefined })) }, as);
}

/** When the tests' long-standing customers were first recorded: years before NOW, before any closing they are given. */
export const LONG_AGO = '2018-06-01T02:00:00.000Z';

/** Who a client authenticates as: the admin of `bank-a` or `bank-b`, or any credential (read lazily). */
export type As = 'a' | 'b' | (() => string | undefined);

/** The `Authorization` header for `as`, none when the credential is undefined. */
export function authHeader(f: ApiFixture, as: As = 'a'): Record<string, string> {
  const credential = typeof as === 'function' ? as() : f.keys[as];
  return credential === undefined ? {} : { Authorization: `Bearer ${credential}` };
}

/** JSON request helpers against the fixture's app, authenticated as `as` (default: admin of `bank-a`). */
export function client(f: ApiFixture, as: As = 'a') {
  const json = (method: string, path: string, body: unknown) =>
    f.app.request(path, { method, headers: { 'Content-Type': 'application/json', ...authHeader(f, as) }, body: JSON.stringify(body) });
  return {
    get: (path: string, headers: Record<string, string> = {}) => f.app.request(path, { headers: { ...authHeader(f, as), ...headers } }),
    put: (path: string, body: unknown) => json('PUT', path, body),
    post: (path: string, body: unknown) => json('POST', path, body),
    async customer(id: string, displayName = '张晓明') {
      const res = await json('PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName });
      if (res.status !== 201 && res.status !== 200) throw new Error(`creating ${id}: ${res.status} ${await res.text()}`);
    },
    /** PUT the same balance (yuan → fen) for each of the given months. */
    balances(id: string, entries: readonly [period: string, yuan: number][]) {
      return json('PUT', `/v1/subjects/${id}/metrics`, {
        metrics: entries.map(([period, yuan]) => ({ metric: 'avg_daily_balance', period, value: Math.round(yuan * 100) })),
      });
    },
  };
}
