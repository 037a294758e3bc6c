import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appendOperatorAudit, cliAction, provisionTenant } from '@tierkit/api';
import { connect, type Executor, insertSubjects, migrateToLatest } from '@tierkit/db';
import { runCaptured } from '../../packages/cli/src/run-captured.js';
import { dialectUrls } from '../support/dialect-urls.js';

/*
 * `tierkit retention rescrub` as an operator runs it after an upgrade (docs/operations.md, "Catching up
 * earlier erasures"): a customer erased by an earlier release is still named where that release did not
 * look — a job's filter and reason, an import's row error, a stored answer, a side row of the trail. The
 * customer is erased by today's run, then put back as an earlier release left them: marked cleared under
 * no known rules (what the upgrade's migration gives every customer erased before it) and named again in
 * those places, the trail's row through the trail's own writer. The rescrub clears them by the number the
 * erased row keeps — and nothing of a second bank whose live customer has the same number —; the trail
 * verifies; a dry run changes not a byte; a second rescrub looks at no one.
 */
const COUNTS = ['jobFilters', 'jobReasons', 'importRowErrors', 'idempotentAnswers'] as const;

for (const [dialect, urlOf] of dialectUrls('retention-rescrub')) {
  describe(`tierkit retention rescrub [${dialect}]`, () => {
    it('a dry run changes not a byte; the rescrub clears what names a customer erased under older rules, the trail’s side row too, in their bank only; again, it walks no one; verify passes', async () => {
      const database = await urlOf('rescrub');
      const cli = (...argv: string[]) => runCaptured([...argv, '--database', database]);
      const db = connect({ url: database });
      await migrateToLatest(db.db);
      await provisionTenant(db.db, { id: 'bank', name: 'Bank' });
      await insertSubjects(
        db.db,
        'bank',
        [
          {
            id: 's-old1',
            externalId: 'OLD1',
            kind: 'customer',
            displayName: '赵六',
            attributes: {},
            closed: { at: '2010-03-01T00:00:00.000Z', reason: '销户' },
          },
          { id: 's-live', externalId: 'OLD12', kind: 'customer', displayName: '钱七', attributes: {} },
        ],
        '2009-06-01T00:00:00.000Z',
      );
      // Another bank, whose own live customer has the same number: nothing of theirs is touched.
      await provisionTenant(db.db, { id: 'other', name: 'Other' });
      await insertSubjects(
        db.db,
        'other',
        [{ id: 's-other-old1', externalId: 'OLD1', kind: 'customer', displayName: '孙八', attributes: {} }],
        new Date().toISOString(),
      );
      const erased = await cli('retention', 'run', '--tenant', 'bank', '--json');
      assert.equal(JSON.parse(erased.out[0] ?? '{}').erased, 1, erased.err.join('\n'));
      const rescrubbed = (out: string | undefined) => (JSON.parse(out ?? '{}') as { rescrubbed?: number }).rescrubbed;
      const fresh = await cli('retention', 'rescrub', '--tenant', 'bank', '--json');
      assert.equal(rescrubbed(fresh.out[0]), 0, 'a customer erased under today’s rules is not looked at again');

      // What an earlier release's erasure left behind: the customer under no known rules, and named.
      await db.db.updateTable('subjects').set({ erasure_rules: 0 }).where('id', '=', 's-old1').execute();
      await nameInTrail(db.db, 'bank', 'OLD1');
      await nameInTrail(db.db, 'other', 'OLD1');
      await rowErrorsOf(db.db, 'other', 'imp-other', ['OLD1']);
      const now = new Date().toISOString();
      await db.db
        .insertInto('jobs')
        .values({
          id: 'job-left',
          tenant_id: 'bank',
          kind: 'retier',
          status: 'completed',
          params: JSON.stringify({ period: '2010-01', filter: { subjects: ['OLD1', 'OLD12'] }, reason: '补跑 OLD1-补录，及 OLD12' }),
          requested_by: 'key:x',
          schedule_key: null,
          total_chunks: 1,
          total_subjects: 2,
          error: null,
          created_at: now,
          updated_at: now,
          finished_at: now,
        } as never)
        .execute();
      await rowErrorsOf(db.db, 'bank', 'imp-left', ['OLD1', 'OLD12']);
      await db.db
        .insertInto('idempotency_keys')
        .values({
          tenant_id: 'bank',
          actor: 'key:x',
          key: 'k-left',
          request_hash: 'h',
          status: 200,
          content_type: 'application/json',
          body: JSON.stringify({ id: 'OLD1', closed: true }),
          created_at: now,
          expires_at: new Date(Date.now() + 86_400_000).toISOString(),
          holder: null,
          lease_until: null,
        } as never)
        .execute();
      const params = async () =>
        (await db.db.selectFrom('jobs').select('params').where('id', '=', 'job-left').executeTakeFirstOrThrow()).params;
      const counts = (out: string | undefined) => {
        const r = JSON.parse(out ?? '{}') as Record<string, number>;
        return Object.fromEntries(['erasedCustomers', 'rescrubbed', ...COUNTS].map((k) => [k, r[k]]));
      };
      const all = { erasedCustomers: 1, rescrubbed: 1, jobFilters: 1, jobReasons: 1, importRowErrors: 1, idempotentAnswers: 1 };
      const stored = async () => {
        const { personal, rowErrors } = await leftovers(db.db);
        return { params: await params(), personal, rowErrors };
      };
      const before = await stored();
      const otherBefore = await leftovers(db.db, 'other');
      assert.ok(otherBefore.personal.includes('OLD1') && otherBefore.rowErrors.includes('OLD1'));
      assert.ok(before.personal.includes('"OLD1"'), 'the trail’s side row names them before the rescrub');

      const dry = await cli('retention', 'rescrub', '--dry-run', '--tenant', 'bank', '--json');
      assert.equal(dry.code, 0, dry.err.join('\n'));
      assert.deepEqual(counts(dry.out[0]), all);
      assert.ok((JSON.parse(dry.out[0] ?? '{}') as { auditFieldsErased: number }).auditFieldsErased >= 1);
      assert.deepEqual(await stored(), before, 'a dry run changes not a byte');

      const done = await cli('retention', 'rescrub', '--tenant', 'bank', '--json');
      assert.equal(done.code, 0, done.err.join('\n'));
      assert.deepEqual(counts(done.out[0]), all);
      assert.ok((JSON.parse(done.out[0] ?? '{}') as { auditFieldsErased: number }).auditFieldsErased >= 1);
      const after = await leftovers(db.db);
      assert.ok(!/(?<![A-Za-z0-9])OLD1(?![A-Za-z0-9])/.test(after.personal + after.records), 'the trail names OLD1 nowhere');
      assert.deepEqual(await leftovers(db.db, 'other'), otherBefore, 'the other bank’s OLD1 is untouched');
      const job = JSON.parse(await params()) as { filter: { subjects: string[] }; reason: string | null };
      assert.deepEqual(job.filter.subjects, ['erased customer', 'OLD12']);
      assert.equal(job.reason, null);
      const errors = await db.db.selectFrom('import_errors').select('message').where('import_id', '=', 'imp-left').orderBy('seq').execute();
      assert.deepEqual(
        errors.map((e) => e.message),
        ['erased customer', 'subject "OLD12" is a customer; kind cannot change'],
      );
      const answer = await db.db.selectFrom('idempotency_keys').select('body').where('key', '=', 'k-left').executeTakeFirstOrThrow();
      assert.equal(answer.body, null);

      const again = await cli('retention', 'rescrub', '--tenant', 'bank', '--json');
      assert.deepEqual(counts(again.out[0]), {
        erasedCustomers: 1,
        rescrubbed: 0,
        jobFilters: 0,
        jobReasons: 0,
        importRowErrors: 0,
        idempotentAnswers: 0,
      });
      assert.equal((JSON.parse(again.out[0] ?? '{}') as { chunks: number }).chunks, 0, 'no chunk: no one walked');
      for (const tenant of ['bank', 'other']) {
        const verify = await cli('audit', 'verify', '--tenant', tenant);
        assert.equal(verify.code, 0, verify.err.join('\n'));
      }
      await db.close();
    });
  });
}

