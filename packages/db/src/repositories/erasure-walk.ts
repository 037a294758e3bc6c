import { ErasureMatcher, type ErasedPeople } from './erasure-match.js';
import { jobNeedles, jobPages, sampleNumbers, simulationChunkPages, type JobParams } from './erasure-traces.js';
import type { Executor } from './executor.js';

/**
 * How long before a walk began a job is taken as possibly written after it (a request's transaction in
 * flight, a server's clock behind), and read whole by each chunk. Only a shortcut: a job stamped earlier
 * and written after the walk is caught by the count of jobs before it ({@link KeptMentions.jobsBefore}).
 */
const WRITTEN_DURING_WALK_MS = 10 * 60_000;

/** A simulation chunk in a walk's memory: the simulation's place in its list and the chunk's seq, in one number. */
const SEQ_SPAN = 2 ** 24;

/**
 * One read of the tenant's jobs and simulation chunks for the customers a retention run is about to
 * erase (a window of many chunks of them), remembering which records name which of their numbers and
 * names (docs/operations.md, "Retention and erasure", how long a run takes). Each chunk then reads
 * again only the records naming its own customers, and those a walk cannot have seen — jobs queued
 * since it began, simulation chunks not done when it read them — instead of every record the tenant
 * keeps. Nothing is changed by the walk: each chunk clears what names its customers in the transaction
 * that erases them, so a run stopped anywhere leaves no customer erased and still named.
 */
export class KeptMentions {
  private readonly numbers: ReadonlySet<string>;
  private readonly names: ReadonlySet<string>;

  /** Set by a chunk that counted more jobs before {@link since} than the walk read: the run walks again. */
  outdated = false;

  constructor(
    people: ErasedPeople,
    /** When the walk began (ISO UTC). */
    readonly at: string,
    /** Jobs queued at or after this instant (ISO UTC) are read whole by each chunk. */
    readonly since: string,
    /** How many jobs queued before {@link since} the walk read: jobs are never deleted (but with their tenant), so as many now means the same. */
    readonly jobsBefore: number,
    private readonly jobsNaming: ReadonlyMap<string, readonly string[]>,
    private readonly simulations: readonly string[],
    private readonly chunksNaming: ReadonlyMap<string, readonly number[]>,
    private readonly notDone: readonly number[],
    /** Simulations the walk read fewer chunks of than they have (chunks inserted after it read them): read whole by each chunk. */
    readonly partial: readonly string[],
    /** The ids of the customers walked for (walkForErasable's window), when known. */
    private readonly window: ReadonlySet<string> = new Set(),
  ) {
    this.numbers = new Set(people.numbers);
    this.names = new Set(people.names);
  }

  /**
   * Whether the walk looked for this customer as they are now: their number, and their name unless blank.
   * One renamed since, or not among the walk's customers, is looked for by a walk of its own chunk.
   */
  private covers(number: string, name: string): boolean {
    return this.numbers.has(number) && (name === '' || this.names.has(name));
  }

  /**
   * Of a chunk's customers (number, name as stored now), those the walk did not look for as they are,
   * as the people a chunk looks for without it: their numbers, and their names.
   */
  uncovered(customers: readonly { readonly number: string; readonly name: string }[]): ErasedPeople {
    return peopleOf(customers.filter((c) => !this.covers(c.number, c.name.trim())));
  }

  /** The jobs whose filter or reason held one of these numbers or names when walked. */
  jobsFor(people: ErasedPeople): Set<string> {
    const out = new Set<string>();
    for (const needle of [...people.numbers, ...people.names]) for (const id of this.jobsNaming.get(needle) ?? []) out.add(id);
    return out;
  }

  /** Whether every one of these customers (internal ids) was in the window walked for. */
  inWindow(ids: readonly string[]): boolean {
    return ids.every((id) => this.window.has(id));
  }

  /** The simulations the walk found chunks without a result of. */
  unfinished(): string[] {
    return [...new Set(this.notDone.map((packed) => this.simulations[Math.floor(packed / SEQ_SPAN)] ?? ''))].filter((j) => j !== '');
  }

