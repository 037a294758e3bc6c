import type { HttpTierkitClient, StaffMember } from '@tierkit/client';

/** One staff member (`GET /v1/staff/{id}`), through the client's cache and coalescing. */
export function readStaffMember(client: Pick<HttpTierkitClient, 'http'>, id: string, signal: AbortSignal): Promise<StaffMember> {
  return client.http.get<StaffMember>(`/v1/staff/${encodeURIComponent(id)}`, { signal });
}

/** Most staff pages read (100 each): a bank's staff, not an unbounded walk. */
const MAX_STAFF_PAGES = 20;

/**
 * Every staff member of the tenant, page by page. Always asked with the same query, so the stores
 * that need staff (reassignment's candidates, the names in a customer's book moves) share the
 * client's requests and cache.
 */
export async function readAllStaff(client: Pick<HttpTierkitClient, 'listStaff'>, signal: AbortSignal): Promise<StaffMember[]> {
  const out: StaffMember[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_STAFF_PAGES; page++) {
    const got = await client.listStaff({ limit: 100, signal, ...(cursor ? { cursor } : {}) });
    out.push(...got.items);
    if (got.nextCursor === null) break;
    cursor = got.nextCursor;
  }
  return out;
}
