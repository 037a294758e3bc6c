/**
 * The staff token endpoint answered, but with no token: its status is what the operator needs (a 404
 * is a wrong TIERKIT_CONSOLE_TOKEN_URL, a 401 a staff member not signed in to the bank), not "the
 * network is down", which a plain Error read as.
 */
export class StaffTokenRefused extends Error {
  readonly status: number;
  readonly url: string;

  constructor(status: number, url: string) {
    super(`token: HTTP ${status}`);
    this.name = 'StaffTokenRefused';
    this.status = status;
    this.url = url;
  }
}

/**
 * The console's credential: a staff token from the bank's backend (the server's
 * `TIERKIT_CONSOLE_TOKEN_URL`; in the demo, the demo server's `/demo/staff-token?as=…`), reused until
 * a minute before it expires, one renewal at a time. No API key ever reaches the browser.
 */
export function tokenSource(url: string): () => Promise<string> {
  let pending: Promise<string> | null = null;
  let renewAt = 0;
  return () => {
    if (!pending || Date.now() >= renewAt) {
      renewAt = Number.POSITIVE_INFINITY;
      const p = fetch(url, { credentials: 'same-origin' }).then(async (res) => {
        if (!res.ok) throw new StaffTokenRefused(res.status, url);
        const body = (await res.json()) as { token: string; expiresAt: string };
        renewAt = Date.parse(body.expiresAt) - 60_000;
        return body.token;
      });
      p.catch(() => {
        pending = null;
        renewAt = 0;
      });
      pending = p;
    }
    return pending;
  };
}
