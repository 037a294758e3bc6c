import { createHash } from 'node:crypto';
import { canonicalJson } from '@tierkit/core';
import { sql } from 'kysely';
import type { AuditListedRow, AuditPersonalRow, AuditRecordRow } from '../schema.js';
import { actorsOfStaff } from './api-keys.js';
import { atomically, isPostgres, type Executor } from './executor.js';

/** What the previous hash of a chain's first record is: no record came before it. */
export const AUDIT_GENESIS = 'genesis';

/** The columns of an audit record other than its place in the chain (`detail`, `personal_digest` left out: none). */
export type AuditFields = Omit<AuditRecordRow, 'chain' | 'seq' | 'prev_hash' | 'hash' | 'detail' | 'personal_digest'> & {
  readonly detail?: string | null;
  readonly personal_digest?: string | null;
};

/** A record's personal fields as its writer split them off (`audit_personal` without the record's place). */
export type AuditPersonalFields = Omit<AuditPersonalRow, 'chain' | 'seq'>;

/** One customer number a record's `detail` lists, as its writer split it off (`audit_listed` without the record's place). */
export type AuditListedFields = Omit<AuditListedRow, 'chain' | 'seq'>;

/**
 * A record's list entries in one INSERT of three parameters, whatever the list's length: the entries go as
 * one JSON array the database unpacks (`json_each` / `jsonb_array_elements`). Five parameters a row made a
 * list of 500 a statement of 2,500 values that Kysely built node by node and SQLite compiled anew each
 * time; this text is the same for every list, so it compiles as cheaply for 500 entries as for one.
 */
async function insertListed(db: Executor, chain: string, seq: number, listed: readonly AuditListedFields[]): Promise<void> {
  const entries = JSON.stringify(listed.map((e) => [e.pos, e.subject, e.salt]));
  await (isPostgres(db)
    ? sql`insert into audit_listed (chain, seq, pos, subject, salt)
          select ${chain}::text, ${seq}::integer, (e->>0)::integer, e->>1, e->>2 from jsonb_array_elements(${entries}::jsonb) as t(e)`
    : sql`insert into audit_listed (chain, seq, pos, subject, salt)
          select ${chain}, ${seq}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') from json_each(${entries})`
  ).execute(db);
}

/**
 * The hash of a record: over every column but the hash itself, as canonical JSON (`sha256:` hex). A
 * record without `detail` hashes without the key, as every record did before the column existed, and one
 * without `personal_digest` without that key, as every record did before the side table: so each record
 * verifies by the rule it was written under, and the chain's switch point needs no rule of its own. One
 * with a digest hashes it in place of its personal fields, which may then be deleted (`audit_personal`).
 * Here, not in the API, because the migration that marks the switch point seals a record too.
 */
