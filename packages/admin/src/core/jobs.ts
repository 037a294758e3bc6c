import { type HttpTierkitClient, query } from '@tierkit/client';
import type { Problem, SchemeSummary } from '@tierkit/core';
import { filterLeavesAlone } from '@tierkit/core/wire';
import type { Job, JobDependents, JobList, QueuedJob, Schedule, StartRetier } from './jobs-types.js';
import { CursorList, type CursorListState, emptyList } from './cursor-list.js';
import type { KitError, Status } from './kit-store.js';
import { readServerSentEvents } from './sse.js';
import { readSchemes } from './schemes.js';

/** How the followed job's news arrives: not followed, over its event stream, or by reading it again. */
export type Following = 'no' | 'stream' | 'polling';

/** The jobs list (newest first, pages appended), a start, and the one job followed. */
export interface JobsState extends CursorListState<Job> {
  /** A start request is on its way; its refusal (400 with the field, 403) in `startError`. */
  readonly starting: boolean;
  readonly startError: KitError | undefined;
  /**
   * The job the last `start` queued, as the API answered it: `partlyLoaded` names the by-month metrics
   * its month lacks (the monthly schedule would still wait; customers are evaluated without them), null
   * when nothing is missing — what a host tells the person who started it. Cleared by the next start.
   */
  readonly started: QueuedJob | undefined;
  /** The job followed (`follow`), as last heard of. */
  readonly jobId: string | undefined;
  readonly job: Job | undefined;
  readonly jobStatus: Status;
  readonly jobError: KitError | undefined;
  readonly following: Following;
  /** Subjects per second while following, once two progress reports differ. */
  readonly rate: number | undefined;
  /** Seconds left at that rate (undefined when not running or not yet known). */
  readonly etaSeconds: number | undefined;
  /** Cancel or resume on its way, and its refusal (409 when the job has moved on). */
  readonly acting: 'cancel' | 'resume' | undefined;
  readonly actionError: KitError | undefined;
  /** The tenant's schemes, for a start form (`loadSchemes`). */
  readonly schemes: readonly SchemeSummary[];
  /**
   * What a job for the scheme chosen would add (`loadDependents`): the schemes that read its level, which
   * it re-tiers too. Undefined while none is chosen, being read, or could not be read.
   */
  readonly dependents: JobDependents | undefined;
  /** The list is read again every `listPollMs` while a job in it runs (`watchList`). */
  readonly watching: boolean;
  /** When the list was last read (ISO 8601 UTC, the store's clock): what a host shows as "updated at". */
  readonly listUpdatedAt: string | undefined;
  /** What the monthly schedule waits for (`loadSchedule`): the month just ended, its state, since when. */
  readonly schedule: Schedule | undefined;
  readonly scheduleStatus: Status;
  readonly scheduleError: KitError | undefined;
}

export interface JobsOptions {
  /** Jobs per page (API maximum 100). Default 20. */
  readonly pageSize?: number;
  /** Pause between reads of the job once its stream broke. Default 1 s. */
  readonly pollMs?: number;
  /** Broken streams in a row after which the store only polls. Default 3. */
  readonly maxStreamFailures?: number;
  /** Pause between reads of the list while a job in it runs (`watchList`). Default 2 s. */
  readonly listPollMs?: number;
  /** The clock for rate, ETA and `listUpdatedAt`. */
  readonly now?: () => number;
}

type Client = Pick<HttpTierkitClient, 'http' | 'invalidate'>;

const enc = encodeURIComponent;

/** Subjects of a job dealt with so far (evaluated or skipped). */
export function jobDone(job: Job): number {
  return job.progress.subjects.processed + job.progress.subjects.skipped;
}

/**
 * What a job did with its subjects, to say apart: how many it re-evaluated and how many it left alone,
 * whether its filter may be why (the job records no reason per subject), and whether it ended having
 * re-evaluated nobody — a month re-tiered after a later one leaves everyone alone, and "done, no results
 * yet" read as that month re-evaluated.
 */
export function jobOutcome(job: Job): {
  readonly evaluated: number;
  readonly leftAlone: number;
  readonly filtered: boolean;
  readonly nothingEvaluated: boolean;
} {
  const { processed, skipped } = job.progress.subjects;
  return {
    evaluated: processed,
    leftAlone: skipped,
    filtered: filterLeavesAlone(job.params.filter),
    nothingEvaluated: job.status === 'completed' && processed === 0 && skipped > 0,
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', stop, { once: true });
  });
}

