import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import iconv from 'iconv-lite';
import { connect, upsertStaff } from '@tierkit/db';
import { lastCompleteMonth } from '@tierkit/ops';
import { run } from './run.js';
import { runCaptured } from './run-captured.js';

const dir = mkdtempSync(join(tmpdir(), 'tierkit-cli-import-'));
const database = join(dir, 'import.db');
after(() => rmSync(dir, { recursive: true, force: true }));

/** Run the CLI against the test database, capturing stdout and stderr lines. */
const cli = (...argv: string[]) => runCaptured([...argv, '--database', database, '--tenant', 'bank']);

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function balances(): Promise<string[]> {
  const db = connect({ url: database });
  try {
    const rows = await db.db
      .selectFrom('metrics as m')
      .innerJoin('subjects as s', 's.id', 'm.subject_id')
      .select(['s.external_id', 'm.period', 'm.value'])
      .where('m.metric', '=', 'avg_daily_balance')
      .orderBy('s.external_id')
      .orderBy('m.period')
      .execute();
    return rows.map((r) => `${r.external_id}@${r.period}=${Number(r.value)}`);
  } finally {
    await db.close();
  }
}

before(async () => {
  assert.equal((await run(['tenants', 'create', 'bank', '--database', database], () => undefined)).valueOf(), 0);
});

it('an operator imports customers, then a GBK export in yuan, and a script reads the result as JSON', async () => {
  const customers = file('customers.csv', '\ufeff客户号,姓名\nK1,张三\nK2,李四\n');
  const s = await cli('import', customers, '--kind', 'subjects', '--map', '客户号=id', '--map', '姓名=name');
  assert.equal(s.code, 0, s.err.join('\n'));
  assert.match(s.out.at(-1) ?? '', /^\S+Z INFO {2}import \S+ succeeded: 2 rows, 2 subjects written, 0 unchanged, 0 rows rejected$/);

  const gbk = file('balances.csv', iconv.encode('客户号,月份,日均余额\nK1,202509,1234.56\nK2,202510,0.07\n', 'gbk'));
  const args = [
    'import',
    gbk,
    '--kind',
    'metrics',
    '--encoding',
    'gbk',
    '--amounts',
    'yuan',
    '--map',
    '客户号=subject',
    '--map',
    '月份=period',
    '--map',
    '日均余额=metric:avg_daily_balance',
    '--json',
  ];
  const m = await cli(...args);
  assert.equal(m.code, 0, m.err.join('\n'));
  assert.equal(m.out.length, 1, 'exactly one JSON document on stdout');
  const result = JSON.parse(m.out[0] ?? '') as { status: string; written: number; periods: string[]; fileName: string; errors: unknown[] };
  assert.deepEqual(
    [result.status, result.written, result.periods, result.fileName, result.errors],
    ['succeeded', 2, ['2025-09', '2025-10'], 'balances.csv', []],
  );
  assert.deepEqual(await balances(), ['K1@2025-09=123456', 'K2@2025-10=7']);

  const again = JSON.parse((await cli(...args)).out[0] ?? '') as { written: number; unchanged: number; periods: string[] };
  assert.deepEqual([again.written, again.unchanged, again.periods], [0, 2, []], 'the same file twice changes nothing');
});

