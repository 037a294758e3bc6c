import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import type { Database } from './schema.js';

/** Default bound on one heavy read's statement, and on its wait for a reader (docs/operations.md, "SQLite: what runs where"). */
export const HEAVY_READ_TIMEOUT_MS = 30_000;
/** Default number of reader processes: one, on the 2-core machines SQLite deployments run on. */
export const HEAVY_READ_PROCESSES = 1;
/** Default number of heavy reads that may wait for a free reader; one more is refused at once. */
export const HEAVY_READ_QUEUE = 2;
/** Default V8 heap of a reader process, in MB: a result that would not fit ends that process, not the server. */
export const HEAVY_READ_MEMORY_MB = 256;
/** A reader that cannot start is tried again after 1 s, then 2, 4 … up to this (docs/operations.md, "SQLite: what runs where"). */
export const HEAVY_READ_RETRY_MAX_MS = 60_000;

/** How long to wait before the next start of a reader whose last `failures` starts failed: 1 s doubling, at most a minute. */
export function heavyReadRetryMs(failures: number): number {
  return Math.min(1000 * 2 ** Math.max(0, failures - 1), HEAVY_READ_RETRY_MAX_MS);
}

export interface HeavyReadsOptions {
  /** Reader processes, each running one statement at a time. Default {@link HEAVY_READ_PROCESSES}. */
  readonly processes?: number;
  /**
   * Milliseconds a statement may run on a reader: past it the read is answered with
   * {@link HeavyReadTimeoutError} and its process killed (a new one takes its place). A read waiting for
   * a free reader waits at most as long, and is answered the same way. Default {@link HEAVY_READ_TIMEOUT_MS}.
   */
  readonly timeoutMs?: number;
  /** Reads that may wait while every reader is busy; the next is refused ({@link HeavyReadsBusyError}). Default {@link HEAVY_READ_QUEUE}. */
  readonly queue?: number;
  /** V8 heap limit of each reader process, in MB. Default {@link HEAVY_READ_MEMORY_MB}. */
  readonly memoryMb?: number;
  /** Where a reader's change of state (cannot start / started again) is told, one line each. Default: stderr. */
  readonly log?: (line: string) => void;
}

