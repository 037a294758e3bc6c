import assert from 'node:assert/strict';
import { it } from 'node:test';
import { auditHash, createApiKey, createApp, provisionTenant, verifyAuditFile } from '@tierkit/api';
import type { AuditRecord } from '@tierkit/core';
import type { AuditRecordRow } from '@tierkit/db';
import { parse } from 'csv-parse/sync';
import { client, forEachDialect, NOW, type ApiFixture } from '../support/api-fixture.js';
import { testPack } from '../support/test-pack.js';

/*
 * `GET /v1/audit/export`: the trail as a file an examiner keeps (packages/api/README.md, "Audit export").
 * A CSV Excel opens right (BOM, CRLF, RFC 4180, no formulas), JSON lines that verify offline, the
 * export streamed and itself recorded, another tenant's records never in it.
 */

function send(f: ApiFixture, credential: string, requestId: string, method: string, path: string, body?: unknown) {
  return f.app.request(path, {
    method,
    headers: { Authorization: `Bearer ${credential}`, 'X-Request-Id': requestId, 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

/** The lines above a CSV export's header (tenant, zone, bounds), as csv-parse reads them (BOM taken off). */
function preambleOf(text: string): string[][] {
  return parse(text.slice(0, text.indexOf('\r\n\r\n') + 2), { bom: true, relax_column_count: true }) as string[][];
}

/** The rows of a CSV export as csv-parse reads them, header first: what follows the empty line after the preamble. */
function rowsOf(text: string): string[][] {
  return parse(text.slice(text.indexOf('\r\n\r\n') + 4), { relax_column_count: false }) as string[][];
}

/** The records of a JSON lines export. */
function recordsOf(text: string): AuditRecord[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as AuditRecord;
      } catch {
        throw new Error(`line ${i + 1}: ${l.slice(0, 600)}`);
      }
    });
}

const NOTE = '材料不全, 见 "附件二"\n请补充后再提交';

forEachDialect('audit export', (f) => {
  /** An override filed by the officer and rejected by the approver with NOTE: the decision an examiner asks for. */
  async function rejectedOverride(subject: string): Promise<string> {
    await client(f).customer(subject);
    const filed = await send(f, f.keys.roles.officer, `file-${subject}`, 'POST', `/v1/subjects/${subject}/overrides`, {
      scheme: 'retail-tier',
      level: 'gold',
      mode: 'fixed',
      reason: '大额存款承诺',
      expiresAt: null,
    });
    assert.equal(filed.status, 201, await filed.clone().text());
    const { id, contentHash } = (await filed.json()) as { id: string; contentHash: string };
    const rejected = await send(f, f.keys.roles.approver, `reject-${subject}`, 'POST', `/v1/overrides/${id}/reject`, {
      contentHash,
      note: NOTE,
    });
    assert.equal(rejected.status, 200, await rejected.clone().text());
    return id;
  }

  it('CSV: BOM, CRLF, the zone and bounds above the header, the AuditRecord columns (named in zh-CN) with the bank’s wall clock, a note with comma, quote and line break intact', async () => {
    const id = await rejectedOverride('EX1');
    const res = await client(f).get('/v1/audit/export?format=csv');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('Content-Type'), 'text/csv; charset=utf-8');
    assert.match(
      res.headers.get('Content-Disposition') ?? '',
      /^attachment; filename="audit-bank-a-start-20251115T120000\+0800-Asia_Shanghai\.csv"$/,
      'the bounds in the bank’s wall clock, and its zone',
    );
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a byte order mark');
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    assert.ok(text.endsWith('\r\n'));
    assert.equal(text.replaceAll('\r\n', '').includes('\n'), false, 'every line ends CRLF; no bare LF');
    assert.deepEqual(preambleOf(text), [
      ['tierkit 审计记录导出'],
      ['机构', 'bank-a'],
      ['时区', 'Asia/Shanghai'],
      ['起（含）', '记录开始'],
      ['导出时间', '2025-11-15T12:00:00.000+08:00', '2025-11-15T04:00:00.000Z'],
    ]);
    const [header, ...rows] = rowsOf(text);
    assert.deepEqual(header, [
      '序号',
      '时间（UTC）',
      '时间（本行时区）',
      '请求编号',
      '阶段',
      '操作者（代码）',
      '凭证类型',
      '方式',
      '接口',
      '对象（JSON）',
      '状态码',
      '问题类型',
      '显示完整姓名',
      '详情（JSON）',
      '前一记录哈希',
      '记录哈希',
      '操作者员工号',
      '操作者',
      '评级体系',
      '等级',
      '指标',
      '个人信息',
    ]);
    assert.deepEqual(
      rows.map((r) => Number(r[0])),
      rows.map((_, i) => i + 1),
      'oldest first, every record',
    );
    const decision = rows.find((r) => r[3] === 'reject-EX1' && r[4] === 'result');
    assert.ok(decision, 'the rejection’s result record');
    assert.equal(decision[1], NOW.toISOString());
    assert.equal(decision[2], '2025-11-15T12:00:00.000+08:00', 'Shanghai time beside UTC');
    assert.equal(decision[8], '/v1/overrides/{overrideId}/reject');
    assert.deepEqual(JSON.parse(decision[9] ?? ''), { overrideId: id, subject: 'EX1' });
    assert.equal(decision[10], '200');
    assert.equal(decision[12], 'false');
    assert.equal((JSON.parse(decision[13] ?? '') as { note: string }).note, NOTE, 'the note survives the quoting');
    assert.ok(text.includes('""note"":'), 'quotes inside a cell are doubled');
  });

  it('a cell a spreadsheet would run as a formula gets a quote mark before it', async () => {
    for (const requestId of ['=1+2', '@SUM', '+1', '-1+1'])
      assert.equal(
        (
          await send(f, f.keys.a, requestId, 'PUT', `/v1/subjects/F${requestId.length}${requestId.charCodeAt(0)}`, {
            kind: 'customer',
            displayName: '李四',
          })
        ).status,
        201,
      );
    const text = await (await client(f).get('/v1/audit/export?method=PUT')).text();
    const ids = new Set(rowsOf(text).map((r) => r[3]));
    for (const requestId of ['=1+2', '@SUM', '+1', '-1+1']) {
      assert.ok(ids.has(`'${requestId}`), `${requestId} neutralised`);
      assert.equal(ids.has(requestId), false);
    }
  });

  it('takes the filters of GET /v1/audit; a range with nothing in it is the header alone; a bad filter is a 400 with a code', async () => {
    await rejectedOverride('EX2');
    const rejections = rowsOf(await (await client(f).get('/v1/audit/export?route=/v1/overrides/{overrideId}/reject')).text()).slice(1);
    assert.ok(rejections.length >= 1);
    assert.ok(rejections.every((r) => r[8] === '/v1/overrides/{overrideId}/reject'));
    const listed = (await (
      await client(f).get(`/v1/audit?route=${encodeURIComponent('/v1/overrides/{overrideId}/reject')}&limit=100`)
    ).json()) as { items: AuditRecord[] };
    assert.deepEqual(
      rejections.map((r) => Number(r[0])),
      listed.items.map((r) => r.seq).reverse(),
      'the same records the list gives, oldest first',
    );
    const byActor = rowsOf(await (await client(f).get(`/v1/audit/export?status=201&method=POST`)).text()).slice(1);
    assert.ok(byActor.length >= 1 && byActor.every((r) => r[10] === '201' && r[7] === 'POST'));

    const empty = await client(f).get('/v1/audit/export?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z');
    assert.equal(empty.status, 200);
    assert.match(
      empty.headers.get('Content-Disposition') ?? '',
      /filename="audit-bank-a-20200101T080000\+0800-20200201T080000\+0800-Asia_Shanghai\.csv"/,
    );
    const emptyText = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await empty.arrayBuffer());
    assert.ok(emptyText.startsWith('\uFEFF"tierkit 审计记录导出"\r\n'));
    assert.deepEqual(rowsOf(emptyText).length, 1, 'the header alone');
    assert.equal(await (await client(f).get('/v1/audit/export?format=jsonl&from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z')).text(), '');

    for (const [query, code] of [
      ['format=xlsx', 'invalid_value'],
      ['from=yesterday', 'invalid_format'],
      ['from=2025-11-02T00:00:00Z&to=2025-11-01T00:00:00Z', 'too_small'],
      ['status=42', 'too_small'],
    ] as const) {
      const res = await client(f).get(`/v1/audit/export?${query}`);
      assert.equal(res.status, 400, query);
      const problem = (await res.json()) as { errors: { code: string }[] };
      assert.equal(problem.errors[0]?.code, code, query);
    }
  });

  it('only the checkers — an admin’s or an approver’s key or staff token; another tenant’s records are never in it', async () => {
    for (const role of ['viewer', 'analyst', 'officer'] as const)
      assert.equal((await client(f, () => f.keys.roles[role]).get('/v1/audit/export')).status, 403, role);
    assert.equal((await client(f, () => f.keys.roles.approver).get('/v1/audit/export')).status, 200, 'approver');
    await send(f, f.keys.b, 'bank-b-only', 'PUT', '/v1/subjects/B-ONLY', { kind: 'customer', displayName: '赵六' });
    const a = recordsOf(await (await client(f).get('/v1/audit/export?format=jsonl')).text());
    const b = recordsOf(await (await client(f, 'b').get('/v1/audit/export?format=jsonl')).text());
    assert.equal(
      a.some((r) => r.requestId === 'bank-b-only'),
      false,
    );
    assert.ok(b.some((r) => r.requestId === 'bank-b-only'));
    assert.equal(
      b.some((r) => r.requestId.startsWith('reject-')),
      false,
    );
    assert.ok(
      (
        await verifyAuditFile(
          b.map((r) => JSON.stringify(r)),
          'bank-b',
        )
      ).ok,
    );
    assert.equal(
      (
        await verifyAuditFile(
          b.map((r) => JSON.stringify(r)),
          'bank-a',
        )
      ).ok,
      false,
      'hashes name their chain',
    );
  });

  it('is recorded: who exported which range in which format; an unmasked read only when its records kept a name read unmasked', async () => {
    const first = await send(f, f.keys.a, 'exp-1', 'GET', '/v1/audit/export?format=jsonl&from=2025-11-01T00:00:00Z');
    const exported = recordsOf(await first.text());
    const last = exported[exported.length - 1];
    assert.ok(last);
    const records = (await (await client(f).get('/v1/audit?route=/v1/audit/export&phase=request&limit=5')).json()) as {
      items: AuditRecord[];
    };
    const record = records.items.find((r) => r.requestId === 'exp-1');
    assert.ok(record, 'the export has its record');
    assert.equal(record.phase, 'request');
    assert.equal(record.status, 200);
    assert.equal(record.unmasked, false);
    assert.deepEqual(record.detail, {
      export: {
        format: 'jsonl',
        from: '2025-11-01T00:00:00.000Z',
        throughSeq: last.seq,
        firstSeq: exported[0]?.seq,
        lastSeq: last.seq,
        lastHash: last.hash,
      },
    });
    assert.equal(first.headers.get('X-Audit-Export-Last-Seq'), String(last.seq));
    assert.equal(first.headers.get('X-Audit-Export-Last-Hash'), last.hash);
    assert.ok(record.seq > last.seq, 'its own record comes after what it holds');

    // A search by name keeps the name it tested: an export holding that record shows the name again.
    assert.equal((await send(f, f.keys.a, 'by-name', 'GET', `/v1/subjects?name=${encodeURIComponent('张晓明')}`)).status, 200);
    await (await send(f, f.keys.a, 'exp-2', 'GET', '/v1/audit/export')).text();
    await (await send(f, f.keys.a, 'exp-3', 'GET', '/v1/audit/export?route=/v1/overrides/{overrideId}/reject')).text();
    const after = (await (await client(f).get('/v1/audit?route=/v1/audit/export&phase=request&limit=5')).json()) as {
      items: AuditRecord[];
    };
    assert.equal(after.items.find((r) => r.requestId === 'exp-2')?.unmasked, true);
    assert.equal(after.items.find((r) => r.requestId === 'exp-3')?.unmasked, false, 'filtered to records without names');
  });

  it('JSON lines are the records as GET /v1/audit sends them and verify offline; an edited line does not', async () => {
    const text = await (await client(f).get('/v1/audit/export?format=jsonl')).text();
    const lines = text.split('\n').filter((l) => l !== '');
    const listed = (await (await client(f).get('/v1/audit?limit=20')).json()) as { items: AuditRecord[] };
    const newest = listed.items.find((r) => r.route !== '/v1/audit/export');
    assert.ok(newest);
    // The list also names who is behind the actor as they are named today (not sealed, not exported).
    const { actorStaff: _s, actorStaffName: _n, actorKeyLabel: _k, ...sealed } = newest as AuditRecord & Record<string, unknown>;
    assert.deepEqual(
      recordsOf(text).find((r) => r.seq === newest.seq),
      sealed,
    );
    const whole = await verifyAuditFile(lines, 'bank-a');
    assert.deepEqual(
      { ok: whole.ok, runs: whole.runs, gaps: whole.gaps, fromGenesis: whole.fromGenesis },
      {
        ok: true,
        runs: [{ from: 1, to: lines.length }],
        gaps: [],
        fromGenesis: true,
      },
    );

    const filtered = (await (await client(f).get('/v1/audit/export?format=jsonl&route=/v1/overrides/{overrideId}/reject')).text())
      .split('\n')
      .filter((l) => l !== '');
    const partial = await verifyAuditFile(filtered, 'bank-a', { filtered: true });
    assert.equal(partial.ok, true, 'a filtered export, said to be, is not broken');
    assert.equal(
      (await verifyAuditFile(filtered, 'bank-a')).problems[0]?.kind,
      'missing',
      'gaps fail a file not said to be filtered: they read as deleted lines',
    );
    assert.ok(partial.gaps.length >= 1, 'the records between decisions were filtered out');
    assert.equal(partial.runs.length, partial.gaps.length + 1, 'each decision’s intent and result a run of their own');
    assert.equal(partial.records, filtered.length);

    const tampered = lines.map((l) =>
      l.includes('"reject-EX1"') && l.includes('"result"') ? l.replace('"status":200', '"status":201') : l,
    );
    assert.notDeepEqual(tampered, lines);
    const bad = await verifyAuditFile(tampered, 'bank-a');
    assert.equal(bad.ok, false);
    assert.equal(bad.problems[0]?.kind, 'altered');
    const dropped = await verifyAuditFile([...lines.slice(0, 3), lines[4] ?? '', lines[3] ?? '', ...lines.slice(5)], 'bank-a');
    assert.equal(dropped.ok, false, 'records out of order');
  });

  it('offline verify fails a file with a line taken out, cut at either end, a value retyped or a key added (the reviewer’s tampering)', async () => {
    const res = await client(f).get('/v1/audit/export?format=jsonl');
    const lines = (await res.text()).split('\n').filter((l) => l !== '');
    assert.ok(lines.length >= 6);
    const end = { through: Number(res.headers.get('X-Audit-Export-Last-Seq')), head: res.headers.get('X-Audit-Export-Last-Hash') ?? '' };
    assert.equal(end.through, (JSON.parse(lines[lines.length - 1] ?? '{}') as AuditRecord).seq);
    const verdict = async (file: string[], check = end) => {
      const v = await verifyAuditFile(file, 'bank-a', check);
      return v.ok ? 'ok' : v.problems.map((p) => p.kind).join(',');
    };
    assert.equal(await verdict(lines), 'ok');
    const edit = (i: number, change: (r: Record<string, unknown>) => Record<string, unknown>) =>
      lines.map((l, j) => (j === i ? JSON.stringify(change(JSON.parse(l) as Record<string, unknown>)) : l));
    assert.equal(await verdict([...lines.slice(0, 2), ...lines.slice(3)]), 'missing', 'a middle line deleted');
    assert.equal(await verdict(lines.slice(0, -1)), 'cut,cut', 'its last line cut off');
    assert.equal(await verdict(lines.slice(0, -1), {} as typeof end), 'ok', 'a cut tail shows only against the export’s end');
    assert.equal(await verdict(lines.slice(1)), 'missing', 'its first line cut off');
    assert.match(await verdict(edit(2, (r) => ({ ...r, unmasked: String(r.unmasked) }))), /^unreadable,/, '"false" for false');
    assert.match(await verdict(edit(2, (r) => ({ ...r, note: 'approved by X' }))), /^unreadable,/, 'a key added');
    assert.match(await verdict(edit(2, (r) => ({ ...r, seq: String(r.seq) }))), /^unreadable,/, 'a number as text');
    assert.match(await verdict(lines.map((l, j) => (j === 2 ? l.replace('{"seq"', '{ "seq"') : l))), /^unreadable,/, 'respaced');
    assert.equal(await verdict([...lines, '']), 'unreadable', 'a blank line added');
  });

  it('filters by phase, in the list and the export; a phase filtered export verifies as filtered; an unknown phase is a 400', async () => {
    await rejectedOverride('EX-PH');
    const listed = (await (await client(f).get('/v1/audit?phase=intent&limit=100')).json()) as { items: AuditRecord[] };
    assert.ok(listed.items.length >= 1);
    assert.ok(listed.items.every((r) => r.phase === 'intent'));
    const res = await client(f).get('/v1/audit/export?format=jsonl&phase=intent');
    const lines = (await res.text()).split('\n').filter((l) => l !== '');
    const exported = lines.map((l) => JSON.parse(l) as AuditRecord);
    assert.ok(exported.length >= listed.items.length);
    assert.ok(exported.every((r) => r.phase === 'intent'));
    const end = { through: Number(res.headers.get('X-Audit-Export-Last-Seq')), head: res.headers.get('X-Audit-Export-Last-Hash') ?? '' };
    assert.equal((await verifyAuditFile(lines, 'bank-a', { filtered: true, ...end })).ok, true, 'filtered, with its end: ok');
    assert.equal(
      (await verifyAuditFile(lines, 'bank-a', end)).problems[0]?.kind,
      'missing',
      'not said to be filtered: its gaps are lines taken out',
    );
    const recorded = (await (await client(f).get('/v1/audit?route=/v1/audit/export&phase=request&limit=1')).json()) as {
      items: AuditRecord[];
    };
    assert.equal(
      (recorded.items[0]?.detail as { export?: { phase?: string } } | undefined)?.export?.phase,
      'intent',
      'the export’s record names its phase',
    );
    for (const path of ['/v1/audit/export?phase=commit', '/v1/audit?phase=INTENT']) {
      const bad = await client(f).get(path);
      assert.equal(bad.status, 400, path);
      const problem = (await bad.json()) as { errors: { path: string; code: string }[] };
      assert.deepEqual([problem.errors[0]?.path, problem.errors[0]?.code], ['query.phase', 'invalid_value'], path);
    }
  });

  it('records its end once the file is sent: completed, or aborted by the client with the records it had sent; none while it streams', async () => {
    const exportsEnded = async () =>
      ((await (await client(f).get('/v1/audit?route=/v1/audit/export&phase=result&limit=100')).json()) as { items: AuditRecord[] }).items;
    // Not the fixture's checked app: its check reads each body whole before the test sees it.
    const app = createApp({ db: f.db.db, now: () => NOW, logError: () => undefined });
    const get = (requestId: string) =>
      app.request('/v1/audit/export?format=jsonl', { headers: { Authorization: `Bearer ${f.keys.a}`, 'X-Request-Id': requestId } });
    const before = (await exportsEnded()).length;
    const whole = await get('end-whole');
    assert.equal((await exportsEnded()).length, before, 'nothing said of its end before the file is read');
    const lines = (await whole.text()).split('\n').filter((l) => l !== '');
    const last = JSON.parse(lines[lines.length - 1] ?? '{}') as AuditRecord;
    const ended = (await exportsEnded()).find((r) => r.requestId === 'end-whole');
    assert.ok(ended, 'its end is recorded');
    const asked = (
      (await (await client(f).get('/v1/audit?route=/v1/audit/export&phase=request&limit=100')).json()) as { items: AuditRecord[] }
    ).items.find((r) => r.requestId === 'end-whole');
    assert.ok(asked && asked.seq < ended.seq, 'the end after the export’s own record');
    assert.deepEqual(
      { phase: ended.phase, status: ended.status, problem: ended.problem, actor: ended.actor, detail: ended.detail },
      {
        phase: 'result',
        status: 200,
        problem: null,
        actor: asked.actor,
        detail: { export: { ended: 'completed', completed: true, records: lines.length, lastSeq: last.seq, lastHash: last.hash } },
      },
    );

    // Read one chunk and dropped: the end says so, and how far it went.
    const cut = await get('end-cut');
    const reader = (cut.body as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder()
      .decode((await reader.read()).value)
      .split('\n')
      .filter((l) => l !== '');
    await reader.cancel();
    const aborted = (await exportsEnded()).find((r) => r.requestId === 'end-cut');
    assert.ok(aborted, 'an export cut off is recorded too');
    const sent = JSON.parse(first[first.length - 1] ?? '{}') as AuditRecord;
    assert.equal(aborted.problem, 'export-aborted');
    assert.deepEqual(aborted.detail, {
      export: { ended: 'aborted', completed: false, records: first.length, lastSeq: sent.seq, lastHash: sent.hash },
    });

    // Gone while the first page was being read: the page never reached the client, so the end counts none.
    const gone = await get('end-gone');
    const goneReader = (gone.body as ReadableStream<Uint8Array>).getReader();
    const reading = goneReader.read();
    await goneReader.cancel();
    assert.equal((await reading).done, true, 'the client got nothing');
    const none = (await exportsEnded()).find((r) => r.requestId === 'end-gone');
    assert.deepEqual(none?.detail, { export: { ended: 'aborted', completed: false, records: 0, lastSeq: null, lastHash: null } });
  });

  it('with limit, sends the oldest records up to it, a start of the export that verifies to its end; says when it left records out', async () => {
    const res = await client(f).get('/v1/audit/export?format=jsonl&limit=3');
    const lines = (await res.text()).split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 3);
    const third = JSON.parse(lines[2] ?? '{}') as AuditRecord;
    assert.equal(res.headers.get('X-Audit-Export-Last-Seq'), String(third.seq));
    assert.equal(res.headers.get('X-Audit-Export-Last-Hash'), third.hash);
    assert.equal(res.headers.get('X-Audit-Export-Limited'), 'true');
    const end = { through: third.seq, head: third.hash };
    assert.equal((await verifyAuditFile(lines, 'bank-a', end)).ok, true, 'a whole start of the chain, checked to its end');
    assert.equal((await verifyAuditFile(lines.slice(0, 2), 'bank-a', end)).ok, false, 'cut shorter than it said: fails');
    const recorded = (await (await client(f).get('/v1/audit?route=/v1/audit/export&phase=request&limit=1')).json()) as {
      items: AuditRecord[];
    };
    assert.deepEqual(recorded.items[0]?.detail, {
      export: {
        format: 'jsonl',
        limit: 3,
        throughSeq: recorded.items[0]?.seq && recorded.items[0].seq - 1,
        firstSeq: 1,
        lastSeq: third.seq,
        lastHash: third.hash,
        limited: true,
      },
    });

    const all = await client(f).get('/v1/audit/export?format=jsonl&limit=1000000');
    await all.text();
    assert.equal(all.headers.get('X-Audit-Export-Limited'), null, 'a limit that leaves nothing out says nothing');
    for (const [query, code] of [
      ['limit=0', 'too_small'],
      ['limit=1000001', 'too_big'],
      ['limit=ten', 'invalid_type'],
    ] as const) {
      const bad = await client(f).get(`/v1/audit/export?${query}`);
      assert.equal(bad.status, 400, query);
      assert.equal(((await bad.json()) as { errors: { code: string }[] }).errors[0]?.code, code, query);
    }
  });

  it('is not served when its audit record cannot be written (a trigger refusing the export’s record)', async () => {
    const { sql } = await import('kysely');
    const pg = f.db.dialect === 'postgres';
    if (pg) {
      await sql`CREATE OR REPLACE FUNCTION test_no_export() RETURNS trigger AS $$ BEGIN IF NEW.route = '/v1/audit/export' THEN RAISE EXCEPTION 'no'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`.execute(
        f.db.db,
      );
      await sql`CREATE TRIGGER test_no_export BEFORE INSERT ON audit_records FOR EACH ROW EXECUTE FUNCTION test_no_export()`.execute(
        f.db.db,
      );
    } else {
      await sql`CREATE TRIGGER test_no_export BEFORE INSERT ON audit_records WHEN NEW.route = '/v1/audit/export' BEGIN SELECT RAISE(ABORT, 'no'); END`.execute(
        f.db.db,
      );
    }
    try {
      const res = await client(f).get('/v1/audit/export?format=jsonl&method=PUT');
      const text = await res.text();
      assert.equal(res.status, 500);
      assert.doesNotMatch(text, /"seq"/, 'no record of the trail in the answer');
    } finally {
      await sql`DROP TRIGGER test_no_export ${pg ? sql`ON audit_records` : sql``}`.execute(f.db.db);
    }
  });

  it('an export not served because its record could not be written leaves no end record either', async () => {
    const { sql } = await import('kysely');
    const pg = f.db.dialect === 'postgres';
    // Only the export's own record is refused (a lock timeout, a full disk that clears): its end could still be written.
    if (pg) {
      await sql`CREATE OR REPLACE FUNCTION test_no_export_start() RETURNS trigger AS $$ BEGIN IF NEW.route = '/v1/audit/export' AND NEW.phase = 'request' THEN RAISE EXCEPTION 'no'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`.execute(
        f.db.db,
      );
      await sql`CREATE TRIGGER test_no_export_start BEFORE INSERT ON audit_records FOR EACH ROW EXECUTE FUNCTION test_no_export_start()`.execute(
        f.db.db,
      );
    } else {
      await sql`CREATE TRIGGER test_no_export_start BEFORE INSERT ON audit_records WHEN NEW.route = '/v1/audit/export' AND NEW.phase = 'request' BEGIN SELECT RAISE(ABORT, 'no'); END`.execute(
        f.db.db,
      );
    }
    try {
      const res = await send(f, f.keys.a, 'unserved-export', 'GET', '/v1/audit/export?format=jsonl');
      await res.text();
      assert.equal(res.status, 500);
    } finally {
      await sql`DROP TRIGGER test_no_export_start ${pg ? sql`ON audit_records` : sql``}`.execute(f.db.db);
    }
    const ends = (await (await client(f).get('/v1/audit?route=/v1/audit/export&phase=result&limit=100')).json()) as {
      items: AuditRecord[];
    };
    assert.deepEqual(
      ends.items.filter((r) => r.requestId === 'unserved-export'),
      [],
      'no end of an export whose start is not in the trail',
    );
  });

  it('records an export that failed mid-stream as failed, with the records handed over before it failed', async () => {
    const tenant = 'bank-export-fail';
    await provisionTenant(f.db.db, { id: tenant, name: tenant, pack: testPack(), now: NOW });
    const secret = (await createApiKey(f.db.db, { tenantId: tenant, role: 'admin', label: 'export', now: NOW })).secret;
    let prev = (await f.db.db.selectFrom('audit_heads').select('hash').where('chain', '=', tenant).executeTakeFirst())?.hash ?? 'genesis';
    const start = (await f.db.db.selectFrom('audit_heads').select('seq').where('chain', '=', tenant).executeTakeFirst())?.seq ?? 0;
    const total = 600;
    const rows: AuditRecordRow[] = [];
    for (let seq = start + 1; seq <= start + total; seq++) {
      const row = {
        chain: tenant,
        seq,
        at: new Date(NOW.getTime() + seq).toISOString(),
        request_id: `bulk-${seq}`,
        phase: 'result',
        actor: 'key:key_bulk',
        credential: 'key',
        method: 'PUT',
        route: '/v1/subjects/{id}',
        target: JSON.stringify({ id: `C${seq}` }),
        status: 200,
        problem: null,
        unmasked: 0,
        detail: null,
        personal_digest: null,
        prev_hash: prev,
      };
      const hash = auditHash(row);
      rows.push({ ...row, hash });
      prev = hash;
    }
    for (let i = 0; i < rows.length; i += 200)
      await f.db.db
        .insertInto('audit_records')
        .values(rows.slice(i, i + 200))
        .execute();
    await f.db.db
      .insertInto('audit_heads')
      .values({ chain: tenant, seq: start + total, hash: prev })
      .onConflict((oc) => oc.column('chain').doUpdateSet({ seq: start + total, hash: prev }))
      .execute();
    // A row of the second page the export cannot read (its target edited in the database to no JSON):
    // the first page (500 records) has gone when the read fails.
    await f.db.db
      .updateTable('audit_records')
      .set({ target: 'not json' })
      .where('chain', '=', tenant)
      .where('seq', '=', start + 550)
      .execute();

    const app = createApp({ db: f.db.db, now: () => NOW, logError: () => undefined });
    const res = await app.request('/v1/audit/export?format=jsonl', {
      headers: { Authorization: `Bearer ${secret}`, 'X-Request-Id': 'export-fails' },
    });
    assert.equal(res.status, 200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const decoder = new TextDecoder();
    await assert.rejects(async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    }, 'the stream errors: the file is cut');
    const got = recordsOf(text);
    const lastSent = got[got.length - 1];
    assert.equal(got.length, 500, 'the first page');
    const end = await f.db.db
      .selectFrom('audit_records')
      .selectAll()
      .where('chain', '=', tenant)
      .where('request_id', '=', 'export-fails')
      .where('phase', '=', 'result')
      .executeTakeFirst();
    assert.ok(end, 'the failed export’s end is recorded');
    assert.equal(end.problem, 'export-failed');
    assert.deepEqual(JSON.parse(end.detail ?? '{}'), {
      export: { ended: 'failed', completed: false, records: 500, lastSeq: lastSent?.seq, lastHash: lastSent?.hash },
    });
  });

  it('streams: a large export is read from the database a page at a time as it is sent, not gathered first', async () => {
    const tenant = 'bank-export-large';
    await provisionTenant(f.db.db, { id: tenant, name: tenant, pack: testPack(), now: NOW });
    const secret = (await createApiKey(f.db.db, { tenantId: tenant, role: 'admin', label: 'export', now: NOW })).secret;
    // 20,000 sealed records written in batches (an append per record would take minutes on PostgreSQL).
    const total = 20_000;
    let prev = (await f.db.db.selectFrom('audit_heads').select('hash').where('chain', '=', tenant).executeTakeFirst())?.hash ?? 'genesis';
    const start = (await f.db.db.selectFrom('audit_heads').select('seq').where('chain', '=', tenant).executeTakeFirst())?.seq ?? 0;
    let batch: AuditRecordRow[] = [];
    for (let seq = start + 1; seq <= start + total; seq++) {
      const row = {
        chain: tenant,
        seq,
        at: new Date(NOW.getTime() + seq).toISOString(),
        request_id: `bulk-${seq}`,
        phase: 'result',
        actor: 'key:key_bulk',
        credential: 'key',
        method: 'PUT',
        route: '/v1/subjects/{id}',
        target: JSON.stringify({ id: `C${seq}` }),
        status: 200,
        problem: null,
        unmasked: 0,
        detail: null,
        personal_digest: null,
        prev_hash: prev,
      };
      const hash = auditHash(row);
      batch.push({ ...row, hash });
      prev = hash;
      if (batch.length === 1000) {
        await f.db.db.insertInto('audit_records').values(batch).execute();
        batch = [];
      }
    }
    await f.db.db
      .insertInto('audit_heads')
      .values({ chain: tenant, seq: start + total, hash: prev })
      .onConflict((oc) => oc.column('chain').doUpdateSet({ seq: start + total, hash: prev }))
      .execute();

    // Not the fixture's checked app: its check reads each body whole before the test sees it.
    const app = createApp({ db: f.db.db, now: () => NOW, logError: () => undefined });
    const res = await app.request('/v1/audit/export?format=jsonl', { headers: { Authorization: `Bearer ${secret}` } });
    assert.equal(res.status, 200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const firstChunk = await reader.read();
    text += decoder.decode(firstChunk.value, { stream: true });
    // Records past 5,000 go now: a file gathered before it was sent would still hold them.
    await f.db.db
      .deleteFrom('audit_records')
      .where('chain', '=', tenant)
      .where('seq', '>', start + 5000)
      .execute();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const got = recordsOf(text);
    assert.equal(got.length, start + 5000, 'what was sent was read as it was sent');
    assert.equal(got[got.length - 1]?.seq, start + 5000);
  });
});
