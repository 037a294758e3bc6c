import type { Problem } from '@tierkit/core';

/**
 * A non-2xx answer of the API. `problem` is the RFC 9457 body, or one synthesised from the status
 * line when the body was not problem+json (a proxy's HTML error page, say).
 */
export class TierkitApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = 'TierkitApiError';
    this.status = problem.status;
    this.problem = problem;
  }
}

/**
 * What a read rejects with when the client's token function failed: the host's own error (or a String
 * object for a thrown string), marked `source: 'token'` by the client, with the `status` and `problem`
 * the host gave it. Its 401 is the bank's session ending, which no new token mends (`renewOn401`).
 * A type only: narrow with `(e as Partial<TokenFunctionError>)?.source === 'token'`.
 */
export type TokenFunctionError = object & {
  readonly source: 'token';
  readonly status?: number;
  readonly problem?: Problem;
};

/** Reads a failed response into a Problem, whatever the server sent. */
export async function problemOf(res: Response): Promise<Problem> {
  const fallback: Problem = { type: 'about:blank', title: res.statusText || `HTTP ${res.status}`, status: res.status };
  // A truncated or non-JSON body still yields the status line.
  const body: { title?: unknown } | null | undefined = /json/.test(res.headers.get('content-type') ?? '')
    ? await res.json().catch(() => undefined)
    : undefined;
  return typeof body?.title === 'string' ? ({ ...fallback, ...(body as Partial<Problem>), status: res.status } as Problem) : fallback;
}

/** The reason an aborted signal carries, as an Error (DOMException AbortError when none was given). */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('Aborted', 'AbortError');
}
