import assert from 'node:assert/strict';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createApiKey, createApp, provisionTenant } from '@tierkit/api';
import { connect, migrateToLatest, upsertStaff } from '@tierkit/db';
import { dialectUrls } from '../../../tests/support/dialect-urls.js';
import { runCaptured } from './run-captured.js';
import { run } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'tierkit-cli-audit-'));
/** Every audit action that opens the database names it first on stderr (`database: …`); the lines after it say why. */
const notDatabaseLine = (line: string) => !line.startsWith('database: ');
after(() => rmSync(dir, { recursive: true, force: true }));

/* Each test on SQLite and on PostgreSQL (an embedded cluster): the CLI opens the database by its URL, as an operator's would. */
for (const [dialect, urlOf] of dialectUrls('cli-audit'))
  describe(`tierkit audit [${dialect}]`, () => {
    it('tierkit audit verify passes an intact chain and names the record that was edited (exit 1)', async () => {
      const database = await urlOf('verify');
      const db = connect({ url: database });
      await migrateToLatest(db.db);
      await provisionTenant(db.db, { id: 'bank', name: 'Bank' });
      const { secret } = await createApiKey(db.db, { tenantId: 'bank', role: 'admin', label: 'ops' });
      const app = createApp({ db: db.db, logError: () => undefined });
      for (const id of ['A1', 'A2']) {
        const res = await app.request(`/v1/subjects/${id}`, {
          method: 'PUT',
          headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ kind: 'customer', displayName: '张三' }),
        });
        assert.equal(res.status, 201);
      }
      assert.equal((await app.request('/v1/schemes')).status, 401, 'a refusal, in the chain of no tenant');

      const lines: string[] = [];
      assert.equal(await run(['audit', 'verify', '--database', database], (l) => lines.push(l)), 0);
      assert.deepEqual(
        lines.map((l) => l.replace(/sha256:[0-9a-f]{64}/, 'HASH')),
        ['*: ok, 1 records, head 1 HASH', 'bank: ok, 4 records, head 4 HASH'],
      );

      await db.db
        .updateTable('audit_records')
        .set({ actor: 'key:someone-else' })
        .where('chain', '=', 'bank')
        .where('seq', '=', 2)
        .execute();
      await db.close();
      lines.length = 0;
      assert.equal(await run(['audit', 'verify', '--tenant', 'bank', '--database', database], (l) => lines.push(l)), 1);
      assert.match(lines[0] ?? '', /^bank: NOT OK, 4 records/);
      assert.match(lines[1] ?? '', /^ {2}at 2: altered: record 2 does not match its hash/);
      const usage: string[] = [];
      assert.equal(
        await run(
          ['audit', 'frobnicate', '--database', database],
          () => undefined,
          (l) => usage.push(l),
        ),
        2,
      );
      assert.match(usage.find(notDatabaseLine) ?? '', /^audit: unknown action "frobnicate"/, 'a usage error goes to stderr');
    });

    it('tierkit audit export writes the trail as the API does, recorded; audit verify --file checks a JSON lines export offline', async () => {
      const database = await urlOf('export');
      const db = connect({ url: database });
      await migrateToLatest(db.db);
      await provisionTenant(db.db, { id: 'bank', name: 'Bank' });
      await provisionTenant(db.db, { id: 'other', name: 'Other' });
      const { secret } = await createApiKey(db.db, { tenantId: 'bank', role: 'admin', label: 'ops' });
      const app = createApp({ db: db.db, logError: () => undefined });
      for (const id of ['E1', 'E2', 'E3']) {
        const res = await app.request(`/v1/subjects/${id}`, {
          method: 'PUT',
          headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json', 'X-Request-Id': `=put-${id}` },
          body: JSON.stringify({ kind: 'customer', displayName: '张三' }),
        });
        assert.equal(res.status, 201);
      }
      await db.close();
      const cli = (...argv: string[]) => runCaptured(argv);

      const jsonl = join(dir, `${dialect}-bank.jsonl`);
      const exported = await cli('audit', 'export', '--tenant', 'bank', '--format', 'jsonl', '--out', jsonl, '--database', database);
      assert.equal(exported.code, 0, exported.err.join('\n'));
      assert.match(exported.out[0] ?? '', /^\S+Z INFO {2}audit export: 6 records of bank \(through record 6\) written to /);
      const lines = readFileSync(jsonl, 'utf8')
        .split('\n')
        .filter((l) => l);
      assert.equal(lines.length, 6);
      const whole = await cli('audit', 'verify', '--file', jsonl, '--tenant', 'bank');
      assert.equal(whole.code, 0, whole.out.join('\n'));
      assert.match(whole.out[0] ?? '', /: ok, 6 records of bank, 1 run \(1…6\), from the chain’s start$/);
      assert.equal((await cli('audit', 'verify', '--file', jsonl, '--tenant', 'other')).code, 1, 'hashes name their tenant');
      assert.equal((await cli('audit', 'verify', '--file', jsonl)).code, 2, '--tenant is needed');

      // Only the results (every other record): gaps filtered out, not breaks.
      const results = join(dir, `${dialect}-results.jsonl`);
      writeFileSync(results, `${lines.filter((l) => l.includes('"phase":"result"')).join('\n')}\n`);
      const filtered = await cli('audit', 'verify', '--file', results, '--tenant', 'bank', '--filtered');
      assert.equal(filtered.code, 0, filtered.out.join('\n'));
      assert.match(filtered.out[0] ?? '', /: ok, 3 records of bank, 3 runs, from record 2 /);
      assert.match(filtered.out[1] ?? '', /^ {2}filtered export: 2 gaps in seqs \(3, 5\); a line deleted from this file cannot be told/);
      const unsaid = await cli('audit', 'verify', '--file', results, '--tenant', 'bank');
      assert.equal(unsaid.code, 1, 'gaps in a file not said to be filtered are lines taken out');
      assert.match(unsaid.out.join('\n'), /line 1: missing: the file starts at record 2: records 1…1 are not in it/);
      assert.match(unsaid.out.join('\n'), /line 2: missing: record 3 is not in the file, before line 2/);

      // The file's end, as the export printed it: a tail cut off fails only against it.
      const [, lastSeq, lastHash] = /last record (\d+) (sha256:[0-9a-f]{64})/.exec(exported.out[1] ?? '') ?? [];
      assert.equal(lastSeq, '6');
      const endOf = ['--through', lastSeq ?? '', '--head', lastHash ?? ''];
      assert.equal((await cli('audit', 'verify', '--file', jsonl, '--tenant', 'bank', ...endOf)).code, 0);
      const cut = join(dir, `${dialect}-cut.jsonl`);
      writeFileSync(cut, `${lines.slice(0, 5).join('\n')}\n`);
      const uncheckedEnd = await cli('audit', 'verify', '--file', cut, '--tenant', 'bank');
      assert.equal(uncheckedEnd.code, 0);
      assert.match(uncheckedEnd.out.join('\n'), /its end is not checked/);
      const cutTail = await cli('audit', 'verify', '--file', cut, '--tenant', 'bank', ...endOf);
      assert.equal(cutTail.code, 1);
      assert.match(cutTail.out.join('\n'), /cut: the export ended at record 6, the file at record 5/);
      assert.equal((await cli('audit', 'verify', '--file', cut, '--tenant', 'bank', '--through', 'six')).code, 2);
      assert.equal((await cli('audit', 'verify', '--file', cut, '--tenant', 'bank', '--head', 'abc')).code, 2);

      const tampered = join(dir, `${dialect}-tampered.jsonl`);
      writeFileSync(tampered, `${lines.map((l, i) => (i === 2 ? l.replace('"E2"', '"E9"') : l)).join('\n')}\n`);
      const bad = await cli('audit', 'verify', '--file', tampered, '--tenant', 'bank');
      assert.equal(bad.code, 1);
      // The customer number is a personal field: its digest, not the record's hash, is what it no longer matches.
      assert.match(bad.out.join('\n'), /line 3: altered: record 3 \(line 3\): its customer number or typed texts do not match its digest/);
      // A field the hash covers, edited, is a hash mismatch.
      const rehashed = join(dir, `${dialect}-tampered-hash.jsonl`);
      assert.ok(lines[2]?.includes('=put-E2'));
      writeFileSync(rehashed, `${lines.map((l, i) => (i === 2 ? l.replace('=put-E2', '=put-E9') : l)).join('\n')}\n`);
      const badHash = await cli('audit', 'verify', '--file', rehashed, '--tenant', 'bank');
      assert.equal(badHash.code, 1);
      assert.match(badHash.out.join('\n'), /line 3: altered: record 3 \(line 3\) does not match its hash/);

      const csv = join(dir, `${dialect}-bank.csv`);
      assert.equal(
        (await cli('audit', 'export', '--tenant', 'bank', '--out', csv, '--from', '2000-01-01T00:00:00Z', '--database', database)).code,
        0,
      );
      const text = readFileSync(csv, 'utf8');
      assert.ok(
        text.startsWith('\uFEFF"tierkit 审计记录导出"\r\n"机构","bank"\r\n"时区","Asia/Shanghai"\r\n'),
        'UTF-8 with a BOM; tenant and zone first',
      );
      assert.ok(text.includes('\r\n"起（含）","2000-01-01T08:00:00.000+08:00","2000-01-01T00:00:00.000Z"\r\n'), 'the bound, local and UTC');
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      assert.ok(body.startsWith('"序号","时间（UTC）","时间（本行时区）",'), 'the header in zh-CN, after an empty line');
      assert.ok(text.includes(',"\'=put-E1",'), 'a formula-looking cell neutralised, quoted');
      assert.equal(body.split('\r\n').length - 2, 8, 'every record after the header, the first export’s two (before and after) included');

      const onlyE2 = join(dir, `${dialect}-e2.jsonl`);
      const targeted = await cli(
        'audit',
        'export',
        '--tenant',
        'bank',
        '--format',
        'jsonl',
        '--target',
        'E2',
        '--method',
        'PUT',
        '--status',
        '201',
        '--out',
        onlyE2,
        '--database',
        database,
      );
      assert.equal(targeted.code, 0, targeted.err.join('\n'));
      const e2 = readFileSync(onlyE2, 'utf8')
        .split('\n')
        .filter((l) => l)
        .map((l) => JSON.parse(l) as { requestId: string; status: number });
      assert.deepEqual(
        e2.map((r) => [r.requestId, r.status]),
        [['=put-E2', 201]],
      );
      assert.equal((await cli('audit', 'export', '--tenant', 'bank', '--out', onlyE2, '--status', '2xx', '--database', database)).code, 2);
      assert.equal(
        (await cli('audit', 'export', '--tenant', 'bank', '--out', onlyE2, '--method', 'FETCH', '--database', database)).code,
        2,
      );

      const usage = await cli('audit', 'export', '--tenant', 'bank', '--out', csv, '--from', 'yesterday', '--database', database);
      assert.equal(usage.code, 2);
      assert.match(
        usage.err.find(notDatabaseLine) ?? '',
        /^audit export: --from must be an ISO 8601 time with its zone, 2025-11-15T04:00:00Z or 2025-11-15T12:00:00\+08:00 \(invalid_format\)/,
      );

      const trail = connect({ url: database });
      const records = await trail.db
        .selectFrom('audit_records')
        .selectAll()
        .where('chain', '=', 'bank')
        .where('route', '=', 'tierkit audit export')
        .execute();
      await trail.close();
      assert.equal(records.length, 6, 'each export recorded before and after, the refused ones not');
      assert.deepEqual(JSON.parse(records[1]?.detail ?? 'null'), {
        export: { records: 6, lastSeq: 6, lastHash: lines[5] && (JSON.parse(lines[5]) as { hash: string }).hash, completed: true },
      });
    });

    it('tierkit audit export checks its filters with the API’s schema: what GET /v1/audit/export refuses it refuses, with the same code; --phase filters', async () => {
      const database = await urlOf('filters');
      const db = connect({ url: database });
      await migrateToLatest(db.db);
      await provisionTenant(db.db, { id: 'bank', name: 'Bank' });
      const { secret } = await createApiKey(db.db, { tenantId: 'bank', role: 'admin', label: 'ops' });
      const app = createApp({ db: db.db, logError: () => undefined });
      for (const id of ['F1', 'F2']) {
        const res = await app.request(`/v1/subjects/${id}`, {
          method: 'PUT',
          headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ kind: 'customer', displayName: '李四' }),
        });
        assert.equal(res.status, 201);
      }
      const out = join(dir, `${dialect}-filters.jsonl`);
      const refusals: [flag: string, value: string, path: string][] = [
        ['from', '2025-11-01 08:00', 'from'],
        ['month', '2026-13', 'month'],
        ['month', '1999-12', 'month'],
        ['locale', 'fr', 'locale'],
        ['to', 'yesterday', 'to'],
        ['status', '2xx', 'status'],
        ['status', '42', 'status'],
        ['method', 'FETCH', 'method'],
        ['phase', 'commit', 'phase'],
        ['format', 'xlsx', 'format'],
      ];
      for (const [flag, value, path] of refusals) {
        const api = await app.request(`/v1/audit/export?${flag}=${encodeURIComponent(value)}`, {
          headers: { Authorization: `Bearer ${secret}` },
        });
        assert.equal(api.status, 400, `${flag}=${value}`);
        const { errors } = (await api.json()) as { errors: { path: string; code: string; message: string }[] };
        const cli = await runCaptured(['audit', 'export', '--tenant', 'bank', '--out', out, `--${flag}`, value, '--database', database]);
        assert.equal(cli.code, 2, `--${flag} ${value}`);
        assert.equal(errors[0]?.path, `query.${path}`);
        assert.equal(
          cli.err.find(notDatabaseLine)?.split('\n')[0],
          `audit export: --${path} ${errors[0]?.message} (${errors[0]?.code})`,
          `--${flag} ${value}: the API's words and code`,
        );
      }
      const backwards = ['--from', '2025-11-02T00:00:00Z', '--to', '2025-11-01T00:00:00Z'];
      const api = await app.request('/v1/audit/export?from=2025-11-02T00:00:00Z&to=2025-11-01T00:00:00Z', {
        headers: { Authorization: `Bearer ${secret}` },
      });
      const { errors } = (await api.json()) as { errors: { path: string; code: string; message: string }[] };
      const cli = await runCaptured(['audit', 'export', '--tenant', 'bank', '--out', out, ...backwards, '--database', database]);
      assert.deepEqual([api.status, cli.code], [400, 2]);
      assert.equal(cli.err.find(notDatabaseLine)?.split('\n')[0], `audit export: --to ${errors[0]?.message} (${errors[0]?.code})`);
      await db.close();
      assert.equal(existsSync(out), false, 'nothing written for a refused filter');

      const intents = await runCaptured([
        'audit',
        'export',
        '--tenant',
        'bank',
        '--format',
        'jsonl',
        '--phase',
        'intent',
        '--out',
        out,
        '--database',
        database,
      ]);
      assert.equal(intents.code, 0, intents.err.join('\n'));
      const lines = readFileSync(out, 'utf8')
        .split('\n')
        .filter((l) => l);
      assert.deepEqual(
        lines.map((l) => (JSON.parse(l) as { phase: string }).phase),
        ['intent', 'intent'],
      );
      const [, lastSeq, lastHash] = /last record (\d+) (sha256:[0-9a-f]{64})/.exec(intents.out[1] ?? '') ?? [];
      const end = ['--through', lastSeq ?? '', '--head', lastHash ?? ''];
      assert.equal(
        (await runCaptured(['audit', 'verify', '--file', out, '--tenant', 'bank', '--filtered', ...end])).code,
        0,
        'filtered: ok',
      );
      assert.equal(
        (await runCaptured(['audit', 'verify', '--file', out, '--tenant', 'bank', ...end])).code,
        1,
        'its gaps read as lines taken out without --filtered',
      );
    });

    it('tierkit audit export --month is the month in the bank’s zone, --from/--to take offsets, --locale names the CSV’s words; a bad month exits 2', async () => {
      const database = await urlOf('month');
      const db = connect({ url: database });
      await migrateToLatest(db.db);
      await provisionTenant(db.db, { id: 'bank', name: 'Bank' });
      await upsertStaff(db.db, 'bank', { id: 'CHECKER01', name: '钱进', role: 'admin', scope: 'tenant' }, new Date().toISOString());
      const { secret } = await createApiKey(db.db, { tenantId: 'bank', role: 'admin', label: 'checker', staffId: 'CHECKER01' });
      let clock = new Date();
      const app = createApp({ db: db.db, now: () => clock, logError: () => undefined });
      // Shanghai's December: 23:30 on 30 November is not in it, 00:30 on 1 December is, midnight on 1 January is not.
      for (const [at, id] of [
        ['2026-11-30T15:30:00Z', 'NOV'],
        ['2026-11-30T16:30:00Z', 'DEC'],
        ['2026-12-31T16:00:00Z', 'JAN'],
      ] as const) {
        clock = new Date(at);
        const res = await app.request(`/v1/subjects/${id}`, {
          method: 'PUT',
          headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json', 'X-Request-Id': `month-${id}` },
          body: JSON.stringify({ kind: 'customer', displayName: '吴二' }),
        });
        assert.equal(res.status, 201);
      }
      await db.close();
      const read = (file: string) => {
        const text = readFileSync(file, 'utf8');
        const gap = text.indexOf('\r\n\r\n');
        return {
          preamble: text.slice(1, gap).split('\r\n'),
          rows: text
            .slice(gap + 4)
            .split('\r\n')
            .filter((l) => l),
        };
      };
      const december = join(dir, `${dialect}-2026-12.csv`);
      const monthly = await runCaptured([
        'audit',
        'export',
        '--tenant',
        'bank',
        '--month',
        '2026-12',
        '--locale',
        'en',
        '--out',
        december,
        '--database',
        database,
      ]);
      assert.equal(monthly.code, 0, monthly.err.join('\n'));
      assert.equal(
        monthly.out.at(-1),
        '  month 2026-12 in Asia/Shanghai: from 2026-12-01T00:00:00.000+08:00 (2026-11-30T16:00:00.000Z) to 2027-01-01T00:00:00.000+08:00 (2026-12-31T16:00:00.000Z)',
      );
      const file = read(december);
      assert.deepEqual(file.preamble, [
        '"tierkit audit trail export"',
        '"Tenant","bank"',
        '"Time zone","Asia/Shanghai"',
        '"Month","2026-12"',
        '"From (inclusive)","2026-12-01T00:00:00.000+08:00","2026-11-30T16:00:00.000Z"',
        '"To (exclusive)","2027-01-01T00:00:00.000+08:00","2026-12-31T16:00:00.000Z"',
      ]);
      assert.match(file.rows[0] ?? '', /^"Seq","Time \(UTC\)",.*"Actor staff id","Actor","Scheme","Level","Metrics","Personal fields"$/);
      assert.deepEqual(
        file.rows.slice(1).map((r) => /"month-(\w+)"/.exec(r)?.[1]),
        ['DEC', 'DEC'],
        'the December write’s intent and result, nothing of November or January',
      );
      assert.ok(
        file.rows.slice(1).every((r) => r.includes(',"CHECKER01","钱进",')),
        'the key’s owner, by staff id and name',
      );

      const typed = join(dir, `${dialect}-typed.csv`);
      const offsets = ['--from', '2026-12-01T00:00:00+08:00', '--to', '2027-01-01T00:00:00+08:00'];
      assert.equal(
        (await runCaptured(['audit', 'export', '--tenant', 'bank', ...offsets, '--locale', 'en', '--out', typed, '--database', database]))
          .code,
        0,
      );
      // The first export's own records are December's too, when this runs in December: the writes are compared.
      const writes = (rows: string[]) => rows.filter((r) => r.includes('"month-'));
      assert.deepEqual(writes(read(typed).rows), writes(file.rows), 'the same records as the month');

      const refused = async (...flags: string[]) => {
        const r = await runCaptured([
          'audit',
          'export',
          '--tenant',
          'bank',
          ...flags,
          '--out',
          join(dir, `${dialect}-refused.csv`),
          '--database',
          database,
        ]);
        return [r.code, r.err.find(notDatabaseLine)?.split('\n')[0]];
      };
      assert.deepEqual(await refused('--month', '2026-13'), [
        2,
        'audit export: --month "2026-13" is not a month (YYYY-MM, 2000-01 or later) (invalid_format)',
      ]);
      assert.deepEqual(await refused('--month', '2026-12', '--from', '2026-12-01T00:00:00Z'), [
        2,
        'audit export: --month give a month, or from/to, not both: a month is its own from and to (month_with_range)',
      ]);
      assert.equal(existsSync(join(dir, `${dialect}-refused.csv`)), false);
    });

    it('tierkit audit export never writes over the database or an existing file (without --force), and records itself before and after', async () => {
      // The reviewer's case: `--out <db> --database <db>` once replaced the live database with the export.
      const sub = mkdtempSync(join(dir, 'out-'));
      const database = dialect === 'sqlite' ? join(sub, 'live.db') : await urlOf('live');
      const db = connect({ url: database });
      await migrateToLatest(db.db);
      await provisionTenant(db.db, { id: 'bank', name: 'Bank' });
      await db.close();
      const cli = (...argv: string[]) => runCaptured(argv);
      const exportTo = (file: string, ...more: string[]) =>
        cli('audit', 'export', '--tenant', 'bank', '--format', 'jsonl', '--out', file, '--database', database, ...more);
      // A SQLite database is files an export could name; a PostgreSQL one is none.
      if (dialect === 'sqlite') {
        const dbBefore = readFileSync(database);
        for (const target of [database, `${database}-wal`, join(sub, '.', 'live.db')]) {
          const r = await exportTo(target, '--force');
          assert.equal(r.code, 1, target);
          assert.match(r.err.find(notDatabaseLine) ?? '', /is the database's own file/);
        }
        symlinkSync(database, join(sub, 'alias.db'));
        assert.match(
          (await exportTo(join(sub, 'alias.db'), '--force')).err.find(notDatabaseLine) ?? '',
          /database's own file/,
          'through a symlink',
        );
        linkSync(database, join(sub, 'hard.db'));
        assert.match(
          (await exportTo(join(sub, 'hard.db'), '--force')).err.find(notDatabaseLine) ?? '',
          /database's own file/,
          'through a hard link',
        );
        assert.deepEqual(readFileSync(database), dbBefore, 'the database is as it was');
      }

      const precious = join(sub, 'anchors.jsonl');
      writeFileSync(precious, 'PRECIOUS\n');
      const refused = await exportTo(precious);
      assert.equal(refused.code, 1);
      assert.match(refused.err.find(notDatabaseLine) ?? '', /exists: refused \(--force replaces it\)/);
      assert.equal(readFileSync(precious, 'utf8'), 'PRECIOUS\n');
      mkdirSync(join(sub, 'folder'));
      assert.match((await exportTo(join(sub, 'folder'), '--force')).err.find(notDatabaseLine) ?? '', /is a folder/);

      const replaced = await exportTo(precious, '--force');
      assert.equal(replaced.code, 0, replaced.err.join('\n'));
      assert.equal(readFileSync(precious, 'utf8'), '', '--force replaces it (with the empty trail)');
      const file = join(sub, 'bank.jsonl');
      const made = await exportTo(file);
      assert.equal(made.code, 0, made.err.join('\n'));
      assert.match(made.out[1] ?? '', /^ {2}last record 2 sha256:[0-9a-f]{64}: check the file's end with audit verify --file /);
      assert.deepEqual(
        readdirSync(sub).filter((f) => f.endsWith('.part')),
        [],
        'no temporary file left behind',
      );

      const trail = connect({ url: database });
      const records = await trail.db
        .selectFrom('audit_records')
        .selectAll()
        .where('chain', '=', 'bank')
        .where('route', '=', 'tierkit audit export')
        .orderBy('seq')
        .execute();
      await trail.close();
      assert.deepEqual(
        records.map((r) => [r.phase, r.status]),
        [
          ['intent', null],
          ['result', 200],
          ['intent', null],
          ['result', 200],
        ],
        'each export written told before and after; the refused ones not at all',
      );
      const detail = (i: number) => (JSON.parse(records[i]?.detail ?? 'null') as { export: Record<string, unknown> }).export;
      assert.deepEqual(detail(0), { format: 'jsonl', throughSeq: 0, firstSeq: null, lastSeq: null, lastHash: null });
      assert.deepEqual(detail(1), { records: 0, lastSeq: null, lastHash: null, completed: true });
      assert.equal(records[2]?.request_id, records[3]?.request_id, 'one action');
      assert.deepEqual(detail(2), { format: 'jsonl', throughSeq: 2, firstSeq: 1, lastSeq: 2, lastHash: records[1]?.hash });
      assert.deepEqual(detail(3), { records: 2, lastSeq: 2, lastHash: records[1]?.hash, completed: true });
    });

    it('tierkit audit export records an export it could not write as not completed, and leaves nothing behind', async () => {
      const sub = mkdtempSync(join(dir, 'fail-'));
      const database = await urlOf('fail');
      const db = connect({ url: database });
      await migrateToLatest(db.db);
      await provisionTenant(db.db, { id: 'bank', name: 'Bank' });
      await db.close();
      const err: string[] = [];
      const code = await run(
        ['audit', 'export', '--tenant', 'bank', '--out', join(sub, 'no-such-folder', 'bank.csv'), '--database', database],
        () => undefined,
        (l) => err.push(l),
      );
      assert.equal(code, 1);
      assert.match(err.find(notDatabaseLine) ?? '', /^audit export: cannot write /);
      const trail = connect({ url: database });
      const records = await trail.db
        .selectFrom('audit_records')
        .selectAll()
        .where('route', '=', 'tierkit audit export')
        .orderBy('seq')
        .execute();
      await trail.close();
      assert.deepEqual(
        records.map((r) => [r.phase, r.status, r.problem]),
        [
          ['intent', null, null],
          ['result', 500, 'export-not-written'],
        ],
      );
      assert.deepEqual(JSON.parse(records[1]?.detail ?? 'null'), {
        export: { records: 0, lastSeq: null, lastHash: null, completed: false },
      });
    });
  });
