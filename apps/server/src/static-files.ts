import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
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

/** How a tree of files is served. */
export interface ServeOptions {
  /**
   * Any origin may load these files (`Access-Control-Allow-Origin: *`): a module script from another
   * origin is fetched in CORS mode, so without it a bank's page could not run the widget bundle.
   */
  readonly anyOrigin?: boolean;
  /** Files whose name changes with their content (a hash in it): cached for a year, never revalidated. */
  readonly immutable?: (rel: string) => boolean;
}

type Coding = 'br' | 'gzip';

/** One version of a file, as read and compressed once: what every request for it is answered from. */
interface Prepared {
  /** The stat it was read under: a rebuilt file (another size or time) is read again. */
  readonly mtimeMs: number;
  readonly size: number;
  readonly body: Uint8Array<ArrayBuffer>;
  /** The content's hash, quoted: the identity representation's strong ETag. */
  readonly etag: string;
  /** Each coding that makes the file smaller; none for files that are compressed already (PNG, WOFF2). */
  readonly coded: Partial<Record<Coding, Uint8Array<ArrayBuffer>>>;
}

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** Types worth compressing: text. Images and fonts in our trees are compressed formats already. */
function compressible(type: string): boolean {
  return type.startsWith('text/') || type.startsWith('application/json') || type === 'image/svg+xml';
}

// Keyed by absolute path. Only files under the served roots get in (ours, a few dozen), so it stays small.
const prepared = new Map<string, Promise<Prepared | null>>();

async function prepare(file: string, mtimeMs: number, size: number, type: string): Promise<Prepared | null> {
  const body = await readFile(file).catch(() => null);
  if (!body) return null; // gone between stat and read: a 404 like any missing file
  const etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
  const coded: Partial<Record<Coding, Uint8Array<ArrayBuffer>>> = {};
  if (compressible(type)) {
    // Made once per version of the file, off the event loop (zlib's thread pool): brotli's best
    // quality costs ~0.1 s of CPU for the 75 KB bundle, then every page view is answered from memory.
    // A coding that fails (out of memory) is left out: the file is still served, uncompressed, never a
    // 500 kept for every later request of it.
    const [gz, br] = await Promise.all([
      gzipAsync(body, { level: 9 }).catch(() => undefined),
      brotliAsync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } }).catch(() => undefined),
    ]);
    if (gz && gz.length < body.length) coded.gzip = new Uint8Array(gz);
    if (br && br.length < body.length) coded.br = new Uint8Array(br);
  }
  return { mtimeMs, size, body: new Uint8Array(body), etag, coded };
}

async function preparedFile(file: string, mtimeMs: number, size: number, type: string): Promise<Prepared | null> {
  const kept = prepared.get(file);
  const current = kept && (await kept);
  if (current && current.mtimeMs === mtimeMs && current.size === size) return current;
  // Requests arriving while it is being prepared share the one read and compression.
  const next = prepare(file, mtimeMs, size, type);
  prepared.set(file, next);
  const result = await next;
  if (!result && prepared.get(file) === next) prepared.delete(file);
  return result;
}

/**
 * The coding to answer in, from an `Accept-Encoding` header: brotli, then gzip, among those offered
 * and not refused (`;q=0`); `*` stands for any coding the header does not name. Undefined: identity.
 */
export function chooseCoding(header: string | undefined, offered: readonly Coding[]): Coding | undefined {
  if (!header) return undefined;
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!name) continue;
    const qParam = params.find((p) => p.startsWith('q='));
    const value = qParam === undefined ? 1 : Number(qParam.slice(2));
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  const weight = (coding: string) => q.get(coding) ?? q.get('*') ?? 0;
  return (['br', 'gzip'] as const).find((coding) => offered.includes(coding) && weight(coding) > 0);
}

/** Whether an `If-None-Match` header names `etag` (weak comparison, as RFC 9110 has it for this header). */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/**
 * Serve a file under `root` for the request path after `prefix`, or return null. Paths that
 * escape `root` are refused; `dir/` serves `dir/index.html`. HTML gets the demo CSP.
 *
 * Each version of a file is read, hashed and compressed (brotli and gzip) once; requests get the
 * coding they accept (`Vary: Accept-Encoding`), a strong ETag per representation, and a 304 when
 * `If-None-Match` names it, so a page view that has the bundle already downloads nothing.
 */
export async function serveFile(c: Context, root: string, prefix: string, options: ServeOptions = {}): Promise<Response | null> {
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
  const found = await preparedFile(file, info.mtimeMs, info.size, type);
  if (!found) return null;
  const coding = chooseCoding(c.req.header('Accept-Encoding'), Object.keys(found.coded) as Coding[]);
  // Each coding is a representation of its own, with its own strong validator (RFC 9110, 8.8.1).
  const etag = coding ? `${found.etag.slice(0, -1)}-${coding}"` : found.etag;
  const headers: Record<string, string> = {
    'Content-Type': type,
    'X-Content-Type-Options': 'nosniff',
    // Names without a hash are revalidated on every use: a new build is seen at once, an unchanged one is a 304.
    'Cache-Control': options.immutable?.(rel) ? 'public, max-age=31536000, immutable' : 'no-cache',
    ETag: etag,
  };
  if (compressible(type)) headers.Vary = 'Accept-Encoding';
  if (coding) headers['Content-Encoding'] = coding;
  if (options.anyOrigin) headers['Access-Control-Allow-Origin'] = '*';
  if (type.startsWith('text/html')) headers['Content-Security-Policy'] = TWO_COPY_PAGES.has(rel) ? TWO_COPIES_CSP : DEMO_CSP;
  if (matches(c.req.header('If-None-Match'), etag)) {
    // The cached copy's headers are updated from a 304's: a policy changed since (the CSP) reaches it too.
    delete headers['Content-Type'];
    delete headers['Content-Encoding'];
    return new Response(null, { status: 304, headers });
  }
  return new Response((coding && found.coded[coding]) || found.body, { status: 200, headers });
}
