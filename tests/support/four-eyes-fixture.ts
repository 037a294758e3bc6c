import assert from 'node:assert/strict';
import { createApiKey, createApp, mintEmbedToken, mintStaffToken, provisionTenant, type Role } from '@tierkit/api';
import { defaultPolicyPack, validatePolicyPack, type PolicyPack } from '@tierkit/core';
import type { ApiFixture } from './api-fixture.js';
import { testPack } from './test-pack.js';

/**
 * The test pack with four-eyes fields: AML `high` needs a sign-off and a review every 6 months, and
 * the default pack's suitability schemes (risk tolerance, product risk) for the suitability check.
 */
export function fourEyesPack(whilePending: 'apply' | 'previous' = 'apply'): PolicyPack {
  const pack = structuredClone(testPack());
  const aml = pack.schemes.find((s) => s.key === 'aml-test');
  if (!aml) throw new Error('the test pack has no aml-test scheme');
  const schemes = pack.schemes.map((s) =>
    s.key !== 'aml-test'
      ? s
      : {
          ...s,
          levels: s.levels.map((l) =>
            l.key === 'high' ? { ...l, approvalRequired: true, reviewMonths: 6, whilePending } : { ...l, reviewMonths: 12 },
          ),
        },
  );
  for (const key of ['risk-tolerance', 'product-risk']) {
    const s = defaultPolicyPack.schemes.find((x) => x.key === key);
    if (!s) throw new Error(`the default pack has no ${key}`);
    schemes.push(s);
  }
  const checked = validatePolicyPack({ metrics: pack.metrics, schemes });
  if (!checked.ok) throw new Error(`four-eyes pack invalid: ${JSON.stringify(checked.errors)}`);
  return checked.pack;
}

/** The four-eyes pack with AML `high` guarded against lowering by data alone. */
export function loweringPack(): PolicyPack {
  const pack = fourEyesPack();
  const schemes = pack.schemes.map((s) =>
    s.key !== 'aml-test'
      ? s
      : {
          ...s,
          overrides: { requestedBy: 'tenant' as const, approvedBy: 'approver' as const, maxDays: 180, order: ['high', 'low'] },
          loweringNeeds: 'approver' as const,
        },
  );
  const checked = validatePolicyPack({ metrics: pack.metrics, schemes });
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return checked.pack;
}

/** People of a four-eyes tenant: two of each deciding role, so "another person" exists at every role. */
export const PEOPLE = ['viewer', 'officer', 'officer2', 'approver', 'approver2', 'admin', 'admin2'] as const;
export type Person = (typeof PEOPLE)[number];

/** A tenant of its own on the fixture's database, an app whose clock the test moves, and its credentials. */
export interface FourEyesTenant {
  readonly tenantId: string;
  readonly app: ReturnType<typeof createApp>;
  readonly keys: Record<Person, string>;
  setClock(d: Date): void;
  /** JSON request as `who` (a person, or a raw credential). */
  req(who: Person | { credential: string }, method: string, path: string, body?: unknown): Promise<Response>;
  embedToken(subject: string): Promise<string>;
  staffToken(): Promise<string>;
}

export async function fourEyesTenant(
  f: ApiFixture,
  tenantId: string,
  start: Date,
  pack: PolicyPack = fourEyesPack(),
  /** Whose keys it issues: fewer people for a bank too small to have another of each role. */
  people: readonly Person[] = PEOPLE,
): Promise<FourEyesTenant> {
  await provisionTenant(f.db.db, { id: tenantId, name: tenantId, pack, now: start });
  let clock = start;
  const app = createApp({ db: f.db.db, now: () => clock, logError: (e) => console.error(e), rateLimit: false });
  const keys = {} as Record<Person, string>;
  for (const person of people) {
    const role = person.replace(/2$/, '') as Role;
    keys[person] = (await createApiKey(f.db.db, { tenantId, role, label: person, now: start })).secret;
  }
  return {
    tenantId,
    app,
    keys,
    setClock(d) {
      clock = d;
    },
    async req(who, method, path, body) {
      const credential = typeof who === 'string' ? keys[who] : who.credential;
      return app.request(path, {
        method,
        headers: { Authorization: `Bearer ${credential}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    },
    async embedToken(subject) {
      return (await mintEmbedToken(f.db.db, { tenantId, subject, ttlSeconds: 900, now: clock })).token;
    },
    async staffToken() {
      return (await mintStaffToken(f.db.db, { tenantId, ttlSeconds: 900, now: clock })).token;
    },
  };
}

/** The instant the four-eyes tenants start at: the fixture's, so 2025-11 is the current month. */
export const START = new Date('2025-11-15T04:00:00.000Z');

/** Assert a problem+json answer of `status` (and kind), and return nothing. */
export async function problem(res: Response, status: number, kind?: string): Promise<void> {
  const body = (await res.json()) as { type: string; detail?: string };
  assert.equal(res.status, status, JSON.stringify(body));
  if (kind) assert.equal(body.type, `https://tierkit.dev/problems/${kind}`, body.detail);
}

/** Assert a `status` answer and return its JSON body. */
export async function ok<T>(res: Response, status = 200): Promise<T> {
  const body = (await res.json()) as T;
  assert.equal(res.status, status, JSON.stringify(body));
  return body;
}

/** Who acts: a person of the tenant, or a raw credential (a staff member's key or token). */
export type Who = Person | { credential: string };

/** `POST` an override request for `subject` as `who`: retail-tier gold, fixed, no expiry, unless `body` says otherwise. */
export function requestOverride(t: FourEyesTenant, subject: string, body: Record<string, unknown> = {}, who: Who = 'officer') {
  return t.req(who, 'POST', `/v1/subjects/${subject}/overrides`, {
    scheme: 'retail-tier',
    level: 'gold',
    mode: 'fixed',
    reason: 'VIP retention',
    expiresAt: null,
    ...body,
  });
}

/**
 * An override in force by four eyes: requested (as {@link requestOverride}) by `by`, then approved by
 * `approvedBy`, another person, with the hash the request answered. Returns the approval's answer.
 */
export async function approvedOverride<T extends { status: string } = { id: string; status: string; contentHash: string }>(
  t: FourEyesTenant,
  subject: string,
  body: Record<string, unknown> = {},
  { by = 'officer', approvedBy = 'approver' }: { by?: Who; approvedBy?: Who } = {},
): Promise<T> {
  const pending = await ok<{ id: string; contentHash: string }>(await requestOverride(t, subject, body, by), 201);
  const approved = await ok<T>(
    await t.req(approvedBy, 'POST', `/v1/overrides/${pending.id}/approve`, { contentHash: pending.contentHash }),
  );
  assert.equal(approved.status, 'approved');
  return approved;
}

/**
 * The approver uploads an AML score for `subject` (default 95: 高 under the four-eyes pack, waiting for a
 * sign-off the approver may not give; a low `value` grades them 低).
 */
export async function gradedHigh(t: FourEyesTenant, subject: string, value = 95): Promise<unknown> {
  return ok(
    await t.req('approver', 'PUT', `/v1/subjects/${subject}/metrics`, {
      metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value }],
    }),
  );
}

/** The pending AML sign-off of `subject`, as a viewer reads it. */
export async function signOffOf(t: FourEyesTenant, subject: string): Promise<{ id: string; contentHash: string }> {
  return ok(await t.req('viewer', 'GET', `/v1/subjects/${subject}/levels/aml-test/approval`));
}
