import { sql } from 'kysely';
import { chunks, isPostgres, type Executor } from './executor.js';

/**
 * What an erasure leaves where a customer's number stood in a record it keeps (a job's filter): the
 * list keeps its length, so a job's counts still add up, and names no one.
 */
export const ERASED_CUSTOMER = 'erased customer';

/** Who is being erased: their numbers and names as they were, read before the row is blanked. */
export interface ErasedPeople {
  readonly numbers: readonly string[];
  /** Names as stored; blank ones (already blank, or never given) are left out. */
  readonly names: readonly string[];
}

/**
 * Texts of `column` holding one of `needles`, as an exact substring: one statement, the needles one
 * parameter (a JSON array on SQLite, a text array on PostgreSQL), whatever their number. No index serves
 * a substring, so each such statement reads every row of the tenant's table: once a chunk, not once a
 * needle. (An OR of a LIKE per needle, 200 to a statement, cost the run 150 ms a chunk to parse alone,
 * empty tables and all.)
 */
function containsAny(db: Executor, column: string, needles: readonly string[]) {
  return isPostgres(db)
    ? sql<boolean>`exists (select 1 from unnest(cast(${[...needles]} as text[])) as n(v) where strpos(${sql.ref(column)}, n.v) > 0)`
    : sql<boolean>`exists (select 1 from json_each(${JSON.stringify(needles)}) as n where instr(${sql.ref(column)}, n.value) > 0)`;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A number as a whole token: not touching a letter or digit, nor joined to one by the punctuation
 * customer numbers are written with (`_ . : -`). So `C0001` is not named by `C00012`, `C0001-02`,
 * `C0001_B` or `X:C0001` (other customers' numbers), and is by `C0001-补录`, `C0001，` or `C0001.` at a
 * sentence's end: punctuation binds only to what could continue a number.
 */
export const tokenOf = (n: string) => new RegExp(`(?<![A-Za-z0-9]|[A-Za-z0-9][_.:-])${escapeRegExp(n)}(?![A-Za-z0-9]|[_.:-][A-Za-z0-9])`);

/**
 * Scripts written with spaces between words, where a name is a whole word (Ann is not in Anna). Every
 * other letter is taken as Han is: Korean attaches its particles to a name (김민이), Japanese writes
 * kana on without a space (さくらさん), so there the name touches the text around it.
 */
const SPACED = /[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{N}]/u;
const LETTER = /\p{L}/u;
/** A letter of a script written without spaces between words (Han, Hangul, kana, Thai …). */
const UNSPACED = { test: (c: string) => LETTER.test(c) && !SPACED.test(c) };
/** Such letters a name may be extended by on either side into another's name: 张三 → 张三丰, 김민 → 김민수. */
const NAME_EXTENSION = 3;

/**
 * The longer names an occurrence of `name` in `text` could be part of: the occurrence widened over up to
 * {@link NAME_EXTENSION} Han characters on either side (张三 in “客户张三丰来电” → 张三丰, 户张三, 张三丰来 …).
 */
function widenings(text: string, at: number, name: string): string[] {
  const out: string[] = [];
  const chars = [...text.slice(0, at)];
  const after = [...text.slice(at + name.length)];
  let left = 0;
  while (left < NAME_EXTENSION && left < chars.length && UNSPACED.test(chars[chars.length - 1 - left] ?? '')) left++;
  let right = 0;
  while (right < NAME_EXTENSION && right < after.length && UNSPACED.test(after[right] ?? '')) right++;
  for (let l = 0; l <= left; l++)
    for (let r = 0; r <= right; r++) if (l + r > 0) out.push(chars.slice(chars.length - l).join('') + name + after.slice(0, r).join(''));
  return out;
}

/**
 * Where `name` stands in `text` as itself, not as part of another word: a name's edge that is a letter
 * or digit of a spaced script (Ann, Li Na) must not touch another (Anna, Li Nan); any other script's edge (Han, Hangul,
 * kana) touches the text around it as Chinese is written (客户张三来电, 김민이), so there the occurrence is the name unless it lies inside
 * the name of another customer of the tenant (`others`: 张三丰, when 张三 is erased). A Han name found
 * within a longer run that is nobody's known name (张三峰, a stranger; 张三主动销户) is taken as theirs:
 * over-clearing a text kept for others is the safe side of an erasure.
 */
function nameOccurrences(text: string, name: string, others: ReadonlySet<string>): { own: number; others: number } {
  let own = 0;
  let inOthers = 0;
  const first = [...name][0] ?? '';
  const last = [...name].at(-1) ?? '';
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    const before = [...text.slice(0, at)].at(-1) ?? '';
    const after = [...text.slice(at + name.length)][0] ?? '';
    if (SPACED.test(first) && SPACED.test(before)) continue;
    if (SPACED.test(last) && SPACED.test(after)) continue;
    if (widenings(text, at, name).some((w) => others.has(w))) inOthers++;
    else own++;
  }
  return { own, others: inOthers };
}

/**
 * What the texts an erasure found could also be: other customers' names that hold an erased name (张三丰
 * for 张三), read in one statement of the candidates the texts give, by exact name. Customers erased in
 * the same chunk are no others: their names go too.
 */
export async function othersNamesIn(db: Executor, tenantId: string, people: ErasedPeople, texts: readonly string[]): Promise<Set<string>> {
  const candidates = new Set<string>();
  for (const text of texts)
    for (const name of people.names)
      for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1))
        for (const w of widenings(text, at, name)) candidates.add(w);
  for (const name of people.names) candidates.delete(name);
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

