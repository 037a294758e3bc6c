import { findSubjectVersion, type Executor, type SubjectVersion } from '@tierkit/db';
import type { MiddlewareHandler } from 'hono';

/**
 * Milliseconds a subject's `version`, once read, answers the fast path's kept reads without asking
 * the database again. A write made in this process is seen at once (see {@link subjectsWritten});
 * one made by another process — the CLI, a `tierkit worker`, a second API server, plain SQL — within
 * this delay, as a revoked credential is within `credentialCacheSeconds` and a policy within
 * `PACK_CHECK_MS`. A kept read otherwise costs one primary-key lookup, about a third of its CPU.
 */
export const VERSION_TRUST_MS = 1000;

/** Subjects whose version one app trusts at a time. Past it the map starts over. */
export const VERSION_TRUST_ENTRIES = 10_000;

// Every write in this process, counted across all apps in it: a write through one app (or a job
// chunk run by the in-process worker) must be seen by the reads of every other. Apps keep their own
// entries, since two apps may read two databases that name the same subject.
let writes = 0;

/**
 * Note that subjects may have been written in this process: every version trusted before is asked
 * again. Called after a write request has been answered (app.ts) and after a job's chunk commits
 * (jobs/worker.ts) — after the commit, so a read that raced the write cannot keep the version it
 * saw before it.
 */
export function subjectsWritten(): void {
  writes++;
}

/** Methods that write nothing: a read, and a browser's CORS preflight before one. */
const READS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Middleware: {@link subjectsWritten} once any other request is answered, whether it wrote or failed. */
export const noteWrites: MiddlewareHandler = async (c, next) => {
  if (READS.has(c.req.method)) return next();
  try {
    await next();
  } finally {
    subjectsWritten();
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

  /** The subject's id and version, from a read of it within `trustMs` with no write since, else from the database. */
  async get(db: Executor, tenantId: string, externalId: string): Promise<SubjectVersion | undefined> {
    if (this.trustMs <= 0) return findSubjectVersion(db, tenantId, externalId);
    const key = `${tenantId}\u0000${externalId}`;
    const now = performance.now();
    const hit = this.#entries.get(key);
    if (hit !== undefined && hit.writes === writes && now - hit.at < this.trustMs) return hit.subject;
    // Counted before the lookup: a write that commits while it runs makes the entry void at once.
    const before = writes;
    const subject = await findSubjectVersion(db, tenantId, externalId);
    if (subject === undefined) this.#entries.delete(key);
    else {
      if (this.#entries.size >= this.maxEntries) this.#entries.clear();
      this.#entries.set(key, { subject, at: now, writes: before });
    }
    return subject;
  }
}
