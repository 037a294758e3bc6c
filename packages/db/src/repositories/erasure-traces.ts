import { sql } from 'kysely';
import { ErasureMatcher, type ErasedPeople, type Mention } from './erasure-match.js';
import type { KeptMentions } from './erasure-walk.js';
import { chunks, isPostgres, type Executor } from './executor.js';

/**
 * What an erasure leaves where a customer's number stood in a record it keeps (a job's filter): the
 * list keeps its length, so a job's counts still add up, and names no one.
 */
export const ERASED_CUSTOMER = 'erased customer';

/**
 * The version of what an erasure clears, kept on each customer it clears (`subjects.erasure_rules`): a
 * release whose erasure clears more raises it, and `tierkit retention rescrub` then looks again at the
 * customers erased under a lower one, and at no one else. 1: the rules of docs/operations.md as of the
 * release that started counting (job filters and reasons by whole token, simulation samples, import row
 * errors, stored answers, the trail's side rows and list entries, override labels and notes).
 */
export const ERASURE_RULES = 1;

/**
 * Texts of `column` holding one of `needles`, as an exact substring: one statement, the needles one
 * parameter (a JSON array on SQLite, a text array on PostgreSQL), whatever their number. Each row is
 * tested against every needle: fine for the trail's records of a few jobs' queueing, found first by
 * their time (eraseJobReasonsFromTrail). The tables an erasure looks through — jobs and simulation
 * chunks (walked once for many chunks in a retention run, erasure-walk.ts), import row errors, stored
 * answers — are matched in this process instead (erasure-match.ts): tested here, their cost grew with
 * rows × customers erased.
 */
function containsAny(db: Executor, column: string, needles: readonly string[]) {
  return isPostgres(db)
    ? sql<boolean>`exists (select 1 from unnest(cast(${[...needles]} as text[])) as n(v) where strpos(${sql.ref(column)}, n.v) > 0)`
    : sql<boolean>`exists (select 1 from json_each(${JSON.stringify(needles)}) as n where instr(${sql.ref(column)}, n.value) > 0)`;
}

/**
 * Of the names erased names could be part of (`candidates`: {@link ErasureMatcher.widened}), those of
 * other customers of the tenant, alive (张三丰 for 张三), read by exact name in statements of a few
 * hundred. Customers erased in the same chunk are no others: their names go too.
 */
async function othersNamed(db: Executor, tenantId: string, people: ErasedPeople, candidates: ReadonlySet<string>): Promise<Set<string>> {
  const out = new Set<string>();
  for (const batch of chunks([...candidates])) {
    const rows = await db
      .selectFrom('subjects')
      .select('display_name')
      .where('tenant_id', '=', tenantId)
      .where('erased_at', 'is', null)
      .where('display_name', 'in', batch)
      .execute();
    for (const r of rows) if (!people.names.includes(r.display_name)) out.add(r.display_name);
  }
  return out;
}

/**
 * Which of `texts` name one of them, and which kept an erased name only within another customer's
 * ({@link ErasureMatcher.mentions}): each text scanned once, the others' names read in one lookup for all.
 */
async function mentionsIn(
  db: Executor,
  tenantId: string,
  people: ErasedPeople,
  matcher: ErasureMatcher,
  texts: readonly string[],
): Promise<Mention[]> {
  const hits = texts.map((t) => matcher.nameHits(t));
  const candidates = new Set<string>();
  for (const [i, t] of texts.entries()) for (const w of matcher.widened(t, hits[i] ?? [])) candidates.add(w);
  const others = candidates.size ? await othersNamed(db, tenantId, people, candidates) : new Set<string>();
  return texts.map((t, i) => matcher.mentions(t, hits[i] ?? [], others));
}

/** What an erasure changed in re-tier jobs: filters that listed an erased customer, reasons that named one (counts, never whom). */
export interface JobsErased {
  readonly filters: number;
  readonly reasons: number;
  /** Reasons kept that held an erased name only within another customer's name (张三 in 张三丰). */
  readonly namesWithinOthers: number;
  /** The jobs that listed or named one, and when each was queued: their records' reasons in the trail go too. */
  readonly jobs: readonly { readonly id: string; readonly createdAt: string }[];
}

