import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { ifNoneMatchHas } from '@tierkit/api';
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
  readonly body: Uint8Array<ArrayBuffer>;
  /** The content's hash, quoted: the identity representation's strong ETag. */
  readonly etag: string;
  /** Each coding that makes the file smaller; none for files that are compressed already (PNG, WOFF2). */
  readonly coded: Partial<Record<Coding, Uint8Array<ArrayBuffer>>>;
}

/** A kept file: the stat it was read under (a rebuilt file, another size or time, is read again) and its bytes once known. */
interface Kept {
  readonly mtimeMs: number;
  readonly size: number;
  readonly prepared: Promise<Prepared | null>;
  bytes: number;
}

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/**
 * Brotli's quality. Made while the first request for a file version waits, so a moderate one: for the
 * console's 485 KB chunk quality 5 costs ~12 ms of CPU for 96 KB, where 11 cost ~750 ms (4.3 s of
 * wall time on a loaded machine) for 85 KB; for the 75 KB widget bundle 3 ms for 24.6 KB against ~85 ms for 22.7 KB.
 */
const BROTLI_QUALITY = 5;

/** Types worth compressing: text. Images and fonts in our trees are compressed formats already. */
function compressible(type: string): boolean {
  return type.startsWith('text/') || type.startsWith('application/json') || type === 'image/svg+xml';
}

/**
 * Kept by the file itself (device and inode), not by the path asked: on a case-insensitive file system
 * every spelling of a name, and every link to a file, is one entry. Least recently served first; the
 * total is capped, so files deleted or rebuilt under new names drop out once newer ones need the room.
 */
const kept = new Map<string, Kept>();
let keptBytes = 0;
// Our trees (demo pages, the widget bundle, the console) come to under 2 MiB with both codings.
let maxKeptBytes = 32 * 1024 * 1024;

/** Bytes and files the cache holds now (for tests and diagnostics). */
export function staticFilesKept(): { files: number; bytes: number } {
  return { files: kept.size, bytes: keptBytes };
}

/** Set the cache's cap in bytes; returns the previous one. Tests use a small one to see eviction. */
export function setStaticFilesCap(bytes: number): number {
  const previous = maxKeptBytes;
  maxKeptBytes = bytes;
  evictOver(maxKeptBytes);
  return previous;
}

function forget(key: string, entry: Kept): void {
  if (kept.get(key) !== entry) return;
  kept.delete(key);
  keptBytes -= entry.bytes;
}

function evictOver(cap: number): void {
  // A Map iterates in insertion order, and a served entry is re-inserted: the first are the least recently served.
  for (const [key, entry] of kept) {
    if (keptBytes <= cap) break;
    forget(key, entry);
  }
}

async function prepare(file: string, type: string): Promise<Prepared | null> {
  const body = await readFile(file).catch(() => null);
  if (!body) return null; // gone between stat and read: a 404 like any missing file
  const etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
  const coded: Partial<Record<Coding, Uint8Array<ArrayBuffer>>> = {};
  if (compressible(type)) {
    // Made once per version of the file, off the event loop (zlib's thread pool), then every page view
    // is answered from memory. A coding that fails (out of memory) is left out: the file is still
    // served, uncompressed, never a 500 kept for every later request of it.
    const [gz, br] = await Promise.all([
      gzipAsync(body, { level: 9 }).catch(() => undefined),
      brotliAsync(body, {
        params: { [zlib.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length },
      }).catch(() => undefined),
    ]);
    if (gz && gz.length < body.length) coded.gzip = new Uint8Array(gz);
    if (br && br.length < body.length) coded.br = new Uint8Array(br);
  }
  return { body: new Uint8Array(body), etag, coded };
}

async function preparedFile(file: string, info: Stats, type: string): Promise<Prepared | null> {
  const key = `${info.dev}:${info.ino}`;
  const current = kept.get(key);
  if (current && current.mtimeMs === info.mtimeMs && current.size === info.size) {
    kept.delete(key);
    kept.set(key, current);
    return current.prepared;
  }
  if (current) forget(key, current);
  // Requests arriving while it is being prepared share the one read and compression.
  const entry: Kept = { mtimeMs: info.mtimeMs, size: info.size, prepared: prepare(file, type), bytes: 0 };
  kept.set(key, entry);
  const result = await entry.prepared;
  if (kept.get(key) !== entry) return result; // replaced by a newer version or evicted meanwhile: served, not counted
  if (!result) {
    forget(key, entry);
    return null;
  }
  entry.bytes = result.body.length + (result.coded.gzip?.length ?? 0) + (result.coded.br?.length ?? 0);
  keptBytes += entry.bytes;
  // The newest entry is the last one evicted: only a file bigger than the whole cap is not kept.
  evictOver(maxKeptBytes);
  return result;
}

/**
 * The coding to answer in, from an `Accept-Encoding` header: the offered coding of highest q-value
 * that is not refused (`;q=0`), brotli before gzip on a tie; `*` stands for any coding the header does
 * not name. A q-value that is not a number from 0 to 1 refuses. Undefined: identity.
 */
export function chooseCoding(header: string | undefined, offered: readonly Coding[]): Coding | undefined {
  if (!header) return undefined;
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!name) continue;
    const qParam = params.find((p) => p.startsWith('q='));
    const value = qParam === undefined ? 1 : Number(qParam.slice(2));
    q.set(name, value >= 0 && value <= 1 ? value : 0);
  }
  const weight = (coding: string) => q.get(coding) ?? q.get('*') ?? 0;
  let best: Coding | undefined;
  for (const coding of ['br', 'gzip'] as const) {
    if (offered.includes(coding) && weight(coding) > 0 && (best === undefined || weight(coding) > weight(best))) best = coding;
  }
  return best;
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
  const found = await preparedFile(file, info, type);
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
  if (ifNoneMatchHas(c.req.header('If-None-Match'), etag)) {
    // The cached copy's headers are updated from a 304's: a policy changed since (the CSP) reaches it too.
    delete headers['Content-Type'];
    delete headers['Content-Encoding'];
    return new Response(null, { status: 304, headers });
  }
  return new Response((coding && found.coded[coding]) || found.body, { status: 200, headers });
}
