/**
 * The console's credential: a staff token from the bank's backend (in the demo, the demo server's
 * `/demo/staff-token?as=…`), reused until a minute before it expires, one renewal at a time. No API
 * key ever reaches the browser.
 */
export function tokenSource(url: string): () => Promise<string> {
  let pending: Promise<string> | null = null;
  let renewAt = 0;
  return () => {
    if (!pending || Date.now() >= renewAt) {
      renewAt = Number.POSITIVE_INFINITY;
      const p = fetch(url, { credentials: 'same-origin' }).then(async (res) => {
        if (!res.ok) throw new Error(`token: HTTP ${res.status}`);
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
