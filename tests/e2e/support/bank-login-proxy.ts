import { createServer } from 'node:http';
import { mintStaffToken } from '@tierkit/api';
import type { Db } from '@tierkit/db';
import { freePort } from './server.js';

/**
 * The bank's reverse proxy in front of tierkit, as docs/operations.md describes it: its login service
 * answers `tokenPath` with a staff token for whoever `signedIn()` says is signed in (401 for nobody),
 * and everything else goes to the server at `serverUrl`.
 */
export async function bankLoginProxy(opts: {
  readonly db: Db;
  readonly tenantId: string;
  readonly serverUrl: string;
  readonly tokenPath: string;
  readonly signedIn: () => string | undefined;
}): Promise<{ readonly url: string; close(): Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proxy = createServer(async (req, res) => {
    if (req.url === opts.tokenPath) {
      const staffId = opts.signedIn();
      if (!staffId) {
        res.writeHead(401).end();
        return;
      }
      const minted = await mintStaffToken(opts.db.db, { tenantId: opts.tenantId, staffId, origins: [url], ttlSeconds: 900 });
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(minted));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host') headers.set(k, v);
    headers.set('host', new URL(opts.serverUrl).host);
    const upstream = await fetch(opts.serverUrl + req.url, {
      method: req.method ?? 'GET',
      headers,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      redirect: 'manual',
    });
    const out: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (k !== 'content-encoding' && k !== 'content-length' && k !== 'transfer-encoding') out[k] = v;
    });
    res.writeHead(upstream.status, out).end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
  return { url, close: () => new Promise<void>((resolve) => proxy.close(() => resolve())) };
}