/**
 * Where a re-tier job's queueing is recorded (`detail.job` its id, `detail.reason` the maker's words):
 * over HTTP and from the command line. The trail keeps such a reason in a side row (audit-personal.ts).
 */
export const JOB_CREATED_ROUTES: readonly string[] = ['/v1/jobs', 'tierkit retier'];

/** How long before its job's row a job-created record may be stamped: a clock set back in between. */
const RECORD_BEFORE_JOB_MS = 60_000;
/** How long after its job's row the record is written: the rest of one request (HTTP) or one command. */
const RECORD_AFTER_JOB_MS = 10 * 60_000;

/**
 * The trail's records of these jobs' queueing lose their reason: their side rows are deleted, and the
 * records keep the digest. Found by the job's id in the record's kept detail, among the records stamped
 * near each job's queueing (the `at` index, one short range a job, OR-ed): the record is written by the
 * same process right after the job's row — by the API once the request's handler returns, by the command
 * line and the schedule after the insert — so its `at` is the job's `created_at` plus that request's
 * remaining time, not the whole trail since the oldest job. Returns the seqs whose side rows were deleted,
 * for the erasure's own record to name.
 */
export async function eraseJobReasonsFromTrail(
  db: Executor,
  tenantId: string,
  jobs: readonly { readonly id: string; readonly createdAt: string }[],
): Promise<number[]> {
  if (!jobs.length) return [];
  const near = (j: { readonly createdAt: string }) => {
    const t = Date.parse(j.createdAt);
    return [new Date(t - RECORD_BEFORE_JOB_MS).toISOString(), new Date(t + RECORD_AFTER_JOB_MS).toISOString()] as const;
  };
  const seqs: number[] = [];
  // A statement a few hundred jobs at most: two parameters a job.
  for (const batch of chunks(jobs)) {
    const needles = batch.map((j) => `"job":${JSON.stringify(j.id)}`);
    const rows = await db
      .deleteFrom('audit_personal')
      .where('chain', '=', tenantId)
      // Whoever the side row names: a one-customer job's reason naming someone else goes too, and with it
      // (one side row a record) its customer's number — a number lost from the trail, against a reason kept.
      .where('seq', 'in', (eb) =>
        eb
          .selectFrom('audit_records')
          .select('seq')
          .where('chain', '=', tenantId)
          .where((eb) =>
            eb.or(
              batch.map((j) => {
                const [from, to] = near(j);
                return eb.and([eb('at', '>=', from), eb('at', '<=', to)]);
              }),
            ),
          )
          .where('route', 'in', [...JOB_CREATED_ROUTES])
          .where('personal_digest', 'is not', null)
          .where(containsAny(db, 'audit_records.detail', needles)),
      )
      .returning('seq')
      .execute();
    seqs.push(...rows.map((r) => Number(r.seq)));
  }
  return seqs;
}

/**
 * Rows the walks below (and a retention run's walk, erasure-walk.ts) read per statement. A job's params
 * may list 10,000 customers (about 660 KB), and a stored answer may be as long, so a page of them is kept
 * to a hundred; a simulation chunk's result holds its counts and a few sample numbers.
 */
const JOBS_PAGE = 100;
const SIMULATION_CHUNKS_PAGE = 500;
const ANSWERS_PAGE = 100;

/** What of a job's params an erasure may clear. */
export interface JobParams {
  filter?: { subjects?: unknown };
  reason?: unknown;
}

/** A job as the walks read it. */
export interface JobRow {
  readonly id: string;
  readonly kind: string;
  readonly status: string;
  readonly params: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly total_chunks: number;
}

/** The tenant's jobs, a page at a time in the order of their index (queued at, id). */
export async function* jobPages(db: Executor, tenantId: string): AsyncGenerator<JobRow[]> {
  let after: { readonly createdAt: string; readonly id: string } | undefined;
  for (;;) {
    let q = db
      .selectFrom('jobs')
      .select(['id', 'kind', 'status', 'params', 'created_at', 'updated_at', 'total_chunks'])
      .where('tenant_id', '=', tenantId);
    if (after !== undefined) {
      const { createdAt, id } = after;
      q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(createdAt, id)));
    }
    const page = await q.orderBy('created_at').orderBy('id').limit(JOBS_PAGE).execute();
    yield page.map((r) => ({ ...r, total_chunks: Number(r.total_chunks) }));
    const last = page[page.length - 1];
    if (page.length < JOBS_PAGE || last === undefined) return;
    after = { createdAt: last.created_at, id: last.id };
  }
}