  /**
   * The simulation chunks to read again for these numbers, by simulation: those whose result held one
   * when walked, and those that had no result yet (done since, by a simulation still running), but for
   * the simulations `stopped` (no chunk of theirs can have been done since).
   */
  chunksFor(numbers: readonly string[], stopped: ReadonlySet<string> = new Set()): Map<string, Set<number>> {
    const out = new Map<string, Set<number>>();
    const add = (packed: number, notDone = false) => {
      const job = this.simulations[Math.floor(packed / SEQ_SPAN)];
      if (job === undefined || (notDone && stopped.has(job))) return;
      let seqs = out.get(job);
      if (!seqs) out.set(job, (seqs = new Set()));
      seqs.add(packed % SEQ_SPAN);
    };
    for (const n of numbers) for (const packed of this.chunksNaming.get(n) ?? []) add(packed);
    for (const packed of this.notDone) add(packed, true);
    return out;
  }
}

/** Add `value` to the list of `key`, once in a row. */
function note<T>(into: Map<string, T[]>, key: string, value: T): void {
  const list = into.get(key);
  if (!list) into.set(key, [value]);
  else if (list[list.length - 1] !== value) list.push(value);
}

/** The people a list of customers (number, name as stored) names: their numbers, and their names but blank ones, once each. */
export function peopleOf(customers: readonly { readonly number: string; readonly name: string }[]): ErasedPeople {
  return { numbers: customers.map((c) => c.number), names: [...new Set(customers.map((c) => c.name.trim()))].filter((n) => n !== '') };
}

/**
 * Walk the tenant's jobs (a page at a time in the order of their index) and its simulations' chunks
 * (simulation by simulation, by primary key), matching every text once against all of `people` at
 * once (erasure-match.ts) by the rules a chunk clears by (erasure-traces.ts, jobNeedles and
 * sampleNumbers): the read each erasure chunk did for its own 500 customers, done once for all of them.
 * Outside any transaction: it writes nothing, and a chunk re-reads what it clears.
 */
export async function walkKeptMentions(
  db: Executor,
  tenantId: string,
  people: ErasedPeople,
  now: Date,
  /** The ids of the customers `people` are (for {@link KeptMentions.inWindow}). */
  window: readonly string[] = [],
): Promise<KeptMentions> {
  const at = now.toISOString();
  const since = new Date(now.getTime() - WRITTEN_DURING_WALK_MS).toISOString();
  const matcher = new ErasureMatcher(people);
  const jobsNaming = new Map<string, string[]>();
  const simulations: { readonly id: string; readonly chunks: number }[] = [];
  const chunksNaming = new Map<string, number[]>();
  const notDone: number[] = [];
  const partial: string[] = [];
  let jobsBefore = 0;
  const kept = () =>
    new KeptMentions(
      people,
      at,
      since,
      jobsBefore,
      jobsNaming,
      simulations.map((s) => s.id),
      chunksNaming,
      notDone,
      partial,
      new Set(window),
    );
  // No one to look for (the run's last, empty chunk): nothing to read. No chunk uses it to clear.
  if (matcher.empty) return kept();
  for await (const page of jobPages(db, tenantId)) {
    for (const r of page) {
      // Counted as read: a job written meanwhile behind the page already read is not.
      if (r.created_at < since) jobsBefore++;
      if (r.kind === 'simulate') simulations.push({ id: r.id, chunks: r.total_chunks });
      if (!matcher.holdsAny(r.params)) continue;
      // A name is noted wherever it stands: the chunk judges its edges.
      const needles = jobNeedles(JSON.parse(r.params) as JobParams, matcher);
      for (const n of [...needles.listed, ...needles.inReason]) note(jobsNaming, n, r.id);
    }
  }
  for (const [place, { id: jobId, chunks }] of simulations.entries()) {
    let read = 0;
    for await (const rows of simulationChunkPages(db, tenantId, jobId)) {
      read += rows.length;
      for (const r of rows) {
        const packed = place * SEQ_SPAN + r.seq;
        if (r.result === null) notDone.push(packed);
        else for (const n of sampleNumbers(r.result, matcher)) note(chunksNaming, n, packed);
      }
    }
    // Its job is inserted before its chunks, in statements of their own (insertJob): walked between
    // them, some of its chunks were not there to read.
    if (read < chunks) partial.push(jobId);
  }
  return kept();
}
