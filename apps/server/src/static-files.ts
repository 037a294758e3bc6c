import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { Context } from 'hono';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=UTF-8',
  '.js': 'text/javascript; charset=UTF-8',
  '.mjs': 'text/javascript; charset=UTF-8',
  '.css': 'text/css; charset=UTF-8',
  '.json': 'application/json; charset=UTF-8',
  '.map': 'application/json; charset=UTF-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=UTF-8',
};

/**
 * The strict policy the demo pages run under: no inline script, Trusted Types for lit-html only; no
 * framing (clickjacking), no `<base>` re-pointing relative URLs, forms submit only to the page's site.
 */
export const DEMO_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; require-trusted-types-for 'script'; trusted-types lit-html; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * The same policy for a page that runs two copies of tierkit (two teams, two versions): each copy's
 * Lit creates its own `lit-html` Trusted Types policy, which the strict policy above forbids twice.
 */
export const TWO_COPIES_CSP = DEMO_CSP.replace('trusted-types lit-html;', "trusted-types lit-html 'allow-duplicates';");

/** Demo pages that load two copies of the widgets on purpose. */
const TWO_COPY_PAGES = new Set(['two-versions.html']);

/**
 * Serve a file under `root` for the request path after `prefix`, or return null. Paths that
 * escape `root` are refused; `dir/` serves `dir/index.html`. HTML gets the demo CSP.
 */
export async function serveFile(c: Context, root: string, prefix: string): Promise<Response | null> {
  let rel: string;
  try {
    rel = decodeURIComponent(c.req.path.slice(prefix.length));
  } catch {
    return null; // a malformed escape names no file: fall through to a 404, never a 500
  }
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  const file = normalize(join(root, rel));
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return null;
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const headers: Record<string, string> = { 'Content-Type': type, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' };
  if (type.startsWith('text/html')) headers['Content-Security-Policy'] = TWO_COPY_PAGES.has(rel) ? TWO_COPIES_CSP : DEMO_CSP;
  return new Response(new Uint8Array(await readFile(file)), { status: 200, headers });
}
