import iconv from 'iconv-lite';
import type { ImportEncoding } from '@tierkit/core';
import type { FieldCode } from '../../problem.js';

/** The file's bytes cannot be decoded from its declared encoding; `line` is where (1-based), when known. */
export class UndecodableError extends Error {
  readonly line: number | null;
  readonly why: FieldCode;
  constructor(message: string, line: number | null, encoding: 'utf-8' | 'gbk' | 'gb18030' | 'big5') {
    super(message);
    this.name = 'UndecodableError';
    this.line = line;
    this.why = { code: 'invalid_encoding', params: { encoding } };
  }
}

const REPLACEMENT = '\uFFFD';
/** GB18030's four bytes for U+FFFD, the one sequence that decodes to it honestly. */
const GB18030_FFFD = [0x84, 0x31, 0xa4, 0x37] as const;

/**
 * Counts the GB18030 sequences for U+FFFD in a byte stream, walking character boundaries as
 * iconv-lite does (a sequence that maps to nothing is dropped and the bytes after its first are read
 * again), so a trail byte and what follows are never taken for one.
 */
class Gb18030Replacements {
  count = 0;
  private readonly seq: number[] = [];

  /** Bytes at the end of what was fed that begin a character not yet complete. */
  get pending(): number {
    return this.seq.length;
  }

  feed(bytes: Uint8Array): void {
    const seq = this.seq;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i] as number;
      // Most characters are ASCII or two bytes whole within the chunk: walked here without a call.
      if (seq.length === 0) {
        if (b < 0x81 || b === 0xff) continue;
        const t = bytes[i + 1];
        if (t !== undefined && t >= 0x40 && t <= 0xfe && t !== 0x7f) {
          i += 1;
          continue;
        }
      }
      this.byte(b);
    }
  }

  private byte(b: number): void {
    const seq = this.seq;
    const n = seq.length;
    if (n === 0) {
      if (b >= 0x81 && b <= 0xfe) seq.push(b);
      return;
    }
    const fits =
      n === 1
        ? (b >= 0x30 && b <= 0x39) || (b >= 0x40 && b <= 0xfe && b !== 0x7f)
        : n === 2
          ? b >= 0x81 && b <= 0xfe
          : b >= 0x30 && b <= 0x39;
    if (!fits) {
      const again = [...seq.slice(1), b];
      seq.length = 0;
      for (const x of again) this.byte(x);
      return;
    }
    if (n === 1 && b >= 0x40) {
      seq.length = 0;
      return;
    }
    seq.push(b);
    if (seq.length < 4) return;
    if (seq.every((x, i) => x === GB18030_FFFD[i])) this.count += 1;
    seq.length = 0;
  }
}

function countOf(text: string, char: string): number {
  let n = 0;
  for (let i = text.indexOf(char); i !== -1; i = text.indexOf(char, i + 1)) n += 1;
  return n;
}

/** Index of the `nth` (0-based) `char` in `text`. */
function nthIndex(text: string, char: string, nth: number): number {
  let i = text.indexOf(char);
  for (let k = 0; k < nth && i !== -1; k++) i = text.indexOf(char, i + 1);
  return i;
}

async function* decodeUtf8(source: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  // fatal: a GBK file read as UTF-8 must be refused, not stored as U+FFFD; the BOM is dropped.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of source) yield decoder.decode(chunk, { stream: true });
    yield decoder.decode();
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    throw new UndecodableError(
      'the file is not valid UTF-8; files from core banking are often GBK (Big5 in Taiwan and Hong Kong): declare encoding=gbk, gb18030 or big5',
      null,
      'utf-8',
    );
  }
}

/**
 * GBK, GB18030 and Big5 (Taiwan's and Hong Kong's core banking) through iconv-lite, which turns bytes
 * that map to nothing into U+FFFD without a word: a U+FFFD the file's bytes did not spell (GBK and Big5
 * have none; GB18030 writes it 84 31 A4 37) stops the read at its line, so no "李�明" is ever stored.
 * Streamed: the check keeps a newline count and at most four bytes.
 */
async function* decodeChinese(source: AsyncIterable<Uint8Array>, encoding: 'gbk' | 'gb18030' | 'big5'): AsyncGenerator<string> {
  const decoder = iconv.getDecoder(encoding, { stripBOM: true });
  const honest = encoding === 'gb18030' ? new Gb18030Replacements() : undefined;
  let replacements = 0;
  let newlines = 0;
  const checked = (text: string): string => {
    const found = countOf(text, REPLACEMENT);
    const allowed = honest?.count ?? 0;
    if (found && replacements + found > allowed) {
      const at = nthIndex(text, REPLACEMENT, Math.max(0, allowed - replacements));
      const line = newlines + countOf(text.slice(0, at), '\n') + 1;
      throw new UndecodableError(
        encoding === 'gbk'
          ? 'the file has bytes that are not GBK (a GB18030 file? declare encoding=gb18030)'
          : `the file has bytes that are not ${encoding === 'big5' ? 'Big5' : 'GB18030'} (check the declared encoding)`,
        line,
        encoding,
      );
    }
    replacements += found;
    newlines += countOf(text, '\n');
    return text;
  };
  // iconv-lite 0.4 sizes its output by the chunk's length, so a chunk that begins with the last byte
  // of a four-byte character and goes on in ASCII loses its last character: hand it whole characters.
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let whole = bytes;
    if (honest) {
      honest.feed(bytes);
      const all = carry.length ? Buffer.concat([carry, bytes]) : bytes;
      whole = all.subarray(0, all.length - honest.pending);
      carry = Buffer.from(all.subarray(all.length - honest.pending));
    }
    const text = decoder.write(whole);
    if (text) yield checked(text);
  }
  const rest = (carry.length ? decoder.write(carry) : '') + decoder.end();
  if (rest) yield checked(rest);
}

/** The text of a byte stream in `encoding`, streamed; throws `UndecodableError` at bytes the encoding cannot read. */
export function decodedText(source: AsyncIterable<Uint8Array>, encoding: ImportEncoding): AsyncGenerator<string> {
  return encoding === 'utf-8' ? decodeUtf8(source) : decodeChinese(source, encoding);
}