/** Whether free text names one of them, and whether a name was found in it only as part of another customer's. */
interface Mention {
  readonly names: boolean;
  /** A name stood in the text only within another customer's name (张三 in 张三丰): kept, and counted. */
  readonly withinOthers: boolean;
}

/**
 * Whether free text names one of them: a number as a whole token ({@link tokenOf}), or a name as itself
 * ({@link nameOccurrences}). A namesake's mention goes too: a reason typed about a person, lost, against
 * a name kept.
 */
function mentions(text: string, people: ErasedPeople, others: ReadonlySet<string>): Mention {
  let withinOthers = false;
  for (const name of people.names) {
    const found = nameOccurrences(text, name, others);
    if (found.own) return { names: true, withinOthers: false };
    if (found.others) withinOthers = true;
  }
  const numbers = people.numbers.some((n) => text.includes(n) && tokenOf(n).test(text));
  return { names: numbers, withinOthers: !numbers && withinOthers };
}

/** What the texts are searched for: each number as a JSON or quoted string (`"C000123"`), each name as it is. */
function needlesOf(people: ErasedPeople): string[] {
  return [...people.numbers.map((n) => JSON.stringify(n)), ...people.names];
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
 * Re-tier jobs naming an erased customer: in `filter.subjects` the number becomes
 * {@link ERASED_CUSTOMER} (a chunk still running skips them: they are closed, and no number matches);
 * a reason naming them (number or name) was typed about them, and goes whole — what else it says of
 * them (an ID card number) no search could find.
 */
export async function eraseFromJobs(db: Executor, tenantId: string, people: ErasedPeople): Promise<JobsErased> {
  const numbers = new Set(people.numbers);
  const needles = [...people.numbers, ...people.names];
  let filters = 0;
  let reasons = 0;
  let namesWithinOthers = 0;
  const named: { id: string; createdAt: string }[] = [];
  const rows = (
    await db
      .selectFrom('jobs')
      .select(['id', 'params', 'created_at'])
      .where('tenant_id', '=', tenantId)
      .where(containsAny(db, 'params', needles))
      .execute()
  ).map((r) => ({ ...r, parsed: JSON.parse(r.params) as { filter?: { subjects?: string[] }; reason?: string | null } }));
  const others = await othersNamesIn(
    db,
    tenantId,
    people,
    rows.map((r) => r.parsed.reason ?? ''),
  );
  for (const r of rows) {
    const params = r.parsed;
    const subjects = params.filter?.subjects;
    const listed = subjects?.some((s) => numbers.has(s)) === true;
    if (params.filter && subjects && listed) {
      params.filter.subjects = subjects.map((s) => (numbers.has(s) ? ERASED_CUSTOMER : s));
      filters++;
    }
    const said = typeof params.reason === 'string' ? mentions(params.reason, people, others) : undefined;
    const reasonNames = said?.names === true;
    if (said?.withinOthers) namesWithinOthers++;
    if (reasonNames) {
      params.reason = null;
      reasons++;
    }
    if (listed || reasonNames) named.push({ id: r.id, createdAt: r.created_at });
    const text = JSON.stringify(params);
    if (text === r.params) continue;
    await db.updateTable('jobs').set({ params: text }).where('tenant_id', '=', tenantId).where('id', '=', r.id).execute();
  }
  // A simulation's chunks keep sample customers by number (`cells[].samples`): the same word stands in.
  const quoted = people.numbers.map((n) => JSON.stringify(n));
  const samples = await db
    .selectFrom('job_chunks')
    .select(['job_id', 'seq', 'result'])
    .where('tenant_id', '=', tenantId)
    // Only a simulation's: a re-tier's chunks hold counts, and there are thousands of them a month.
    .where('job_id', 'in', (eb) => eb.selectFrom('jobs').select('id').where('tenant_id', '=', tenantId).where('kind', '=', 'simulate'))
    .where(containsAny(db, 'result', quoted))
    .execute();
  for (const r of samples) {
    let result = r.result ?? '';
    for (const q of quoted) result = result.split(q).join(JSON.stringify(ERASED_CUSTOMER));
    if (result !== r.result)
      await db.updateTable('job_chunks').set({ result }).where('job_id', '=', r.job_id).where('seq', '=', r.seq).execute();
  }
  return { filters, reasons, namesWithinOthers, jobs: named };
}

/**
 * Import row errors naming an erased customer (`subject "C000123" is a customer…`): the line, column and
 * code stay — the import's account of its file still adds up —, the words and params (the number, the
 * row's values) go.
 */
export async function eraseFromImportErrors(
  db: Executor,
  tenantId: string,
  people: ErasedPeople,
): Promise<{ readonly erased: number; readonly namesWithinOthers: number }> {
  const needles = needlesOf(people);
  let n = 0;
  let namesWithinOthers = 0;
  const rows = await db
    .selectFrom('import_errors')
    .innerJoin('imports', 'imports.id', 'import_errors.import_id')
    .select(['import_errors.import_id', 'import_errors.seq', 'import_errors.message', 'import_errors.params'])
    .where('imports.tenant_id', '=', tenantId)
    .where((eb) => eb.or([containsAny(db, 'import_errors.message', needles), containsAny(db, 'import_errors.params', needles)]))
    .execute();
  const texts = rows.map((r) => `${r.message}\n${r.params ?? ''}`);
  const others = await othersNamesIn(db, tenantId, people, texts);
  for (const [i, r] of rows.entries()) {
    const said = mentions(texts[i] ?? '', people, others);
    if (said.withinOthers) namesWithinOthers++;
    if (!said.names) continue;
    await db
      .updateTable('import_errors')
      .set({ message: ERASED_CUSTOMER, params: null })
      .where('import_id', '=', r.import_id)
      .where('seq', '=', r.seq)
      .execute();
    n++;
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
  const needles = people.numbers.map((n) => JSON.stringify(n));
  const d = await db
    .updateTable('idempotency_keys')
    .set({ body: null, content_type: null, request_hash: ERASED_REQUEST_HASH })
    .where('tenant_id', '=', tenantId)
    .where('body', 'is not', null)
    .where(containsAny(db, 'body', needles))
    .executeTakeFirst();
  return Number(d.numUpdatedRows);
}
