import { ErasureMatcher, type ErasedPeople } from './erasure-match.js';
import type { Executor } from './executor.js';

/**
 * How long before a walk began a job may be stamped and still be written after it: a request's
 * transaction in flight, or a server whose clock is behind (the margin eraseJobReasonsFromTrail allows).
 */
const WRITTEN_DURING_WALK_MS = 10 * 60_000;

/** Rows a walk reads per statement (erasure-traces.ts reads as many: a job's params may be 660 KB). */
const JOBS_PAGE = 100;
const SIMULATION_CHUNKS_PAGE = 500;

/** A simulation chunk in a walk's memory: the simulation's place in its list and the chunk's seq, in one number. */
const SEQ_SPAN = 2 ** 24;

/** What of a job's params an erasure may clear, and a walk looks at. */
interface JobParams {
  filter?: { subjects?: unknown };
  reason?: unknown;
}

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

  constructor(
    people: ErasedPeople,
    /** Jobs queued at or after this instant (ISO UTC) may have been written after the walk read the jobs. */
    readonly since: string,
    private readonly jobsNaming: ReadonlyMap<string, readonly string[]>,
    private readonly simulations: readonly string[],
    private readonly chunksNaming: ReadonlyMap<string, readonly number[]>,
    private readonly notDone: readonly number[],
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
    const left = customers.filter((c) => !this.covers(c.number, c.name.trim()));
    return { numbers: left.map((c) => c.number), names: [...new Set(left.map((c) => c.name.trim()))].filter((n) => n !== '') };
  }

  /** The jobs whose filter or reason held one of these numbers or names when walked. */
  jobsFor(people: ErasedPeople): Set<string> {
    const out = new Set<string>();
    for (const needle of [...people.numbers, ...people.names]) for (const id of this.jobsNaming.get(needle) ?? []) out.add(id);
    return out;
  }

  /**
   * The simulation chunks to read again for these numbers, by simulation: those whose result held one
   * when walked, and those that had no result yet (done since, by a simulation still running).
   */
  chunksFor(numbers: readonly string[]): Map<string, Set<number>> {
    const out = new Map<string, Set<number>>();
    const add = (packed: number) => {
      const job = this.simulations[Math.floor(packed / SEQ_SPAN)];
      if (job === undefined) return;
      let seqs = out.get(job);
      if (!seqs) out.set(job, (seqs = new Set()));
      seqs.add(packed % SEQ_SPAN);
    };
    for (const n of numbers) for (const packed of this.chunksNaming.get(n) ?? []) add(packed);
    for (const packed of this.notDone) add(packed);
    return out;
  }
}

/** Add `value` to the list of `key`, once in a row. */
function note<T>(into: Map<string, T[]>, key: string, value: T): void {
  const list = into.get(key);
  if (!list) into.set(key, [value]);
  else if (list[list.length - 1] !== value) list.push(value);
}

/**
 * Walk the tenant's jobs (a page at a time in the order of their index) and its simulations' chunks
 * (simulation by simulation, by primary key), matching every text once against all of `people` at
 * once (erasure-match.ts): the read each erasure chunk did for its own 500 customers, done once for all
 * of them. Outside any transaction: it writes nothing, and a chunk re-reads what it clears.
 */
export async function walkKeptMentions(db: Executor, tenantId: string, people: ErasedPeople, now: Date): Promise<KeptMentions> {
  const since = new Date(now.getTime() - WRITTEN_DURING_WALK_MS).toISOString();
  const matcher = new ErasureMatcher(people);
  const numbers = new Set(people.numbers);
  const jobsNaming = new Map<string, string[]>();
  const simulations: string[] = [];
  // No one to look for (the run's last, empty chunk): nothing to read.
  if (matcher.empty) return new KeptMentions(people, since, jobsNaming, simulations, new Map(), []);
  let after: { readonly createdAt: string; readonly id: string } | undefined;
  for (;;) {
    let q = db.selectFrom('jobs').select(['id', 'kind', 'params', 'created_at']).where('tenant_id', '=', tenantId);
    if (after !== undefined) {
      const { createdAt, id } = after;
      q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(createdAt, id)));
    }
    const page = await q.orderBy('created_at').orderBy('id').limit(JOBS_PAGE).execute();
    for (const r of page) {
      if (r.kind === 'simulate') simulations.push(r.id);
      // What an erasure clears of a job (erasure-traces.ts, clearJob): its filter's numbers, and a reason
      // naming one by number or name. A name is noted wherever it stands: the chunk judges its edges.
      if (!matcher.holdsAny(r.params)) continue;
      const params = JSON.parse(r.params) as JobParams;
      const subjects = params.filter?.subjects;
      if (Array.isArray(subjects)) for (const s of subjects) if (typeof s === 'string' && numbers.has(s)) note(jobsNaming, s, r.id);
      if (typeof params.reason === 'string') {
        for (const n of matcher.numbersNamed(params.reason)) note(jobsNaming, n, r.id);
        for (const h of matcher.nameHits(params.reason)) note(jobsNaming, h.name, r.id);
      }
    }
    const last = page[page.length - 1];
    if (page.length < JOBS_PAGE || last === undefined) break;
    after = { createdAt: last.created_at, id: last.id };
  }
  const chunksNaming = new Map<string, number[]>();
  const notDone: number[] = [];
  for (const [place, jobId] of simulations.entries()) {
    let from: number | undefined;
    for (;;) {
      let q = db.selectFrom('job_chunks').select(['seq', 'result']).where('job_id', '=', jobId).where('tenant_id', '=', tenantId);
      if (from !== undefined) q = q.where('seq', '>', from);
      const rows = await q.orderBy('seq').limit(SIMULATION_CHUNKS_PAGE).execute();
      for (const r of rows) {
        const packed = place * SEQ_SPAN + Number(r.seq);
        if (r.result === null) notDone.push(packed);
        else for (const n of matcher.numbersQuoted(r.result)) note(chunksNaming, n, packed);
      }
      const last = rows[rows.length - 1];
      if (rows.length < SIMULATION_CHUNKS_PAGE || last === undefined) break;
      from = Number(last.seq);
    }
  }
  return new KeptMentions(people, since, jobsNaming, simulations, chunksNaming, notDone);
}
