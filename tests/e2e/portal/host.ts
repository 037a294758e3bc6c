// The bank portal the renewal e2e tests drive: a small HTTP server of the test's own, at an origin
// of its own, serving the portal's page and its backend's token endpoint. The backend holds an
// embedder key and mints embed tokens for the signed-in customer with the server's real
// POST /v1/embed-tokens, as short-lived as the test asks.
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { build } from 'esbuild';

const here = new URL('.', import.meta.url).pathname;

export interface Portal {
  readonly origin: string;
  /** The customer the portal's session has signed in. */
  customer: string;
  /** The customer the backend mints for, when it differs from the session's (a portal bug). */
  mintFor: string | undefined;
  /** Lifetime of the tokens minted from now on, in seconds (the server allows 1 to 900). */
  ttlSeconds: number;
  /** 'ended': the bank's session is over (401); 'down': the backend cannot reach tierkit (503). */
  failing: 'ended' | 'down' | undefined;
  /** Every token minted, in order, with when it stops being accepted. */
  readonly minted: { subject: string; token: string; expiresAt: string }[];
  /** Token requests refused (`failing`). */
  refusals: number;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
const problem = (status: number, type: string, title: string) =>
  JSON.stringify({ type: `https://bank.example/problems/${type}`, title, status });

/** The portal page's script, bundled as the portal's own build would: @tierkit/client from its sources. */
async function pageScript(): Promise<string> {
  const out = await build({
    entryPoints: [join(here, 'portal-page.ts')],
    bundle: true,
    format: 'esm',
    write: false,
    conditions: ['tierkit-source'],
    tsconfig: join(here, '../../../tsconfig.base.json'),
  });
  return out.outputFiles[0]!.text;
}

/**
 * Starts the portal against the tierkit server at `api`, minting with `embedderKey`. `/` is the plain
 * page (the widgets' script tag and the portal's bundle); `/react/` serves `reactDist` when given.
 */
export async function startPortal(api: string, embedderKey: string, reactDist?: string): Promise<Portal> {
  const script = await pageScript();
  let origin = '';
  const portal: Portal = {
    origin: '',
    customer: 'C000003',
    mintFor: undefined,
    ttlSeconds: 900,
    failing: undefined,
    minted: [],
    refusals: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const page = (subject: string) => `<!doctype html>
<html lang="zh-CN" data-api="${api}">
<head>
  <meta charset="utf-8">
  <title>网上银行 · 我的等级</title>
  <link rel="icon" href="data:,">
  <script type="module" src="${api}/widgets/tierkit.js"></script>
  <script type="module" src="/portal.js"></script>
</head>
<body>
  <tk-provider subject="${subject}" locale="zh-CN">
    <tk-tier-badge id="tier" scheme="retail-tier" show-progress></tk-tier-badge>
    <tk-tier-badge id="stars" scheme="star-rating"></tk-tier-badge>
    <tk-entitlement-panel id="panel"></tk-entitlement-panel>
    <tk-tier-timeline id="timeline"></tk-tier-timeline>
  </tk-provider>
</body>
</html>`;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://portal').pathname;
      if (path === '/portal/token' && req.method === 'POST') {
        if (portal.failing) {
          portal.refusals++;
          const [status, type, title] =
            portal.failing === 'ended' ? [401, 'session-ended', 'Sign in again'] : [503, 'unavailable', 'Unavailable'];
          res.writeHead(status, { 'content-type': 'application/problem+json' }).end(problem(status, type, title));
          return;
        }
        const subject = portal.mintFor ?? portal.customer;
        // The portal's backend, server to server: the embedder key never reaches the page.
        const r = await fetch(`${api}/v1/embed-tokens`, {
          method: 'POST',
          headers: { authorization: `Bearer ${embedderKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ subject, origins: [origin], ttlSeconds: portal.ttlSeconds }),
        });
        const body = await r.text();
        if (r.status === 201) portal.minted.push({ subject, ...(JSON.parse(body) as { token: string; expiresAt: string }) });
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' }).end(body);
        return;
      }
      if (path === '/') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(page(portal.customer));
        return;
      }
      if (path === '/portal.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
        return;
      }
      if (reactDist && path.startsWith('/react/')) {
        const rel = normalize(path.slice('/react/'.length) || 'index.html').replace(/^(\.\.[/\\])+/, '');
        const file = join(reactDist, rel);
        try {
          res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
        } catch {
          res.writeHead(404).end();
        }
        return;
      }
      res.writeHead(404).end();
    })().catch((e: unknown) => res.writeHead(500).end(String(e)));
  });
  // Port 0: the system picks a free one.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return Object.assign(portal, { origin });
}
