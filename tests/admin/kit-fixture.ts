import { after, before } from 'node:test';
import { type KitError, kitError } from '@tierkit/admin';
import { createApiKey, createApp, mintStaffToken, provisionTenant } from '@tierkit/api';
import { createClient, type HttpTierkitClient } from '@tierkit/client';
import type { Db } from '@tierkit/db';
import { NOW } from '../support/api-fixture.js';
import { sqliteHarness } from '../support/databases.js';
import { testPack } from '../support/test-pack.js';
import { putStaffGranted, type Send } from '../support/granted-staff.js';

/**
 * The kit's stores against the real API: createApp on a temp SQLite database, the client's fetch
 * pointed at `app.request` — every request goes through authentication, validation and SQL.
 *
 * Tenant `bank-a` has customers K01…K10 with balances (K01–K07 platinum, K08–K10 standard) and AML
 * scores (K02 high); RM1 manages K01–K07, RM2 K08–K09, K10 is in no book.
 */
export interface KitFixture {
  app: ReturnType<typeof createApp>;
  db: Db;
  adminKey: string;
  /** A client signed in as `who`: a staff id, or `admin` for the admin key. */
  client(who: string): HttpTierkitClient;
  /** A client signed in with `credential`, a key's secret or a token the test made. */
  clientWith(credential: string): HttpTierkitClient;
  /**
   * `PUT /v1/staff/{id}` with the admin key; a grant of power (202) approved by a second admin key, as a
   * bank's two admins would (tests/support/granted-staff.ts). Returns the PUT's status.
   */
  putStaff(id: string, body: unknown): Promise<number>;
}

export function kitFixture(): KitFixture {
  const harness = sqliteHarness();
  const f = {} as KitFixture;
  const tokens = new Map<string, string>();
  before(async () => {
    f.db = await harness.open();
    await provisionTenant(f.db.db, { id: 'bank-a', name: 'bank-a', pack: testPack(), now: NOW });
    f.adminKey = (await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'admin', label: 'kit tests', now: NOW })).secret;
    const checkerKey = (await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'admin', label: 'kit tests, second admin', now: NOW }))
      .secret;
    const send: Send = (credential, method, path, body) =>
      f.app.request(path, {
        method,
        headers: { Authorization: `Bearer ${credential}`, 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    f.putStaff = (id, body) => putStaffGranted(send, f.adminKey, checkerKey, id, body);
    f.app = createApp({ db: f.db.db, now: () => NOW, logError: () => undefined });
    const admin = (method: string, path: string, body: unknown) =>
      f.app.request(path, {
        method,
        headers: { Authorization: `Bearer ${f.adminKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const [id, scope, role] of [
      ['RM1', 'book', 'officer'],
      ['RM2', 'book', 'officer'],
      ['OFF1', 'tenant', 'officer'],
    ] as const) {
      await f.putStaff(id, { name: `${id} 经理`, role, scope });
    }
    for (let i = 1; i <= 10; i++) {
      const id = `K${String(i).padStart(2, '0')}`;
      await admin('PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '张晓明' });
      const yuan = i <= 7 ? 400_000 : 10_000;
      const res = await admin('PUT', `/v1/subjects/${id}/metrics`, {
        metrics: [
          // Two months apart, so the history of a platinum customer has two events (gold, then platinum).
          { metric: 'avg_daily_balance', period: '2025-08', value: (yuan / 2) * 100 },
          { metric: 'avg_daily_balance', period: '2025-09', value: yuan * 100 },
          { metric: 'avg_daily_balance', period: '2025-10', value: yuan * 100 },
          { metric: 'aml_customer_risk', period: '2025-10', value: i === 2 ? 90 : 10 },
        ],
      });
      if (res.status !== 200) throw new Error(`metrics of ${id}: ${res.status} ${await res.text()}`);
    }
    const book = (ids: number[], manager: string) => ids.map((i) => ({ subject: `K${String(i).padStart(2, '0')}`, manager }));
    await admin('POST', '/v1/subject-managers', { assignments: [...book([1, 2, 3, 4, 5, 6, 7], 'RM1'), ...book([8, 9], 'RM2')] });
    for (const id of ['RM1', 'RM2', 'OFF1'])
      tokens.set(id, (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: id, now: NOW })).token);
  });
  after(() => harness.stopAll());
  const signedIn = (token: () => string) =>
    createClient({
      baseUrl: 'http://tierkit.test',
      token,
      fetch: (input, init) => Promise.resolve(f.app.request(input instanceof Request ? input : String(input), init)),
    });
  f.client = (who) => signedIn(() => (who === 'admin' ? f.adminKey : (tokens.get(who) ?? 'tkt_unknown')));
  f.clientWith = (credential) => signedIn(() => credential);
  return f;
}

/** What the API answers `send` with, as the kit holds it; fails the test if the API accepted it. */
export async function refusal(send: () => Promise<unknown>): Promise<KitError> {
  try {
    await send();
  } catch (err) {
    return kitError(err);
  }
  throw new Error('the API accepted it');
}
