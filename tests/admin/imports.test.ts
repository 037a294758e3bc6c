import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import iconv from 'iconv-lite';
import { headerRow, ImportStore } from '@tierkit/admin';
import { defaultPolicyPack } from '@tierkit/core';
import { IMPORT_COLUMN_NAMES } from '../../apps/admin/src/pages/import.words.js';
import { kitFixture } from './kit-fixture.js';

const csv = (text: string, encoding = 'utf-8') =>
  new Blob([new Uint8Array(encoding === 'utf-8' ? Buffer.from(text) : iconv.encode(text, encoding))], { type: 'text/csv' });

async function subjectCount(f: ReturnType<typeof kitFixture>): Promise<number> {
  const { n } = await f.db.db
    .selectFrom('subjects')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

describe('ImportStore against the real API', () => {
  const f = kitFixture();
  const store = () => new ImportStore(f.client('OFF1'), { metrics: defaultPolicyPack.metrics });

  it('reads a GBK header in the client, maps it, previews the broken row, imports nothing until the file is good', async () => {
    const s = store();
    await s.configure({ kind: 'subjects', encoding: 'gbk' });
    await s.pick(csv('客户号,姓名,分行\nIP1,张三,上海\n,李四,北京\n', 'gbk'), 'customers.csv');
    assert.deepEqual(s.state.columns, ['客户号', '姓名', '分行'], 'decoded as GBK, not mojibake');
    // Each finding carries a code (a host words it without reading the English) and a default message.
    assert.deepEqual(
      s.check().map((p) => [p.path, p.code, p.message]),
      [
        ['id', 'choose-column', 'choose its column'],
        ['name', 'choose-column', 'choose its column'],
      ],
    );
    s.map('id', '客户号');
    s.map('name', '姓名');
    assert.deepEqual(s.requestMapping(), { 客户号: 'id', 姓名: 'name', 分行: 'ignore' });
    const before = await subjectCount(f);
    await s.preview();
    assert.equal(s.state.status, 'ready', JSON.stringify(s.state.error));
    assert.equal(s.state.preview?.status, 'failed');
    // Row errors carry the API's code, for the console to word them in its language.
    assert.deepEqual(
      s.state.preview?.errors.map((e) => [e.line, e.column, e.code]),
      [[3, '客户号', 'required']],
    );
    assert.equal(await subjectCount(f), before, 'a preview writes nothing');

    await s.upload();
    assert.equal(s.state.result?.status, 'failed', 'all-or-nothing: refused, and recorded');
    assert.equal(s.state.error?.status, 422);
    assert.deepEqual(
      s.state.result?.errors.items.map((e) => [e.line, e.code]),
      [[3, 'required']],
    );
    assert.equal(await subjectCount(f), before);

    await s.pick(csv('客户号,姓名,分行\nIP1,张三,上海\nIP2,李四,北京\n', 'gbk'), 'customers.csv');
    assert.deepEqual(s.state.mapping, { id: '客户号', name: '姓名' }, 'the corrected file keeps its mapping');
    await s.configure({ keepAttributes: true });
    await s.preview();
    assert.deepEqual([s.state.preview?.status, s.state.preview?.errorCount], ['succeeded', 0]);
    await s.upload();
    assert.equal(s.state.result?.status, 'succeeded');
    assert.equal(s.state.result?.written, 2);
    assert.equal(await subjectCount(f), before + 2);
    const ip2 = await f.client('admin').getTiers('IP2');
    assert.equal(ip2.subject.id, 'IP2');
  });

  it('metrics: amounts must be said; a wide file in yuan maps metric columns; valid-rows imports the good rows', async () => {
    const s = store();
    await s.configure({ kind: 'metrics' });
    await s.pick(csv('subject,period,avg_daily_balance\nK01,2025-10,1234.56\nNOPE,2025-10,1\n'));
    assert.deepEqual(s.state.mapping, { subject: 'subject', period: 'period', 'metric:avg_daily_balance': 'avg_daily_balance' });
    await s.preview();
    assert.deepEqual(
      s.state.problems.map((p) => [p.path, p.code]),
      [['amounts', 'choose-amounts']],
      'checked before sending',
    );
    await s.configure({ amounts: 'yuan', mode: 'valid-rows' });
    await s.preview();
    assert.equal(s.state.preview?.status, 'partial');
    assert.deepEqual(
      s.state.preview?.errors.map((e) => [e.line, e.column, e.code, e.params]),
      [[3, 'subject', 'unknown_subject', { subject: 'NOPE' }]],
    );
    await s.upload();
    assert.equal(s.state.result?.status, 'partial');
    const stored = await f.db.db
      .selectFrom('metrics as m')
      .innerJoin('subjects as x', 'x.id', 'm.subject_id')
      .select('m.value')
      .where('x.external_id', '=', 'K01')
      .where('m.period', '=', '2025-10')
      .where('m.metric', '=', 'avg_daily_balance')
      .executeTakeFirstOrThrow();
    assert.equal(Number(stored.value), 123456, 'yuan became integer fen');
  });

  it('a relationship manager is refused, and says so', async () => {
    const s = new ImportStore(f.client('RM1'));
    await s.pick(csv('id,name\nX1,x\n'));
    await s.preview();
    assert.equal(s.state.status, 'error');
    assert.equal(s.state.error?.status, 403);
  });

  it('managers: the columns are guessed from the header, other columns ignored; the import moves a customer into a book', async () => {
    const s = store();
    await s.configure({ kind: 'managers' });
    await s.pick(csv('subject,manager,avg_daily_balance\nK10,RM2,1\n'));
    assert.deepEqual(s.state.mapping, { subject: 'subject', manager: 'manager' });
    assert.deepEqual(
      s.requestMapping(),
      { subject: 'subject', manager: 'manager', avg_daily_balance: 'ignore' },
      'a metric key is no field here',
    );
    await s.upload();
    assert.equal(s.state.result?.status, 'succeeded', JSON.stringify(s.state.error));
    assert.equal(s.state.result?.written, 1);
    const m = await f.db.db
      .selectFrom('subject_managers as m')
      .innerJoin('subjects as x', 'x.id', 'm.subject_id')
      .select('m.staff_id')
      .where('x.external_id', '=', 'K10')
      .executeTakeFirstOrThrow();
    assert.equal(m.staff_id, 'RM2');
  });

  it('subjects: closedAt, closedReason and closedLate are offered, guessed from the header, sent and stored', async () => {
    const s = store();
    await s.configure({ kind: 'subjects' });
    const offered = s.targets().map((t) => [t.field, t.required]);
    assert.deepEqual(offered.slice(-3), [
      ['closedAt', false],
      ['closedReason', false],
      ['closedLate', false],
    ]);
    await s.pick(csv('id,name,closedAt,closedReason,分行\nIC1,张三,2025-11-01T00:30:00+08:00,账户迁出,上海\n'));
    // Before the fix both went as `ignore` (or as attributes): the customer stayed open.
    assert.deepEqual(s.requestMapping(), {
      id: 'id',
      name: 'name',
      closedAt: 'closedAt',
      closedReason: 'closedReason',
      分行: 'ignore',
    });
    await s.upload();
    assert.equal(s.state.result?.status, 'succeeded', JSON.stringify(s.state.error));
    const ic1 = await f.client('admin').getTiers('IC1');
    assert.deepEqual([ic1.subject.closedAt, ic1.subject.closedReason], ['2025-10-31T16:30:00.000Z', '账户迁出']);

    // A closing before 2000 is a row error the console words (too_small, origin instant).
    await s.pick(csv('id,name,closedAt\nIC2,李四,1999-12-31T00:00:00Z\n'));
    await s.preview();
    assert.deepEqual(
      s.state.preview?.errors.map((e) => [e.line, e.column, e.code, e.params?.origin]),
      [[2, 'closedAt', 'too_small', 'instant']],
    );

    // A closing in a final month (September, in the fixture) goes through on a row marked late, and
    // keeps its real date beside the one it counts from.
    await s.pick(csv('id,name,closedAt,closedLate\nIC3,王五,2025-09-20T10:00:00+08:00,1\n'));
    assert.equal(s.requestMapping().closedLate, 'closedLate');
    await s.upload();
    assert.equal(s.state.result?.status, 'succeeded', JSON.stringify(s.state.error));
    const ic3 = await f.client('admin').getTiers('IC3');
    assert.deepEqual([ic3.subject.leftAt, ic3.subject.closedAt], ['2025-09-20T02:00:00.000Z', '2025-09-30T16:00:00.000Z']);
  });

  it('the console’s store preselects a header that is a field’s usual name or a metric’s label or key, and leaves the rest', async () => {
    const s = new ImportStore(f.client('OFF1'), { metrics: defaultPolicyPack.metrics, columnNames: IMPORT_COLUMN_NAMES });
    await s.configure({ kind: 'metrics', amounts: 'yuan', encoding: 'gbk' });
    await s.pick(csv('客户号,月份,家庭年收入,月交易笔数,avg_daily_balance,分行\nK1,2025-10,1,2,3,上海\n', 'gbk'), 'wide.csv');
    assert.deepEqual(s.state.mapping, {
      subject: '客户号',
      period: '月份',
      'metric:household_income': '家庭年收入',
      'metric:transaction_count': '月交易笔数',
      'metric:avg_daily_balance': 'avg_daily_balance',
    });
    assert.deepEqual(s.requestMapping()['分行'], 'ignore', 'a column nobody named is left for the user');
    // Another locale's words, and a subjects file.
    await s.configure({ kind: 'subjects', encoding: 'utf-8' });
    await s.pick(csv('客戶編號,姓名,Customer kind\nK1,陳,customer\n'), 'tw.csv');
    assert.deepEqual(s.state.mapping, { id: '客戶編號', name: '姓名', kind: 'Customer kind' });
    // Without the host's names only a header spelled as the field is guessed.
    const bare = new ImportStore(f.client('OFF1'), { metrics: defaultPolicyPack.metrics });
    await bare.configure({ kind: 'subjects' });
    await bare.pick(csv('客户号,name\nK1,x\n'), 'bare.csv');
    assert.deepEqual(bare.state.mapping, { name: 'name' });
  });

  it('headerRow: quotes, a doubled quote, CRLF', () => {
    assert.deepEqual(headerRow('"a,b", "say ""hi""" ,c\r\nx,y,z'), ['a,b', 'say "hi"', 'c']);
  });
});
