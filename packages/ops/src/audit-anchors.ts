import { closeSync, constants as fsConstants, fstatSync, openSync, statSync, type Stats } from 'node:fs';
import { constants, open, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { TENANT_ID_PATTERN, UNAUTHENTICATED_CHAIN, type AuditAnchor, type ChainAnchorsRead, type LogLine } from '@tierkit/api';
import { listAuditHeads, type Executor } from '@tierkit/db';
import { wholeFromEnv } from './settings.js';

/*
 * The audit chain's heads written down outside the database (packages/api/README.md, "Audit"): a
 * JSON-lines file, one anchor a line — `{"tenant":"bank","seq":42,"hash":"sha256:…","at":"…Z"}` —
 * only ever appended to, by the server on its schedule and by `tierkit audit anchor`.
 */

/**
 * A line of an anchors file that is not an anchor: its number, why, and the chain it names when it names
 * one (`chain`; see `countsAgainst`).
 */
export interface MalformedLine {
  readonly line: number;
  readonly message: string;
  readonly chain?: string;
}

/**
 * What an anchors file held: its anchors and, for each line that is not one, its number and why.
 * `unfinished`: the number of a last line without its newline yet — still being written, so not read
 * (neither an anchor nor malformed: a writer appending now would otherwise fail a verification).
 */
export interface AnchorsRead {
  readonly anchors: AuditAnchor[];
  readonly malformed: MalformedLine[];
  readonly unfinished: number | null;
}

/**
 * Whether a line that is not an anchor counts against `chain` — one rule for the API's verification and
 * the CLI's. A line naming a tenant (JSON with a well-formed `"tenant"`, or one cut short after it: an
 * anchor's line starts with its tenant) could only have been that tenant's anchor, so it fails that chain
 * alone; a line naming none (garbled, too long) could have been anyone's newest anchor, so it fails every
 * chain — passing over it would let a chain cut back to before it pass.
 */
export function countsAgainst(m: Pick<MalformedLine, 'chain'>, chain: string): boolean {
  return m.chain === undefined || m.chain === chain;
}

const HASH = /^sha256:[0-9a-f]{64}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
/** `audit_records.seq` is a 32-bit integer on PostgreSQL: a larger seq would make the query throw, not miss. */
const MAX_SEQ = 2_147_483_647;
/** Longer than any anchor (about 150 bytes): what is kept of a line is bounded, the rest is malformed anyway. */
const MAX_LINE_BYTES = 4096;

/** Whether `at` names a time that exists: `Date.parse` rolls 2026-02-30 over to March 2 instead of refusing it. */
function realUtcTime(at: string): boolean {
  const ms = Date.parse(at);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 19) === at.slice(0, 19);
}

const isChain = (tenant: unknown): tenant is string =>
  typeof tenant === 'string' && (tenant === UNAUTHENTICATED_CHAIN || TENANT_ID_PATTERN.test(tenant));
/** The start of an anchor's line as `anchorLine` writes it, up to its tenant: what a line cut short still names. */
const TENANT_PREFIX = /^\{\s*"tenant"\s*:\s*"([^"\\]*)"/;

/** One line's text (no newline) as an anchor, or why not and the chain it names. */
function anchorOrWhy(text: string, line: number): AuditAnchor | { readonly message: string; readonly chain?: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    const named = TENANT_PREFIX.exec(text)?.[1];
    return { message: 'not JSON (a line cut short, or edited)', ...(isChain(named) ? { chain: named } : {}) };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { message: 'not a JSON object' };
  const { tenant, seq, hash, at } = v as Record<string, unknown>;
  // Checked here, not left to the database: a NUL or an out-of-range seq makes PostgreSQL throw, ending
  // the whole verification with one raw error instead of naming the line.
  if (!isChain(tenant)) return { message: `"tenant" must be a tenant id or "${UNAUTHENTICATED_CHAIN}"` };
  const why = (message: string) => ({ message, chain: tenant });
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1 || seq > MAX_SEQ)
    return why(`"seq" must be a whole number from 1 to ${MAX_SEQ}`);
  if (typeof hash !== 'string' || !HASH.test(hash)) return why('"hash" must be "sha256:" and 64 hex digits');
  if (typeof at !== 'string' || !ISO_UTC.test(at) || !realUtcTime(at)) return why('"at" must be an ISO time in UTC (…Z) that exists');
  return { chain: tenant, seq, hash, at, line };
}

