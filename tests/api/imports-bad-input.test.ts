import assert from 'node:assert/strict';
import { it } from 'node:test';
import iconv from 'iconv-lite';
import { authHeader, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';

/*
 * Files a bank really sends: a stray quote, bytes its encoding cannot read, one id given two kinds,
 * rows that are all wrong. Each is a clear 4xx naming the line, counted and ordered as the README says.
 */

interface Problem {
  status: number;
  title: string;
  detail: string;
  errors?: { path: string; message: string }[];
}

function upload(f: ApiFixture, query: string, body: string | Uint8Array) {
  return f.app.request(`/v1/imports?${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/csv', ...authHeader(f) },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
}

async function count(f: ApiFixture, table: 'imports' | 'subjects'): Promise<number> {
  const { n } = await f.db.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

forEachDialect('imports: bad input', (f) => {
  const api = client(f);

  it('broken quoting of any kind is a 400 naming the line, in a real run and a dry run, never a 500', async () => {
    const before = [await count(f, 'imports'), await count(f, 'subjects')];
    const cases: [string, string, string, RegExp][] = [
      ['kind=subjects', 'id,name\nQ000095,ok\nQ000096,a"b\n', 'line 3', /a quote \(".*does not start with one/],
      ['kind=subjects', 'id,name\nQ000096,"a"b\n', 'line 2', /after its closing quote/],
      ['kind=subjects', 'id,name\nQ000095,ok\n"Q000096,x\nQ000097,y', 'line 3', /opened in this record is never closed/],
      ['kind=metrics&amounts=fen', 'subject,metric,period,value\nQ1,avg_daily_balance,2025-08,1"0\n', 'line 2', /a quote/],
      ['kind=subjects', `id,name\nQ000096,"${'x'.repeat(1_000_001)}"\n`, 'line 2', /longer than 1,000,000 characters/],
    ];
    for (const [query, body, path, message] of cases) {
      for (const dry of ['', '&dryRun=true']) {
        const res = await upload(f, query + dry, body);
        const problem = (await res.json()) as Problem;
        assert.equal(res.status, 400, `${query}${dry} ${body.slice(0, 40)}: ${JSON.stringify(problem)}`);
        assert.equal(problem.errors?.[0]?.path, path, body.slice(0, 40));
        assert.match(problem.errors?.[0]?.message ?? '', /^the file is not valid CSV: /);
        assert.match(problem.detail, message);
      }
    }
    assert.deepEqual([await count(f, 'imports'), await count(f, 'subjects')], before, 'nothing left behind');
  });

  it('bytes a GBK or GB18030 file cannot spell are refused at their line, never stored as U+FFFD', async () => {
    const before = await count(f, 'subjects');
    const gbk = (text: string, bytes: number[], rest = '\n') =>
      Buffer.concat([iconv.encode(text, 'gbk'), Buffer.from(bytes), Buffer.from(rest)]);
    const cases: [string, Buffer, string, RegExp][] = [
      ['encoding=gbk', gbk('id,name\nQ000090,张三\nQ000091,', [0xff, 0xfe]), 'line 3', /not GBK/],
      ['encoding=gb18030', gbk('id,name\nQ000090,张三\nQ000091,李', [0x81], ',\n'), 'line 3', /not GB18030/],
      ['encoding=gb18030', gbk('id,name\nQ000090,张三\nQ000091,李', [0x81]), 'line 3', /not GB18030/],
      // 𠀀 takes four bytes in GB18030; GBK has no four-byte characters.
      ['encoding=gbk', iconv.encode('id,name\nQ000091,李\u{20000}明\n', 'gb18030'), 'line 2', /declare encoding=gb18030/],
    ];
    for (const [query, body, path, message] of cases) {
      const res = await upload(f, `kind=subjects&${query}`, body);
      const problem = (await res.json()) as Problem;
      assert.equal(res.status, 400, `${query}: ${JSON.stringify(problem)}`);
      assert.equal(problem.errors?.[0]?.path, path, query);
      assert.match(problem.detail, message);
    }
    assert.equal(await count(f, 'subjects'), before);

    const good = await upload(f, 'kind=subjects&encoding=gb18030', iconv.encode('id,name\nQ000091,李\u{20000}明\n', 'gb18030'));
    assert.equal(good.status, 201, await good.clone().text());
    const stored = await f.db.db
      .selectFrom('subjects')
      .select('display_name')
      .where('tenant_id', '=', 'bank-a')
      .where('external_id', '=', 'Q000091')
      .executeTakeFirstOrThrow();
    assert.equal(stored.display_name, '李\u{20000}明', 'the four-byte character read as GB18030');
  });

  it('a Taiwanese core banking export in Big5 is read as written; bytes Big5 cannot spell are refused at their line', async () => {
    // Big5 reads each character in two bytes; a file cut anywhere still decodes whole (the upload streams).
    const file = iconv.encode('客戶號,姓名\nQ000095,陳美玲\nQ000096,林志豪\n', 'big5');
    const res = await upload(
      f,
      'kind=subjects&encoding=big5&mapping=' + encodeURIComponent(JSON.stringify({ 客戶號: 'id', 姓名: 'name' })),
      file,
    );
    assert.equal(res.status, 201, await res.clone().text());
    const names = await f.db.db
      .selectFrom('subjects')
      .select(['external_id', 'display_name'])
      .where('tenant_id', '=', 'bank-a')
      .where('external_id', 'in', ['Q000095', 'Q000096'])
      .orderBy('external_id')
      .execute();
    assert.deepEqual(
      names.map((n) => n.display_name),
      ['陳美玲', '林志豪'],
    );
    const before = await count(f, 'subjects');
    const broken = Buffer.concat([iconv.encode('id,name\nQ000097,陳美玲\nQ000098,', 'big5'), Buffer.from([0x80, 0x80]), Buffer.from('\n')]);
    const refused = await upload(f, 'kind=subjects&encoding=big5', broken);
    const problem = (await refused.json()) as Problem;
    assert.equal(refused.status, 400, JSON.stringify(problem));
    assert.equal(problem.errors?.[0]?.path, 'line 3');
    assert.match(problem.detail, /not Big5/);
    assert.equal(await count(f, 'subjects'), before, 'nothing of the file imported');
    // Read as UTF-8 by mistake, the refusal names Big5 among the encodings to declare.
    const asUtf8 = (await (await upload(f, 'kind=subjects', file)).json()) as Problem;
    assert.match(asUtf8.detail, /not valid UTF-8.*big5/);
  });

  it('one id given two kinds in one file is refused however close the rows are, in a real run and a dry run', async () => {
    const file = 'id,name,kind\nQ000020,甲,customer\nQ000021,乙,customer\nQ000020,甲,corporate\n';
    for (const dry of ['&dryRun=true', '']) {
      const res = await upload(f, `kind=subjects${dry}`, file);
      const body = (await res.json()) as { errors: ({ path: string } | { line: number; column: string })[]; detail?: string };
      assert.equal(res.status, dry ? 200 : 422, JSON.stringify(body));
      assert.match(JSON.stringify(body.errors), /subject \\"Q000020\\" is a customer; its kind cannot change to corporate/);
      assert.deepEqual(
        body.errors.map((e) => ('path' in e ? e.path : `line ${e.line}, column "${e.column}"`)),
        ['line 4, column "kind"'],
      );
    }
    assert.equal((await api.get('/v1/subjects/Q000020')).status, 404, 'all-or-nothing: nothing imported');
  });

  it('every row rejected: rows counts them all, and valid-rows ends failed (nothing imported), not partial', async () => {
    const bad = ['id,name', 'Q 1,a', 'Q 2,b', 'Q 3,c', 'Q 4,d', 'Q 5,e'].join('\n');
    for (const mode of ['all-or-nothing', 'valid-rows']) {
      const dry = (await (await upload(f, `kind=subjects&mode=${mode}&dryRun=true`, bad)).json()) as {
        status: string;
        rows: number;
        rejectedRows: number;
      };
      assert.deepEqual([dry.status, dry.rows, dry.rejectedRows], ['failed', 5, 5], `${mode} dry run`);
      const res = await upload(f, `kind=subjects&mode=${mode}`, bad);
      const problem = (await res.json()) as Problem;
      assert.equal(res.status, 422, `${mode}: ${JSON.stringify(problem)}`);
      assert.match(problem.detail, mode === 'valid-rows' ? /all 5 rows have errors; nothing was imported/ : /5 of 5 rows have errors/);
      const stored = (await (await api.get(res.headers.get('Location') ?? '')).json()) as {
        status: string;
        rows: number;
        rejectedRows: number;
      };
      assert.deepEqual([stored.status, stored.rows, stored.rejectedRows], ['failed', 5, 5], mode);
    }
  });

  it('line numbers stay true after a quoted field holding CR LF in a CRLF file', async () => {
    const res = await upload(f, 'kind=subjects', 'id,name\r\nQ000097,"a\r\nb\r\nc"\r\nQ 91,bad\r\n');
    const problem = (await res.json()) as Problem;
    assert.equal(res.status, 422, JSON.stringify(problem));
    assert.deepEqual(
      problem.errors?.map((e) => e.path),
      ['line 5, column "id"'],
    );
  });

  it('a body that is not CSV is a 415 whose title fits the import endpoint', async () => {
    const res = await f.app.request('/v1/imports?kind=subjects', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...authHeader(f) },
      body: '{}',
    });
    const problem = (await res.json()) as Problem;
    assert.equal(res.status, 415);
    assert.doesNotMatch(problem.title, /application\/json/);
    assert.match(problem.detail, /text\/csv/);
  });
});