/** A heavy read ran past its bound; it was stopped and changed nothing. */
export class HeavyReadTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the read ran longer than ${timeoutMs} ms and was stopped`);
    this.name = 'HeavyReadTimeoutError';
  }
}

/** Every reader is busy and the queue is full, or none was free within the bound: the read was not started. */
export class HeavyReadsBusyError extends Error {
  constructor(why = 'every heavy-read process is busy and the queue is full') {
    super(why);
    this.name = 'HeavyReadsBusyError';
  }
}

/**
 * The reader process running the read ended without an answer (killed, out of memory), or no reader
 * can start at all: then `retryAfterMs` says when the next start is tried, the read was refused at once
 * and the cause was logged once, when the readers began failing.
 */
export class HeavyReadFailedError extends Error {
  constructor(
    why: string,
    readonly retryAfterMs?: number,
  ) {
    super(why);
    this.name = 'HeavyReadFailedError';
  }
}

/**
 * The reader: plain CommonJS run with `node -e` (no TypeScript loader, alike under tsx and from
 * dist/). Opened read-only (SQLITE_OPEN_READONLY, and `query_only` besides), so nothing it is sent can
 * write; each statement runs on its own, outside any transaction, and so sees everything committed when
 * it starts (WAL). A statement that is not a read is refused before it runs.
 *
 * The server stops a statement by killing its reader; a server that is itself gone (SIGKILL, a crash,
 * the test runner ending a file) stops nothing, and `disconnect` is only heard between statements, so
 * the reader ran its scan to the end — 27–45 s at a million customers, a runaway query for ever —
 * holding a core and the WAL beside the restarted server's readers. A thread of its own, free while
 * the statement holds the main one, ends the process once its parent is no longer the server.
 */
const READER = `
const { Worker } = require('node:worker_threads');
function open() {
  try {
    const SQLite = require(process.env.TIERKIT_READER_SQLITE);
    const db = new SQLite(process.env.TIERKIT_READER_FILE, { readonly: true, fileMustExist: true });
    db.pragma('query_only = ON');
    db.pragma('busy_timeout = 5000');
    return db;
  } catch (e) {
    // Told to the server, which logs it once, not a stack trace on its stderr at every retry.
    process.send({ cannotStart: String(e && e.message) }, () => process.exit(1));
    return undefined;
  }
}
const db = open();
if (db) {
  const kept = new Map();
  process.on('message', (m) => {
    if (m === 'stop') { db.close(); process.disconnect(); return; }
    try {
      let st = kept.get(m.sql);
      if (!st) { st = db.prepare(m.sql); if (kept.size >= 200) kept.clear(); kept.set(m.sql, st); }
      if (!st.reader) throw Object.assign(new Error('a heavy read must be a statement that returns rows and writes nothing'), { code: 'SQLITE_READONLY' });
      process.send({ id: m.id, rows: st.all(m.parameters) });
    } catch (e) {
      process.send({ id: m.id, error: { message: String(e && e.message), code: e && e.code } });
    }
  });
  process.on('disconnect', () => process.exit(0));
  new Worker("const parent = Number(process.env.TIERKIT_READER_PARENT); setInterval(() => { if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL'); }, 250);", { eval: true }).unref();
  process.send('ready');
}
`;

/**
 * The server's environment a reader keeps: where SQLite may write its temporary sort files
 * (`SQLITE_TMPDIR`, `TMPDIR`; a list by gap sorts the whole scheme), the zone and locale, and what
 * node needs to start on Windows.
 */
const READER_ENV = /^(PATH|SQLITE_TMPDIR|TMPDIR|TMP|TEMP|TZ|LANG|LC_[A-Z]+|HOME|SYSTEMROOT|WINDIR)$/i;

function readerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => READER_ENV.test(name)));
}

interface Ask {
  readonly id: number;
  readonly query: CompiledQuery;
  readonly resolve: (rows: unknown[]) => void;
  readonly reject: (err: Error) => void;
  timer?: NodeJS.Timeout;
  reader?: Reader;
}

interface Reader {
  readonly child: ChildProcess;
  ready: boolean;
  running: Ask | undefined;
  /** Killed by this side (a read past its bound): replaced at once. */
  killed: boolean;
  /** Starts that failed in a row (the process ended before its connection was open); 0 once one is ready. */
  failures: number;
  /** When the next start is tried (epoch ms), while `failures` > 0. */
  retryAt: number;
  /** Why the last start failed, as the reader said (or the spawn's error). */
  why: string;
}

/**
 * Reads whose cost grows with the book (a tenant-wide list sorted by a figure no index holds), run
 * on SQLite in reader processes of their own instead of the server's one thread: better-sqlite3 runs
 * a statement to its end before the thread does anything else, so one 27-second scan stopped every
 * other request, `/healthz` included (BENCHMARKS.md, "healthz-during-list"). Processes, not worker
 * threads: a thread cannot be stopped inside a SQLite call (`Worker.terminate` waits for it to
 * return, and better-sqlite3 offers no interrupt), a process can be killed. Each reader has its own
 * read-only connection to the same WAL file.
 *
 * Bounded: at most `processes` reads run at once and `queue` wait (each at most `timeoutMs`); a
 * statement still running after `timeoutMs` is refused and its process killed and replaced. `db` is a Kysely instance
 * whose every query runs this way (no transactions, no streams): hand it to a repository function.
 */
export class HeavyReads {
  readonly db: Kysely<Database>;
  readonly #file: string;
  readonly #timeoutMs: number;
  readonly #queue: number;
  readonly #memoryMb: number;
  readonly #log: (line: string) => void;
  readonly #readers: Reader[] = [];
  readonly #waiting: Ask[] = [];
  readonly #sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  #next = 0;
  #closed = false;

  constructor(file: string, options: HeavyReadsOptions = {}) {
    const processes = options.processes ?? HEAVY_READ_PROCESSES;
    if (!Number.isInteger(processes) || processes < 1) throw new RangeError(`processes must be a whole number ≥ 1, got ${processes}`);
    this.#file = file;
    this.#timeoutMs = options.timeoutMs ?? HEAVY_READ_TIMEOUT_MS;
    this.#queue = options.queue ?? HEAVY_READ_QUEUE;
    this.#memoryMb = options.memoryMb ?? HEAVY_READ_MEMORY_MB;
    this.#log = options.log ?? ((line) => console.error(line));
    for (let i = 0; i < processes; i++) this.#readers.push(this.#spawn());
    this.db = new Kysely<Database>({
      dialect: {
        createAdapter: () => new SqliteAdapter(),
        createDriver: () => new HeavyReadsDriver(this),
        createIntrospector: (db) => new SqliteIntrospector(db),
        createQueryCompiler: () => new SqliteQueryCompiler(),
      },
    });
  }

  /** The limit a read is answered within, in milliseconds. */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /** Reads running or waiting now. */
  get inFlight(): number {
    return this.#readers.filter((r) => r.running).length + this.#waiting.length;
  }

  /** The process ids of the readers (tests end one to see the server survive it). */
  get pids(): number[] {
    return this.#readers.map((r) => r.child.pid ?? 0);
  }

  /** Resolves once every reader has opened its connection (a process takes a few hundred ms to start). */
  async whenReady(): Promise<void> {
    while (!this.#closed && this.#readers.some((r) => !r.ready)) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /** Run one read-only statement on a reader; rejects with one of this module's errors, or the statement's own. */
  run(query: CompiledQuery): Promise<unknown[]> {
    if (this.#closed) return Promise.reject(new HeavyReadFailedError('heavy reads are closed'));
    // No reader can start (a file gone, a broken install): refused now, not after waiting out the bound
    // for a reader that will not come.
    const down = this.#down();
    if (down) return Promise.reject(down);
    // A reader still starting (the server's start, the second after a kill) takes one read, like an
    // idle one, not all of them: counted as idle, it let every read wait. One that failed to start
    // takes none.
    const free = this.#readers.filter((r) => !r.running && r.failures === 0).length;
    if (this.#waiting.length >= free + this.#queue) return Promise.reject(new HeavyReadsBusyError());
    return new Promise((resolve, reject) => {
      const ask: Ask = { id: this.#next++, query, resolve, reject };
      ask.timer = setTimeout(() => this.#expire(ask), this.#timeoutMs);
      this.#waiting.push(ask);
      this.#dispatch();
    });
  }

  /** Stop every reader; reads in flight fail. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const ask of this.#waiting.splice(0)) this.#settle(ask, new HeavyReadFailedError('heavy reads are closed'));
    await Promise.all(
      this.#readers.map(async (r) => {
        if (r.running) this.#settle(r.running, new HeavyReadFailedError('heavy reads are closed'));
        r.running = undefined;
        if (r.child.exitCode !== null || r.child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => r.child.once('exit', () => resolve()));
        // Held until it has exited: an unreferenced child's exit would not keep the process alive to be awaited.
        r.child.ref();
        r.child.kill('SIGKILL');
        await exited;
      }),
    );
  }

  /** The error a read gets when every reader's last start failed; undefined while one may serve it. */
  #down(): HeavyReadFailedError | undefined {
    if (this.#readers.some((r) => r.failures === 0)) return undefined;
    const wait = Math.max(0, Math.min(...this.#readers.map((r) => r.retryAt)) - Date.now());
    const why = this.#readers[0]?.why ?? '';
    return new HeavyReadFailedError(
      `no heavy-read process can start (${why}); ${wait > 0 ? `the next try is in ${wait} ms` : 'a start is being tried'}`,
      wait,
    );
  }

  #spawn(previous?: Reader): Reader {
    const child = spawn(process.execPath, [`--max-old-space-size=${this.#memoryMb}`, '-e', READER], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
      // Only what a reader reads: not the server's secrets (TIERKIT_ADMIN_KEY, a PostgreSQL URL) it has
      // no use for, nor NODE_OPTIONS (a loader) or node:test's marker, which would make the reader
      // report to a test runner instead of running its code.
      env: {
        ...readerEnv(process.env),
        TIERKIT_READER_FILE: this.#file,
        TIERKIT_READER_SQLITE: this.#sqlite,
        TIERKIT_READER_PARENT: String(process.pid),
      },
    });
    // Never keeps the server alive by itself; held while a read runs (#dispatch).
    child.unref();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
    const reader: Reader = {
      child,
      ready: false,
      running: undefined,
      killed: false,
      failures: previous?.failures ?? 0,
      retryAt: previous?.retryAt ?? 0,
      why: previous?.why ?? '',
    };
    /** What this process said when it could not open the database. */
    let said: string | undefined;
    child.on(
      'message',
      (m: 'ready' | { cannotStart: string } | { id: number; rows?: unknown[]; error?: { message: string; code?: string } }) => {
        if (m === 'ready') {
          reader.ready = true;
          if (reader.failures > 0)
            this.#log(
              `tierkit: the heavy-read process started after ${reader.failures} failed start${reader.failures === 1 ? '' : 's'}; tenant-wide lists by a figure and analytics reports are answered again`,
            );
          reader.failures = 0;
          this.#dispatch();
          return;
        }
        if ('cannotStart' in m) {
          said = m.cannotStart;
          return;
        }
        const ask = reader.running;
        if (!ask || ask.id !== m.id) return;
        reader.running = undefined;
        this.#idle(reader);
        if (m.error) this.#settle(ask, Object.assign(new Error(m.error.message), m.error.code ? { code: m.error.code } : {}));
        else this.#settle(ask, undefined, m.rows ?? []);
        this.#dispatch();
      },
    );
    // A reader that could not start or was killed: its read fails, another takes its place. A process
    // that could not be spawned at all (node gone) says so by 'error' alone, without 'exit'.
    let ended = false;
    const end = (how: string) => {
      if (ended) return;
      ended = true;
      const wasReady = reader.ready;
      reader.ready = false;
      const i = this.#readers.indexOf(reader);
      if (i < 0 || this.#closed) return;
      const ask = reader.running;
      reader.running = undefined;
      if (ask) this.#settle(ask, new HeavyReadFailedError(`the reader process ended (${how}) before it answered`));
      if (wasReady || reader.killed) {
        this.#readers[i] = this.#spawn(reader);
        return;
      }
      // It never got as far as its connection (a file gone, a broken install) and would fail the same
      // way at once: tried again after 1 s, doubling to a minute, told once in the log when it begins
      // failing (and once when it starts again), and reads are refused at once meanwhile.
      // Its own words if it said why; else how it ended, not the reason an earlier start gave.
      reader.why = said ?? how;
      reader.failures++;
      const wait = heavyReadRetryMs(reader.failures);
      reader.retryAt = Date.now() + wait;
      if (reader.failures === 1)
        this.#log(
          `tierkit: the heavy-read process cannot start (${reader.why}); tenant-wide lists by a figure and analytics reports answer 503 heavy-read-failed until it does; trying again in 1 s, then at doubling intervals up to ${HEAVY_READ_RETRY_MAX_MS / 1000} s`,
        );
      setTimeout(() => {
        const j = this.#readers.indexOf(reader);
        if (!this.#closed && j >= 0) this.#readers[j] = this.#spawn(reader);
      }, wait).unref();
      const down = this.#down();
      if (down) for (const waiting of this.#waiting.splice(0)) this.#settle(waiting, down);
    };
    child.on('error', (err) => {
      if (child.pid === undefined) end(err.message);
    });
    child.once('exit', (code, signal) => end(signal ?? `exit ${code}`));
    return reader;
  }

  #dispatch(): void {
    for (const reader of this.#readers) {
      if (!reader.ready || reader.running) continue;
      const ask = this.#waiting.shift();
      if (!ask) return;
      reader.running = ask;
      ask.reader = reader;
      // The bound starts again for the statement itself: a wait for a reader (one starting up after a
      // kill takes a second) is not counted against what the statement may take.
      if (ask.timer) clearTimeout(ask.timer);
      ask.timer = setTimeout(() => this.#expire(ask), this.#timeoutMs);
      reader.child.ref();
      (reader.child.channel as { ref?: () => void } | undefined)?.ref?.();
      reader.child.send({ id: ask.id, sql: ask.query.sql, parameters: ask.query.parameters });
    }
  }

  #idle(reader: Reader): void {
    reader.child.unref();
    (reader.child.channel as { unref?: () => void } | undefined)?.unref?.();
  }

  /** The bound passed: a waiting read leaves the line; a running one's process is killed (its exit starts another). */
  #expire(ask: Ask): void {
    const i = this.#waiting.indexOf(ask);
    // Never started: told "busy, try again", not "ran too long, narrow it", which was not so.
    if (i >= 0) {
      this.#waiting.splice(i, 1);
      this.#settle(ask, new HeavyReadsBusyError(`no heavy-read process was free within ${this.#timeoutMs} ms; the read was not started`));
      return;
    }
    const reader = ask.reader;
    if (reader && reader.running === ask) {
      reader.running = undefined;
      reader.ready = false;
      reader.killed = true;
      reader.child.kill('SIGKILL');
    }
    this.#settle(ask, new HeavyReadTimeoutError(this.#timeoutMs));
  }

  #settle(ask: Ask, err: Error | undefined, rows?: unknown[]): void {
    if (ask.timer) clearTimeout(ask.timer);
    ask.timer = undefined;
    if (err) ask.reject(err);
    else ask.resolve(rows ?? []);
  }
}

/** Kysely's view of the readers: every query is one heavy read; a transaction or a stream is refused. */
class HeavyReadsDriver implements Driver {
  constructor(readonly reads: HeavyReads) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    const reads = this.reads;
    return {
      async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
        return { rows: (await reads.run(query)) as R[] };
      },
      // biome-ignore lint/correctness/useYield: refused before it could yield
      async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
        throw new Error('heavy reads do not stream: each statement is answered whole');
      },
    };
  }
  async beginTransaction(): Promise<void> {
    throw new Error('heavy reads run no transactions: each statement reads on its own');
  }
  async commitTransaction(): Promise<void> {}
  async rollbackTransaction(): Promise<void> {}
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {
    await this.reads.close();
  }
}
