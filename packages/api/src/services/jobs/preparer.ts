import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PreparedChunk, SubjectRange } from './retier-chunk.js';
import type { RetierParams } from './retier-params.js';

/** What the main thread asks the prepare thread: one chunk. */
export interface PrepareRequest {
  readonly id: number;
  readonly tenantId: string;
  /** The writer's calendar (`TenantPacks.timeZone`): both sides end months at the same instant. */
  readonly timeZone: string;
  readonly params: RetierParams;
  readonly range: SubjectRange;
  /** ISO instant the chunk is evaluated at. */
  readonly now: string;
  readonly actor: string;
  /** The fraction of the chunk's subjects to prepare (`prepareRetierChunk`). */
  readonly share: number;
}

/**
 * The answer: the prepared chunk, null when it needs sign-offs, or why preparing failed; with the
 * fingerprint of the policy versions it was evaluated under (`TenantPack.fingerprint`).
 */
export type PrepareReply =
  | { readonly id: number; readonly prepared: PreparedChunk | null; readonly fingerprint?: string; readonly error?: undefined }
  | { readonly id: number; readonly error: string };

/**
 * A worker thread with a read connection of its own that prepares re-tier chunks
 * (`prepareRetierChunk`) while the main thread writes others: better-sqlite3 is synchronous, so
 * without it a chunk's reads and evaluation and the previous chunk's writes and commit take turns on
 * one core. SQLite's WAL lets the thread read beside the writer.
 */
export class Preparer {
  readonly #thread: Worker;
  readonly #waiting = new Map<number, (reply: PrepareReply) => void>();
  readonly #exited: Promise<void>;
  readonly #ready: Promise<boolean>;
  #settleReady: (ready: boolean) => void = () => {};
  #isReady = false;
  #next = 0;
  #stopping = false;
  #dead: string | undefined;

  private constructor(file: string, log: (err: unknown) => void) {
    this.#thread = threadOf(file);
    this.#thread.unref();
    this.#ready = new Promise((resolve) => {
      this.#settleReady = resolve;
    });
    this.#thread.on('message', (reply: PrepareReply | 'ready') => {
      if (reply === 'ready') {
        this.#isReady = true;
        this.#settleReady(true);
        return;
      }
      const resolve = this.#waiting.get(reply.id);
      this.#waiting.delete(reply.id);
      resolve?.(reply);
    });
    this.#thread.on('error', (err) => {
      this.#fail(`prepare thread failed: ${err.stack ?? err.message}`);
      // Chunks go on the ordinary way; said once, since every chunk after it would say it again. A
      // logger that throws must not make this handler's error an uncaught exception.
      try {
        log(new Error('tierkit worker: the prepare thread failed; chunks run one at a time', { cause: err }));
      } catch {}
    });
    this.#exited = new Promise((resolve) =>
      this.#thread.once('exit', () => {
        this.#fail('prepare thread exited');
        resolve();
      }),
    );
  }

  /** A preparer of chunks of the SQLite database in `file` (`sqliteFile`); its thread starts at once. */
  static start(file: string, log: (err: unknown) => void): Preparer {
    return new Preparer(file, log);
  }

  /** Whether the thread has loaded its code and opened its connection (it takes a moment, longer under tsx). */
  get ready(): boolean {
    return this.#isReady && this.#dead === undefined;
  }

  /** Resolves when the thread is ready (true) or has ended without being so (false). */
  whenReady(): Promise<boolean> {
    // Held meanwhile, as while a chunk is prepared: waiting for it keeps the process alive.
    if (this.#waiting.size === 0) this.#thread.ref();
    return this.#ready.finally(() => {
      if (this.#waiting.size === 0 && !this.#stopping) this.#thread.unref();
    });
  }

  /** Prepare a chunk on the thread; the reply says why when it could not (never rejects). */
  prepare(req: Omit<PrepareRequest, 'id'>): Promise<PrepareReply> {
    const id = this.#next++;
    if (this.#dead !== undefined) return Promise.resolve({ id, error: this.#dead });
    // Held while a chunk is being prepared, so that waiting for it keeps the process alive.
    if (this.#waiting.size === 0) this.#thread.ref();
    return new Promise((resolve) => {
      this.#waiting.set(id, (reply) => {
        if (this.#waiting.size === 0 && !this.#stopping) this.#thread.unref();
        resolve(reply);
      });
      this.#thread.postMessage({ ...req, id } satisfies PrepareRequest);
    });
  }

  /** Close the thread's connection and end it. */
  async stop(): Promise<void> {
    this.#stopping = true;
    // Held until it has exited, also when it failed and is still ending (an unreferenced thread's
    // exit would not keep the process alive to be awaited).
    this.#thread.ref();
    if (this.#dead === undefined) this.#thread.postMessage('stop');
    await this.#exited;
  }

  #fail(why: string): void {
    this.#dead ??= why;
    this.#settleReady(false);
    for (const [id, resolve] of this.#waiting) resolve({ id, error: why });
    this.#waiting.clear();
  }
}

/**
 * The prepare thread's old-space limit, MB: not a bound it is meant to reach (the thread keeps some
 * 20 MB alive), but what V8 sizes the space's growth by. With the default of a machine with 16 GB or
 * more (4 GB), V8 lets the old space grow to four times what the last full collection kept before the
 * next; below 2,048 MB, to 1.3–2 times, scaled with the limit. Every chunk the thread prepares lives
 * through a few scavenges and is promoted before it is posted, so with the default the thread's heap
 * reached 108–137 MB (up to 90 MB of it dead chunks) at the job's peak RSS beside the writer's heap;
 * with this limit 72 MB (some 23 MB dead), for about three times its full collections (BENCHMARKS.md,
 * bench/batch/retier.bench.ts, session 35). A thread that did reach it would end
 * (ERR_WORKER_OUT_OF_MEMORY) and its chunks would run on the writer, as on any failure of the thread.
 */
export const PREPARE_THREAD_OLD_SPACE_MB = 2000;

/**
 * The thread runs the same kind of code as this module: the built package has prepare-thread.js
 * beside this file; under `node --import tsx` (tests, benches) the thread gets `--import tsx` too,
 * but on Node 20 its entry module loads before that loader is in place, so it registers tsx itself
 * first.
 */
function threadOf(file: string): Worker {
  const ext = extname(fileURLToPath(import.meta.url));
  const entry = new URL(`./prepare-thread${ext}`, import.meta.url);
  const resourceLimits = { maxOldGenerationSizeMb: PREPARE_THREAD_OLD_SPACE_MB };
  if (ext !== '.ts') return new Worker(entry, { workerData: { file }, resourceLimits });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData: { file }, resourceLimits });
}
