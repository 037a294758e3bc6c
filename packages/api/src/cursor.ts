import { ProblemError } from './problem.js';
import { unsafeTextReason } from './text-safety.js';

/*
 * Cursors are opaque to clients: base64url JSON of the keyset position, tagged with what they
 * page through so a history cursor cannot be replayed against the subject list.
 */

/** Encode a keyset position. */
export function encodeCursor(kind: string, position: Record<string, string>): string {
  return Buffer.from(JSON.stringify({ k: kind, ...position }), 'utf8').toString('base64url');
}

/** Decode a cursor issued by `encodeCursor` for `kind`, or throw a 400 problem. */
export function decodeCursor<K extends string>(kind: string, cursor: string, fields: readonly K[]): Record<K, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as Record<string, unknown>).k !== kind) throw bad();
  const out = {} as Record<K, string>;
  for (const f of fields) {
    const v = (parsed as Record<string, unknown>)[f];
    // A forged cursor is the one query value whose content the guard on raw input cannot see.
    if (typeof v !== 'string' || unsafeTextReason(v)) throw bad();
    out[f] = v;
  }
  return out;

  function bad(): ProblemError {
    return new ProblemError('bad-cursor', 'Pass back the nextCursor of a previous page unchanged.', [
      { path: 'query.cursor', message: 'not a cursor this API issued', code: 'invalid_format', params: { format: 'cursor' } },
    ]);
  }
}
