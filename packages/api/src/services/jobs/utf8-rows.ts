import type { StoredAssignmentJson, StoredAssignmentUtf8 } from '@tierkit/db';

/**
 * A prepared chunk's rows as the prepare thread sends them: their JSON as UTF-8 views over one
 * buffer, which `postMessage` transfers instead of copying. A chunk's JSON is about 1.5 MB; as
 * strings the writer paid for it twice on its own thread — a copy when the message arrived and a
 * conversion to UTF-8 when the rows were bound — which the bytes skip (writeAssignments binds them
 * as they are and SQLite stores the text they encode).
 */
export function utf8Rows(rows: readonly StoredAssignmentJson[]): { rows: StoredAssignmentUtf8[]; buffer: ArrayBuffer } {
  // Room for the longest UTF-8 the strings can take (3 bytes per UTF-16 unit; a surrogate pair's two
  // units make 4) instead of measuring each string first: measuring walked every string once more.
  // The pages the text does not reach are never touched (the allocation is not zeroed).
  let units = 0;
  for (const r of rows) units += r.explanation.length + (r.progress?.length ?? 0) + (r.retention?.length ?? 0);
  // Memory of its own, never a slice of Buffer's shared pool: all of it is transferred.
  const bytes = Buffer.allocUnsafeSlow(units * 3);
  let at = 0;
  const out: StoredAssignmentUtf8[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as StoredAssignmentJson;
    const explanation = bytes.subarray(at, (at += bytes.write(r.explanation, at)));
    const progress = r.progress === null ? null : bytes.subarray(at, (at += bytes.write(r.progress, at)));
    const retention = r.retention === null ? null : bytes.subarray(at, (at += bytes.write(r.retention, at)));
    out[i] = { ...r, explanation, progress, retention };
  }
  return { rows: out, buffer: bytes.buffer };
}
