import { zonedIso, type AuditRecord, type Locale } from '@tierkit/core';
import { type CsvCell, csvCell, csvLine as csvCells } from '@tierkit/core/csv';
import { z } from 'zod';
import {
  AUDIT_GENESIS,
  auditErasureRecords,
  lastAuditSeq,
  listAuditRecords,
  listedEntryKey,
  readErasureRecord,
  type AuditFilter,
  type AuditRecordRow,
  type Executor,
} from '@tierkit/db';
import { isListedDigest, mapListed } from './audit-personal.js';
import { auditHash } from './audit.js';
import { type AuditRowRead, joinListed, joinPersonal, personalDigest, splitListed, splitPersonal, withPersonal } from './audit-personal.js';
import {
  actorResolver,
  AUDIT_CSV_READABLE_COLUMNS,
  auditCsvHeader,
  auditCsvPreamble,
  type ActorView,
  type AuditExportScope,
  type AuditLabels,
  personalFieldsWords,
  recordLabels,
} from './audit-export-readable.js';

/*
 * The audit trail as a file an examiner keeps (packages/api/README.md, "Audit export"): CSV for a
 * spreadsheet, JSON lines to verify offline. One home for the API's `GET /v1/audit/export` and the
 * CLI's `tierkit audit export`, so both write the same file from the same rows.
 */

/** A record as `GET /v1/audit` sends it: the wire's, read from its row and its side row while kept (`withPersonal`). */
export function auditRecordView({ row, side, listed }: AuditRowRead): AuditRecord {
  const joined = joinPersonal(row, side);
  const { target } = joined;
  // The numbers its lists name, while each is kept (an erased one shows its digest; `listed` says which).
  const lists = joinListed(joined.detail, listed);
  const { detail } = lists;
  return {
    seq: row.seq,
    at: row.at,
    requestId: row.request_id,
    phase: row.phase as AuditRecord['phase'],
    actor: row.actor,
    credential: row.credential,
    method: row.method,
    route: row.route,
    target,
    status: row.status,
    problem: row.problem,
    unmasked: row.unmasked === 1,
    detail,
    prevHash: row.prev_hash,
    hash: row.hash,
    ...(row.personal_digest !== null ? { personal: { digest: row.personal_digest, ...(side ? { salt: side.salt } : {}) } } : {}),
    ...(lists.salts ? { listed: lists.salts } : {}),
  };
}

/**
 * The row a record was read from, in `chain`: what its hash is computed over. `target` and `detail` were
 * stored as `JSON.stringify` wrote them, and reading then writing that text again gives it back unchanged.
 * A record showing its personal fields (`personal.salt`) is split again by the writers' rule with its
 * salt: the stored row, and the side row its digest must match.
 */
export function auditRowOf(record: AuditRecord, chain: string): AuditRowRead {
  const row: AuditRecordRow = {
    chain,
    seq: record.seq,
    at: record.at,
    request_id: record.requestId,
    phase: record.phase,
    actor: record.actor,
    credential: record.credential,
    method: record.method,
    route: record.route,
    target: JSON.stringify(record.target),
    status: record.status,
    problem: record.problem,
    unmasked: record.unmasked ? 1 : 0,
    detail: record.detail === null ? null : JSON.stringify(record.detail),
    personal_digest: record.personal?.digest ?? null,
    prev_hash: record.prevHash,
    hash: record.hash,
  };
  // Its lists first, as a writer splits them (`appendAudit`): each kept number back to its digest with its salt.
  const lists = record.listed ? splitListed(row, record.listed) : { fields: row, listed: [] };
  const listedRow: AuditRecordRow = { ...row, detail: lists.fields.detail ?? null };
  const kept = lists.listed.length ? { listed: lists.listed } : {};
  const salt = record.personal?.salt;
  if (salt === undefined) return { row: listedRow, ...kept };
  const split = splitPersonal(listedRow, salt);
  return {
    row: { ...row, target: split.fields.target, detail: split.fields.detail ?? null },
    ...(split.personal ? { side: split.personal } : {}),
    ...kept,
  };
}

/** The filters an export takes: those of `GET /v1/audit`, without its paging. */
export type AuditExportFilter = Omit<AuditFilter, 'beforeSeq' | 'afterSeq' | 'throughSeq' | 'showsNames'>;

export const AUDIT_EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

