import { zonedIso, type AuditRecord } from '@tierkit/core';
import { AUDIT_GENESIS, lastAuditSeq, listAuditRecords, type AuditFilter, type AuditRecordRow, type Executor } from '@tierkit/db';
import { auditHash } from './audit.js';

/*
 * The audit trail as a file an examiner keeps (packages/api/README.md, "Audit export"): CSV for a
 * spreadsheet, JSON lines to verify offline. One home for the API's `GET /v1/audit/export` and the
 * CLI's `tierkit audit export`, so both write the same file from the same rows.
 */

/** A record as `GET /v1/audit` sends it: the wire's, read from its row. */
export function auditRecordView(row: AuditRecordRow): AuditRecord {
  return {
    seq: row.seq,
    at: row.at,
    requestId: row.request_id,
    phase: row.phase as AuditRecord['phase'],
    actor: row.actor,
    credential: row.credential,
    method: row.method,
    route: row.route,
    target: JSON.parse(row.target) as Record<string, string>,
    status: row.status,
    problem: row.problem,
    unmasked: row.unmasked === 1,
    detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * The row a record was read from, in `chain`: what its hash is computed over. `target` and `detail` were
 * stored as `JSON.stringify` wrote them, and reading then writing that text again gives it back unchanged.
 */
export function auditRowOf(record: AuditRecord, chain: string): AuditRecordRow {
  return {
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
    prev_hash: record.prevHash,
    hash: record.hash,
  };
}

/** The filters an export takes: those of `GET /v1/audit`, without its paging. */
export type AuditExportFilter = Omit<AuditFilter, 'beforeSeq' | 'afterSeq' | 'throughSeq' | 'showsNames'>;

export const AUDIT_EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

/** The CSV's columns, in order: the AuditRecord's, with `atLocal` (the bank's wall clock, with its offset) after `at`. */
export const AUDIT_CSV_COLUMNS = [
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

/** Excel reads a UTF-8 file without it in the system's code page (GBK on Chinese Windows): names turn to mojibake. */
export const UTF8_BOM = '\uFEFF';

/** What a spreadsheet would take for a formula at the start of a cell (OWASP, "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled. A text
 * a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a `'` before it: notes
 * and names are anyone's input. Numbers and empty cells are written as they are.
 */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line, CRLF-terminated as RFC 4180 has it. */
export function csvLine(cells: readonly (string | number | boolean | null)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

function csvRow(r: AuditRecord, timeZone: string): string {
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
  ]);
}

/** Records read per query: a page is one chunk of the file, so memory stays at a page whatever the range. */
export const EXPORT_PAGE = 500;

export interface AuditExportOptions {
  readonly format: AuditExportFormat;
  /** The bank's time zone: `atLocal` of the CSV. */
  readonly timeZone: string;
  /** The last seq exported: records appended after the export began (its own audit record among them) are not in it. */
  readonly throughSeq: number;
  readonly pageSize?: number;
  /** Called with the number of records once every page was written. */
  readonly onDone?: (records: number) => void;
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
}

/** The first and last record an export of `filter` through `throughSeq` holds (nulls when none). */
export async function auditExportBounds(
  db: Executor,
  chain: string,
  filter: AuditExportFilter,
  throughSeq: number,
): Promise<AuditExportBounds> {
  const [first] = await listAuditRecords(db, chain, { ...filter, throughSeq }, 1, 'asc');
  const [last] = await listAuditRecords(db, chain, { ...filter, throughSeq }, 1, 'desc');
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
  if (options.format === 'csv') yield UTF8_BOM + csvLine(AUDIT_CSV_COLUMNS);
  let after = 0;
  let records = 0;
  for (;;) {
    const rows = await listAuditRecords(db, chain, { ...filter, afterSeq: after, throughSeq: options.throughSeq }, page, 'asc');
    if (!rows.length) break;
    let chunk = '';
    for (const row of rows) {
      const r = auditRecordView(row);
      chunk += options.format === 'csv' ? csvRow(r, options.timeZone) : `${JSON.stringify(r)}\n`;
    }
    records += rows.length;
    after = rows[rows.length - 1]?.seq ?? after;
    yield chunk;
    if (rows.length < page) break;
  }
  options.onDone?.(records);
}

/** What is wrong with an exported file, by line (1-based) and, where one was read, seq. */
export interface AuditFileProblem {
  readonly line: number;
  readonly seq: number | null;
  readonly kind: 'unreadable' | 'altered' | 'broken-link' | 'out-of-order';
  readonly message: string;
}

/** Records of a file whose hash links were followed one to the next: `from`…`to`, all there. */
export interface AuditFileRun {
  readonly from: number;
  readonly to: number;
}

/** The check of an exported JSON lines file. */
export interface AuditFileVerification {
  readonly chain: string;
  /** Every record matches its hash and each run's links hold. Gaps (filtered out) do not make it false. */
  readonly ok: boolean;
  readonly records: number;
  readonly runs: readonly AuditFileRun[];
  /** Seqs between runs that are not in the file: filtered out of the export (or taken out of the file: a full export has none). */
  readonly gaps: readonly AuditFileRun[];
  /** The first record's seq is 1 and it follows the chain's start (`genesis`); else the file starts mid-chain, its first link unchecked. */
  readonly fromGenesis: boolean;
  readonly problems: readonly AuditFileProblem[];
}

const MAX_FILE_PROBLEMS = 100;

/**
 * Check an exported JSON lines file (`lines`, without their line ends) of `chain` offline, with the
 * hash the server seals records with (`auditHash`): each record must match its hash, and where seqs
 * follow one another, name the hash of the record before it. A gap in seqs is a filter's, reported as
 * such, not as a break. The file alone proves its records are consistent, not that the server wrote them:
 * compare a hash with `GET /v1/audit/verify`'s head or the server's anchors for that.
 */
export async function verifyAuditFile(lines: AsyncIterable<string> | Iterable<string>, chain: string): Promise<AuditFileVerification> {
  const problems: AuditFileProblem[] = [];
  const report = (p: AuditFileProblem) => {
    if (problems.length < MAX_FILE_PROBLEMS) problems.push(p);
  };
  const runs: AuditFileRun[] = [];
  const gaps: AuditFileRun[] = [];
  let prev: { seq: number; hash: string } | undefined;
  let fromGenesis = false;
  let records = 0;
  let failed = false;
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    let r: AuditRecord;
    try {
      r = JSON.parse(text) as AuditRecord;
      if (!Number.isSafeInteger(r.seq) || r.seq < 1 || typeof r.hash !== 'string' || typeof r.prevHash !== 'string') throw new Error();
    } catch {
      failed = true;
      report({ line, seq: null, kind: 'unreadable', message: `line ${line} is not an audit record as GET /v1/audit sends it` });
      continue;
    }
    records++;
    let computed: string | undefined;
    try {
      computed = auditHash(auditRowOf(r, chain));
    } catch {
      computed = undefined;
    }
    if (computed !== r.hash) {
      failed = true;
      report({
        line,
        seq: r.seq,
        kind: 'altered',
        message: `record ${r.seq} (line ${line}) does not match its hash: edited, or of another chain`,
      });
    }
    if (!prev) {
      fromGenesis = r.seq === 1;
      if (r.seq === 1 && r.prevHash !== AUDIT_GENESIS) {
        failed = true;
        report({ line, seq: r.seq, kind: 'broken-link', message: `record 1 (line ${line}) does not start the chain` });
      }
      runs.push({ from: r.seq, to: r.seq });
    } else if (r.seq <= prev.seq) {
      failed = true;
      report({
        line,
        seq: r.seq,
        kind: 'out-of-order',
        message: `record ${r.seq} (line ${line}) comes after record ${prev.seq}: the file is not in seq order`,
      });
      continue;
    } else if (r.seq === prev.seq + 1) {
      if (r.prevHash !== prev.hash) {
        failed = true;
        report({ line, seq: r.seq, kind: 'broken-link', message: `record ${r.seq} (line ${line}) does not follow record ${prev.seq}` });
      }
      const run = runs[runs.length - 1];
      if (run) runs[runs.length - 1] = { from: run.from, to: r.seq };
    } else {
      gaps.push({ from: prev.seq + 1, to: r.seq - 1 });
      runs.push({ from: r.seq, to: r.seq });
    }
    prev = { seq: r.seq, hash: r.hash };
  }
  return { chain, ok: !failed, records, runs, gaps, fromGenesis, problems };
}
