import { Readable } from 'node:stream';
import { CsvError, Parser } from 'csv-parse';
import { IMPORT_ENCODINGS, type ImportEncoding, type ProblemParam } from '@tierkit/core';
import type { FieldCode } from '../../problem.js';
import { decodedText, UndecodableError } from './decoded-text.js';

/** Encodings an import may declare: UTF-8 (with or without BOM) and what Chinese core banking exports. */
export const ENCODINGS = IMPORT_ENCODINGS;
export type Encoding = ImportEncoding;

/** Longest record csv-parse will buffer: an unclosed quote cannot make it hold the rest of the file. */
const MAX_RECORD_CHARS = 1_000_000;

/** One CSV record and the line it ends on (1-based; a quoted field may span lines). */
export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

/** The file cannot be read from `line` on (bad bytes for its encoding, broken quoting): nothing after it is trustworthy. */
export class CsvFileError extends Error {
  readonly line: number | null;
  readonly why: FieldCode;
  constructor(message: string, line: number | null, why: FieldCode) {
    super(message);
    this.name = 'CsvFileError';
    this.line = line;
    this.why = why;
  }
}

/** What a person fixing the file needs to hear, per csv-parse error code; others keep csv-parse's words. */
const CSV_REASONS: Readonly<Record<string, readonly [problem: string, words: string]>> = {
  INVALID_OPENING_QUOTE: [
    'stray_quote',
    'a quote (") inside a field that does not start with one; quote the whole field and double the quote: "a""b"',
  ],
  CSV_INVALID_CLOSING_QUOTE: [
    'after_closing_quote',
    'a quoted field goes on after its closing quote; double a quote inside a quoted field: "a""b"',
  ],
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: [
    'after_closing_quote',
    'a quoted field goes on after its closing quote; double a quote inside a quoted field: "a""b"',
  ],
  CSV_QUOTE_NOT_CLOSED: ['quote_not_closed', 'a quote opened in this record is never closed'],
  CSV_MAX_RECORD_SIZE: [
    'record_too_long',
    `a record is longer than ${MAX_RECORD_CHARS.toLocaleString('en')} characters (an unclosed quote?)`,
  ],
};
/** Errors csv-parse reports where it gave up (the end of the file), not where the record began. */
const RECORD_WIDE = new Set(['CSV_QUOTE_NOT_CLOSED', 'CSV_MAX_RECORD_SIZE']);

/** csv-parse counts CR LF inside a quoted field as two lines: how many a record's fields hold. */
function quotedCrlfs(fields: readonly string[]): number {
  let n = 0;
  for (const f of fields) {
    if (!f.includes('\r')) continue;
    for (let i = f.indexOf('\r\n'); i !== -1; i = f.indexOf('\r\n', i + 2)) n += 1;
  }
  return n;
}

/**
 * csv-parse's `info: true` copies its whole info object twice per record, a large share of an
 * import's time: read the one number needed, the line, as each record is pushed (csv-parse pushes
 * a record synchronously at its end, when `info.lines` is the line it ends on).
 */
class LinedParser extends Parser {
  /** Lines csv-parse counted twice so far (CR LF inside quoted fields): a CRLF file's line numbers stay true. */
  overcounted = 0;
  /** The line the last record ended on (1-based; 0 before the first). */
  lastLine = 0;

  override push(record: unknown, encoding?: BufferEncoding): boolean {
    if (record === null) return super.push(null, encoding);
    const fields = record as string[];
    this.overcounted += quotedCrlfs(fields);
    this.lastLine = this.info.lines - this.overcounted;
    return super.push({ line: this.lastLine, fields } satisfies CsvRecord, encoding);
  }
}

/** Any csv-parse error as a `CsvFileError`: broken quoting is the file's fault, never a 500. */
function csvFileError(err: CsvError, parser: LinedParser): CsvFileError {
  const lines = (err as { lines?: unknown }).lines;
  const [problem, reason] = CSV_REASONS[err.code] ?? ['other', err.message.split('\n')[0]];
  // A record that never ends began after the last one that did (empty lines aside).
  const line = RECORD_WIDE.has(err.code) ? parser.lastLine + 1 : typeof lines === 'number' ? Math.max(1, lines - parser.overcounted) : null;
  const params: Record<string, ProblemParam> = problem === 'record_too_long' ? { problem, maximum: MAX_RECORD_CHARS } : { problem };
  return new CsvFileError(`the file is not valid CSV: ${reason}`, line, { code: 'invalid_csv', params });
}

/**
 * The records of a CSV byte stream, decoded from `encoding`, streamed: memory stays bounded by one
 * chunk and one record whatever the file's size. Empty lines are skipped; rows may have any number
 * of fields (the caller reports a wrong count per row). Throws `CsvFileError` where the file cannot be read.
 */
export async function* csvRecords(source: AsyncIterable<Uint8Array>, encoding: Encoding): AsyncGenerator<CsvRecord> {
  const text = Readable.from(decodedText(source, encoding), { objectMode: false, encoding: 'utf8' });
  const parser = new LinedParser({ relax_column_count: true, skip_empty_lines: true, max_record_size: MAX_RECORD_CHARS });
  // A decoding failure must end the iteration below, not leave the parser waiting for input.
  text.on('error', (err) => parser.destroy(err));
  text.pipe(parser);
  try {
    yield* parser as AsyncIterable<CsvRecord>;
  } catch (err) {
    if (err instanceof UndecodableError) throw new CsvFileError(err.message, err.line, err.why);
    if (err instanceof CsvError) throw csvFileError(err, parser);
    throw err;
  } finally {
    text.destroy();
    parser.destroy();
  }
}
