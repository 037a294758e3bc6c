import { statSync, type Stats } from 'node:fs';
import { constants, open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { AuditAnchor } from '@tierkit/api';
import { listAuditHeads, type Executor } from '@tierkit/db';
import { wholeFromEnv } from './settings.js';

/*
 * The audit chain's heads written down outside the database (packages/api/README.md, "Audit"): a
 * JSON-lines file, one anchor a line — `{"tenant":"bank","seq":42,"hash":"sha256:…","at":"…Z"}` —
 * only ever appended to, by the server on its schedule and by `tierkit audit anchor`.
 */

/** What an anchors file held: its anchors and, for each line that is not one, its number and why. */
export interface AnchorsRead {
  readonly anchors: AuditAnchor[];
  readonly malformed: { readonly line: number; readonly message: string }[];
}

const HASH = /^sha256:[0-9a-f]{64}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** One line of an anchors file, or why it is not an anchor. */
export function parseAnchorLine(text: string, line: number): AuditAnchor | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'not JSON (a line cut short, or edited)';
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  const { tenant, seq, hash, at } = v as Record<string, unknown>;
  if (typeof tenant !== 'string' || tenant === '') return '"tenant" must be a non-empty string';
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return '"seq" must be a whole number from 1';
  if (typeof hash !== 'string' || !HASH.test(hash)) return '"hash" must be "sha256:" and 64 hex digits';
  if (typeof at !== 'string' || !ISO_UTC.test(at) || Number.isNaN(Date.parse(at))) return '"at" must be an ISO time in UTC (…Z)';
  return { chain: tenant, seq, hash, at, line };
}

/** The line an anchor is written as (no newline). */
export function anchorLine(a: AuditAnchor): string {
  return JSON.stringify({ tenant: a.chain, seq: a.seq, hash: a.hash, at: a.at });
}

/** Parse an anchors file's text; blank lines are skipped, every other line is an anchor or malformed. */
export function parseAnchors(text: string, firstLine = 1): AnchorsRead {
  const anchors: AuditAnchor[] = [];
  const malformed: { line: number; message: string }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').replace(/\r$/, '');
    if (!raw.trim()) continue;
    const a = parseAnchorLine(raw, firstLine + i);
    if (typeof a === 'string') malformed.push({ line: firstLine + i, message: a });
    else anchors.push(a);
  }
  return { anchors, malformed };
}

/** Read a whole anchors file (verification). A file that cannot be read throws, with the reason. */
export async function readAnchorsFile(path: string): Promise<AnchorsRead> {
  return parseAnchors(await readFile(path, 'utf8'));
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
      if (size > 0) {
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
 * lines. A file that shrank (replaced, rotated) is read again from its start; a line still being
 * written (no newline yet) is left for the next call.
 */
export class AnchorsFile {
  private offset = 0;
  private readonly byChain = new Map<string, AuditAnchor>();
  constructor(readonly path: string) {}

  async lastAnchors(): Promise<ReadonlyMap<string, AuditAnchor>> {
    let file: FileHandle;
    try {
      file = await open(this.path, constants.O_RDONLY);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.offset = 0;
        this.byChain.clear();
        return this.byChain;
      }
      throw e;
    }
    try {
      const { size } = await file.stat();
      if (size < this.offset) {
        this.offset = 0;
        this.byChain.clear();
      }
      if (size === this.offset) return this.byChain;
      const buf = Buffer.alloc(size - this.offset);
      const { bytesRead } = await file.read(buf, 0, buf.length, this.offset);
      const end = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (end < 0) return this.byChain;
      // The last line of a chain, not its highest seq: after a head moved back (a chain cut and anchored
      // since), comparing with an older, higher anchor would append the same head at every pass.
      for (const a of parseAnchors(buf.subarray(0, end).toString('utf8')).anchors) this.byChain.set(a.chain, a);
      this.offset += end + 1;
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
  readonly log: (line: string) => void;
  /** How to run `tick` every `ms` (default `setInterval`, unref'd); returns how to stop. Tests pass their own. */
  readonly every?: (tick: () => void, ms: number) => () => void;
}

/**
 * Anchor every moved head now and then every interval, one pass at a time; a pass that fails (a full
 * disk, a file it may not write) is logged and the next one tries again, the server going on.
 * `stop` waits for a pass under way, so its anchor is whole and synced before the process exits.
 */
export function startAuditAnchoring(options: AnchoringOptions): { stop(): Promise<void>; pass(): Promise<void> } {
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
          options.log(`audit anchors: could not anchor to ${options.file}: ${err instanceof Error ? err.message : String(err)}`),
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
    if (env.TIERKIT_AUDIT_ANCHOR_MINUTES)
      throw new Error('TIERKIT_AUDIT_ANCHOR_MINUTES is set but TIERKIT_AUDIT_ANCHOR_FILE is not: name the file to anchor to');
    return null;
  }
  const path = resolve(cwd, file);
  let folder: Stats;
  try {
    folder = statSync(dirname(path));
  } catch {
    throw new Error(`TIERKIT_AUDIT_ANCHOR_FILE: the folder of "${path}" does not exist`);
  }
  if (!folder.isDirectory()) throw new Error(`TIERKIT_AUDIT_ANCHOR_FILE: "${dirname(path)}" is not a folder`);
  return { file: path, minutes };
}