/** One simulation's chunks, 500 at a time by the primary key (job, seq). */
export async function* simulationChunkPages(
  db: Executor,
  tenantId: string,
  jobId: string,
): AsyncGenerator<{ readonly seq: number; readonly result: string | null }[]> {
  let after: number | undefined;
  for (;;) {
    let q = db.selectFrom('job_chunks').select(['seq', 'result']).where('job_id', '=', jobId).where('tenant_id', '=', tenantId);
    if (after !== undefined) q = q.where('seq', '>', after);
    const rows = (await q.orderBy('seq').limit(SIMULATION_CHUNKS_PAGE).execute()).map((r) => ({ seq: Number(r.seq), result: r.result }));
    yield rows;
    const last = rows[rows.length - 1];
    if (rows.length < SIMULATION_CHUNKS_PAGE || last === undefined) return;
    after = last.seq;
  }
}

/**
 * The one rule of what an erasure looks for in a job's params: its filter's entries that are one of
 * their numbers (`listed`), and in a string reason every number standing as a whole token and every
 * name standing anywhere (`inReason`: {@link ErasureMatcher.mentions} then judges a name's edges).
 * {@link clearJob} clears only a job this finds something in, and a retention run's walk notes a job
 * under each needle this returns (erasure-walk.ts): what the walk notes covers what a chunk clears.
 */
export function jobNeedles(params: JobParams, matcher: ErasureMatcher): { readonly listed: string[]; readonly inReason: string[] } {
  const subjects = params.filter?.subjects;
  const listed = Array.isArray(subjects) ? subjects.filter((s): s is string => typeof s === 'string' && matcher.isNumber(s)) : [];
  const inReason: string[] = [];
  if (typeof params.reason === 'string') {
    inReason.push(...matcher.numbersNamed(params.reason));
    for (const h of matcher.nameHits(params.reason)) inReason.push(h.name);
  }
  return { listed, inReason };
}

/**
 * The one rule of what an erasure looks for in a simulation chunk's result: their numbers as JSON
 * strings (a sample's). {@link clearSimulationChunks} replaces exactly these, and a walk notes the chunk
 * under each.
 */
export const sampleNumbers = (result: string, matcher: ErasureMatcher): string[] => [...new Set(matcher.numbersQuoted(result))];

/**
 * A job's params with the erased numbers out of its filter and its reason gone if it names one of them
 * (`said`: {@link ErasureMatcher.mentions} of the reason), as the text to store, and what went.
 */
function clearJob(params: JobParams, said: Mention | undefined, matcher: ErasureMatcher) {
  const needles = jobNeedles(params, matcher);
  const listed = needles.listed.length > 0;
  const subjects = params.filter?.subjects;
  if (params.filter && Array.isArray(subjects) && listed)
    params.filter.subjects = subjects.map((s) => (typeof s === 'string' && matcher.isNumber(s) ? ERASED_CUSTOMER : s));
  // A reason with nothing of theirs in it is not theirs, whatever else was said of it.
  const reason = needles.inReason.length > 0 ? said : undefined;
  const reasonNames = reason?.names === true;
  if (reasonNames) params.reason = null;
  return { text: JSON.stringify(params), listed, reasonNames, withinOthers: reason?.withinOthers === true };
}

/** What {@link clearJobs} changed, summed over the jobs given. */
interface JobsCleared {
  filters: number;
  reasons: number;
  /** The jobs, by id: a reason kept, within another's name, counts once if both reads below look at it. */
  readonly namesWithinOthers: Set<string>;
  /** By id: a job read by both a walk's path and the read of every job (a customer renamed) counts once. */
  readonly named: Map<string, { id: string; createdAt: string }>;
}

/**
 * Clear `rows` (jobs as read) of the erased: each job whose params hold one of them as a substring is
 * judged by {@link clearJob} and written by compare-and-set, its counts added to `into`.
 */
