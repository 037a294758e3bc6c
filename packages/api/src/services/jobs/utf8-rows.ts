import type { StoredAssignmentJson, StoredAssignmentUtf8 } from '@tierkit/db';

/**
 * A prepared chunk's rows as the prepare thread sends them: their JSON as UTF-8 views over one
 * buffer, which `postMessage` transfers instead of copying. A chunk's JSON is about 1.5 MB; as
 * strings the writer paid for it twice on its own thread — a copy when the message arrived and a
 * conversion to UTF-8 when the rows were bound — which the bytes skip (writeAssignments binds them
 * as they are and SQLite stores the text they encode).
 */
export function utf8Rows(rows: readonly StoredAssignmentJson[]): { rows: StoredAssignmentUtf8[]; buffer: ArrayBuffer } {
  let size = 0;
  for (const r of rows) size += byteLength(r.explanation) + byteLength(r.progress) + byteLength(r.retention);
  // Memory of its own, never a slice of Buffer's shared pool: all of it is transferred.
  const bytes = Buffer.allocUnsafeSlow(size);
  let at = 0;
  const put = (text: string) => {
    const end = at + bytes.write(text, at);
    const view = bytes.subarray(at, end);
    at = end;
    return view;
  };
  const out = rows.map((r) => ({
    ...r,
    explanation: put(r.explanation),
    progress: r.progress === null ? null : put(r.progress),
    retention: r.retention === null ? null : put(r.retention),
  }));
  return { rows: out, buffer: bytes.buffer };
}

const byteLength = (text: string | null) => (text === null ? 0 : Buffer.byteLength(text));