/** The stored record's columns, in order: the AuditRecord's, with `atLocal` (the bank's wall clock, with its offset) after `at`. */
export const AUDIT_CSV_RECORD_COLUMNS = [
  'seq',
  'at',
  'atLocal',
  'requestId',
  'phase',
  'actor',
  'credential',
  'method',
  'route',
  'target',
  'status',
  'problem',
  'unmasked',
  'detail',
  'prevHash',
  'hash',
] as const;

/** The CSV's columns: the stored record's, then who acted and the codes named (`AUDIT_CSV_READABLE_COLUMNS`). */
export const AUDIT_CSV_COLUMNS = [...AUDIT_CSV_RECORD_COLUMNS, ...AUDIT_CSV_READABLE_COLUMNS] as const;

/** Excel reads a UTF-8 file without it in the system's code page (GBK on Chinese Windows): names turn to mojibake. */
export const UTF8_BOM = '\uFEFF';

/**
 * One CSV cell and line (RFC 4180): the one writer of the project's CSV (`@tierkit/core/csv`) — every
 * text quoted (a spreadsheet splitting on `;` would otherwise cut `a;=1+1` into a formula) and a text a
 * spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) prefixed with `'`.
 */
export { csvCell };

/** One CSV line, CRLF-terminated as RFC 4180 has it (streamed a line at a time, so not `csvText`). */
export function csvLine(cells: readonly CsvCell[]): string {
  return `${csvCells(cells)}\r\n`;
}

function csvRow(r: AuditRecord, timeZone: string, locale: Locale, actor: ActorView, named: readonly [string, string, string]): string {
  return csvLine([
    r.seq,
    r.at,
    zonedIso(new Date(r.at), timeZone),
    r.requestId,
    r.phase,
    r.actor,
    r.credential,
    r.method,
    r.route,
    JSON.stringify(r.target),
    r.status,
    r.problem,
    r.unmasked,
    r.detail === null ? null : JSON.stringify(r.detail),
    r.prevHash,
    r.hash,
    actor.staffId,
    actor.name,
    ...named,
    personalFieldsWords(r, locale),
  ]);
}

/** Records read per query: a page is one chunk of the file, so memory stays at a page whatever the range. */
export const EXPORT_PAGE = 500;

export interface AuditExportOptions {
  readonly format: AuditExportFormat;
  /** The bank's time zone: `atLocal` of the CSV. */
  readonly timeZone: string;
  /** The CSV's language: its preamble, header, actors in words and labels. */
  readonly locale: Locale;
  /** The pack's scheme, level and metric names, for the CSV's named columns. */
  readonly labels: AuditLabels;
  /** What the CSV's preamble states: the tenant, the zone and the bounds. */
  readonly scope: AuditExportScope;
  /** The last seq exported: records appended after the export began (its own audit record among them) are not in it. */
  readonly throughSeq: number;
  readonly pageSize?: number;
  /** At most this many records, oldest first (`GET /v1/audit/export?limit=`): the file is then a prefix of the whole export. */
  readonly limit?: number;
  /** Called with the number of records once every page was written. */
  readonly onDone?: (records: number) => void;
  /** Called as each page is handed over: the records so far and the last of them, what an export cut off had sent. */
  readonly onPage?: (records: number, last: { readonly seq: number; readonly hash: string }) => void;
}

/** Where an export ends: the chain's last record now. Fixed before the export's own record is written. */
export function auditExportEnd(db: Executor, chain: string): Promise<number> {
  return lastAuditSeq(db, chain);
}

/** Where an export's records start and end, and the hash of its last: recorded before it is written, so the file's end can be checked against the trail. */
export interface AuditExportBounds {
  readonly firstSeq: number | null;
  readonly lastSeq: number | null;
  readonly lastHash: string | null;
  /** Only with a `limit` that left records out: the file stops at `lastSeq`, before the export's end (`throughSeq`). */
  readonly limited?: true;
}

/**
 * The first and last record an export of `filter` through `throughSeq` holds (nulls when none); with
 * `limit`, the last is the `limit`-th, and `limited` says whether matching records come after it.
 */
export async function auditExportBounds(
  db: Executor,
  chain: string,
  filter: AuditExportFilter,
  throughSeq: number,
  limit?: number,
): Promise<AuditExportBounds> {
  const upTo = { ...filter, throughSeq };
  const [first] = await listAuditRecords(db, chain, upTo, 1, 'asc');
  if (limit !== undefined) {
    // The limit-th record and the one after it, if any: two rows read however far the limit reaches.
    const [nth, beyond] = await listAuditRecords(db, chain, upTo, 2, 'asc', limit - 1);
    if (nth) return { firstSeq: first?.seq ?? null, lastSeq: nth.seq, lastHash: nth.hash, ...(beyond ? { limited: true as const } : {}) };
  }
  const [last] = await listAuditRecords(db, chain, upTo, 1, 'desc');
  return { firstSeq: first?.seq ?? null, lastSeq: last?.seq ?? null, lastHash: last?.hash ?? null };
}