async function clearJobs(
  db: Executor,
  tenantId: string,
  people: ErasedPeople,
  matcher: ErasureMatcher,
  page: readonly { readonly id: string; readonly params: string; readonly created_at: string }[],
  into: JobsCleared,
): Promise<void> {
  const rows = page.filter((r) => matcher.holdsAny(r.params)).map((r) => ({ ...r, parsed: JSON.parse(r.params) as JobParams }));
  const said = await mentionsIn(
    db,
    tenantId,
    people,
    matcher,
    rows.map((r) => (typeof r.parsed.reason === 'string' ? r.parsed.reason : '')),
  );
  for (const [i, r] of rows.entries()) {
    let stored = r.params;
    let cleared = clearJob(r.parsed, said[i], matcher);
    // Compare-and-set: an erasure of other customers in another transaction may have rewritten this
    // job since it was read (on PostgreSQL this update waits for it, then matches nothing); then the
    // job is read again and cleared from what that one wrote, or its clearing would be undone.
    while (cleared.text !== stored) {
      const set = await db
        .updateTable('jobs')
        .set({ params: cleared.text })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', r.id)
        .where('params', '=', stored)
        .executeTakeFirst();
      if (Number(set.numUpdatedRows) > 0) break;
      const again = await db
        .selectFrom('jobs')
        .select('params')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', r.id)
        .executeTakeFirst();
      // Gone since: nothing of it to clear or count.
      if (again === undefined) {
        cleared = { text: stored, listed: false, reasonNames: false, withinOthers: false };
        break;
      }
      stored = again.params;
      const parsed = JSON.parse(stored) as JobParams;
      const reason = typeof parsed.reason === 'string' ? parsed.reason : '';
      cleared = clearJob(parsed, (await mentionsIn(db, tenantId, people, matcher, [reason]))[0], matcher);
    }
    if (cleared.listed) into.filters++;
    if (cleared.reasonNames) into.reasons++;
    if (cleared.withinOthers) into.namesWithinOthers.add(r.id);
    if (cleared.listed || cleared.reasonNames) into.named.set(r.id, { id: r.id, createdAt: r.created_at });
  }
}

/**
 * Re-tier jobs naming an erased customer: in `filter.subjects` the number becomes
 * {@link ERASED_CUSTOMER} (a chunk still running skips them: they are closed, and no number matches);
 * a reason naming them (number or name) was typed about them, and goes whole — what else it says of
 * them (an ID card number) no search could find.
 *
 * With `walked` (a retention run's one walk of the jobs and simulation chunks for many chunks of
 * customers, erasure-walk.ts), only the records it found naming the customers it covers are read
 * again, with those it could not have seen: jobs queued since it began (less its margin), simulations
 * it read fewer chunks of than they have, simulation chunks it found not done. Whether it saw every job
 * queued before its margin is not left to the clocks: it counted them, and the chunk counts them again
 * (jobs are never deleted but with their tenant); one more — stamped before the margin, written after
 * the walk — and the chunk reads every job and simulation chunk for all its customers, and marks the
 * walk outdated for the run to walk again. Customers it does not cover (renamed since, or not among its
 * customers) are looked for as without it.
 *
 * Without it, the tenant's jobs are read a page at a time in the order of their index (queued at, id), and its
 * simulations' chunks simulation by simulation in key order (seq): a chunk of the erasure reads each once and matches it in this
 * process against all its numbers and names at once (erasure-match.ts). A job is looked at when its
 * params as stored hold one of them as a substring, as the SQL test it replaces did; tested in SQL, each
 * row was tested against each of a chunk's 1,000 needles.
 */
export async function eraseFromJobs(
  db: Executor,
  tenantId: string,
  people: ErasedPeople,
  walked?: { readonly mentions: KeptMentions; readonly uncovered: ErasedPeople },
): Promise<JobsErased> {
  const matcher = new ErasureMatcher(people);
  if (matcher.empty) return { filters: 0, reasons: 0, namesWithinOthers: 0, jobs: [] };
  const into: JobsCleared = { filters: 0, reasons: 0, namesWithinOthers: new Set(), named: new Map() };
  let rest = people;
  if (walked && (await walkSawEveryJob(db, tenantId, walked.mentions))) {
    await eraseFromWalked(db, tenantId, people, matcher, walked.mentions, into);
    rest = walked.uncovered;
  }
  if (rest.numbers.length || rest.names.length) await eraseFromEveryJob(db, tenantId, rest, into);
  return { filters: into.filters, reasons: into.reasons, namesWithinOthers: into.namesWithinOthers.size, jobs: [...into.named.values()] };
}

