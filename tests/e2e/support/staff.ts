import assert from 'node:assert/strict';
import { ADMIN_KEY } from './server.js';

/**
 * A staff-power write (`PUT /v1/staff/{id}`, a team and its books) as the bank's operator key, and — when it
 * grants power (202: four eyes on staff powers, packages/api/README.md "Staff and books") — approved by the
 * demo's other admin, ADMIN01, with their staff token. Set-up for tests about something else; returns the
 * write's status.
 */
export async function writeApproved(serverUrl: string, path: string, method: 'PUT' | 'POST', body: unknown): Promise<number> {
  const write = await fetch(`${serverUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (write.status !== 202) return write.status;
  const grant = (await write.json()) as { id: string; contentHash: string };
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

/** `PUT /v1/staff/{id}`, approved when it grants power (writeApproved). */
export function putStaffApproved(serverUrl: string, id: string, body: unknown): Promise<number> {
  return writeApproved(serverUrl, `/v1/staff/${encodeURIComponent(id)}`, 'PUT', body);
}

/** A team led by `lead` holding `books`, both grants filed by the operator and approved (each must be a grant: 202). */
export async function nameTeamApproved(
  serverUrl: string,
  team: { readonly id: string; readonly name: string; readonly lead: string; readonly books: readonly string[] },
): Promise<void> {
  const path = `/v1/teams/${encodeURIComponent(team.id)}`;
  assert.equal(await writeApproved(serverUrl, path, 'PUT', { name: team.name, lead: team.lead }), 202);
  assert.equal(await writeApproved(serverUrl, `${path}/books`, 'POST', { add: team.books }), 202);
}
