import { Readable } from 'node:stream';
import { Parser } from 'csv-parse';
import iconv from 'iconv-lite';
import { IMPORT_ENCODINGS, type ImportEncoding } from '@tierkit/core';

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
  constructor(message: string, line: number | null) {
    super(message);
    this.name = 'CsvFileError';
    this.line = line;
  }
}

async function* decode(source: AsyncIterable<Uint8Array>, encoding: Encoding): AsyncGenerator<string> {
  if (encoding === 'utf-8') {
    // fatal: a GBK file read as UTF-8 must be refused, not stored as U+FFFD; the BOM is dropped.
    const decoder = new TextDecoder('utf-8', { fatal: true });
    try {
      for await (const chunk of source) yield decoder.decode(chunk, { stream: true });
      yield decoder.decode();
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      throw new CsvFileError('the file is not valid UTF-8; files from core banking are often GBK: declare encoding=gbk or gb18030', null);
    }
    return;
  }
  // GBK bytes that map to nothing become U+FFFD here; the rows holding one are refused (see checkText).
  const decoder = iconv.getDecoder(encoding, { stripBOM: true });
  for await (const chunk of source) {
    const text = decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (text) yield text;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

/**
 * csv-parse's `info: true` copies its whole info object twice per record, a large share of an
 * import's time: read the one number needed, the line, as each record is pushed (csv-parse pushes
 * a record synchronously at its end, when `info.lines` is the line it ends on).
 */
class LinedParser extends Parser {
  override push(record: unknown, encoding?: BufferEncoding): boolean {
    if (record === null) return super.push(null, encoding);
    const line: CsvRecord = { line: this.info.lines, fields: record as string[] };
    return super.push(line, encoding);
  }
}

/**
 * The records of a CSV byte stream, decoded from `encoding`, streamed: memory stays bounded by one
 * chunk and one record whatever the file's size. Empty lines are skipped; rows may have any number
 * of fields (the caller reports a wrong count per row). Throws `CsvFileError` where the file cannot be read.
 */
export async function* csvRecords(source: AsyncIterable<Uint8Array>, encoding: Encoding): AsyncGenerator<CsvRecord> {
  const text = Readable.from(decode(source, encoding), { objectMode: false, encoding: 'utf8' });
  const parser = new LinedParser({ relax_column_count: true, skip_empty_lines: true, max_record_size: MAX_RECORD_CHARS });
  // A decoding failure must end the iteration below, not leave the parser waiting for input.
  text.on('error', (err) => parser.destroy(err));
  text.pipe(parser);
  try {
    yield* parser as AsyncIterable<CsvRecord>;
  } catch (err) {
    if (err instanceof CsvFileError) throw err;
    const e = err as { code?: unknown; message?: unknown; lines?: unknown };
    if (typeof e.code === 'string' && e.code.startsWith('CSV_')) {
      throw new CsvFileError(`the file is not valid CSV: ${String(e.message)}`, typeof e.lines === 'number' ? e.lines : null);
    }
    throw err;
  } finally {
    text.destroy();
    parser.destroy();
  }
}