/**
 * Whether the tenant holds as many jobs queued before the walk's margin as the walk read: then it read
 * them all, since a job is deleted only with its tenant (a job purge would have to make this a check of
 * ids, not a count). Index-only on jobs_tenant_created_idx. Otherwise the walk is marked outdated.
 */
async function walkSawEveryJob(db: Executor, tenantId: string, walked: KeptMentions): Promise<boolean> {
  const row = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('created_at', '<', walked.since)
    .executeTakeFirstOrThrow();
  if (Number(row.n) === walked.jobsBefore) return true;
  walked.outdated = true;
  return false;
}

/** The walked records naming `people`, and those the walk could not have seen, read again and cleared. */
async function eraseFromWalked(
  db: Executor,
  tenantId: string,
  people: ErasedPeople,
  matcher: ErasureMatcher,
  walked: KeptMentions,
  into: JobsCleared,
): Promise<void> {
  const named = walked.jobsFor(people);
  const select = () => db.selectFrom('jobs').select(['id', 'kind', 'params', 'created_at']).where('tenant_id', '=', tenantId);
  // Queued since the walk's margin (jobs_tenant_created_idx): a handful, read whole, simulations with them.
  const since = await select().where('created_at', '>=', walked.since).execute();
  for (const r of since) named.delete(r.id);
  const rows = [...since];
  for (const batch of chunks([...named])) rows.push(...(await select().where('id', 'in', batch).execute()));
  for (let i = 0; i < rows.length; i += JOBS_PAGE) await clearJobs(db, tenantId, people, matcher, rows.slice(i, i + JOBS_PAGE), into);
  const whole = new Set([...since.filter((r) => r.kind === 'simulate').map((r) => r.id), ...walked.partial]);
  for (const jobId of whole) await clearSimulationChunks(db, tenantId, jobId, undefined, matcher);
  const some = walked.chunksFor(people.numbers, await stoppedSince(db, tenantId, walked));
  for (const [jobId, seqs] of some) if (!whole.has(jobId)) await clearSimulationChunks(db, tenantId, jobId, seqs, matcher);
}

/**
 * Of the simulations the walk found chunks not done of, those not running and not changed since the
 * walk began: a chunk gets its result only while its simulation runs (completeChunk), and a change of
 * status stamps `updated_at` (setJobStatus), so theirs never will — a cancelled or failed simulation's
 * pending chunks are not read again by every chunk of every run.
 */
async function stoppedSince(db: Executor, tenantId: string, walked: KeptMentions): Promise<Set<string>> {
  const out = new Set<string>();
  for (const batch of chunks(walked.unfinished())) {
    const rows = await db
      .selectFrom('jobs')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', batch)
      .where('status', '!=', 'running')
      .where('updated_at', '<', walked.at)
      .execute();
    for (const r of rows) out.add(r.id);
  }
  return out;
}

/** Every job and simulation chunk of the tenant, read a page at a time and cleared of `people`. */
async function eraseFromEveryJob(db: Executor, tenantId: string, people: ErasedPeople, into: JobsCleared): Promise<void> {
  const matcher = new ErasureMatcher(people);
  for await (const page of jobPages(db, tenantId)) await clearJobs(db, tenantId, people, matcher, page, into);
  await eraseFromSimulationSamples(db, tenantId, matcher);
}

/**
 * A simulation's chunks keep sample customers by number (`cells[].samples`, as JSON strings): the word
 * {@link ERASED_CUSTOMER} stands in. Only a simulation's: a re-tier's chunks hold counts, and there are
 * thousands of them a month.
 *
 * The tenant's simulations are listed first (its jobs by the tenant's index, a few hundred rows of ids),
 * then each one's chunks are walked by the primary key (job, seq), 500 at a time. Walked across all
 * the simulations at once, joined to the jobs and ordered by (job, seq), SQLite re-read and sorted every
 * chunk of the tenant for each page (a temporary B-tree): at 160,000 chunks, 3.3–4.7 s of CPU an erasure chunk.
 */