const isAnchor = (r: ReturnType<typeof anchorOrWhy>): r is AuditAnchor => 'seq' in r;

/** One line of an anchors file, or why it is not an anchor. */
export function parseAnchorLine(text: string, line: number): AuditAnchor | string {
  const r = anchorOrWhy(text, line);
  return isAnchor(r) ? r : r.message;
}

/**
 * A whole line as `linesOf` reads it (null: too long to keep), as every reader takes it: a trailing `\r`
 * dropped, a blank line nothing (undefined), any other an anchor or a malformed line.
 */
function classifyLine(raw: string | null, line: number): AuditAnchor | MalformedLine | undefined {
  if (raw === null) return { line, message: `longer than ${MAX_LINE_BYTES} bytes: not an anchor` };
  const text = raw.replace(/\r$/, '');
  if (!text.trim()) return undefined;
  const r = anchorOrWhy(text, line);
  return isAnchor(r) ? r : { line, ...r };
}

/** The line an anchor is written as (no newline). */
export function anchorLine(a: AuditAnchor): string {
  return JSON.stringify({ tenant: a.chain, seq: a.seq, hash: a.hash, at: a.at });
}

/** Parse an anchors file's text; blank lines are skipped, a last line without its newline is `unfinished`. */
export function parseAnchors(text: string, firstLine = 1): AnchorsRead {
  const anchors: AuditAnchor[] = [];
  const malformed: MalformedLine[] = [];
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  for (let i = 0; i < lines.length; i++) {
    const r = classifyLine(lines[i] ?? '', firstLine + i);
    if (r === undefined) continue;
    if (isAnchor(r)) anchors.push(r);
    else malformed.push(r);
  }
  return { anchors, malformed, unfinished: last === '' ? null : firstLine + lines.length };
}

/** One line of a file as `linesOf` reads it: its text (null when too long to keep) and the offset past its newline. */
interface FileLine {
  readonly text: string | null;
  /** Offset just past this line's newline; for a last line without one, the end of the file. */
  readonly end: number;
  /** Whether the line ended with a newline (a last line may still be being written). */
  readonly whole: boolean;
}

/**
 * The lines of `file` from byte `from`, read in chunks: a file of years of anchors (or one grown past what
 * a single string may hold) is never in memory at once, and a line is kept only up to `MAX_LINE_BYTES`.
 */
async function* linesOf(file: Pick<ReadableFile, 'read'>, from: number): AsyncGenerator<FileLine> {
  const chunk = Buffer.alloc(64 * 1024);
  let parts: Buffer[] = [];
  let kept = 0;
  let tooLong = false;
  let position = from;
  for (;;) {
    const { bytesRead } = await file.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) break;
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl >= 0 && nl < bytesRead; nl = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, nl);
      const text = tooLong || kept + piece.length > MAX_LINE_BYTES ? null : Buffer.concat([...parts, piece]).toString('utf8');
      yield { text, end: position + nl + 1, whole: true };
      parts = [];
      kept = 0;
      tooLong = false;
      start = nl + 1;
    }
    if (start < bytesRead && !tooLong) {
      const rest = chunk.subarray(start, bytesRead);
      if (kept + rest.length > MAX_LINE_BYTES) {
        tooLong = true;
        parts = [];
      } else {
        // A copy: the chunk is reused by the next read.
        parts.push(Buffer.from(rest));
        kept += rest.length;
      }
    }
    position += bytesRead;
  }
  if (kept > 0 || tooLong) yield { text: tooLong ? null : Buffer.concat(parts).toString('utf8'), end: position, whole: false };
}

