import { DEMO_CSP } from './static-files.js';

/**
 * `TIERKIT_CONSOLE_TOKEN_URL`: where the admin console gets a staff token when demo tokens are off —
 * the bank's own endpoint behind its staff login (SSO), which answers `{ token, expiresAt }` as
 * `POST /v1/staff-tokens` does. A path on this server's origin: the console's CSP (`connect-src 'self'`)
 * lets it fetch nothing else, and the bank's reverse proxy in front of tierkit routes the path to its
 * login service, whose session cookie then comes along. Paths tierkit serves itself are refused.
 */
export function consoleTokenUrlFromEnv(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  // Read as the browser will resolve it: `/\\bank.example` is another origin to a browser, and
  // `/sso/../v1/…` or `/%2e%2e/v1/…` is tierkit's own path. Only a path that resolves to itself passes.
  const resolved = URL.canParse(value, SAME_ORIGIN) ? new URL(value, SAME_ORIGIN) : undefined;
  const asWritten = resolved !== undefined && resolved.origin === SAME_ORIGIN && resolved.pathname + resolved.search === value;
  if (!value.startsWith('/') || !asWritten || TIERKIT_PATHS.test(resolved.pathname))
    throw new Error(
      `TIERKIT_CONSOLE_TOKEN_URL must be a path on this server's origin routed to the bank's staff-token endpoint (e.g. /sso/tierkit-token), written as the browser resolves it (no \\, no . or .. segments, no escapes of them), and none tierkit serves itself (/, /v1/, /admin/, /demo/, /widgets/, /healthz, /openapi.json, /docs); got "${value}"`,
    );
  return value;
}

const SAME_ORIGIN = 'https://tierkit.invalid';
/** Paths this server answers itself: the console fetching its token there would be talking to tierkit. */
const TIERKIT_PATHS = /^\/$|^\/(v1|admin|demo|widgets)(\/|$)|^\/(healthz|openapi\.json|docs)$/;

/** What the console reads at `/admin/sign-in.json` to know how staff sign in here. */
export function consoleSignIn(settings: { readonly demoTokens: boolean; readonly consoleTokenUrl?: string | undefined }): {
  demo?: true;
  tokenUrl?: string;
} {
  if (settings.demoTokens) return { demo: true };
  return settings.consoleTokenUrl ? { tokenUrl: settings.consoleTokenUrl } : {};
}

/**
 * `/` when demo tokens are off: the demo online-banking page would only show 无法加载 in every panel
 * (it gets its tokens from `/demo/`), so a plain page says what this server is and where to go.
 */
export function serverHomePage(settings: { readonly consoleTokenUrl?: string | undefined }): Response {
  const signIn = settings.consoleTokenUrl
    ? `staff sign in through <code>${escapeHtml(settings.consoleTokenUrl)}</code> (TIERKIT_CONSOLE_TOKEN_URL)`
    : 'no staff sign-in configured: set TIERKIT_CONSOLE_TOKEN_URL (docs/operations.md)';
  const body = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>tierkit server</title></head>
<body>
<h1>tierkit server</h1>
<p>The demo pages are off on this server (DEMO_TOKENS=off). <span lang="zh-CN">本服务器未开放演示页面。</span> <span lang="zh-TW">本伺服器未開放示範頁面。</span></p>
<ul>
<li><a href="/admin/">Admin console</a> (<span lang="zh-CN">管理台</span>): ${signIn}</li>
<li><a href="/docs">API docs</a>, <a href="/openapi.json">OpenAPI</a></li>
<li><a href="/healthz">/healthz</a></li>
</ul>
</body>
</html>
`;
  return new Response(body, {
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': DEMO_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    },
  });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