/**
 * Whether the records an export would hold show a person's name read unmasked (`AuditFilter.showsNames`):
 * the export then is an unmasked read itself. They show what they stored; nothing is unmasked anew.
 */
export async function exportShowsNames(db: Executor, chain: string, filter: AuditExportFilter, throughSeq: number): Promise<boolean> {
  return (await listAuditRecords(db, chain, { ...filter, throughSeq, showsNames: true }, 1)).length > 0;
}

/**
 * The export of `chain`'s records matching `filter`, oldest first, as text chunks: the CSV's BOM and
 * header first (alone when nothing matches), then one chunk per page, read by seq (keyset), never the
 * whole range at once.
 */
export async function* exportAuditRecords(
  db: Executor,
  chain: string,
  filter: AuditExportFilter,
  options: AuditExportOptions,
): AsyncGenerator<string> {
  const page = options.pageSize ?? EXPORT_PAGE;
  // A file read alone, months later, says what it holds above its header: tenant, zone, bounds
  // (local and UTC), then an empty line; the header in the reader's language.
  if (options.format === 'csv')
    yield `${UTF8_BOM}${auditCsvPreamble(options.scope, options.locale).map(csvLine).join('')}\r\n${csvLine(auditCsvHeader(AUDIT_CSV_COLUMNS, options.locale))}`;
  const actorOf = actorResolver(db, chain, options.locale);
  const erased = new ErasedInFile();
  let after = 0;
  let records = 0;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  while (records < limit) {
    const want = Math.min(page, limit - records);
    const stored = await listAuditRecords(db, chain, { ...filter, afterSeq: after, throughSeq: options.throughSeq }, want, 'asc');
    const last = stored[stored.length - 1];
    if (!last) break;
    let chunk = '';
    const rows = await withPersonal(db, chain, stored);
    for (const row of rows) {
      const r = auditRecordView(row);
      if (options.format === 'jsonl') erased.add(r, row.row);
      chunk +=
        options.format === 'csv'
          ? csvRow(r, options.timeZone, options.locale, await actorOf(r), recordLabels(r, options.labels, options.locale))
          : `${JSON.stringify(r)}\n`;
    }
    records += rows.length;
    after = last.seq;
    options.onPage?.(records, { seq: last.seq, hash: last.hash });
    yield chunk;
    if (rows.length < want) break;
  }
  // After the records, the erasures that vouch for the file's erased records and are not among its lines
  // (a month's file need not hold them): a file's check then tells an erasure from a hand, as verify does.
  if (options.format === 'jsonl' && erased.unvouched()) {
    let tail = '';
    for (const row of await auditErasureRecords(db, chain, erased.firstSeq())) {
      if (!erased.vouchesFor(row)) continue;
      tail += `${JSON.stringify({ erasure: auditRecordView({ row }) })}\n`;
      if (!erased.unvouched()) break;
    }
    if (tail) yield tail;
  }
  options.onDone?.(records);
}

/** An erasure line (`{"erasure": record}`) read back: its stored row and whether it matches its hash; undefined if not one as written. */
function erasureLine(text: string, chain: string): { row: AuditRecordRow; sealed: boolean } | undefined {
  try {
    const parsed = z.strictObject({ erasure: ExportedRecord }).safeParse(JSON.parse(text));
    if (!parsed.success) return undefined;
    const r = parsed.data.erasure as AuditRecord;
    if (JSON.stringify({ erasure: auditRecordView(auditRowOf(r, chain)) }) !== text) return undefined;
    const { row } = auditRowOf(r, chain);
    return { row, sealed: auditHash(row) === r.hash };
  } catch {
    return undefined;
  }
}

/**
 * The records of a file whose personal fields or list entries were erased (a digest without its salt, an
 * entry showing its digest), and those the erasure records seen so far vouch for: what an export must
 * attach, and what a file's check reports `personal-deleted` when no erasure record names it.
 */
class ErasedInFile {
  readonly sealedOnly: number[] = [];
  readonly entriesGone: { seq: number; pos: number }[] = [];
  readonly vouched = new Set<number>();
  readonly vouchedEntries = new Set<string>();