/** Read a whole anchors file (verification), line by line. A file that cannot be read throws, with the reason. */
export async function readAnchorsFile(path: string): Promise<AnchorsRead> {
  const file = await open(path, constants.O_RDONLY);
  try {
    const anchors: AuditAnchor[] = [];
    const malformed: MalformedLine[] = [];
    let line = 0;
    for await (const l of linesOf(file, 0)) {
      line++;
      if (!l.whole) return { anchors, malformed, unfinished: line };
      const r = classifyLine(l.text, line);
      if (r === undefined) continue;
      if (isAnchor(r)) anchors.push(r);
      else malformed.push(r);
    }
    return { anchors, malformed, unfinished: null };
  } finally {
    await file.close();
  }
}

/** What of an open file the readers use (a `FileHandle` is one). */
export interface ReadableFile {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(): Promise<{ readonly size: number; readonly dev: number; readonly ino: number }>;
  close(): Promise<void>;
}

/** What `AnchorsIndex` opens its file with: injectable, so a test can count what is read. */
export type OpenForReading = (path: string) => Promise<ReadableFile>;

const HASH_BYTES = 32;

/**
 * One chain's anchors, compactly: a year of anchors of every tenant is kept in memory, so not one object
 * per anchor but its seq, its time (ms) and its hash's 32 bytes side by side.
 */
class ChainAnchors {
  readonly seqs: number[] = [];
  readonly ats: number[] = [];
  hashes = Buffer.alloc(HASH_BYTES * 4);
  /** Lines naming this chain that are not anchors. */
  malformed = 0;

  add(a: AuditAnchor): void {
    const n = this.seqs.length;
    if ((n + 1) * HASH_BYTES > this.hashes.length) {
      const grown = Buffer.alloc(this.hashes.length * 2);
      this.hashes.copy(grown);
      this.hashes = grown;
    }
    // Written in place (no Buffer per anchor), then kept only if it is not the previous anchor again.
    this.hashes.write(a.hash.slice(7), n * HASH_BYTES, HASH_BYTES, 'hex');
    // The same head written twice (two servers' passes at once): once is enough to check it.
    if (
      n > 0 &&
      this.seqs[n - 1] === a.seq &&
      this.hashes.compare(this.hashes, (n - 1) * HASH_BYTES, n * HASH_BYTES, n * HASH_BYTES, (n + 1) * HASH_BYTES) === 0
    )
      return;
    this.seqs.push(a.seq);
    this.ats.push(Date.parse(a.at));
  }

  anchors(chain: string): AuditAnchor[] {
    return this.seqs.map((seq, i) => ({
      chain,
      seq,
      hash: `sha256:${this.hashes.toString('hex', i * HASH_BYTES, (i + 1) * HASH_BYTES)}`,
      at: new Date(this.ats[i] ?? 0).toISOString(),
    }));
  }
}

/**
 * Every chain's anchors in an anchors file, read on: what `GET /v1/audit/verify` checks a tenant's chain
 * with on a server (apps/server gives `createApp` `(chain) => index.read(chain)` for
 * `TIERKIT_AUDIT_ANCHOR_FILE`). Each `read` first reads what was appended since the last one — by this
 * server, another, or `tierkit audit anchor` — and only that; a file replaced (another inode) or that
 * shrank is read again from its start; a last line without its newline is left for the next read. Reads
 * are one at a time: callers arriving while one is under way share it. Every anchor of every chain is
 * kept, not only the newest: a chain rewritten and its forged head anchored since is caught only by an
 * older anchor. A file that cannot be read throws (the API says so, the log has the path), and what was
 * read of it before is kept for when it can be read again.
 */
export class AnchorsIndex {
  #offset = 0;
  /** `dev:ino` of the file `#offset` counts in. */
  #identity = '';
  /** Whole lines read so far (their numbers, for `countsAgainst`'s line). */
  #lines = 0;
  readonly #chains = new Map<string, ChainAnchors>();
  /** Lines that are not anchors and name no chain: they count against every chain. */
  #unnamed = 0;
  #reading: Promise<void> | undefined;
  readonly #open: OpenForReading;

  readonly #accepted: ReadonlySet<number>;

