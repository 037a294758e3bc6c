import assert from 'node:assert/strict';

/** A request to the server under test with a credential, as the console's own backend calls would be made. */
export const apiOf =
  (url: () => string) =>
  (credential: string, path: string, method = 'GET', body?: unknown): Promise<Response> =>
    fetch(`${url()}${path}`, {
      method,
      headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

/** The body of `res` as JSON, after checking its status (the body is the assertion's message). */
export async function json<T>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  return JSON.parse(text) as T;
}
