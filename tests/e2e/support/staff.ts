import assert from 'node:assert/strict';
import { ADMIN_KEY } from './server.js';

/**
 * `PUT /v1/staff/{id}` as the bank's operator key, and — when it grants power (202: four eyes on staff
 * powers, packages/api/README.md "Staff and books") — approved by the demo's other admin, ADMIN01, with
 * their staff token. Set-up for tests about something else; returns the PUT's status.
 */
export async function putStaffApproved(serverUrl: string, id: string, body: unknown): Promise<number> {
  const put = await fetch(`${serverUrl}/v1/staff/${encodeURIComponent(id)}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (put.status !== 202) return put.status;
  const grant = (await put.json()) as { id: string; contentHash: string };
  const signIn = await fetch(`${serverUrl}/demo/staff-token?as=admin`);
  assert.equal(signIn.status, 200);
  const { token } = (await signIn.json()) as { token: string };
  const approved = await fetch(`${serverUrl}/v1/staff-grants/${grant.id}/approve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ contentHash: grant.contentHash }),
  });
  assert.equal(approved.status, 200, await approved.text());
  return 202;
}