it('broken rows: exit 1 and nothing imported; with valid-rows exit 3 and the good rows imported', async () => {
  const broken = file(
    'broken.csv',
    'subject,metric,period,value\nK1,avg_daily_balance,2025-08,500\nK9,avg_daily_balance,2025-08,1\nK2,avg_daily_balance,2025-08,1.5\n',
  );
  const before = await balances();
  const failed = await cli('import', broken, '--kind', 'metrics', '--amounts', 'fen');
  assert.equal(failed.code, 1);
  assert.deepEqual(failed.out.slice(1, 3), [
    'line 3, column "subject": no subject "K9" in this tenant; import it first',
    'line 4, column "value": "1.5" is not an integer',
  ]);
  assert.equal(failed.err.length, 1, 'one line says why');
  assert.match(failed.err[0] ?? '', /2 of 3 rows have errors; nothing was imported/);
  assert.deepEqual(await balances(), before);

  const partial = await cli('import', broken, '--kind', 'metrics', '--amounts', 'fen', '--mode', 'valid-rows', '--json');
  assert.equal(partial.code, 3);
  const body = JSON.parse(partial.out[0] ?? '') as {
    status: string;
    written: number;
    errors: { line: number; column: string; code?: string; params?: unknown }[];
  };
  assert.deepEqual([body.status, body.written, body.errors.map((e) => e.line)], ['partial', 1, [3, 4]]);
  // The codes of the API's row errors, for a program to word or count them.
  assert.deepEqual(
    body.errors.map((e) => [e.code, e.params]),
    [
      ['unknown_subject', { subject: 'K9' }],
      ['invalid_format', { format: 'integer', value: '1.5' }],
    ],
  );
  assert.ok((await balances()).includes('K1@2025-08=500'));
  // The same file again, for people: rows rejected, so its summary is a WARN, not an INFO.
  const again = await cli('import', broken, '--kind', 'metrics', '--amounts', 'fen', '--mode', 'valid-rows');
  assert.equal(again.code, 3, again.err.join('\n'));
  assert.match(again.out.at(-1) ?? '', /^\S+Z WARN {2}import \S+ partial: 3 rows, /);

  // Exit 3 says some rows were imported: when every row is rejected, nothing was, so exit 1.
  const allBad = file('all-bad.csv', 'subject,metric,period,value\nK9,avg_daily_balance,2025-08,1\nK2,avg_daily_balance,2025-08,1.5\n');
  const none = await cli('import', allBad, '--kind', 'metrics', '--amounts', 'fen', '--mode', 'valid-rows');
  assert.equal(none.code, 1, none.out.join('\n'));
  // A line reporting a failure is never INFO (docs/operations.md, "Log lines").
  assert.match(none.out.at(-1) ?? '', /^\S+Z ERROR import \S+ failed: 2 rows, 0 observations written, 0 unchanged, 2 rows rejected$/);
  assert.match(none.err[0] ?? '', /all 2 rows have errors; nothing was imported/);
});

it('a stray quote or bad GBK bytes: exit 1 with a one-line reason naming the line, nothing imported', async () => {
  const stray = file('stray.csv', 'id,name\nK7,ok\nK8,a"b\n');
  const gbk = file('bad-gbk.csv', Buffer.concat([iconv.encode('id,name\nK7,张三\nK8,', 'gbk'), Buffer.from([0xff, 0xfe, 0x0a])]));
  for (const argv of [
    ['import', stray, '--kind', 'subjects'],
    ['import', gbk, '--kind', 'subjects', '--encoding', 'gbk'],
  ]) {
    const r = await cli(...argv);
    assert.equal(r.code, 1, argv.join(' '));
    assert.equal(r.err.length, 1, argv.join(' '));
    assert.match(r.err[0] ?? '', /\(line 3\): the file (is not valid CSV: a quote|has bytes that are not GBK)/);
  }
});