  /** A record of the file, as shown and as stored when sealed (an erasure record among them vouches too). */
  add(r: AuditRecord, row: AuditRecordRow | undefined): void {
    if (r.personal !== undefined && r.personal.salt === undefined) this.sealedOnly.push(r.seq);
    if (r.listed?.includes(null) && r.detail)
      mapListed(r.detail, (v, pos) => {
        if (isListedDigest(v)) this.entriesGone.push({ seq: r.seq, pos });
        return v;
      });
    if (row) readErasureRecord(row, this.vouched, this.vouchedEntries);
  }

  /** Whether an erasure record (sealed: the caller checked) names any record not vouched for yet; it is counted as seen. */
  vouchesFor(row: Pick<AuditRecordRow, 'seq' | 'phase' | 'route' | 'detail'>): boolean {
    const seqs = new Set<number>();
    const entries = new Set<string>();
    readErasureRecord(row, seqs, entries);
    let names = false;
    for (const seq of this.sealedOnly) if (!this.vouched.has(seq) && seqs.has(seq)) names = true;
    for (const e of this.entriesGone) {
      const key = listedEntryKey(e.seq, e.pos);
      if (!this.vouchedEntries.has(key) && entries.has(key)) names = true;
    }
    for (const seq of seqs) this.vouched.add(seq);
    for (const key of entries) this.vouchedEntries.add(key);
    return names;
  }

  /** Whether any erased record of the file is not vouched for yet. */
  unvouched(): boolean {
    return this.missing().length > 0;
  }

  /** The lowest seq of an erased record (an erasure vouching for it comes after it). */
  firstSeq(): number {
    return Math.min(...this.sealedOnly, ...this.entriesGone.map((e) => e.seq)) - 1;
  }

  /** The erased records and entries no erasure record seen vouches for: `personal-deleted`. */
  missing(): { seq: number; pos?: number }[] {
    return [
      ...this.sealedOnly.filter((seq) => !this.vouched.has(seq)).map((seq) => ({ seq })),
      ...this.entriesGone.filter((e) => !this.vouchedEntries.has(listedEntryKey(e.seq, e.pos))),
    ];
  }
}

/** What is wrong with an exported file, by line (1-based) and, where one was read, seq. */
export interface AuditFileProblem {
  readonly line: number;
  readonly seq: number | null;
  /**
   * `unreadable`: not a record as the server writes one (a key added or missing, a value of another type,
   * other spacing); `altered`: a record that does not match its hash; `broken-link`, `out-of-order`: as the
   * chain's check; `missing`: seqs not in a file said to be whole (a line taken out, or its head cut off);
   * `cut`: the file does not end where the trail says the export ended (`--through`, `--head`);
   * `personal-deleted`: a record's personal fields (or a listed entry) are gone and no erasure record of
   * the file names it — as `GET /v1/audit/verify` says of a side row deleted by hand.
   */
  readonly kind: 'unreadable' | 'altered' | 'broken-link' | 'out-of-order' | 'missing' | 'cut' | 'personal-deleted';
  readonly message: string;
}

/** Records of a file whose hash links were followed one to the next: `from`…`to`, all there. */
export interface AuditFileRun {
  readonly from: number;
  readonly to: number;
}

/** How an exported file is checked: what the reader knows of the export beyond the file. */
export interface AuditFileCheck {
  /**
   * The export was filtered: gaps in seqs are the filter's and its first record need not be the chain's
   * first. A line deleted from such a file cannot be told from a record the filter left out.
   */
  readonly filtered?: boolean;
  /** The seq of the export's last record, as its audit record (or the CLI, or the API's header) gave it. */
  readonly through?: number;
  /** The hash of the export's last record, as above: a file cut at its end, or extended, fails. */
  readonly head?: string;
}

/** The check of an exported JSON lines file. */
export interface AuditFileVerification {
  readonly chain: string;
  /** Every line is a record as the server wrote it, matching its hash, linked to the one before; no seq missing unless `filtered`; the end as `through`/`head` say. */
  readonly ok: boolean;
  readonly filtered: boolean;
  readonly records: number;
  readonly runs: readonly AuditFileRun[];
  /** Seqs between runs that are not in the file: a filtered export's (a problem, `missing`, in a whole one). */
  readonly gaps: readonly AuditFileRun[];
  /** The first record's seq is 1 and it follows the chain's start (`genesis`); else the file starts mid-chain, its first link unchecked. */
  readonly fromGenesis: boolean;
  /** The file's last record, to compare with the trail's record of the export, or the chain. */
  readonly last: { readonly seq: number; readonly hash: string } | null;
  /** Whether the file's end was checked against `through` / `head`. */
  readonly endChecked: boolean;
  /** The erasure records the file carries after its records (seq and hash: compare them with the trail or its anchors). */
  readonly erasures: readonly { readonly seq: number; readonly hash: string }[];
  readonly problems: readonly AuditFileProblem[];
}