export function auditHash(
  row: Omit<AuditRecordRow, 'hash' | 'detail' | 'personal_digest'> & {
    readonly detail?: string | null;
    readonly personal_digest?: string | null;
  },
): string {
  const { chain, seq, at, request_id, phase, actor, credential, method, route, target, status, problem, unmasked, prev_hash } = row;
  const detail = row.detail ?? null;
  const digest = row.personal_digest ?? null;
  const canonical = canonicalJson({
    chain,
    seq,
    at,
    request_id,
    phase,
    actor,
    credential,
    method,
    route,
    target,
    status,
    problem,
    unmasked,
    prev_hash,
    ...(detail !== null ? { detail } : {}),
    ...(digest !== null ? { personal_digest: digest } : {}),
  });
  return `sha256:${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}

/** A chain's last record, as its head row remembers it. */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

/**
 * Append one record to `chain`. The head row is bumped first, inside the transaction: on PostgreSQL
 * that UPDATE takes the row lock every other append of the chain waits on; on SQLite it takes the
 * database's write lock at once (a read first could meet a writer that committed meanwhile). So seq
 * numbers never collide or skip. `seal` computes the record's hash from its place in the chain.
 */
export async function appendAuditRecord(
  db: Executor,
  chain: string,
  fields: AuditFields,
  seal: (seq: number, prevHash: string) => string,
  /** The record's personal fields, written beside it in the same transaction (their digest is in `fields`). */
  personal?: AuditPersonalFields,
  /** The customer numbers its `detail` lists, one per entry (their digests are in `fields.detail`). */
  listed: readonly AuditListedFields[] = [],
): Promise<AuditRecordRow> {
  const append = async (trx: Executor): Promise<AuditRecordRow> => {
    const bump = () =>
      trx
        .updateTable('audit_heads')
        .set((eb) => ({ seq: eb('seq', '+', 1) }))
        .where('chain', '=', chain)
        .returning(['seq', 'hash'])
        .executeTakeFirst();
    let head = await bump();
    if (!head) {
      await trx
        .insertInto('audit_heads')
        .values({ chain, seq: 0, hash: AUDIT_GENESIS })
        .onConflict((oc) => oc.column('chain').doNothing())
        .execute();
      head = await bump();
    }
    if (!head) throw new Error(`audit chain ${chain}: no head row after creating it`);
    const row: AuditRecordRow = {
      chain,
      seq: head.seq,
      prev_hash: head.hash,
      ...fields,
      detail: fields.detail ?? null,
      personal_digest: fields.personal_digest ?? null,
      hash: seal(head.seq, head.hash),
    };
    await trx.insertInto('audit_records').values(row).execute();
    if (personal)
      await trx
        .insertInto('audit_personal')
        .values({ chain, seq: row.seq, ...personal })
        .execute();
    if (listed.length) await insertListed(trx, chain, row.seq, listed);
    await trx.updateTable('audit_heads').set({ hash: row.hash }).where('chain', '=', chain).execute();
    return row;
  };
  return atomically(db, append);
}

/** The chain's head (its last seq and hash), or undefined when nothing was ever appended. */
export async function findAuditHead(db: Executor, chain: string): Promise<AuditHead | undefined> {
  return db.selectFrom('audit_heads').select(['seq', 'hash']).where('chain', '=', chain).executeTakeFirst();
}

/** Records of a chain in seq order, from after `afterSeq`, at most `limit`: what verification walks. */
export async function auditRecordsAfter(db: Executor, chain: string, afterSeq: number, limit: number): Promise<AuditRecordRow[]> {
  return db
    .selectFrom('audit_records')
    .selectAll()
    .where('chain', '=', chain)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/** Filters of `listAuditRecords`; every one given must match. */
export interface AuditFilter {
  readonly actor?: string;
  /**
   * A staff member's id: records made by any credential of theirs — their staff token (`staff:<id>`) and
   * every key they own (`actorsOfStaff`). With `actor`, only that one of their credentials.
   */
  readonly person?: string;
  readonly method?: string;
  readonly route?: string;
  /** `intent`, `result`, `request` or `change` (the record's `phase`). */
  readonly phase?: string;
  /** A value of the record's path parameters (a subject's external id, an override id, …), or of the moves a `change` record's detail lists. */
  readonly target?: string;
  readonly status?: number;
  /** `at` at or after (ISO UTC). */
  readonly from?: string;
  /** `at` before (ISO UTC). */
  readonly to?: string;
  /** Only records with a seq below this (the cursor). */
  readonly beforeSeq?: number;
  /** Only records with a seq above this (an export's keyset, oldest first). */
  readonly afterSeq?: number;
  /** Only records with a seq at or below this (an export's end, fixed when it starts). */
  readonly throughSeq?: number;
  /**
   * Only records that show a person's name as it was read unmasked: an unmasked read that kept what it
   * tested (`detail`, the name a search by name confirmed). What makes an export of them an unmasked read.
   */
  readonly showsNames?: true;
}

/** A chain's records, filtered: newest first, or oldest first (`asc`, an export's order). */
export async function listAuditRecords(
  db: Executor,
  chain: string,
  filter: AuditFilter,
  limit: number,
  order: 'desc' | 'asc' = 'desc',
  /** Records to pass over first: where a capped export's last record is (`auditExportBounds`). */
  offset = 0,
): Promise<AuditRecordRow[]> {
  if (filter.person === undefined) {
    const q = filteredAuditRecords(db, chain, filter);
    const ordered = (filter.actor !== undefined ? q.where('actor', '=', filter.actor) : q).orderBy('seq', order).limit(limit);
    return (offset > 0 ? ordered.offset(offset) : ordered).execute();
  }
  const theirs = await actorsOfStaff(db, chain, filter.person);
  const actors = filter.actor === undefined ? theirs : theirs.filter((a) => a === filter.actor);
  const [only] = actors;
  if (only === undefined) return [];
  const q = filteredAuditRecords(db, chain, filter);
  if (actors.length === 1 || actors.length > MAX_PERSON_BRANCHES) {
    const ordered = (actors.length === 1 ? q.where('actor', '=', only) : q.where('actor', 'in', actors)).orderBy('seq', order).limit(limit);
    return (offset > 0 ? ordered.offset(offset) : ordered).execute();
  }
  // One branch per credential, each read backwards (or forwards) along the (chain, actor, seq) index
  // and cut at the page, then merged: `actor IN (…) ORDER BY seq LIMIT n` would read every record of
  // every one of the person's keys to sort them — an integration key's years of imports for a page of 50.
  const branch = (actor: string, i: number) =>
    db
      .selectFrom(
        q
          .where('actor', '=', actor)
          .orderBy('seq', order)
          .limit(limit + offset)
          .as(`b${i}`),
      )
      .selectAll();
  let merged = branch(only, 0);
  for (let i = 1; i < actors.length; i++) merged = merged.unionAll(branch(actors[i] as string, i));
  const ordered = db.selectFrom(merged.as('merged')).selectAll().orderBy('seq', order).limit(limit);
  return (offset > 0 ? ordered.offset(offset) : ordered).execute();
}

/**
 * Most credentials a person filter merges branch by branch: SQLite allows 500 terms in a compound
 * SELECT. A person holding more keys than this (none known) is read with one `IN`, correct but slower.
 */
const MAX_PERSON_BRANCHES = 200;

/** The chain's records matching `filter` but its actors (which `listAuditRecords` applies), unordered. */
function filteredAuditRecords(db: Executor, chain: string, filter: AuditFilter) {
  let q = db.selectFrom('audit_records').selectAll().where('chain', '=', chain);
  if (filter.method !== undefined) q = q.where('method', '=', filter.method);
  if (filter.route !== undefined) q = q.where('route', '=', filter.route);
  if (filter.phase !== undefined) q = q.where('phase', '=', filter.phase);
  if (filter.status !== undefined) q = q.where('status', '=', filter.status);
  if (filter.from !== undefined) q = q.where('at', '>=', filter.from);
  if (filter.to !== undefined) q = q.where('at', '<', filter.to);
  if (filter.beforeSeq !== undefined) q = q.where('seq', '<', filter.beforeSeq);
  if (filter.afterSeq !== undefined) q = q.where('seq', '>', filter.afterSeq);
  if (filter.throughSeq !== undefined) q = q.where('seq', '<=', filter.throughSeq);
  if (filter.showsNames) q = q.where('unmasked', '=', 1).where('detail', 'is not', null);
  if (filter.target !== undefined) {
    // `target` is a JSON object of strings; a value matches as its JSON text after a colon, exactly
    // (LIKE would be case-insensitive on SQLite and read `_` and `%` as wildcards).
    // A `change` record of moves between books names its subjects and books in `detail` (`auditMoves`),
    // and only how many in `target` (`{ moves: "2" }`): its target is not searched, or a customer
    // numbered 2 would find every record of two moves. One written before moves were listed per
    // request held its one move in `target` and no detail.
    const needle = `:${JSON.stringify(filter.target)}`;
    const pg = isPostgres(db);
    const found = (column: 'target' | 'detail') =>
      pg ? sql<number>`strpos(${sql.ref(column)}, ${needle})` : sql<number>`instr(${sql.ref(column)}, ${needle})`;
    // A customer number a record names sits in its side row (`audit_personal`) since the trail split
    // personal fields off, and is found there for as long as the row is kept: an erased one no more.
    const foundPersonal = pg
      ? sql<number>`strpos(${sql.ref('audit_personal.target')}, ${needle})`
      : sql<number>`instr(${sql.ref('audit_personal.target')}, ${needle})`;
    // A refused request's raw path (`target.path`, `/v1/subjects/C000123/tierz`) holds the number inside
    // it, not whole: such a side row is found by the number it was split by.
    const rawPath = `${JSON.stringify('path')}:`;
    const hasRawPath = pg
      ? sql<number>`strpos(${sql.ref('audit_personal.target')}, ${rawPath})`
      : sql<number>`instr(${sql.ref('audit_personal.target')}, ${rawPath})`;
    q = q.where((eb) =>
      eb.or([
        eb.and([eb.or([eb('phase', '!=', 'change'), eb('detail', 'is', null)]), eb(found('target'), '>', 0)]),
        eb.and([eb('phase', '=', 'change'), eb(found('detail'), '>', 0)]),
        // A number a record's detail lists (a list read's, a book move's) sits in `audit_listed` while kept.
        eb.exists(
          eb
            .selectFrom('audit_listed')
            .select(sql.lit(1).as('one'))
            .whereRef('audit_listed.chain', '=', 'audit_records.chain')
            .whereRef('audit_listed.seq', '=', 'audit_records.seq')
            .where('audit_listed.subject', '=', filter.target as string),
        ),
        eb.and([
          eb('personal_digest', 'is not', null),
          eb.exists(
            eb
              .selectFrom('audit_personal')
              .select(sql.lit(1).as('one'))
              .whereRef('audit_personal.chain', '=', 'audit_records.chain')
              .whereRef('audit_personal.seq', '=', 'audit_records.seq')
              .where((p) =>
                p.or([p(foundPersonal, '>', 0), p.and([p('audit_personal.subject', '=', filter.target as string), p(hasRawPath, '>', 0)])]),
              ),
          ),
        ]),
      ]),
    );
  }
  return q;
}

/** Every chain that has a head: each tenant that was ever audited, and `*` once a refused credential was. */
export async function listAuditChains(db: Executor): Promise<string[]> {
  return (await db.selectFrom('audit_heads').select('chain').orderBy('chain').execute()).map((r) => r.chain);
}

/** Every chain's head with at least one record, by chain: what an anchoring pass compares with its last anchors. */
export async function listAuditHeads(db: Executor): Promise<(AuditHead & { readonly chain: string })[]> {
  return db.selectFrom('audit_heads').select(['chain', 'seq', 'hash']).where('seq', '>', 0).orderBy('chain').execute();
}

/** The records of `chain` at the given positions (absent ones are not returned): what anchors are checked against. */
export async function auditRecordsAt(
  db: Executor,
  chain: string,
  seqs: readonly number[],
): Promise<Pick<AuditRecordRow, 'seq' | 'hash'>[]> {
  if (!seqs.length) return [];
  return db
    .selectFrom('audit_records')
    .select(['seq', 'hash'])
    .where('chain', '=', chain)
    .where('seq', 'in', [...seqs])
    .execute();
}

/** The seq of the chain's last record as its records say (0: none), not its head row, which a rewrite sets as well. */
export async function lastAuditSeq(db: Executor, chain: string): Promise<number> {
  const row = await db
    .selectFrom('audit_records')
    .select((eb) => eb.fn.max('seq').as('last'))
    .where('chain', '=', chain)
    .executeTakeFirst();
  return row?.last == null ? 0 : Number(row.last);
}

/** The personal fields kept for records of `chain` at `seqs` (absent: none, or erased), by seq. */
export async function auditPersonalAt(db: Executor, chain: string, seqs: readonly number[]): Promise<Map<number, AuditPersonalRow>> {
  const found = new Map<number, AuditPersonalRow>();
  for (let i = 0; i < seqs.length; i += 1000) {
    const part = seqs.slice(i, i + 1000);
    if (!part.length) break;
    for (const r of await db.selectFrom('audit_personal').selectAll().where('chain', '=', chain).where('seq', 'in', part).execute())
      found.set(r.seq, r);
  }
  return found;
}

/** The listed numbers kept for records of `chain` at `seqs` (absent: none, or all erased), by seq, each record's in `pos` order. */
export async function auditListedAt(db: Executor, chain: string, seqs: readonly number[]): Promise<Map<number, AuditListedRow[]>> {
  const found = new Map<number, AuditListedRow[]>();
  for (let i = 0; i < seqs.length; i += 1000) {
    const part = seqs.slice(i, i + 1000);
    if (!part.length) break;
    const rows = await db
      .selectFrom('audit_listed')
      .selectAll()
      .where('chain', '=', chain)
      .where('seq', 'in', part)
      .orderBy('seq')
      .orderBy('pos')
      .execute();
    for (const r of rows) {
      const of = found.get(r.seq);
      if (of) of.push(r);
      else found.set(r.seq, [r]);
    }
  }
  return found;
}

/** The chain of requests whose credential named no tenant that could be trusted: its side rows may name any tenant's customer. */
export const UNAUTHENTICATED_AUDIT_CHAIN = '*';

/**
 * The detail key of a record that vouches for side rows an erasure deleted (docs/operations.md, "Retention
 * and erasure of closed customers"): the seqs of its chain's records whose personal fields it deleted, as
 * {@link erasedSeqsText} writes them. Verify reports a record with a digest and no side row that no such
 * record names: a side row deleted by hand.
 */
export const ERASED_AUDIT_SEQS = 'erasedAuditSeqs';

/** Seqs as runs (`3-5,9`): a chunk's erasure deletes thousands of side rows, mostly of neighbouring records. */
export function erasedSeqsText(seqs: readonly number[]): string {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    const from = sorted[i] as number;
    let to = from;
    while (sorted[i + 1] === to + 1) to = sorted[++i] as number;
    i++;
    runs.push(from === to ? String(from) : `${from}-${to}`);
  }
  return runs.join(',');
}

/**
 * The seqs {@link erasedSeqsText} wrote, into `into`; text of another shape adds nothing. Only seqs below
 * `below` (the naming record's own seq: an erasure names records written before it), which also bounds a
 * run like `1-999999999999` to the chain's length.
 */
export function readErasedSeqs(text: unknown, into: Set<number>, below = Number.MAX_SAFE_INTEGER): void {
  if (typeof text !== 'string') return;
  for (const run of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(run);
    if (!m) continue;
    const from = Number(m[1]);
    const to = Math.min(m[2] === undefined ? from : Number(m[2]), below - 1);
    for (let s = from; s <= to; s++) into.add(s);
  }
}

/**
 * The detail key of an erasure's record naming the list entries it deleted (`audit_listed`): per record,
 * its seq and the entries' places, `812:0-3,7;902:0` — places only, never whom they named. An entry is
 * vouched for one by one: a record may list a customer erased and others kept, one of whose entries
 * could be deleted by hand.
 */
export const ERASED_AUDIT_ENTRIES = 'erasedAuditEntries';

/** A list entry's key in the set {@link readErasedEntries} fills: its record's seq and its place. */
export const listedEntryKey = (seq: number, pos: number): string => `${seq}:${pos}`;

/** Entries (seq, place) as {@link ERASED_AUDIT_ENTRIES} names them: by seq, places as runs. */
export function erasedEntriesText(entries: readonly { readonly seq: number; readonly pos: number }[]): string {
  const bySeq = new Map<number, number[]>();
  for (const e of entries) {
    const of = bySeq.get(e.seq);
    if (of) of.push(e.pos);
    else bySeq.set(e.seq, [e.pos]);
  }
  return [...bySeq.keys()]
    .sort((a, b) => a - b)
    .map((seq) => `${seq}:${erasedSeqsText(bySeq.get(seq) ?? [])}`)
    .join(';');
}

/** The entries {@link erasedEntriesText} wrote, into `into` ({@link listedEntryKey}); only of records below `below`. */
export function readErasedEntries(text: unknown, into: Set<string>, below = Number.MAX_SAFE_INTEGER): void {
  if (typeof text !== 'string') return;
  for (const part of text.split(';')) {
    const m = /^(\d+):(.+)$/.exec(part);
    if (!m) continue;
    const seq = Number(m[1]);
    if (seq >= below) continue;
    const places = new Set<number>();
    // A record lists at most a few thousand numbers: a run past that names nothing real.
    readErasedSeqs(m[2], places, 1_000_000);
    for (const pos of places) into.add(listedEntryKey(seq, pos));
  }
}

/** The route of the record migration `2026-12-21T00-00-20-audit-erasures` appends (its own name). */
export const AUDIT_ERASURES_MIGRATION = '2026-12-21T00-00-20-audit-erasures';

/** The route of `tierkit retention rescrub`'s records: today's clearing rules applied to customers erased before. */
export const RESCRUB_ROUTE = 'tierkit retention rescrub';

/**
 * The routes whose `change` records may vouch for deleted side rows: a retention run (over HTTP or the
 * command line), its catch-up for customers erased before (`tierkit retention rescrub`) and the migration
 * that named what the release before erased. No other writer's record
 * is read for {@link ERASED_AUDIT_SEQS}, whatever its detail holds: a record an API caller could shape
 * (a route's `auditDetail`) must never be able to pass a side row deleted by hand for an erasure.
 */
export const ERASURE_ROUTES: ReadonlySet<string> = new Set([
  '/v1/retention/run',
  'tierkit retention run',
  RESCRUB_ROUTE,
  AUDIT_ERASURES_MIGRATION,
]);

/**
 * Into `into`, the seqs `row` vouches for as erased, when it is an erasure's record (a `change` of one of
 * {@link ERASURE_ROUTES}); anything else, or a detail that is not JSON (a tampered record: verify reports
 * it `altered`, it does not fail on it), adds nothing.
 */
export function readErasureRecord(
  row: Pick<AuditRecordRow, 'seq' | 'phase' | 'route' | 'detail'>,
  into: Set<number>,
  /** The list entries it vouches for ({@link listedEntryKey}). */
  entries?: Set<string>,
): void {
  if (row.phase !== 'change' || !ERASURE_ROUTES.has(row.route) || !row.detail?.includes('erasedAudit')) return;
  let detail: unknown;
  try {
    detail = JSON.parse(row.detail);
  } catch {
    return;
  }
  if (typeof detail !== 'object' || detail === null) return;
  readErasedSeqs((detail as Record<string, unknown>)[ERASED_AUDIT_SEQS], into, row.seq);
  if (entries) readErasedEntries((detail as Record<string, unknown>)[ERASED_AUDIT_ENTRIES], entries, row.seq);
}

/**
 * The erasure records of `chain` after `afterSeq` (`change` records of {@link ERASURE_ROUTES}), in seq
 * order: what an export attaches to vouch, offline, for the erased records it holds.
 */
export async function auditErasureRecords(db: Executor, chain: string, afterSeq: number): Promise<AuditRecordRow[]> {
  return db
    .selectFrom('audit_records')
    .selectAll()
    .where('chain', '=', chain)
    .where('seq', '>', afterSeq)
    .where('phase', '=', 'change')
    .where('route', 'in', [...ERASURE_ROUTES])
    .orderBy('seq')
    .execute();
}

/**
 * Delete the personal fields of every record of `chain` naming one of `subjects` (customer numbers), salts
 * included: what an erasure does to the trail. The records and their digests stay, and the chain verifies.
 * Returns the seqs whose side rows were deleted, for the erasure's own record to name.
 */
export async function eraseAuditPersonal(db: Executor, chain: string, subjects: readonly string[]): Promise<number[]> {
  const deleted: number[] = [];
  for (let i = 0; i < subjects.length; i += 1000) {
    const part = subjects.slice(i, i + 1000);
    if (!part.length) break;
    const rows = await db.deleteFrom('audit_personal').where('chain', '=', chain).where('subject', 'in', part).returning('seq').execute();
    for (const r of rows) deleted.push(Number(r.seq));
  }
  return deleted;
}

/**
 * Delete the list entries of `chain` naming one of `subjects` (customer numbers), salts included: what an
 * erasure does to the lists of the trail. The records keep each entry's digest, and the chain verifies.
 * Returns the entries deleted, for the erasure's own record to name.
 */
export async function eraseAuditListed(db: Executor, chain: string, subjects: readonly string[]): Promise<{ seq: number; pos: number }[]> {
  const deleted: { seq: number; pos: number }[] = [];
  for (let i = 0; i < subjects.length; i += 1000) {
    const part = subjects.slice(i, i + 1000);
    if (!part.length) break;
    const rows = await db
      .deleteFrom('audit_listed')
      .where('chain', '=', chain)
      .where('subject', 'in', part)
      .returning(['seq', 'pos'])
      .execute();
    for (const r of rows) deleted.push({ seq: Number(r.seq), pos: Number(r.pos) });
  }
  return deleted;
}