  /** `accepted`: numbers of lines the operator accepts as not anchors (`TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES`): they count against nobody. */
  constructor(
    readonly path: string,
    options: { readonly open?: OpenForReading; readonly accepted?: ReadonlySet<number> } = {},
  ) {
    this.#open = options.open ?? ((p) => open(p, constants.O_RDONLY));
    this.#accepted = options.accepted ?? new Set();
  }

  /** `chain`'s anchors as the file now holds them, and how many of its lines are not anchors and count against it. */
  async read(chain: string): Promise<ChainAnchorsRead> {
    await this.refresh();
    const c = this.#chains.get(chain);
    return { anchors: c?.anchors(chain) ?? [], malformed: (c?.malformed ?? 0) + this.#unnamed };
  }

  /** Read what was appended since the last read, or join the read under way. */
  refresh(): Promise<void> {
    this.#reading ??= this.#readOn().finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  async #readOn(): Promise<void> {
    const file = await this.#open(this.path);
    try {
      const { size, dev, ino } = await file.stat();
      const identity = `${dev}:${ino}`;
      if (identity !== this.#identity || size < this.#offset) {
        this.#offset = 0;
        this.#lines = 0;
        this.#unnamed = 0;
        this.#chains.clear();
        this.#identity = identity;
      }
      if (size === this.#offset) return;
      for await (const l of linesOf(file, this.#offset)) {
        if (!l.whole) break;
        const r = classifyLine(l.text, ++this.#lines);
        if (r !== undefined && (isAnchor(r) || !this.#accepted.has(r.line))) {
          const chain = r.chain;
          if (isAnchor(r) || chain !== undefined) {
            let c = this.#chains.get(chain as string);
            if (!c) this.#chains.set(chain as string, (c = new ChainAnchors()));
            if (isAnchor(r)) c.add(r);
            else c.malformed++;
          } else this.#unnamed++;
        }
        // Only what was read: a file shrinking mid-read is seen as shrunk at the next read.
        this.#offset = l.end;
      }
    } finally {
      await file.close();
    }
  }
}

/**
 * Append `anchors` to the file, creating it: one `write` of whole lines on a descriptor opened with
 * O_APPEND, so lines of several servers appending to one local file never interleave; then fsync (and
 * the directory's, when the file is new), so an anchor reported written survives a crash. A file whose
 * last line was cut short gets a newline first: that line stays malformed, ours whole.
 */
export async function appendAnchors(path: string, anchors: readonly AuditAnchor[]): Promise<void> {
  if (!anchors.length) return;
  let created = true;
  let file: FileHandle;
  try {
    file = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_EXCL, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    created = false;
    file = await open(path, constants.O_RDWR | constants.O_APPEND);
  }
  try {
    let text = anchors.map((a) => `${anchorLine(a)}\n`).join('');
    if (!created) {
      const { size } = await file.stat();
      // Empty: created by the server's start-up check, its folder entry not yet synced.
      if (size === 0) created = true;
      else {
        const last = Buffer.alloc(1);
        await file.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) text = `\n${text}`;
      }
    }
    const bytes = Buffer.from(text, 'utf8');
    let written = 0;
    // A regular file takes a write whole; the loop only guards a short write, which would append the rest after.
    while (written < bytes.length) written += (await file.write(bytes, written, bytes.length - written)).bytesWritten;
    await file.sync();
  } finally {
    await file.close();
  }
  if (created) await syncDirectory(dirname(path));
}

async function syncDirectory(dir: string): Promise<void> {
  const d = await open(dir, constants.O_RDONLY);
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/**
 * The last anchor of each chain in an anchors file, read on: each call reads only what was appended
 * since the last (by any process), so a server anchoring every few minutes does not reread a year of
 * lines. A file replaced (another inode, even one as large) or that shrank is read again from its
 * start; a line still being written (no newline yet) is left for the next call. What is kept is one
 * anchor per chain, whatever the file's size.
 */
export class AnchorsFile {
  private offset = 0;
  /** `dev:ino` of the file `offset` counts in. */
  private identity = '';
  private readonly byChain = new Map<string, AuditAnchor>();
  constructor(readonly path: string) {}

  private restart(identity: string): void {
    this.offset = 0;
    this.identity = identity;
    this.byChain.clear();
  }

  async lastAnchors(): Promise<ReadonlyMap<string, AuditAnchor>> {
    let file: FileHandle;
    try {
      file = await open(this.path, constants.O_RDONLY);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.restart('');
        return this.byChain;
      }
      throw e;
    }
    try {
      const { size, dev, ino } = await file.stat();
      const identity = `${dev}:${ino}`;
      if (identity !== this.identity || size < this.offset) this.restart(identity);
      if (size === this.offset) return this.byChain;
      for await (const l of linesOf(file, this.offset)) {
        if (!l.whole) break;
        // The last line of a chain, not its highest seq: after a head moved back (a chain cut and anchored
        // since), comparing with an older, higher anchor would append the same head at every pass.
        const a = classifyLine(l.text, 0);
        if (a !== undefined && isAnchor(a)) this.byChain.set(a.chain, a);
        // Only what was read: a file shrinking mid-read is seen as shrunk at the next call.
        this.offset = l.end;
      }
      return this.byChain;
    } finally {
      await file.close();
    }
  }
}

/**
 * One anchoring pass: the head of each chain (`chains`, or every chain with a record) that moved since
 * its last anchor in the file is appended, at `now`. Returns what was written.
 */
export async function anchorAuditHeads(db: Executor, file: AnchorsFile, now: Date, chains?: readonly string[]): Promise<AuditAnchor[]> {
  const last = await file.lastAnchors();
  const at = now.toISOString();
  const moved: AuditAnchor[] = [];
  for (const h of await listAuditHeads(db)) {
    if (chains && !chains.includes(h.chain)) continue;
    const a = last.get(h.chain);
    if (a && a.seq === h.seq && a.hash === h.hash) continue;
    moved.push({ chain: h.chain, seq: h.seq, hash: h.hash, at });
  }
  // The next call of `file.lastAnchors()` reads these lines back like any other process's.
  await appendAnchors(file.path, moved);
  return moved;
}

/** What the server's anchoring runs by (`TIERKIT_AUDIT_ANCHOR_FILE`, `TIERKIT_AUDIT_ANCHOR_MINUTES`). */
export interface AnchoringOptions {
  readonly db: Executor;
  readonly file: string;
  readonly intervalMs: number;
  readonly now?: () => Date;
  /** A pass that fails is said at `error`: the trail goes unanchored until one succeeds. */
  readonly log: LogLine;
  /** How to run `tick` every `ms` (default `setInterval`, unref'd); returns how to stop. Tests pass their own. */
  readonly every?: (tick: () => void, ms: number) => () => void;
}

/**
 * Anchor every moved head now and then every interval, one pass at a time; a pass that fails (a full
 * disk, a file it may not write) is logged and the next one tries again, the server going on.
 * `stop` waits for a pass under way, so its anchor is whole and synced before the process exits.
 */
export function startAuditAnchoring(options: AnchoringOptions): {
  stop(): Promise<void>;
  /** Run a pass now, or join the one under way. */
  pass(): Promise<void>;
  /** Wait for the pass under way, if any, without starting one: what a test awaits after a tick. */
  idle(): Promise<void>;
} {
  const file = new AnchorsFile(options.file);
  const clock = options.now ?? (() => new Date());
  let running: Promise<void> | undefined;
  const pass = (): Promise<void> => {
    running ??= anchorAuditHeads(options.db, file, clock())
      .then(
        (written) => {
          if (written.length)
            options.log(`audit anchors: ${written.map((a) => `${a.chain} at ${a.seq}`).join(', ')} appended to ${options.file}`);
        },
        (err: unknown) =>
          options.log(`audit anchors: could not anchor to ${options.file}: ${err instanceof Error ? err.message : String(err)}`, 'error'),
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const every =
    options.every ??
    ((tick: () => void, ms: number) => {
      const timer = setInterval(tick, ms);
      timer.unref();
      return () => clearInterval(timer);
    });
  void pass();
  const cancel = every(() => void pass(), options.intervalMs);
  return {
    pass,
    async idle() {
      await running;
    },
    async stop() {
      cancel();
      await running;
    },
  };
}

/** Minutes between the server's anchoring passes unless `TIERKIT_AUDIT_ANCHOR_MINUTES` says otherwise. */
export const DEFAULT_ANCHOR_MINUTES = 15;

/** Where and how often a server anchors the audit heads; null when it does not. */
export interface AnchorSettings {
  /** `TIERKIT_AUDIT_ANCHOR_FILE`, as an absolute path. */
  readonly file: string;
  /** `TIERKIT_AUDIT_ANCHOR_MINUTES`. */
  readonly minutes: number;
  /** `TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES`, when set: lines of the file that count against no chain. */
  readonly acceptedLines?: readonly number[];
}

/**
 * `TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES`: numbers of lines of the anchors file that are not anchors and that
 * the operator has looked at (`tierkit audit verify --anchors` lists them) and accepts — a line cut short
 * by a crash, on storage where it can never be removed. Without it, such a line would fail the chain it
 * names, or every chain, for good. Comma-separated whole numbers; anything else stops the start.
 */
export function acceptedLinesFromEnv(env: NodeJS.ProcessEnv = process.env): ReadonlySet<number> {
  const value = env.TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES?.trim();
  if (!value) return new Set();
  const parts = value.split(',').map((p) => p.trim());
  if (!parts.every((p) => /^[1-9]\d{0,9}$/.test(p)))
    throw new Error(
      `TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES must be line numbers of the anchors file separated by commas (12,40), got "${value}"`,
    );
  return new Set(parts.map(Number));
}

/**
 * `TIERKIT_AUDIT_ANCHOR_FILE` (unset: no anchoring) and `TIERKIT_AUDIT_ANCHOR_MINUTES` (default 15,
 * 1–1440), checked at start: a minutes setting without a file, or a file in a folder that does not
 * exist, stops the start rather than anchoring nothing for months unnoticed.
 */
export function anchorSettingsFromEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AnchorSettings | null {
  const minutes = wholeFromEnv('TIERKIT_AUDIT_ANCHOR_MINUTES', env.TIERKIT_AUDIT_ANCHOR_MINUTES, DEFAULT_ANCHOR_MINUTES, {
    unit: 'minutes',
    min: 1,
    max: 1440,
  });
  const file = env.TIERKIT_AUDIT_ANCHOR_FILE;
  if (!file) {
    for (const name of ['TIERKIT_AUDIT_ANCHOR_MINUTES', 'TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES'])
      if (env[name]) throw new Error(`${name} is set but TIERKIT_AUDIT_ANCHOR_FILE is not: name the file to anchor to`);
    return null;
  }
  const accepted = acceptedLinesFromEnv(env);
  const path = resolve(cwd, file);
  let folder: Stats;
  try {
    folder = statSync(dirname(path));
  } catch {
    throw new Error(`TIERKIT_AUDIT_ANCHOR_FILE: the folder of "${path}" does not exist`);
  }
  if (!folder.isDirectory()) throw new Error(`TIERKIT_AUDIT_ANCHOR_FILE: "${dirname(path)}" is not a folder`);
  checkAppendable(path);
  return { file: path, minutes, ...(accepted.size ? { acceptedLines: [...accepted].sort((a, b) => a - b) } : {}) };
}

/**
 * Open the file once as every pass will (creating it), and see that it is a regular file: a folder, a
 * device or a file the server may not write would otherwise only fail, logged, at each pass. Non-blocking,
 * so a FIFO without a reader fails here rather than hanging the start.
 */
function checkAppendable(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_WRONLY | fsConstants.O_APPEND | fsConstants.O_CREAT | fsConstants.O_NONBLOCK, 0o644);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new Error(`TIERKIT_AUDIT_ANCHOR_FILE: "${path}" is a folder: name a file in it`);
    throw new Error(`TIERKIT_AUDIT_ANCHOR_FILE: cannot open "${path}" to append: ${code ?? String(e)}`);
  }
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`TIERKIT_AUDIT_ANCHOR_FILE: "${path}" is not a regular file`);
  } finally {
    closeSync(fd);
  }
}