async function eraseFromSimulationSamples(db: Executor, tenantId: string, matcher: ErasureMatcher) {
  const simulations = await db.selectFrom('jobs').select('id').where('tenant_id', '=', tenantId).where('kind', '=', 'simulate').execute();
  for (const { id: jobId } of simulations) await clearSimulationChunks(db, tenantId, jobId, undefined, matcher);
}

/**
 * The chunks of one simulation (`seqs` of them, or all), read by the primary key 500 at a time, their
 * results' samples of the erased ({@link sampleNumbers}) replaced.
 */
async function clearSimulationChunks(
  db: Executor,
  tenantId: string,
  jobId: string,
  seqs: ReadonlySet<number> | undefined,
  matcher: ErasureMatcher,
): Promise<void> {
  const clear = async (rows: readonly { readonly seq: number | string; readonly result: string | null }[]) => {
    for (const r of rows) {
      if (r.result === null) continue;
      let result = r.result;
      for (const number of sampleNumbers(r.result, matcher))
        result = result.split(JSON.stringify(number)).join(JSON.stringify(ERASED_CUSTOMER));
      if (result !== r.result)
        await db.updateTable('job_chunks').set({ result }).where('job_id', '=', jobId).where('seq', '=', Number(r.seq)).execute();
    }
  };
  if (seqs) {
    for (const batch of chunks([...seqs]))
      await clear(
        await db
          .selectFrom('job_chunks')
          .select(['seq', 'result'])
          .where('job_id', '=', jobId)
          .where('tenant_id', '=', tenantId)
          .where('seq', 'in', batch)
          .execute(),
      );
    return;
  }
  for await (const rows of simulationChunkPages(db, tenantId, jobId)) await clear(rows);
}

/** Import row errors read per statement: a page of the tenant's, in key order (import, seq). */
const ROW_ERRORS_PAGE = 2_000;

/**
 * Import row errors naming an erased customer (`subject "C000123" is a customer…`): the line, column and
 * code stay — the import's account of its file still adds up —, the words and params (the number, the
 * row's values) go. A row error is looked at when its words or params hold a number as a JSON string
 * (`"C000123"`, as the importer quotes it) or a name, and cleared when it names one of them
 * ({@link ErasureMatcher.mentions}).
 *
 * Read a page at a time, the tenant's imports' in key order (the primary key serves each page), and matched
 * in this process against all the chunk's numbers and names at once: a chunk reads each of the tenant's
 * row errors once. Found in SQL instead (a substring test of each row against each needle, as jobs are),
 * a chunk cost 4 s of CPU at 20,000 row errors, and grew with row errors × customers erased.
 */
export async function eraseFromImportErrors(
  db: Executor,
  tenantId: string,
  people: ErasedPeople,
): Promise<{ readonly erased: number; readonly namesWithinOthers: number }> {
  const matcher = new ErasureMatcher(people);
  if (matcher.empty) return { erased: 0, namesWithinOthers: 0 };
  let n = 0;
  let namesWithinOthers = 0;
  // One keyset walk over the tenant's row errors in key order, (import, seq) as the cursor: a statement
  // per page, not one per import — a bank with thousands of imports, most without a row error, sent a
  // statement for each of them every chunk.
  let after: { readonly importId: string; readonly seq: number } | undefined;
  for (;;) {
    let q = db
      .selectFrom('import_errors')
      .innerJoin('imports', 'imports.id', 'import_errors.import_id')
      .select(['import_errors.import_id', 'import_errors.seq', 'import_errors.message', 'import_errors.params'])
      .where('imports.tenant_id', '=', tenantId);
    if (after !== undefined) {
      const { importId, seq } = after;
      q = q.where((eb) => eb(eb.refTuple('import_errors.import_id', 'import_errors.seq'), '>', eb.tuple(importId, seq)));
    }
    const rows = await q.orderBy('import_errors.import_id').orderBy('import_errors.seq').limit(ROW_ERRORS_PAGE).execute();
    const looked = rows.filter((r) => {
      if (matcher.quotedNumberIn(r.message) || (r.params !== null && matcher.quotedNumberIn(r.params))) return true;
      // A name within one of the two texts (the importer's words, the params), not across the line between.
      const m = r.message.length;
      return matcher.nameHits(`${r.message}\n${r.params ?? ''}`).some((h) => h.at + h.name.length <= m || h.at > m);
    });
    const said = await mentionsIn(
      db,
      tenantId,
      people,
      matcher,
      looked.map((r) => `${r.message}\n${r.params ?? ''}`),
    );
    for (const [i, r] of looked.entries()) {
      if (said[i]?.withinOthers) namesWithinOthers++;
      if (!said[i]?.names) continue;
      await db
        .updateTable('import_errors')
        .set({ message: ERASED_CUSTOMER, params: null })
        .where('import_id', '=', r.import_id)
        .where('seq', '=', r.seq)
        .execute();
      n++;
    }
    const last = rows[rows.length - 1];
    if (rows.length < ROW_ERRORS_PAGE || last === undefined) break;
    after = { importId: last.import_id, seq: Number(last.seq) };
  }
  return { erased: n, namesWithinOthers };
}

