/**
 * Retiring a policy version takes two people (packages/api/README.md, "Policies"): one asks, another
 * approves the request by its hash. The tests that retire a version to set up or check what follows
 * do both steps here, so each keeps what it checks.
 */
type Send = (path: string, body: unknown) => Response | Promise<Response>;

/**
 * `ask` requests the retirement of `scheme` v`version` with `note`; when it is accepted (202), `approve`
 * approves it. The answer is the approval's (the retired version, with `reevaluation`), or the request's
 * own when it was refused (a 422 pack the version is needed in, a 403 for a role that may not ask).
 */
export async function retireByTwo(ask: Send, approve: Send, scheme: string, version: number, note: string): Promise<Response> {
  const base = `/v1/policies/${scheme}/versions/${version}`;
  const asked = await ask(`${base}/retire`, { note });
  if (asked.status !== 202) return asked;
  const { retireRequestHash } = (await asked.json()) as { retireRequestHash: string };
  return approve(`${base}/retirement/approve`, { contentHash: retireRequestHash });
}
