import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, it } from 'node:test';
import { auditHash, auditRecordView, createApp, verifyAuditFile } from '@tierkit/api';
import type { AuditRecord } from '@tierkit/core';
import { auditRowOf } from '../../packages/api/src/services/audit-export.js';
import { client, forEachDialect } from '../support/api-fixture.js';

/*
 * A month's audit file checked offline after an erasure (`tierkit audit verify --file`), as
 * `GET /v1/audit/verify` checks the chain: a record whose personal fields an erasure deleted passes; one
 * whose side row was deleted by hand is `personal-deleted`. The month's file need not hold the erasure
 * record (it ran years later), so the export carries it after its records, `{"erasure": …}`, and the
 * file's check believes only what such a sealed record names.
 */

const GONE = 'C660001';
const KEPT = 'C660002';
const LEFT = '2019-07-01T02:00:00Z';
const MONTH = 'from=2019-06-30T16:00:00Z&to=2019-07-31T16:00:00Z';

type Problem = { seq: number | null; kind: string };

forEachDialect('a month’s exported file after an erasure, verified offline', (f) => {
  const dir = mkdtempSync(join(tmpdir(), 'tierkit-audit-file-'));
  /** The month exported as JSON lines to a file, read back and checked as the CLI checks it. */
  const exportAndVerify = async (name: string) => {
    const res = await client(f).get(`/v1/audit/export?${MONTH}&format=jsonl`);
    assert.equal(res.status, 200);
    const path = join(dir, name);
    writeFileSync(path, await res.text());
    const lines = readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    return { lines, checked: await verifyAuditFile(lines, 'bank-a', { filtered: true }) };
  };
  const online = async () => (await (await client(f).get('/v1/audit/verify')).json()) as { ok: boolean; problems: Problem[] };
  const kinds = (problems: readonly Problem[]) => problems.map((p) => [p.seq, p.kind]);

  before(async () => {
    const then = client({ ...f, app: createApp({ db: f.db.db, now: () => new Date(LEFT), logError: () => undefined }) }, () => f.keys.a);
    const officer = client(
      { ...f, app: createApp({ db: f.db.db, now: () => new Date(LEFT), logError: () => undefined }) },
      () => f.keys.roles.officer,
    );
    await then.customer(GONE, '慕容复');
    await then.customer(KEPT, '段誉');
    const closed = await officer.post(`/v1/subjects/${GONE}/close`, { reason: '客户主动销户' });
    assert.equal(closed.status, 200, await closed.clone().text());
    const run = await client(f).post('/v1/retention/run', {});
    assert.equal(run.status, 200, await run.clone().text());
    assert.equal(((await run.json()) as { erased: number }).erased, 1);
  });

  it('records an erasure emptied pass, vouched for by the erasure record the file carries after them', async () => {
    const { lines, checked } = await exportAndVerify('erased.jsonl');
    assert.ok(!lines.join('\n').includes(GONE));
    assert.ok(
      lines.some((l) => l.includes('"salt"') === false && l.includes('"personal"')),
      'the month holds records whose personal fields were erased',
    );
    assert.equal(checked.ok, true, JSON.stringify(checked.problems));
    assert.equal(checked.erasures.length, 1, 'the retention run’s record, from years after the month');
    assert.ok(lines.at(-1)?.startsWith('{"erasure":'));
    assert.equal((await online()).ok, true);
  });

  it('a side row deleted by hand is personal-deleted offline as online, at the same record', async () => {
    const [side] = await f.db.db.selectFrom('audit_personal').select('seq').where('subject', '=', KEPT).execute();
    assert.ok(side);
    await f.db.db.deleteFrom('audit_personal').where('chain', '=', 'bank-a').where('seq', '=', side.seq).execute();
    const byServer = await online();
    assert.deepEqual(kinds(byServer.problems), [[side.seq, 'personal-deleted']]);
    const { checked } = await exportAndVerify('by-hand.jsonl');
    assert.equal(checked.ok, false);
    assert.deepEqual(kinds(checked.problems), kinds(byServer.problems));
  });

  it('an erasure line edited to name more fails, and vouches for nothing', async () => {
    const { lines } = await exportAndVerify('edited.jsonl');
    const last = lines.length - 1;
    lines[last] = (lines[last] ?? '').replace(/"erasedAuditSeqs":"[^"]*"/, '"erasedAuditSeqs":"1-9999"');
    const checked = await verifyAuditFile(lines, 'bank-a', { filtered: true });
    assert.ok(
      checked.problems.some((p) => p.kind === 'altered'),
      JSON.stringify(checked.problems),
    );
    assert.ok(
      checked.problems.some((p) => p.kind === 'personal-deleted'),
      JSON.stringify(checked.problems),
    );
  });

  it('a sealed erasure line forged at the seq of a record of the file is altered, and vouches for nothing', async () => {
    // After the side row deleted by hand above: a forger seals an erasure line of their own that names it,
    // at that record's own seq — a line the file alone would otherwise believe.
    const { lines, checked: before } = await exportAndVerify('forged.jsonl');
    const deleted = before.problems.find((p) => p.kind === 'personal-deleted')?.seq;
    assert.ok(typeof deleted === 'number', JSON.stringify(before.problems));
    const real = (JSON.parse(lines.at(-1) ?? '') as { erasure: AuditRecord }).erasure;
    const forged: AuditRecord = { ...real, seq: deleted, detail: { ...real.detail, erasedAuditSeqs: String(deleted) } };
    const sealed = { ...forged, hash: auditHash(auditRowOf(forged, 'bank-a').row) };
    lines.push(JSON.stringify({ erasure: auditRecordView(auditRowOf(sealed, 'bank-a')) }));
    const checked = await verifyAuditFile(lines, 'bank-a', { filtered: true });
    assert.equal(checked.ok, false);
    assert.deepEqual(
      kinds(checked.problems).sort(),
      [
        [deleted, 'altered'],
        [deleted, 'personal-deleted'],
      ].sort(),
      JSON.stringify(checked.problems),
    );
    assert.deepEqual(
      checked.erasures.map((e) => e.seq),
      [real.seq],
      'the forged line is not among the erasures believed',
    );
  });
});
