/** Browser origins an app trusts: a list, every origin (`'*'`), or, when unset, this machine's. */
export type TrustedOrigins = readonly string[] | '*' | undefined;

const LOCALHOST = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

/**
 * Whether `origin` is trusted. Unset means the demo's default: any `http://localhost:<port>`,
 * `127.0.0.1` or `[::1]` — pages only this machine can serve.
 */
export function isTrustedOrigin(trusted: TrustedOrigins, origin: string): boolean {
  if (trusted === '*') return true;
  if (trusted === undefined) return LOCALHOST.test(origin);
  return trusted.includes(origin);
}
