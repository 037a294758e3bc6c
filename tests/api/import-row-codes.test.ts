import assert from 'node:assert/strict';
import { it } from 'node:test';
import { authHeader, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';

/*
 * An import's row errors carry the stable code and params of the API's other field errors (README
 * "Errors"), for a console to word in its own language: in the 422, in the stored import, in a dry run.
 */

interface RowError {
  line: number;
  column: string | null;
  message: string;
  code?: string;
  params?: Record<string, unknown>;
}
interface Problem {
  type: string;
  errors: { path: string; message: string; code?: string; params?: Record<string, unknown> }[];
}

function upload(f: ApiFixture, query: string, body: string) {
  return f.app.request(`/v1/imports?${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/csv', ...authHeader(f, 'a') },
    body,
  });
}

/** What a client words an error from: where, the code and its params (the English message aside). */
const coded = (e: RowError) => ({ line: e.line, column: e.column, code: e.code, params: e.params });

/** The stored import's errors, every page. */
async function storedErrors(f: ApiFixture, location: string): Promise<RowError[]> {
  const res = await client(f).get(`${location}?limit=100`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { errors: { items: RowError[] } }).errors.items;
}

forEachDialect('import row error codes', (f) => {
  const api = client(f);

  it('a metrics file: each kind of row error has its code and params, in the 422, the stored import and a dry run', async () => {
    await api.customer('RC1');
    const file = [
      'subject,period,metric,value',
      'RC1,2025-10,avg_daily_balance,100',
      'RC1,2025-10,avg_daily_balance',
      'RC1,2025-10,avg_daily_balance,100,9',
      'bad id!,2025-10,avg_daily_balance,1',
      ',2025-10,avg_daily_balance,1',
      'RC1,October,avg_daily_balance,1',
      'RC1,2025-10,no_such_metric,1',
      'RC1,2025-10,avg_daily_balance,1.234',
      'RC1,2025-10,transaction_count,1.5',
      'RC1,2025-12,avg_daily_balance,1',
      'RC1,2025-10,transaction_count,-1',
      'RC1,2025-10,premium_card,2',
      'RC9,2025-10,avg_daily_balance,1',
      'RC1,2025-09,avg_daily_balance,',
    ].join('\n');
    const expected = [
      { line: 3, column: null, code: 'too_small', params: { minimum: 4, inclusive: true, origin: 'fields', actual: 3 } },
      { line: 4, column: null, code: 'too_big', params: { maximum: 4, inclusive: true, origin: 'fields', actual: 5 } },
      { line: 5, column: 'subject', code: 'invalid_format', params: { format: 'subject_id', value: 'bad id!' } },
      { line: 6, column: 'subject', code: 'required', params: undefined },
      { line: 7, column: 'period', code: 'invalid_format', params: { format: 'month', value: 'October' } },
      {
        line: 8,
        column: 'metric',
        code: 'unknown_metric',
        params: { metric: 'no_such_metric' },
      },
      { line: 9, column: 'value', code: 'invalid_format', params: { format: 'yuan', value: '1.234' } },
      { line: 10, column: 'value', code: 'invalid_format', params: { format: 'integer', value: '1.5' } },
      { line: 11, column: 'period', code: 'month_not_begun', params: { month: '2025-12', current: '2025-11' } },
      {
        line: 12,
        column: 'value',
        code: 'too_small',
        params: { minimum: 0, inclusive: true, origin: 'count', metric: 'transaction_count' },
      },
      { line: 13, column: 'value', code: 'too_big', params: { maximum: 1, inclusive: true, origin: 'boolean', metric: 'premium_card' } },
      { line: 14, column: 'subject', code: 'unknown_subject', params: { subject: 'RC9' } },
      { line: 15, column: 'value', code: 'required', params: undefined },
    ];

    const res = await upload(f, 'kind=metrics&amounts=yuan', file);
    assert.equal(res.status, 422, await res.clone().text());
    const problem = (await res.json()) as Problem;
    assert.equal(problem.type, 'https://tierkit.dev/problems/import-rejected');
    assert.deepEqual(
      problem.errors.map((e) => [e.path, e.code, e.params]),
      expected.map((e) => [`line ${e.line}${e.column === null ? '' : `, column "${e.column}"`}`, e.code, e.params]),
    );
    assert.ok(
      problem.errors.every((e) => e.message.length > 0),
      'the English message stays',
    );

    const stored = await storedErrors(f, res.headers.get('Location') ?? '');
    assert.deepEqual(stored.map(coded), expected);

    const dry = await upload(f, 'kind=metrics&amounts=yuan&dryRun=true', file);
    assert.equal(dry.status, 200);
    assert.deepEqual(((await dry.json()) as { errors: RowError[] }).errors.map(coded), expected);
  });

  it('a subjects file: a kind not known, an empty or too long name, text that cannot be stored, a kind that cannot change', async () => {
    await api.customer('RC2');
    const file = [
      'id,kind,name,note',
      'RC3,customer,张三,',
      'RC4,alien,李四,',
      'RC5,customer,,',
      `RC6,customer,${'长'.repeat(101)},`,
      'RC7,customer,王五,a\u0000b',
      'RC2,corporate,赵六有限公司,',
    ].join('\n');
    const res = await upload(f, `kind=subjects&mapping=${encodeURIComponent(JSON.stringify({ note: 'attr:note' }))}`, file);
    assert.equal(res.status, 422, await res.clone().text());
    assert.deepEqual((await storedErrors(f, res.headers.get('Location') ?? '')).map(coded), [
      {
        line: 3,
        column: 'kind',
        code: 'invalid_value',
        params: { values: ['customer', 'corporate', 'product', 'employee'], value: 'alien' },
      },
      { line: 4, column: 'name', code: 'required', params: undefined },
      { line: 5, column: 'name', code: 'too_big', params: { maximum: 100, inclusive: true, origin: 'string', actual: 101 } },
      { line: 6, column: 'note', code: 'unsafe_text', params: { character: 'nul' } },
      { line: 7, column: 'kind', code: 'immutable', params: { value: 'customer', subject: 'RC2' } },
    ]);
  });

  it('a managers file: a staff id not of this tenant or not well formed, a subject not of this tenant', async () => {
    await api.customer('RC8');
    const res = await upload(f, 'kind=managers', ['subject,manager', 'RC8,RM9', 'RC8,bad id!', 'RC0,'].join('\n'));
    assert.equal(res.status, 422, await res.clone().text());
    assert.deepEqual((await storedErrors(f, res.headers.get('Location') ?? '')).map(coded), [
      { line: 2, column: 'manager', code: 'unknown_staff', params: { staff: 'RM9' } },
      { line: 3, column: 'manager', code: 'invalid_format', params: { format: 'staff_id', value: 'bad id!' } },
      { line: 4, column: 'subject', code: 'unknown_subject', params: { subject: 'RC0' } },
    ]);
  });
  it('a wide row with a month that is not one, or has not begun, has one error for its month, not one per metric', async () => {
    await api.customer('RC10');
    const res = await upload(
      f,
      'kind=metrics&amounts=fen&dryRun=true',
      ['subject,period,avg_daily_balance,transaction_count', 'RC10,2025-13,1,2', 'RC10,2025-12,1,2'].join('\n'),
    );
    assert.equal(res.status, 200);
    const body = (await res.json()) as { errorCount: number; errors: RowError[] };
    assert.deepEqual(body.errors.map(coded), [
      { line: 2, column: 'period', code: 'invalid_format', params: { format: 'month', value: '2025-13' } },
      { line: 3, column: 'period', code: 'month_not_begun', params: { month: '2025-12', current: '2025-11' } },
    ]);
    assert.equal(body.errorCount, 2);
  });
  it('an empty month or metric cell is an empty cell: required, not a month "" or a metric "" the catalogue lacks', async () => {
    await api.customer('RC11');
    const res = await upload(
      f,
      'kind=metrics&amounts=fen&dryRun=true',
      ['subject,period,metric,value', 'RC11,,avg_daily_balance,1', 'RC11,2025-10,,5'].join('\n'),
    );
    assert.equal(res.status, 200);
    assert.deepEqual(((await res.json()) as { errors: RowError[] }).errors.map(coded), [
      { line: 2, column: 'period', code: 'required', params: undefined },
      { line: 3, column: 'metric', code: 'required', params: undefined },
    ]);
  });
  it('a long row with an empty metric cell names its other errors too, in one pass', async () => {
    await api.customer('RC12');
    const res = await upload(
      f,
      'kind=metrics&amounts=yuan&dryRun=true',
      ['subject,period,metric,value', 'RC12,2025-12,,abc', 'bad id!,2025-10,,', 'RC12,2025-10,,12.5', 'RC12,2025-10,, -3'].join('\n'),
    );
    assert.equal(res.status, 200);
    const body = (await res.json()) as { errorCount: number; rejectedRows: number; errors: RowError[] };
    assert.deepEqual(body.errors.map(coded), [
      { line: 2, column: 'period', code: 'month_not_begun', params: { month: '2025-12', current: '2025-11' } },
      { line: 2, column: 'metric', code: 'required', params: undefined },
      { line: 2, column: 'value', code: 'invalid_format', params: { format: 'yuan', value: 'abc' } },
      { line: 3, column: 'subject', code: 'invalid_format', params: { format: 'subject_id', value: 'bad id!' } },
      { line: 3, column: 'metric', code: 'required', params: undefined },
      { line: 3, column: 'value', code: 'required', params: undefined },
      // An amount is a value the metric may take once named: only the missing metric is wrong.
      { line: 4, column: 'metric', code: 'required', params: undefined },
      { line: 5, column: 'metric', code: 'required', params: undefined },
    ]);
    assert.deepEqual([body.rejectedRows, body.errorCount], [4, 8]);
  });
  it('a row naming a subject the tenant lacks says so beside its other errors, in a metrics and a managers file', async () => {
    await api.customer('RC13');
    const metrics = await upload(
      f,
      'kind=metrics&amounts=fen',
      ['subject,period,metric,value', 'RC13,2025-10,avg_daily_balance,1', 'RC99,2025-10,,x', 'RC13,2025-10,,1'].join('\n'),
    );
    assert.equal(metrics.status, 422, await metrics.clone().text());
    assert.deepEqual((await storedErrors(f, metrics.headers.get('Location') ?? '')).map(coded), [
      { line: 3, column: 'subject', code: 'unknown_subject', params: { subject: 'RC99' } },
      { line: 3, column: 'metric', code: 'required', params: undefined },
      { line: 3, column: 'value', code: 'invalid_format', params: { format: 'integer', value: 'x' } },
      { line: 4, column: 'metric', code: 'required', params: undefined },
    ]);
    const managers = await upload(f, 'kind=managers&dryRun=true', ['subject,manager', 'RC98,bad id!', 'RC13,'].join('\n'));
    assert.equal(managers.status, 200);
    const body = (await managers.json()) as { rejectedRows: number; errors: RowError[] };
    assert.deepEqual(body.errors.map(coded), [
      { line: 2, column: 'subject', code: 'unknown_subject', params: { subject: 'RC98' } },
      { line: 2, column: 'manager', code: 'invalid_format', params: { format: 'staff_id', value: 'bad id!' } },
    ]);
    assert.equal(body.rejectedRows, 1);
  });
  it('rejected rows naming unknown subjects across the 2,000-row batches, one batch with no valid row: each named at its own line', async () => {
    await api.customer('RC14');
    // Line 2 is valid; lines 3–4006 each have an empty metric cell and a subject the tenant lacks. The
    // first batch (lines 2–2001) has a valid row, the second (2002–4001) none, the last (4002–4006) the rest.
    const rejected = Array.from({ length: 4004 }, (_, i) => i + 3);
    const file = ['subject,period,metric,value', 'RC14,2025-10,avg_daily_balance,1', ...rejected.map((line) => `RCU${line},2025-10,,1`)];
    const res = await upload(f, 'kind=metrics&amounts=fen', file.join('\n'));
    assert.equal(res.status, 422, await res.clone().text());
    const errors: RowError[] = [];
    let page = `${res.headers.get('Location') ?? ''}?limit=100`;
    for (;;) {
      const body = (await (await client(f).get(page)).json()) as {
        rejectedRows: number;
        errors: { items: RowError[]; nextCursor: string | null };
      };
      assert.equal(body.rejectedRows, 4004);
      errors.push(...body.errors.items);
      if (body.errors.nextCursor === null) break;
      page = `${res.headers.get('Location') ?? ''}?limit=100&cursor=${encodeURIComponent(body.errors.nextCursor)}`;
    }
    assert.deepEqual(
      errors.map(coded),
      rejected.flatMap((line) => [
        { line, column: 'subject', code: 'unknown_subject', params: { subject: `RCU${line}` } },
        { line, column: 'metric', code: 'required', params: undefined },
      ]),
    );
  });
});
