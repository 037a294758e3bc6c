import assert from 'node:assert/strict';

/** Sends one JSON request with a credential: the shape every API suite's helper has. */
export type Send = (credential: string, method: string, path: string, body?: unknown) => Response | Promise<Response>;

/**
 * `PUT /v1/staff/{id}` as a test's set-up needs it: a change that grants power answers 202 with a grant
 * (packages/api/README.md, "Staff and books"), which `checker` — another admin than `maker` — approves
 * here. Returns the PUT's status (201, 200, or 202 for a grant now approved). For set-up only: a test of
 * the grants themselves asserts each step (tests/api/staff-grants.test.ts).
 */
export async function putStaffGranted(send: Send, maker: string, checker: string, id: string, body: unknown): Promise<number> {
  const put = await send(maker, 'PUT', `/v1/staff/${encodeURIComponent(id)}`, body);
  if (put.status !== 202) return put.status;
  const grant = (await put.json()) as { id: string; contentHash: string };
  const approved = await send(checker, 'POST', `/v1/staff-grants/${grant.id}/approve`, { contentHash: grant.contentHash });
  assert.equal(approved.status, 200, await approved.text());
  return 202;
}