/**
 * What stands for an erased answer's request hash: the hash was of a body that held the customer's number,
 * unsalted, so a guessed body could be matched against it for the key's 24 hours. Not a hex digest, so no
 * request's hash equals it; the middleware refuses any request with such a key (`idempotency-key-erased`).
 */
export const ERASED_REQUEST_HASH = 'erased';

/**
 * Stored answers an Idempotency-Key would replay that name an erased customer (a closing's answer holds
 * the name and its reason; an import's or a job's may list several customers): their body and the
 * request's hash go (`ERASED_REQUEST_HASH`), the key stays. Deleted whole, a key let its client's retry
 * run the request again — a second job, a second import of the same customers, the others' moves again —
 * where the client expected a replay; kept
 * without its body, a retry is refused (`idempotency-key-erased`, the middleware's replay) and runs
 * nothing. A completed key's body is never null otherwise (`completeIdempotencyKey` stores the text
 * sent, empty or not), so a null body on a completed key means this. Kept 24 hours at most anyway; an
 * erasure does not wait for them. Found by the number as a JSON string only (an answer about a customer
 * carries their id): by name, another customer's namesake — or a staff member's — would lose its answer.
 */
export async function eraseIdempotentAnswers(db: Executor, tenantId: string, people: ErasedPeople): Promise<number> {
  const matcher = new ErasureMatcher({ numbers: people.numbers, names: [] });
  if (matcher.empty) return 0;
  let n = 0;
  // The tenant's answers in key order, (actor, key) after the tenant in the primary key: a chunk reads
  // each once and looks up each quoted token of it, where a substring test in SQL tried every number on it.
  let after: { readonly actor: string; readonly key: string } | undefined;
  for (;;) {
    let q = db
      .selectFrom('idempotency_keys')
      .select(['actor', 'key', 'body', 'created_at'])
      .where('tenant_id', '=', tenantId)
      .where('body', 'is not', null);
    if (after !== undefined) {
      const { actor, key } = after;
      q = q.where((eb) => eb(eb.refTuple('actor', 'key'), '>', eb.tuple(actor, key)));
    }
    const page = await q.orderBy('actor').orderBy('key').limit(ANSWERS_PAGE).execute();
    for (const r of page) {
      if (r.body === null || !matcher.quotedNumberIn(r.body)) continue;
      // The answer read, not a successor: a key expired and claimed again since (by the same client,
      // within this transaction's moments) has another `created_at`, and its answer was not looked at.
      const d = await db
        .updateTable('idempotency_keys')
        .set({ body: null, content_type: null, request_hash: ERASED_REQUEST_HASH })
        .where('tenant_id', '=', tenantId)
        .where('actor', '=', r.actor)
        .where('key', '=', r.key)
        .where('created_at', '=', r.created_at)
        .where('body', 'is not', null)
        .executeTakeFirst();
      n += Number(d.numUpdatedRows);
    }
    const last = page[page.length - 1];
    if (page.length < ANSWERS_PAGE || last === undefined) break;
    after = { actor: last.actor, key: last.key };
  }
  return n;
}
