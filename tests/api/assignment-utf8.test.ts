import assert from 'node:assert/strict';
import { it } from 'node:test';
import { findSubjectByExternalId, listAssignmentsJson, storeReevaluations, type StoredAssignmentJson } from '@tierkit/db';
import { utf8Rows } from '../../packages/api/src/services/jobs/utf8-rows.js';
import { client, forEachDialect } from '../support/api-fixture.js';

/*
 * A re-tier's prepare thread hands rows over with their JSON as UTF-8 bytes (utf8-rows.ts): written,
 * they must be the very text the same rows as strings are, on SQLite (a cast of the bytes) and on
 * PostgreSQL (bound as bytes: the binary form of `text` is its UTF-8), Chinese labels and absent progress included.
 */
forEachDialect('assignments written from UTF-8 JSON', (f) => {
  it('store the text they encode, as the same rows as strings do', async () => {
    await client(f).customer('U8');
    assert.equal((await client(f).balances('U8', [['2025-10', 60_000]])).status, 200);
    const subject = await findSubjectByExternalId(f.db.db, 'bank-a', 'U8');
    assert.ok(subject);
    const stored = await listAssignmentsJson(f.db.db, 'bank-a', subject.id);
    assert.ok(
      stored.some((a) => /[\u4e00-\u9fff]/.test(a.explanation)),
      'a Chinese label among the explanations',
    );
    // What a re-tier changes, with a row whose progress and retention are absent and one with characters outside the BMP.
    const changed: StoredAssignmentJson[] = stored.map((a, i) => ({
      ...a,
      evaluatedAt: '2025-11-01T00:00:00.000Z',
      ...(i === 0 ? { progress: null, retention: null, nextGap: null, graceLeft: null } : {}),
      ...(i === 1 ? { explanation: JSON.stringify({ ...JSON.parse(a.explanation), note: '客户 𠮷 ✓' }) } : {}),
    }));
    const { rows, buffer } = utf8Rows(changed);
    // As the writer receives them: over a transferred buffer.
    const received = structuredClone({ rows }, { transfer: [buffer] }).rows;
    assert.ok(received.every((r) => r.explanation instanceof Uint8Array));
    await storeReevaluations(f.db.db, 'bank-a', received, []);
    assert.deepEqual(await listAssignmentsJson(f.db.db, 'bank-a', subject.id), changed);
  });
});

/*
 * Each value gets its own bytes of the one buffer that is transferred, whatever its characters: text
 * that takes 3 bytes per UTF-16 unit (CJK), characters outside the BMP, ASCII and an empty string side
 * by side, and the buffer no larger than the bytes written (all of it crosses to the writer).
 */
it('utf8Rows gives each JSON value its own bytes, CJK-only text included', () => {
  const row = (explanation: string, progress: string | null, retention: string | null): StoredAssignmentJson => ({
    subjectId: 's1',
    scheme: 'card',
    level: 'gold',
    rank: 1,
    periodsBelow: 0,
    base: { level: null, periodsBelow: 0 },
    previousLevel: null,
    explanation,
    progress,
    retention,
    approvalRequired: false,
    policyVersion: 1,
    period: '2025-10',
    evaluatedAt: '2025-11-01T00:00:00.000Z',
    nextGap: null,
    graceLeft: null,
  });
  const rows = [row('金卡客户', '钻石', '保级'), row('{"a":1}', null, ''), row('𠮷𠮷', '✓', null), row('', null, '白金')];
  const { rows: out, buffer } = utf8Rows(rows);
  const decoder = new TextDecoder();
  const text = (v: Uint8Array | null) => (v === null ? null : decoder.decode(v));
  assert.deepEqual(
    out.map((r) => [text(r.explanation), text(r.progress), text(r.retention)]),
    rows.map((r) => [r.explanation, r.progress, r.retention]),
  );
  assert.ok(out.every((r) => r.explanation.buffer === buffer));
  const written = rows.reduce(
    (n, r) => n + Buffer.byteLength(r.explanation) + Buffer.byteLength(r.progress ?? '') + Buffer.byteLength(r.retention ?? ''),
    0,
  );
  assert.equal(buffer.byteLength, written, 'no spare room crosses to the writer');
  // The first row alone: 8 CJK characters, 3 bytes each.
  const first = utf8Rows(rows.slice(0, 1));
  assert.equal(first.buffer.byteLength, 24);
  assert.equal((first.rows[0]?.retention?.byteOffset ?? 0) + (first.rows[0]?.retention?.byteLength ?? 0), 24);
});
