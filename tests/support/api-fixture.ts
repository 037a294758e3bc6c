import { after, before, describe } from 'node:test';
import { createApp, provisionTenant } from '@tierkit/api';
import type { Db } from '@tierkit/db';
import { allDialects } from './databases.js';
import { testPack } from './test-pack.js';

/** The instant every test app lives at: November 2025 in Shanghai, so 2025-11 is the current month. */
export const NOW = new Date('2025-11-15T04:00:00.000Z');

/** What a test gets: the app of tenant `bank-a`, one of `bank-b` on the same database, and the db. */
export interface ApiFixture {
  app: ReturnType<typeof createApp>;
  other: ReturnType<typeof createApp>;
  db: Db;
}

/** Run `body` once per dialect (SQLite temp file, embedded PostgreSQL), each with fresh tenants. */
export function forEachDialect(name: string, body: (f: ApiFixture) => void): void {
  for (const harness of allDialects()) {
    describe(`${name} [${harness.dialect}]`, () => {
      const fixture = {} as ApiFixture;
      before(async () => {
        fixture.db = await harness.open();
        for (const id of ['bank-a', 'bank-b']) await provisionTenant(fixture.db.db, { id, name: id, pack: testPack(), now: NOW });
        fixture.app = createApp({ db: fixture.db.db, tenant: 'bank-a', now: () => NOW, logError: () => undefined });
        fixture.other = createApp({ db: fixture.db.db, tenant: 'bank-b', now: () => NOW, logError: () => undefined });
      });
      after(() => harness.stopAll());
      body(fixture);
    });
  }
}

/** JSON request helpers against an app. */
export function client(app: () => ReturnType<typeof createApp>) {
  const json = (method: string, path: string, body: unknown) =>
    app().request(path, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return {
    get: (path: string, headers: Record<string, string> = {}) => app().request(path, { headers }),
    put: (path: string, body: unknown) => json('PUT', path, body),
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
