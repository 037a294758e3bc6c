import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import {
  cellOf,
  createApiKey,
  MATRIX_CREDENTIALS,
  mintEmbedToken,
  mintStaffToken,
  OTHER_SUBJECT,
  permissionsMarkdown,
  routeTable,
  ruleFor,
  SAMPLE_LEAD,
  SAMPLE_LEAD_APPROVER,
  SAMPLE_RM,
  SAMPLE_AUDITOR,
  SAMPLE_SUBJECT,
  samplePath,
  type RouteEntry,
} from '@tierkit/api';
import type { Problem } from '@tierkit/core';
import { NOW, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';
import { putStaffGranted, type Send } from '../support/granted-staff.js';

async function routesOf(f: ApiFixture): Promise<RouteEntry[]> {
  const document = (await (await f.app.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
  return routeTable(document).filter((r) => r.template.startsWith('/v1/'));
}

forEachDialect('permissions: deny by default, the role × route matrix', (f) => {
  it('every /v1 route of the OpenAPI document has an explicit entry in the route table', async () => {
    const routes = await routesOf(f);
    assert.ok(routes.length >= 10);
    const missing = routes.filter((r) => ruleFor(r.method, samplePath(r.template)) === undefined).map((r) => `${r.method} ${r.template}`);
    assert.deepEqual(missing, [], 'give each an entry in packages/api/src/auth/access.ts, then run npm run permissions-doc');
  });

  it('docs/permissions.md is the matrix generated from the route table (npm run permissions-doc)', async () => {
    const file = readFileSync(new URL('../../docs/permissions.md', import.meta.url), 'utf8');
    assert.equal(file, permissionsMarkdown(await routesOf(f)), 'run npm run permissions-doc and commit docs/permissions.md');
  });

  it('calling every route with every credential kind gets exactly what the matrix says', async () => {
    await client(f).customer(SAMPLE_SUBJECT);
    await client(f).customer(OTHER_SUBJECT);
    const staff = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', now: NOW })).token;
    const embed = async (subject: string) => (await mintEmbedToken(f.db.db, { tenantId: 'bank-a', subject, now: NOW })).token;
    // The relationship manager: a book-scoped officer on staff (no grant needed: it gives no reach) and their token.
    const put = await f.app.request(`/v1/staff/${SAMPLE_RM}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${f.keys.roles.admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: '王芳', role: 'officer', scope: 'book' }),
    });
    assert.equal(put.status, 201, await put.text());
    const rm = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: SAMPLE_RM, now: NOW })).token;
    // The team lead: a book-scoped officer leading a team that holds the RM's book.
    const admin = { Authorization: `Bearer ${f.keys.roles.admin}`, 'Content-Type': 'application/json' };
    const lead = await f.app.request(`/v1/staff/${SAMPLE_LEAD}`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ name: '李组长', role: 'officer', scope: 'book' }),
    });
    assert.equal(lead.status, 201, await lead.text());
    const team = await f.app.request('/v1/teams/T1', { method: 'PUT', headers: admin, body: JSON.stringify({ name: '一组' }) });
    assert.equal(team.status, 201, await team.text());
    const books = await f.app.request('/v1/teams/T1/books', { method: 'POST', headers: admin, body: JSON.stringify({ add: [SAMPLE_RM] }) });
    assert.equal(books.status, 200, await books.text());
    // Naming the lead widens their reach: a grant, approved by a second admin (four eyes on teams).
    const named = await f.app.request('/v1/teams/T1', {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ name: '一组', lead: SAMPLE_LEAD }),
    });
    assert.equal(named.status, 202);
    const grant = (await named.json()) as { id: string; contentHash: string };
    const admin2 = (await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'admin', label: 'second admin', now: NOW })).secret;
    const approved = await f.app.request(`/v1/staff-grants/${grant.id}/approve`, {
      method: 'POST',
      headers: { ...admin, Authorization: `Bearer ${admin2}` },
      body: JSON.stringify({ contentHash: grant.contentHash }),
    });
    assert.equal(approved.status, 200, await approved.text());
    const leadToken = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: SAMPLE_LEAD, now: NOW })).token;
    // The team lead approver: a book-scoped approver (a grant), leading a second team that holds the RM's book.
    const admin2Headers = { ...admin, Authorization: `Bearer ${admin2}` };
    const grantApproved = async (res: Response) => {
      assert.equal(res.status, 202, await res.clone().text());
      const g = (await res.json()) as { id: string; contentHash: string };
      const done = await f.app.request(`/v1/staff-grants/${g.id}/approve`, {
        method: 'POST',
        headers: admin2Headers,
        body: JSON.stringify({ contentHash: g.contentHash }),
      });
      assert.equal(done.status, 200, await done.text());
    };
    await grantApproved(
      await f.app.request(`/v1/staff/${SAMPLE_LEAD_APPROVER}`, {
        method: 'PUT',
        headers: admin,
        body: JSON.stringify({ name: '周组长', role: 'approver', scope: 'book' }),
      }),
    );
    const team2 = await f.app.request('/v1/teams/T2', { method: 'PUT', headers: admin, body: JSON.stringify({ name: '二组' }) });
    assert.equal(team2.status, 201, await team2.text());
    const books2 = await f.app.request('/v1/teams/T2/books', {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ add: [SAMPLE_RM] }),
    });
    assert.equal(books2.status, 200, await books2.text());
    await grantApproved(
      await f.app.request('/v1/teams/T2', {
        method: 'PUT',
        headers: admin,
        body: JSON.stringify({ name: '二组', lead: SAMPLE_LEAD_APPROVER }),
      }),
    );
    const leadApproverToken = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: SAMPLE_LEAD_APPROVER, now: NOW })).token;
    const embedder = (await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'embedder', label: 'portal backend', now: NOW })).secret;
    // Internal audit: made an auditor through four eyes (a grant, approved by the second admin), then their key and token.
    const send: Send = (credential, method, path, body) =>
      f.app.request(path, {
        method,
        headers: { Authorization: `Bearer ${credential}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    assert.equal(await putStaffGranted(send, f.keys.roles.admin, admin2, SAMPLE_AUDITOR, { name: '赵审计', role: 'auditor' }), 202);
    const auditorKey = (
      await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'auditor', label: 'internal audit', staffId: SAMPLE_AUDITOR, now: NOW })
    ).secret;
    const auditorToken = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: SAMPLE_AUDITOR, now: NOW })).token;
    const secrets: Record<string, string> = {
      ...Object.fromEntries(Object.entries(f.keys.roles).map(([role, secret]) => [`${role} key`, secret])),
      'embedder key': embedder,
      'viewer staff token': staff,
      'auditor key': auditorKey,
      'auditor staff token': auditorToken,
      'RM officer staff token': rm,
      'team lead officer staff token': leadToken,
      'team lead approver staff token': leadApproverToken,
      'embed token': await embed(SAMPLE_SUBJECT),
    };
    const otherEmbed = await embed(OTHER_SUBJECT);
    const call = (route: RouteEntry, credential: string) =>
      f.app.request(samplePath(route.template), {
        method: route.method,
        headers: { Authorization: `Bearer ${credential}`, ...(route.method === 'GET' ? {} : { 'Content-Type': 'application/json' }) },
        // An empty object: a route that lets the credential in answers 400 and changes nothing.
        ...(route.method === 'GET' ? {} : { body: '{}' }),
      });
    // An embedder key's refusals say what it is for (`embedder-key`), every other credential's are `forbidden`.
    const refused = async (res: Response, credential = '') => {
      if (res.status !== 403) return false;
      return ((await res.json()) as Problem).type.endsWith(credential === 'embedder key' ? '/embedder-key' : '/forbidden');
    };
    const wrong: string[] = [];
    for (const route of await routesOf(f)) {
      for (const credential of MATRIX_CREDENTIALS) {
        const secret = secrets[credential.name];
        assert.ok(secret, credential.name);
        const cell = cellOf(route, credential);
        const res = await call(route, secret);
        assert.notEqual(res.status, 401, `${credential.name} authenticates`);
        if ((await refused(res, credential.name)) !== (cell === 'no'))
          wrong.push(`${route.method} ${route.template} as ${credential.name}: ${res.status}, matrix says ${cell}`);
        if (cell === 'own subject' && !(await refused(await call(route, otherEmbed)))) {
          wrong.push(`${route.method} ${route.template} with another subject’s embed token is not refused`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });
});