it('a wrong command line exits 2 and an unreadable file exits 1, each with a one-line reason', async () => {
  const csv = file('x.csv', 'subject,metric,period,value\n');
  for (const argv of [
    ['import', csv],
    ['import', csv, '--kind', 'metrics'],
    ['import', csv, '--kind', 'bananas'],
    ['import'],
    ['import', csv, '--kind', 'metrics', '--amounts', 'fen', '--map', 'nofield'],
    ['import', csv, '--frobnicate'],
    ['import', csv, csv, '--kind', 'subjects'],
  ]) {
    const r = await cli(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.equal(r.err.length, 1, argv.join(' '));
  }
  const gbkAsUtf8 = file('gbk.csv', iconv.encode('客户号,姓名\nK3,王五\n', 'gbk'));
  for (const argv of [
    ['import', join(dir, 'missing.csv'), '--kind', 'subjects'],
    ['import', gbkAsUtf8, '--kind', 'subjects'],
  ]) {
    const r = await cli(...argv);
    assert.equal(r.code, 1, argv.join(' '));
    assert.equal(r.err.length, 1, argv.join(' '));
  }
  assert.match((await cli('import', gbkAsUtf8, '--kind', 'subjects')).err[0] ?? '', /not valid UTF-8.*gbk/);
  const otherTenant = await run(
    ['import', csv, '--kind', 'metrics', '--amounts', 'fen', '--database', database, '--tenant', 'nope'],
    () => undefined,
    () => undefined,
  );
  assert.equal(otherTenant, 1);
});

it('a managers file puts customers in books: the summary counts assignments, the same file twice changes nothing', async () => {
  const db = connect({ url: database });
  try {
    await upsertStaff(db.db, 'bank', { id: 'RM1', name: '王经理', role: 'viewer', scope: 'book' }, new Date().toISOString());
  } finally {
    await db.close();
  }
  const books = file('books.csv', '客户号,客户经理\nK1,RM1\nK2,\n');
  const args = ['import', books, '--kind', 'managers', '--map', '客户号=subject', '--map', '客户经理=manager'];
  const first = await cli(...args);
  assert.equal(first.code, 0, first.err.join('\n'));
  assert.match(
    first.out.at(-1) ?? '',
    /^\S+Z INFO {2}import \S+ succeeded: 2 rows, 1 manager assignments written, 1 unchanged, 0 rows rejected$/,
  );
  assert.match((await cli(...args)).out.at(-1) ?? '', /succeeded: 2 rows, 0 manager assignments written, 2 unchanged/);
});

it("an import's intent always ends in a result record: 400 for a refused file, 500 for one that breaks the run", async () => {
  const trail = async () => {
    const db = connect({ url: database });
    try {
      const rows = await db.db
        .selectFrom('audit_records')
        .select(['phase', 'status', 'problem', 'request_id'])
        .where('chain', '=', 'bank')
        .where('route', '=', 'tierkit import')
        .orderBy('seq', 'desc')
        .limit(2)
        .execute();
      return rows.reverse();
    } finally {
      await db.close();
    }
  };
  // A stray quote: the file is refused after its intent was recorded.
  assert.equal((await cli('import', file('refused.csv', 'id,name\n"C1,x\n'), '--kind', 'subjects')).code, 1);
  const refused = await trail();
  assert.deepEqual(
    refused.map((r) => [r.phase, r.status, r.problem]),
    [
      ['intent', null, null],
      ['result', 400, 'validation'],
    ],
  );
  assert.equal(refused[0]?.request_id, refused[1]?.request_id);
  // A directory passes the size check but fails once read: not the file's fault, and not left as a bare intent.
  const broken = await cli('import', dir, '--kind', 'subjects');
  assert.equal(broken.code, 1);
  assert.match(broken.err.at(-1) ?? '', /EISDIR/);
  const failed = await trail();
  assert.deepEqual(
    failed.map((r) => [r.phase, r.status, r.problem]),
    [
      ['intent', null, null],
      ['result', 500, 'internal'],
    ],
  );
  assert.equal(failed[0]?.request_id, failed[1]?.request_id);
});

it('an import into a month already re-tiered says so, and jobs schedule says the month is stale until it is re-tiered again', async () => {
  const period = lastCompleteMonth();
  const line = (value: string) => `subject,metric,period,value\nK1,avg_daily_balance,${period},${value}\n`;
  const loaded = await cli('import', file('month.csv', line('5000000')), '--kind', 'metrics', '--amounts', 'fen');
  assert.equal(loaded.code, 0, loaded.err.join('\n'));
  assert.match(loaded.out.at(-1) ?? '', new RegExp(`periods changed: ${period}$`), 'no month re-tiered yet: nothing more said');
  const retier = await cli('retier', '--period', period, '--json', '--no-progress');
  assert.equal(retier.code, 0, retier.err.join('\n'));
  const { id } = JSON.parse(retier.out.at(-1) ?? '') as { id: string };
  // Without TIERKIT_SCHEDULE, a first line says whether a server runs the schedule is not known.
  assert.equal((await cli('jobs', 'schedule')).out.at(-1), `${period}  done              job ${id} completed`);

  const corrected = await cli('import', file('correction.csv', line('199095900')), '--kind', 'metrics', '--amounts', 'fen');
  assert.equal(corrected.code, 0, corrected.err.join('\n'));
  assert.match(corrected.out.at(-2) ?? '', new RegExp(`periods changed: ${period}$`));
  assert.equal(
    corrected.out.at(-1),
    `${period} was re-tiered before this import (job ${id}); a re-tier is needed: the monthly schedule queues it once the data has settled (tierkit jobs schedule), or run tierkit retier --period ${period}`,
  );
  const json = await cli('import', file('correction2.csv', line('199095901')), '--kind', 'metrics', '--amounts', 'fen', '--json');
  const body = JSON.parse(json.out[0] ?? '') as { retiered: { period: string; job: { id: string } }[] };
  assert.deepEqual(
    body.retiered.map((m) => [m.period, m.job.id]),
    [[period, id]],
  );
  const stale = await cli('jobs', 'schedule');
  assert.match(
    stale.out.at(-1) ?? '',
    new RegExp(
      `^${period}  stale +data changed after its re-tier \\(job ${id} completed; last written \\S+\\): quiet at \\S+ if nothing more arrives, then re-tiered again by a server that runs the schedule$`,
    ),
  );
  // Re-tiered again by hand: done, with nothing more to say.
  const again = await cli('retier', '--period', period, '--json', '--no-progress');
  const rerun = (JSON.parse(again.out.at(-1) ?? '') as { id: string }).id;
  assert.equal((await cli('jobs', 'schedule')).out.at(-1), `${period}  done              job ${rerun} completed`);
});

it('a correction to a month before a later re-tier: the import and jobs schedule say an operator decides, and what to run', async () => {
  const later = lastCompleteMonth();
  const [y, m] = later.split('-').map(Number) as [number, number];
  const earlier = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
  const line = (value: string) => `subject,metric,period,value\nK1,avg_daily_balance,${earlier},${value}\n`;
  assert.equal((await cli('import', file('earlier.csv', line('4000000')), '--kind', 'metrics', '--amounts', 'fen')).code, 0);
  const retier = await cli('retier', '--period', earlier, '--json', '--no-progress');
  assert.equal(retier.code, 0, retier.err.join('\n'));
  const { id } = JSON.parse(retier.out.at(-1) ?? '') as { id: string };
  const corrected = await cli('import', file('earlier-fix.csv', line('4100000')), '--kind', 'metrics', '--amounts', 'fen');
  assert.equal(corrected.code, 0, corrected.err.join('\n'));
  assert.equal(
    corrected.out.at(-1),
    `${earlier} was re-tiered before this import (job ${id}); ${later} was re-tiered since, so the schedule does not re-tier ${earlier}: an operator decides (tierkit jobs schedule says what to run)`,
  );
  const schedule = await cli('jobs', 'schedule');
  assert.match(
    schedule.out.at(-1) ?? '',
    new RegExp(
      `^${earlier}  needs-decision +data changed after its re-tier \\(job ${id}; last written \\S+\\), and ${later} was re-tiered since \\(job \\S+\\): not queued, an operator decides — tierkit retier --period ${later} re-tiers the book from the corrected data`,
    ),
  );
  const json = JSON.parse((await cli('jobs', 'schedule', '--json')).out.at(-1) ?? '') as {
    months: { period: string; state: string; command: string | null }[];
  };
  assert.deepEqual(
    json.months.map((x) => [x.period, x.state, x.command]),
    [
      [later, 'done', null],
      [earlier, 'needs-decision', `tierkit retier --period ${later}`],
    ],
  );
});

it('import --help prints the import command’s own help; a header without a mapped column lists the columns the file has', async () => {
  const help = await runCaptured(['import', '--help']);
  assert.equal(help.code, 0);
  const text = help.out.join('\n');
  assert.match(text, /^Usage:\n {2}import FILE --kind subjects\|metrics\|managers/);
  assert.doesNotMatch(text, /Commands:|seed the demo tenant|jobs schedule/, 'not every command’s help');
  assert.match(text, /--database URL/);

  const headerless = file('headerless.csv', '客户号,月份,日均余额\nK1,2025-09,1\n');
  const mapped = ['--map', '客户号=ignore', '--map', '月份=period', '--map', '日均余额=metric:avg_daily_balance'];
  const r = await cli('import', headerless, '--kind', 'metrics', '--amounts', 'fen', ...mapped);
  assert.equal(r.code, 1);
  assert.match(r.err.at(-1) ?? '', /no column maps to "subject"; the file's columns are: "客户号", "月份", "日均余额"/);
  const typo = await cli('import', headerless, '--kind', 'metrics', '--amounts', 'fen', '--map', '客户=subject');
  assert.match(
    typo.err.at(-1) ?? '',
    /the mapping names column "客户", which the header does not have; the file's columns are: "客户号", "月份", "日均余额"/,
  );
});
