import { findSubjectForRead, type Executor, type SubjectForRead, type SubjectVersion } from '@tierkit/db';
import type { MiddlewareHandler } from 'hono';

/**
 * Milliseconds a subject's `version`, once read, answers the fast path's kept reads without asking
 * the database again. A write made in this process is seen at once (see {@link subjectsWritten});
 * one made by another process — the CLI, a `tierkit worker`, a second API server, plain SQL — within
 * this delay, as a revoked credential is within `credentialCacheSeconds` and a policy within
 * `PACK_CHECK_MS`. A kept read otherwise costs one primary-key lookup, about a third of its CPU.
 */
export const VERSION_TRUST_MS = 1000;

/** Subjects whose version one app trusts at a time. Past it the oldest read goes first. */
export const VERSION_TRUST_ENTRIES = 10_000;

// Every write in this process, counted across all apps in it: a write through one app (or a job
// chunk run by the in-process worker) must be seen by the reads of every other. Apps keep their own
// entries, since two apps may read two databases that name the same subject.
let writes = 0;

/**
 * Note that subjects may have been written in this process: every version trusted before is asked
 * again. Called after a write request has been answered (app.ts), after a job's chunk commits
 * (jobs/worker.ts), after a book's re-evaluation chunk and an import commit — after the commit, so
 * a read that raced the write cannot keep the version it saw before it. Code that writes subjects
 * in this process by other means (`reevaluateSubject` in its own transaction, plain SQL) calls it
 * once it has committed.
 */
export function subjectsWritten(): void {
  writes++;
}

/** Methods that write nothing: a read, and a browser's CORS preflight before one. */
const READS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Writes that touch no subject. The bank's backend mints an embed token at every customer's login:
 * voiding every trusted version on each would leave little of the trust under real traffic.
 * A route missing here costs speed only, never a stale read.
 */
const WRITES_NO_SUBJECT = /^\/v1\/(embed-tokens|policies\/[^/]+\/versions\/[^/]+\/(simulate|simulations(\/[^/]+\/cancel)?))$/;

/** Refusals made before any handler runs (credential, role, body size, media type, rate limit): nothing was written. */
const REFUSED_BEFORE: ReadonlySet<number> = new Set([401, 403, 413, 415, 429]);

/** Middleware: {@link subjectsWritten} once any other request is answered, unless it was refused before it could write. */
export const noteWrites: MiddlewareHandler = async (c, next) => {
  if (READS.has(c.req.method) || WRITES_NO_SUBJECT.test(c.req.path)) return next();
  let refused = false;
  try {
    await next();
    refused = REFUSED_BEFORE.has(c.res.status);
  } finally {
    if (!refused) subjectsWritten();
  }
};

interface Trusted {
  readonly subject: SubjectVersion;
  /** `performance.now()` when it was read: real time, not the app's clock, which tests pin. */
  readonly at: number;
  readonly writes: number;
}

/** One app's recently read subject versions (middleware/fast-reads.ts). */
export class SubjectVersions {
  readonly #entries = new Map<string, Trusted>();

  constructor(
    private readonly trustMs = VERSION_TRUST_MS,
    private readonly maxEntries = VERSION_TRUST_ENTRIES,
  ) {}

  /** What {@link remember} needs to know whether a write happened while a subject was read. */
  mark(): number {
    return writes;
  }

  /** Trust a subject read elsewhere (a first ask reads the whole row) if nothing was written since `mark`. */
  remember(tenantId: string, externalId: string, subject: SubjectVersion, mark: number): void {
    if (this.trustMs <= 0 || mark !== writes) return;
    this.#set(`${tenantId}\u0000${externalId}`, {
      subject: { id: subject.id, version: subject.version, updatedAt: subject.updatedAt },
      at: performance.now(),
      writes: mark,
    });
  }

  /** The subject's id and version if a read of it within `trustMs`, with no write since, holds them; never asks the database. */
  trusted(tenantId: string, externalId: string): SubjectVersion | undefined {
    if (this.trustMs <= 0) return undefined;
    const hit = this.#entries.get(`${tenantId}\u0000${externalId}`);
    return hit !== undefined && hit.writes === writes && performance.now() - hit.at < this.trustMs ? hit.subject : undefined;
  }

  /**
   * The subject's id and version, from a read of it within `trustMs` with no write since, else from
   * the database — then the whole row and whether it has an approved override ({@link SubjectForRead}):
   * a first ask needs them to build its body, and reading the row twice (its version, then all of it)
   * cost a fourth of a first ask's queries.
   */
  async get<R extends SubjectForRead = SubjectForRead>(
    db: Executor,
    tenantId: string,
    externalId: string,
    /** How the whole row is read: with what else the read needs in the same statement (findSubjectForTiers). */
    find: (db: Executor, tenantId: string, externalId: string) => Promise<R | undefined> = findSubjectForRead as never,
  ): Promise<SubjectVersion | R | undefined> {
    if (this.trustMs <= 0) return find(db, tenantId, externalId);
    const key = `${tenantId}\u0000${externalId}`;
    const now = performance.now();
    const hit = this.#entries.get(key);
    if (hit !== undefined && hit.writes === writes && now - hit.at < this.trustMs) return hit.subject;
    // Counted before the lookup: a write that commits while it runs makes the entry void at once.
    const before = writes;
    const read = await find(db, tenantId, externalId);
    if (read === undefined) this.#entries.delete(key);
    else {
      const { subject } = read;
      this.#set(key, { subject: { id: subject.id, version: subject.version, updatedAt: subject.updatedAt }, at: now, writes: before });
    }
    return read;
  }

  #set(key: string, entry: Trusted): void {
    this.#entries.delete(key);
    // Full: the oldest read goes (a Map iterates in insertion order, and a refreshed entry moves to the end).
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, entry);
  }
}