/** A record naming the customer `number` in the tenant's chain, written by the trail's own writer (its number and typed words split off into a side row). */
async function nameInTrail(db: Executor, chain: string, number: string): Promise<void> {
  await appendOperatorAudit(db, chain, cliAction('tierkit retention hold'), {
    status: 200,
    target: { subject: number },
    detail: { legalHold: `${number} 法院协查` },
  });
}

/** An import of the tenant whose row errors name these customers, as the importer words them. */
async function rowErrorsOf(db: Executor, tenant: string, id: string, numbers: readonly string[]): Promise<void> {
  const now = new Date().toISOString();
  await db
    .insertInto('imports')
    .values({
      id,
      tenant_id: tenant,
      kind: 'subjects',
      status: 'failed',
      options: '{}',
      file_name: 'x.csv',
      bytes: 0,
      rows: numbers.length,
      rejected_rows: numbers.length,
      errors: numbers.length,
      written: 0,
      unchanged: 0,
      periods: '[]',
      detail: null,
      created_by: 'key:x',
      created_at: now,
      finished_at: now,
    } as never)
    .execute();
  await db
    .insertInto('import_errors')
    .values(
      numbers.map((s, i) => ({
        import_id: id,
        seq: i,
        line: i + 2,
        column_name: 'kind',
        message: `subject "${s}" is a customer; kind cannot change`,
        code: 'immutable',
        params: JSON.stringify({ subject: s }),
      })) as never,
    )
    .execute();
}

/** The tenant's trail side rows, records and import row errors, as stored: what a dry run must leave byte for byte. */
async function leftovers(db: Executor, tenant = 'bank'): Promise<{ personal: string; records: string; rowErrors: string }> {
  const personal = await db.selectFrom('audit_personal').selectAll().where('chain', '=', tenant).orderBy('seq').execute();
  const records = await db
    .selectFrom('audit_records')
    .select(['seq', 'target', 'detail'])
    .where('chain', '=', tenant)
    .orderBy('seq')
    .execute();
  const rowErrors = await db
    .selectFrom('import_errors')
    .innerJoin('imports', 'imports.id', 'import_errors.import_id')
    .select(['import_errors.import_id', 'import_errors.seq', 'import_errors.message', 'import_errors.params'])
    .where('imports.tenant_id', '=', tenant)
    .orderBy('import_errors.import_id')
    .orderBy('import_errors.seq')
    .execute();
  return { personal: JSON.stringify(personal), records: JSON.stringify(records), rowErrors: JSON.stringify(rowErrors) };
}