const MAX_FILE_PROBLEMS = 100;

/** A record line as `GET /v1/audit` sends it, and nothing more: types are checked before the line is compared with its canonical form. */
const ExportedRecord = z.strictObject({
  seq: z.number().int().min(1),
  at: z.string(),
  requestId: z.string(),
  phase: z.enum(['intent', 'result', 'request', 'change']),
  actor: z.string(),
  credential: z.string(),
  method: z.string(),
  route: z.string(),
  target: z.record(z.string(), z.string()),
  status: z.number().int().nullable(),
  problem: z.string().nullable(),
  unmasked: z.boolean(),
  detail: z.record(z.string(), z.unknown()).nullable(),
  prevHash: z.string(),
  hash: z.string(),
  personal: z.strictObject({ digest: z.string(), salt: z.string().optional() }).optional(),
  listed: z.array(z.string().nullable()).optional(),
});

/**
 * Check an exported JSON lines file (`lines`, without their line ends) of `chain` offline, with the
 * hash the server seals records with (`auditHash`). Each line must be exactly what the export writes for
 * its record (so a key added, a `"false"` for `false`, or a reformatted line fails, though the hash would
 * not see it), match its hash, and name the hash of the record before it where seqs follow one another.
 * A whole export runs from record 1 with no seq missing; a filtered one (`check.filtered`) may skip seqs,
 * and then a deleted line cannot be told from a filtered one. A file's end is known only from outside it:
 * `check.through` / `check.head` (what the export's audit record says) catch a cut tail. The file alone
 * proves its records are consistent, not that the server wrote them: compare a hash with
 * `GET /v1/audit/verify`'s head or the server's anchors for that.
 */
