import assert from 'node:assert/strict';
import { ADMIN_KEY } from './server.js';

/**
 * The ids `GET /v1/subjects` lists for `manager`'s book in retail-tier under `filter` (a query string
 * such as `grace=true`), every page, as the bank's operator key reads them: what the console's lists
 * of that book must show.
 */
export async function bookIds(serverUrl: string, filter: string, manager = 'RM001'): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const res: Response = await fetch(
      `${serverUrl}/v1/subjects?manager=${encodeURIComponent(manager)}&scheme=retail-tier&${filter}&limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      { headers: { authorization: `Bearer ${ADMIN_KEY}` } },
    );
    assert.equal(res.status, 200, await res.clone().text());
    const page = (await res.json()) as { items: { id: string }[]; nextCursor: string | null };
    ids.push(...page.items.map((s) => s.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}
