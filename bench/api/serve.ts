// A server for bench/api, in its own process so the load generator does not share its event loop.
//   node --import tsx bench/api/serve.ts real <database url>   the real server (API + demo), as `npm start` serves it
//   node --import tsx bench/api/serve.ts bare <database url>   a bare Hono route answering one primary-key SELECT
// Prints `listening <port>` once it accepts connections on a free loopback port.
import { serve } from '@hono/node-server';
import SQLite from 'better-sqlite3';
import { Hono } from 'hono';
import pg from 'pg';
import { connect, isPostgresUrl } from '@tierkit/db';
import { serverApp, settingsFromEnv } from '../../apps/server/src/server.js';

const [mode, url] = process.argv.slice(2);
if (!url || (mode !== 'real' && mode !== 'bare')) throw new Error('usage: serve.ts real|bare <database>');

let fetch: (req: Request) => Response | Promise<Response>;
if (mode === 'bare' && isPostgresUrl(url)) {
  // PostgreSQL's baseline: a pooled connection and a named (server-side prepared) statement.
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  fetch = new Hono().get('/bare/:id', async (c) => {
    const { rows } = await pool.query({ name: 'bare-subject', text: 'SELECT * FROM subjects WHERE id = $1', values: [c.req.param('id')] });
    return rows[0] ? c.json(rows[0]) : c.json({ error: 'not found' }, 404);
  }).fetch;
} else if (mode === 'bare') {
  const db = new SQLite(url, { readonly: true });
  db.pragma('journal_mode = WAL');
  // The baseline: one statement prepared once, one primary-key lookup per request, the row as JSON.
  const byId = db.prepare('SELECT * FROM subjects WHERE id = ?');
  fetch = new Hono().get('/bare/:id', (c) => {
    const row = byId.get(c.req.param('id'));
    return row ? c.json(row) : c.json({ error: 'not found' }, 404);
  }).fetch;
} else {
  // The bench drives one API key and one token far past the per-credential default (100/s, meant for
  // one caller, packages/api/README.md#rate-limits): limits this high measure the reads, not 429s,
  // while every request still passes through the limiter's bucket.
  const rateLimit = { burst: 1e9, perSecond: 1e9, keyBurst: 1e9, keyPerSecond: 1e9 };
  // Matrix results are not shared between requests here: the bench times the query path, not a hit.
  // Their counts still answer the list of a cell they counted 0 in while the data version holds, as
  // on a server that shares them (services/matrix-cache.ts).
  fetch = serverApp(
    connect({ url }),
    // READ_CACHE_MB and VERSION_TRUST_MS as `npm start` reads them (default 32 MiB, 1,000 ms).
    {
      tenant: 'demo',
      corsOrigins: undefined,
      demoTokens: false,
      readCacheBytes: settingsFromEnv().readCacheBytes,
      versionTrustMs: settingsFromEnv().versionTrustMs,
    },
    { rateLimit, matrixCacheSeconds: 0 },
  ).fetch;
}

serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(`listening ${info.port}`));