export async function verifyAuditFile(
  lines: AsyncIterable<string> | Iterable<string>,
  chain: string,
  check: AuditFileCheck = {},
): Promise<AuditFileVerification> {
  const filtered = check.filtered === true;
  const problems: AuditFileProblem[] = [];
  let failed = false;
  const report = (p: AuditFileProblem) => {
    failed = true;
    if (problems.length < MAX_FILE_PROBLEMS) problems.push(p);
  };
  const runs: AuditFileRun[] = [];
  const gaps: AuditFileRun[] = [];
  let prev: { seq: number; hash: string } | undefined;
  let fromGenesis = false;
  let records = 0;
  let line = 0;
  const erased = new ErasedInFile();
  const lineOf = new Map<number, number>();
  const erasures: { seq: number; hash: string }[] = [];
  // Erasure lines are believed after the records are read: one whose seq is a record of the file with
  // another hash is a forgery (a line written to vouch for personal fields deleted by hand).
  const erasureLines: { line: number; row: AuditRecordRow }[] = [];
  const hashOf = new Map<number, string>();
  for await (const text of lines) {
    line++;
    // An erasure record the export attached after its records: checked as a record, counted as none.
    if (text.startsWith('{"erasure":')) {
      const e = erasureLine(text, chain);
      if (e === undefined)
        report({ line, seq: null, kind: 'unreadable', message: `line ${line} is not an erasure record as the export writes it` });
      else if (!e.sealed)
        report({ line, seq: e.row.seq, kind: 'altered', message: `erasure record ${e.row.seq} (line ${line}) does not match its hash` });
      else erasureLines.push({ line, row: e.row });
      continue;
    }
    let r: AuditRecord;
    try {
      const parsed = ExportedRecord.safeParse(JSON.parse(text));
      if (!parsed.success) throw parsed.error;
      r = parsed.data as AuditRecord;
      // What the export would write for this record, byte for byte: extra keys, reordered keys, other spacing fail here.
      if (JSON.stringify(auditRecordView(auditRowOf(r, chain))) !== text) throw new Error('not canonical');
    } catch {
      report({ line, seq: null, kind: 'unreadable', message: `line ${line} is not an audit record as the export writes it` });
      continue;
    }
    records++;
    let computed: string | undefined;
    let personalOk = true;
    let stored: AuditRecordRow | undefined;
    try {
      const read = auditRowOf(r, chain);
      stored = read.row;
      computed = auditHash(read.row);
      // Its customer number and typed texts must be those its digest was made of (they are not in its hash).
      if (r.personal?.salt !== undefined) personalOk = read.side !== undefined && personalDigest(read.side) === r.personal.digest;
    } catch {
      computed = undefined;
    }
    lineOf.set(r.seq, line);
    hashOf.set(r.seq, r.hash);
    erased.add(r, computed === r.hash ? stored : undefined);
    if (computed !== r.hash)
      report({
        line,
        seq: r.seq,
        kind: 'altered',
        message: `record ${r.seq} (line ${line}) does not match its hash: edited, or of another chain`,
      });
    else if (!personalOk)
      report({
        line,
        seq: r.seq,
        kind: 'altered',
        message: `record ${r.seq} (line ${line}): its customer number or typed texts do not match its digest`,
      });
    if (!prev) {
      fromGenesis = r.seq === 1;
      if (r.seq === 1 && r.prevHash !== AUDIT_GENESIS)
        report({ line, seq: r.seq, kind: 'broken-link', message: `record 1 (line ${line}) does not start the chain` });
      if (r.seq !== 1 && !filtered)
        report({
          line,
          seq: r.seq,
          kind: 'missing',
          message: `the file starts at record ${r.seq}: records 1…${r.seq - 1} are not in it (cut off its head; --filtered if the export was filtered)`,
        });
      runs.push({ from: r.seq, to: r.seq });
    } else if (r.seq <= prev.seq) {
      report({
        line,
        seq: r.seq,
        kind: 'out-of-order',
        message: `record ${r.seq} (line ${line}) comes after record ${prev.seq}: the file is not in seq order`,
      });
      continue;
    } else if (r.seq === prev.seq + 1) {
      if (r.prevHash !== prev.hash)
        report({ line, seq: r.seq, kind: 'broken-link', message: `record ${r.seq} (line ${line}) does not follow record ${prev.seq}` });
      const run = runs[runs.length - 1];
      if (run) runs[runs.length - 1] = { from: run.from, to: r.seq };
    } else {
      const gap = { from: prev.seq + 1, to: r.seq - 1 };
      gaps.push(gap);
      if (!filtered)
        report({
          line,
          seq: r.seq,
          kind: 'missing',
          message: `record${gap.from === gap.to ? ` ${gap.from} is` : `s ${gap.from}…${gap.to} are`} not in the file, before line ${line} (taken out; --filtered if the export was filtered)`,
        });
      runs.push({ from: r.seq, to: r.seq });
    }
    prev = { seq: r.seq, hash: r.hash };
  }
  for (const { line: at, row } of erasureLines) {
    const recorded = hashOf.get(row.seq);
    if (recorded !== undefined && recorded !== row.hash)
      report({
        line: at,
        seq: row.seq,
        kind: 'altered',
        message: `erasure record ${row.seq} (line ${at}) is not the file's record ${row.seq} (line ${lineOf.get(row.seq)}): another hash`,
      });
    else {
      erased.vouchesFor(row);
      erasures.push({ seq: row.seq, hash: row.hash });
    }
  }
  for (const gone of erased.missing())
    report({
      line: lineOf.get(gone.seq) ?? line,
      seq: gone.seq,
      kind: 'personal-deleted',
      message:
        gone.pos === undefined
          ? `record ${gone.seq}'s personal fields are gone, and no erasure record in the file names it: deleted by hand, or the file was exported before exports carried their erasures`
          : `record ${gone.seq}'s listed customer number at place ${gone.pos} is gone, and no erasure record in the file names it`,
    });
  if (check.through !== undefined && prev?.seq !== check.through)
    report({
      line,
      seq: prev?.seq ?? null,
      kind: 'cut',
      message: `the export ended at record ${check.through}, the file ${prev ? `at record ${prev.seq}` : 'has none'}`,
    });
  if (check.head !== undefined && prev?.hash !== check.head)
    report({
      line,
      seq: prev?.seq ?? null,
      kind: 'cut',
      message: `the export's last record has hash ${check.head}, the file's ${prev ? `${prev.hash} (record ${prev.seq})` : 'none'}`,
    });
  return {
    chain,
    ok: !failed,
    filtered,
    records,
    runs,
    gaps,
    fromGenesis,
    last: prev ?? null,
    endChecked: check.through !== undefined || check.head !== undefined,
    erasures,
    problems,
  };
}