/** A non-2xx answer as the `{ problem }` that `kitError` reads. */
async function refusalOf(res: Response): Promise<{ problem: Problem }> {
  const body = (await res.json().catch(() => undefined)) as Partial<Problem> | undefined;
  return {
    problem: {
      type: body?.type ?? 'about:blank',
      title: body?.title ?? (res.statusText || `HTTP ${res.status}`),
      status: res.status,
      ...(body?.detail !== undefined ? { detail: body.detail } : {}),
    } as Problem,
  };
}

function isRefusal(err: unknown): boolean {
  const status = (err as { problem?: { status?: number } } | undefined)?.problem?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/**
 * Re-tier jobs: the list, starting one, following one live, cancelling and resuming it, and its
 * summary (migration matrix, approval-required count) as it grows. Following reads the job's
 * Server-Sent Events from `client.http.fetch` (EventSource cannot send the credential); when the
 * stream breaks it reads the job and connects again, and after repeated breaks it only polls. Every
 * event carries the whole job, so a reconnect loses nothing (the API has no `Last-Event-ID` replay
 * and needs none). `cancel()` — the store's, not the job's — stops following; a host calls it when
 * it is disconnected.
 */
export class Jobs extends CursorList<Job, JobsState> {
  readonly #client: Client;
  readonly #pageSize: number;
  readonly #pollMs: number;
  readonly #maxStreamFailures: number;
  readonly #listPollMs: number;
  readonly #now: () => number;
  /** The first progress report heard while following: rate and ETA are measured from it. */
  #first: { at: number; done: number } | undefined;

  constructor(client: Client, options: JobsOptions = {}) {
    super({
      ...emptyList<Job>(),
      starting: false,
      startError: undefined,
      started: undefined,
      jobId: undefined,
      job: undefined,
      jobStatus: 'idle',
      jobError: undefined,
      following: 'no',
      rate: undefined,
      etaSeconds: undefined,
      acting: undefined,
      actionError: undefined,
      schemes: [],
      dependents: undefined,
      watching: false,
      listUpdatedAt: undefined,
      schedule: undefined,
      scheduleStatus: 'idle',
      scheduleError: undefined,
    });
    this.#client = client;
    this.#pageSize = Math.min(100, Math.max(1, options.pageSize ?? 20));
    this.#pollMs = options.pollMs ?? 1000;
    this.#maxStreamFailures = options.maxStreamFailures ?? 3;
    this.#listPollMs = options.listPollMs ?? 2000;
    this.#now = options.now ?? (() => Date.now());
  }

  protected page(cursor: string | undefined, signal: AbortSignal): Promise<JobList> {
    return this.#client.http.get<JobList>(`/v1/jobs${query({ limit: this.#pageSize, cursor })}`, { signal });
  }

  protected keyOf(job: Job): string {
    return job.id;
  }

  /** The list again, past the client's cache. */
  async refresh(): Promise<void> {
    this.#client.invalidate('/v1/jobs');
    await this.load();
    if (this.state.status === 'ready') this.set({ listUpdatedAt: this.#stamp() });
  }

  #stamp(): string {
    return new Date(this.#now()).toISOString();
  }

  /**
   * Keep the list's running jobs current: while any job in it runs, read the list's first page again
   * every `listPollMs` (and any running job past it by itself), then stop — no request while nothing
   * runs. Polling, not an event stream per row: one request a tick however many jobs run, and it sees
   * jobs others start. Call it again after the list changes (a refresh, a start); a second call while
   * watching does nothing. The store's `cancel()` or `stopWatching()` ends it.
   */
  async watchList(): Promise<void> {
    if (this.busy('watch') || !this.#anyRunning()) return;
    this.set({ watching: true });
    await this.run(
      'watch',
      (signal) => this.#watch(signal),
      () => undefined,
    );
    if (!this.busy('watch')) this.set({ watching: false });
  }

  /** Stop keeping the list current (the jobs run on). */
  stopWatching(): void {
    this.cancel('watch');
    this.set({ watching: false });
  }

  #anyRunning(): boolean {
    return this.state.items.some((j) => j.status === 'running');
  }

  async #watch(signal: AbortSignal): Promise<void> {
    while (this.#anyRunning()) {
      await sleep(this.#listPollMs, signal);
      try {
        this.#client.invalidate('/v1/jobs');
        const first = await this.#client.http.get<JobList>(`/v1/jobs${query({ limit: this.#pageSize })}`, { signal });
        const seen = new Set(first.items.map((j) => j.id));
        // A running job past the first page (many jobs since) is read by itself.
        const older = this.state.items.filter((j) => j.status === 'running' && !seen.has(j.id));
        const rest = await Promise.all(older.map((j) => this.#client.http.get<Job>(`/v1/jobs/${enc(j.id)}`, { signal })));
        if (signal.aborted) return;
        this.#merge([...first.items, ...rest]);
      } catch (err) {
        // A refusal (403: the session lost the right) ends watching; a dropped connection is tried again.
        if (signal.aborted || isRefusal(err)) throw err;
      }
    }
  }

  /** Fresh copies of jobs into the list: rows replaced in place, jobs newer than the list put first. */
  #merge(fresh: readonly Job[]): void {
    this.set((prev) => {
      const byId = new Map(fresh.map((j) => [j.id, j]));
      const known = new Set(prev.items.map((j) => j.id));
      const newest = prev.items[0]?.createdAt ?? '';
      const added = fresh.filter((j) => !known.has(j.id) && j.createdAt >= newest);
      const items = [...added, ...prev.items.map((j) => byId.get(j.id) ?? j)];
      return { items, empty: items.length === 0, listUpdatedAt: this.#stamp() };
    });
  }

  /** The tenant's schemes, which a re-tier may be limited to (a failure leaves the list empty: "all" still works). */
  async loadSchemes(): Promise<void> {
    const res = await this.run(
      'schemes',
      (signal) => readSchemes(this.#client, signal),
      () => undefined,
    );
    if (res) this.set({ schemes: res });
  }

  /**
   * The schemes a job for `schemes` would re-tier besides (`GET /v1/jobs/dependents`), for a start form
   * to say before it starts; none chosen (every scheme) clears it. A failure leaves it undefined: the
   * job still adds them, and says so once queued. `period`: the month the job would run at (its pack
   * decides); omitted, the current month.
   */
  async loadDependents(schemes: readonly string[], period?: string): Promise<void> {
    this.set({ dependents: undefined });
    if (!schemes.length) return this.cancel('dependents');
    const query = new URLSearchParams({ schemes: schemes.join(','), ...(period ? { period } : {}) });
    const res = await this.run(
      'dependents',
      (signal) => this.#client.http.get<JobDependents>(`/v1/jobs/dependents?${query}`, { signal }),
      () => undefined,
    );
    if (res) this.set({ dependents: res });
  }

  /** What the monthly schedule waits for, past the client's cache (it changes as data arrives). */
  async loadSchedule(): Promise<void> {
    this.set({ scheduleStatus: 'loading', scheduleError: undefined });
    this.#client.invalidate('/v1/jobs/schedule');
    const res = await this.run(
      'schedule',
      (signal) => this.#client.http.get<Schedule>('/v1/jobs/schedule', { signal }),
      (scheduleError) => this.set({ scheduleStatus: 'error', scheduleError }),
    );
    if (res) this.set({ schedule: res, scheduleStatus: 'ready' });
  }

  /**
   * Queue a re-tier; resolves to the job (first in `items`, and in `started` with what its month lacks),
   * or undefined when refused (`startError`).
   */
  async start(request: StartRetier): Promise<QueuedJob | undefined> {
    this.set({ starting: true, startError: undefined, started: undefined });
    const queued = await this.run(
      'start',
      (signal) => this.#client.http.send<QueuedJob>('POST', '/v1/jobs', { kind: 'retier', ...request }, { signal, forget: ['/v1/jobs'] }),
      (startError) => this.set({ starting: false, startError }),
    );
    if (!queued) return undefined;
    // The list holds jobs as the API lists them: what the month lacked is the start's news, not the job's.
    const { partlyLoaded: _, ...job } = queued;
    this.set((prev) => ({
      starting: false,
      started: queued,
      items: [job, ...prev.items.filter((j) => j.id !== job.id)],
      empty: false,
    }));
    return queued;
  }

  /**
   * Follow job `id` live until it ends (resolves then), the store's `cancel()` stops it, or it
   * cannot be read (a 404: `jobError`). Following another job stops following this one.
   */
  /**
   * `stream: false` reads the job a poll at a time, never its event stream: for a reader the API
   * lets read jobs but not their events (internal audit).
   */
  async follow(id: string, options: { readonly stream?: boolean } = {}): Promise<void> {
    this.cancel('follow');
    this.#first = undefined;
    const known = this.state.job?.id === id ? this.state.job : this.state.items.find((j) => j.id === id);
    this.set({
      jobId: id,
      job: known,
      jobStatus: known ? 'ready' : 'loading',
      jobError: undefined,
      rate: undefined,
      etaSeconds: undefined,
    });
    this.set({ actionError: undefined, following: 'stream' });
    await this.run(
      'follow',
      (signal) => this.#follow(id, signal, options.stream ?? true),
      (jobError) => this.set({ jobStatus: 'error', jobError, following: 'no' }),
    );
    if (this.state.jobId === id && !this.busy('follow')) this.set({ following: 'no' });
  }

  /** Stop following (the job runs on). */
  stopFollowing(): void {
    this.cancel('follow');
    this.set({ following: 'no' });
  }

  async #follow(id: string, signal: AbortSignal, stream: boolean): Promise<void> {
    let broken = 0;
    for (;;) {
      if (stream && broken < this.#maxStreamFailures) {
        try {
          this.set({ following: 'stream' });
          if (await this.#stream(id, signal)) return;
        } catch (err) {
          if (signal.aborted || isRefusal(err)) throw err;
        }
        broken++;
      }
      this.set({ following: 'polling' });
      try {
        this.#client.invalidate(`/v1/jobs/${enc(id)}`);
        const job = await this.#client.http.get<Job>(`/v1/jobs/${enc(id)}`, { signal });
        this.#apply(job, signal);
        if (job.status !== 'running') return;
      } catch (err) {
        // A 404 or 403 ends following; a dropped connection is tried again after the pause.
        if (signal.aborted || isRefusal(err)) throw err;
      }
      await sleep(this.#pollMs, signal);
    }
  }

  /** Read the job's events until its `end` (true) or until the stream closes without one (false). */
  async #stream(id: string, signal: AbortSignal): Promise<boolean> {
    const res = await this.#client.http.fetch(`/v1/jobs/${enc(id)}/events`, { signal, headers: { accept: 'text/event-stream' } });
    if (!res.ok) throw await refusalOf(res);
    if (!res.body) return false;
    let ended = false;
    await readServerSentEvents(
      res.body,
      (e) => {
        if (e.event !== 'progress' && e.event !== 'end') return false;
        this.#apply(JSON.parse(e.data) as Job, signal);
        ended = e.event === 'end';
        return ended;
      },
      signal,
    );
    return ended;
  }

  /** Take news of a job: the followed job with rate and ETA, and its row in the list. */
  #apply(job: Job, signal?: AbortSignal): void {
    if (signal?.aborted) return;
    const patch: Partial<JobsState> = {};
    if (job.id === this.state.jobId) {
      const at = this.#now();
      const done = jobDone(job);
      this.#first ??= { at, done };
      const seconds = (at - this.#first.at) / 1000;
      const rate = job.status === 'running' && seconds > 0 && done > this.#first.done ? (done - this.#first.done) / seconds : undefined;
      Object.assign(patch, {
        job,
        jobStatus: 'ready',
        jobError: undefined,
        rate,
        etaSeconds: rate ? Math.max(0, Math.round((job.progress.subjects.total - done) / rate)) : undefined,
      });
    }
    this.set((prev) => ({ ...patch, items: prev.items.map((j) => (j.id === job.id ? job : j)) }));
  }

  /** Cancel the job (default: the one followed). Chunks done stay done. */
  cancelJob(id = this.state.jobId): Promise<Job | undefined> {
    return this.#act('cancel', id);
  }

  /** Resume a cancelled or failed job from its last committed chunk, and follow it again if it is the one followed. */
  async resumeJob(id = this.state.jobId): Promise<Job | undefined> {
    const job = await this.#act('resume', id);
    if (job && job.id === this.state.jobId && !this.busy('follow')) void this.follow(job.id);
    return job;
  }

  async #act(action: 'cancel' | 'resume', id: string | undefined): Promise<Job | undefined> {
    if (id === undefined) return undefined;
    this.set({ acting: action, actionError: undefined });
    const job = await this.run(
      'action',
      (signal) => this.#client.http.send<Job>('POST', `/v1/jobs/${enc(id)}/${action}`, {}, { signal, forget: ['/v1/jobs'] }),
      (actionError) => this.set({ acting: undefined, actionError }),
    );
    if (!job) return undefined;
    this.set({ acting: undefined });
    this.#apply(job);
    return job;
  }
}
