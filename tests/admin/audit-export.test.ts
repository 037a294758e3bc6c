import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type AuditRecord, AuditTrail } from '@tierkit/admin';
import { mintStaffToken } from '@tierkit/api';
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
    const put = await f.app.request('/v1/staff/CHK-EX', {
      method: 'PUT',
      headers: { Authorization: `Bearer ${f.adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: '孙审', role: 'approver', scope: 'tenant' }),
    });
    assert.equal(put.status, 201, await put.text());
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
    assert.deepEqual(t.state.exported, { status: 'ready', fileName: file.fileName, error: undefined });
    assert.match(file.fileName, /^audit-bank-a-start-20251115T040000Z\.csv$/);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.includes('tkt_'), false, 'the credential goes in a header, never the URL');
    const bytes = new Uint8Array(await file.blob.arrayBuffer());
    assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf]);
    const rows = parse(new TextDecoder().decode(bytes), { bom: true }) as string[][];
    assert.equal(rows[0]?.[0], 'seq');
    assert.equal(rows.length - 1, listed, 'the records the list finds, no more');
    assert.ok(rows.slice(1).every((r) => r[7] === 'PUT' && (JSON.parse(r[9] ?? '{}') as { id?: string }).id === 'K03'));

    await t.setFilter({ route: '/v1/audit/export' });
    const recorded = t.state.items[0] as AuditRecord | undefined;
    assert.equal(recorded?.actor, 'staff:CHK-EX');
    const { firstSeq, lastSeq, lastHash, ...rest } = (recorded?.detail as { export: Record<string, unknown> } | undefined)?.export ?? {};
    assert.deepEqual(rest, { format: 'csv', target: 'K03', method: 'PUT', throughSeq: (recorded?.seq ?? 0) - 1 });
    assert.ok(typeof firstSeq === 'number' && typeof lastSeq === 'number' && firstSeq <= lastSeq, 'the file’s first and last record');
    assert.match(String(lastHash), /^sha256:[0-9a-f]{64}$/);
  });

  it('an officer’s session is refused, and the store says so; nothing is saved', async () => {
    const t = new AuditTrail(f.client('OFF1'));
    assert.equal(await t.exportFile(), undefined);
    assert.equal(t.state.exported.status, 'error');
    assert.equal(t.state.exported.error?.status, 403);
  });
});
