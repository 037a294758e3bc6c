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

/**
 * The token function's failure, marked `source: 'token'`. Its 401 is the bank's own session ending,
 * which looks exactly like the API refusing a token, but renewing the token cannot mend it: a host's
 * 401 recovery that renewed on it would mint and read again without end (renewOn401 skips it). The
 * host's own error keeps its identity, status and problem (a thrown string becomes a String object);
 * a frozen one cannot take the mark, and the read rejects with the TypeError of trying.
 */
export const fromToken = (e: unknown): unknown => Object.assign(Object(e), { source: 'token' });
