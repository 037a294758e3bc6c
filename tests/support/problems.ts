import assert from 'node:assert/strict';
import type { Problem } from '@tierkit/core';

/** Assert `res` is a problem+json of `status` and return its body. */
export async function problem(res: Response, status: number): Promise<Problem> {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}`);
  assert.match(res.headers.get('Content-Type') ?? '', /^application\/problem\+json/);
  return (await res.json()) as Problem;
}

/** Each `[path, status, field?]` GET is that problem, and names `field` among its errors when given. */
export async function expectProblems(
  get: (path: string) => Response | Promise<Response>,
  cases: readonly [string, number, string?][],
): Promise<void> {
  for (const [path, status, field] of cases) {
    const p = await problem(await get(path), status);
    if (field)
      assert.ok(
        p.errors?.some((e) => e.path === field),
        `${path}: ${JSON.stringify(p.errors)}`,
      );
  }
}
