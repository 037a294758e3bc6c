import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AUDIT_EXPORT_MEMORY_LIMIT, type AuditRecord, AuditTrail, auditVerifyArgs } from '@tierkit/admin';
import { mintStaffToken } from '@tierkit/api';
import { runCaptured } from '../../packages/cli/src/run-captured.js';
import type { HttpTierkitClient } from '@tierkit/client';
import { parse } from 'csv-parse/sync';
import { NOW } from '../support/api-fixture.js';
import { kitFixture } from './kit-fixture.js';

/*
 * The audit page's Export button (apps/admin/src/pages/audit-page.ts) saves what `AuditTrail.exportFile`
 * reads: the CSV of the filter the list shows, with the checker's staff session in a header (no key in
 * a URL), under the server's file name, the export itself recorded under the checker's name.
 */
describe('AuditTrail.exportFile against the real API', () => {
  const f = kitFixture();
  let checker: HttpTierkitClient;
  before(async () => {
    assert.equal(await f.putStaff('CHK-EX', { name: '孙审', role: 'approver', scope: 'tenant' }), 202);
    const token = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: 'CHK-EX', now: NOW })).token;
    checker = f.clientWith(token);
  });

  it('a checker exports the filter the list shows as a CSV Excel reads (BOM), named by the server, and is recorded', async () => {
    const seen: string[] = [];
    const watched: HttpTierkitClient = {
      ...checker,
      http: {
        ...checker.http,
        fetch: (path, init) => {
          seen.push(path);
          return checker.http.fetch(path, init);
        },
      },
    };
    const t = new AuditTrail(watched);
    await t.setFilter({ target: 'K03', method: 'PUT' });
    const listed = t.state.items.length;
    assert.ok(listed > 0);
    const file = await t.exportFile();
    assert.ok(file, JSON.stringify(t.state.exported));
    assert.deepEqual(t.state.exported, {
      status: 'ready',
      fileName: file.fileName,
      error: undefined,
      lastSeq: file.lastSeq,
      lastHash: file.lastHash,
      limited: false,
      format: 'csv',
      filtered: true,
    });
    assert.match(file.fileName, /^audit-bank-a-start-20251115T120000\+0800-Asia_Shanghai\.csv$/);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.includes('tkt_'), false, 'the credential goes in a header, never the URL');
    const bytes = new Uint8Array(await file.blob.arrayBuffer());
    assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    // The tenant, zone and bounds come first, then an empty line, then the header (packages/api/README.md, "Audit export").
    const rows = parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as string[][];
    assert.equal(rows[0]?.[0], '序号');
    assert.equal(rows.length - 1, listed, 'the records the list finds, no more');
    assert.ok(rows.slice(1).every((r) => r[7] === 'PUT' && (JSON.parse(r[9] ?? '{}') as { id?: string }).id === 'K03'));

    await t.setFilter({ route: '/v1/audit/export', phase: 'request' });
    const recorded = t.state.items[0] as AuditRecord | undefined;
    assert.equal(recorded?.actor, 'staff:CHK-EX');
    const { firstSeq, lastSeq, lastHash, ...rest } = (recorded?.detail as { export: Record<string, unknown> } | undefined)?.export ?? {};
    assert.deepEqual(rest, { format: 'csv', target: 'K03', method: 'PUT', limit: 20_000, throughSeq: (recorded?.seq ?? 0) - 1 });
    assert.ok(typeof firstSeq === 'number' && typeof lastSeq === 'number' && firstSeq <= lastSeq, 'the file’s first and last record');
    assert.match(String(lastHash), /^sha256:[0-9a-f]{64}$/);
  });

  it('held in memory, the file stops at a cap the API is told of: a whole start of the trail that tierkit audit verify --through checks, said to be cut', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tierkit-kit-export-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const t = new AuditTrail(checker);
    await t.setFilter({});
    const file = await t.exportFile('jsonl', { limit: 5 });
    assert.ok(file, JSON.stringify(t.state.exported));
    const text = await file.blob.text();
    const lines = text.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 5, 'the cap, no more');
    assert.ok(text.endsWith('\n'), 'whole lines only');
    const last = JSON.parse(lines[4] ?? '{}') as AuditRecord;
    assert.deepEqual(
      [file.limited, file.lastSeq, file.lastHash, t.state.exported.limited, t.state.exported.lastSeq],
      [true, last.seq, last.hash, true, last.seq],
    );
    const saved = join(dir, file.fileName);
    writeFileSync(saved, text);
    const checked = await runCaptured([
      'audit',
      'verify',
      '--file',
      saved,
      '--tenant',
      'bank-a',
      '--through',
      String(file.lastSeq),
      '--head',
      String(file.lastHash),
    ]);
    assert.equal(checked.code, 0, checked.out.join('\n'));
    assert.match(checked.out[0] ?? '', /: ok, 5 records of bank-a, 1 run \(1…5\), from the chain’s start$/);

    // The console's default cap is asked for too; a trail shorter than it is whole, and not said to be cut.
    const seen: string[] = [];
    const watched = new AuditTrail({
      ...checker,
      http: {
        ...checker.http,
        fetch: (path, init) => {
          seen.push(path);
          return checker.http.fetch(path, init);
        },
      },
    });
    const whole = await watched.exportFile('jsonl');
    assert.ok(whole);
    assert.match(seen[0] ?? '', new RegExp(`[?&]limit=${AUDIT_EXPORT_MEMORY_LIMIT}(&|$)`));
    assert.equal(whole.limited, false);
  });

  it('the check the page prints is one the CLI passes as typed: with the tenant, --filtered for a filtered file, none for a CSV', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tierkit-kit-check-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const t = new AuditTrail(checker);
    await t.setFilter({ method: 'PUT' });
    const file = await t.exportFile('jsonl');
    assert.ok(file, JSON.stringify(t.state.exported));
    const saved = join(dir, file.fileName);
    writeFileSync(saved, await file.blob.text());
    const args = auditVerifyArgs(file, 'bank-a', saved);
    assert.ok(args);
    const checked = await runCaptured(args);
    assert.equal(checked.code, 0, [...checked.out, ...checked.err].join('\n'));
    assert.ok(args.includes('--filtered'), args.join(' '));
    assert.match(checked.out[0] ?? '', /: ok, \d+ records of bank-a/);

    await t.setFilter({});
    const csv = await t.exportFile('csv');
    assert.ok(csv);
    assert.equal(auditVerifyArgs(csv, 'bank-a'), undefined, 'a CSV is for reading: no check offered');
  });

  it('streamed to a file the person picked, the whole export is written as it arrives and the sink closed; a refusal aborts it, never a half file', async () => {
    const chunks: Uint8Array[] = [];
    let closed = false;
    let aborted: unknown;
    const sink = () =>
      new WritableStream<Uint8Array>({
        write(chunk) {
          chunks.push(chunk);
        },
        close() {
          closed = true;
        },
        abort(reason) {
          aborted = reason ?? 'aborted';
        },
      });
    const t = new AuditTrail(checker);
    await t.setFilter({ phase: 'result' });
    const end = await t.exportTo(sink(), 'jsonl');
    assert.ok(end, JSON.stringify(t.state.exported));
    assert.equal(closed, true);
    const lines = new TextDecoder()
      .decode(Buffer.concat(chunks))
      .split('\n')
      .filter((l) => l !== '');
    const records = lines.map((l) => JSON.parse(l) as AuditRecord);
    assert.ok(records.length > 0 && records.every((r) => r.phase === 'result'), 'the filter the list shows');
    assert.deepEqual([end.limited, end.lastSeq], [false, records[records.length - 1]?.seq], 'no cap when written to disk');

    chunks.length = 0;
    closed = false;
    const refused = new AuditTrail(f.client('OFF1'));
    assert.equal(await refused.exportTo(sink(), 'jsonl'), undefined);
    assert.equal(refused.state.exported.error?.status, 403);
    assert.deepEqual([closed, chunks.length, aborted !== undefined], [false, 0, true], 'the picked file is dropped, not written');
  });

  it('an officer’s session is refused, and the store says so; nothing is saved', async () => {
    const t = new AuditTrail(f.client('OFF1'));
    assert.equal(await t.exportFile(), undefined);
    assert.equal(t.state.exported.status, 'error');
    assert.equal(t.state.exported.error?.status, 403);
  });
});
