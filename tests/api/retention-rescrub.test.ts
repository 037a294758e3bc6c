import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { provisionTenant } from '@tierkit/api';
import { connect, insertSubjects, migrateToLatest } from '@tierkit/db';
import { runCaptured } from '../../packages/cli/src/run-captured.js';
import { dialectUrls } from '../support/dialect-urls.js';

/*
 * `tierkit retention rescrub` as an operator runs it after an upgrade (docs/operations.md, "Catching up
 * earlier erasures"): a customer erased by an earlier release is still named where that release did not
 * look — a job's filter and reason, an import's row error, a stored answer. Those rows are written here
 * as the earlier release left them (today's erasure would have cleared them), then the rescrub clears
 * them, by the numbers the erased rows keep; a second rescrub changes nothing; the trail verifies.
 */
const COUNTS = ['jobFilters', 'jobReasons', 'importRowErrors', 'idempotentAnswers'] as const;

for (const [dialect, urlOf] of dialectUrls('retention-rescrub')) {
  describe(`tierkit retention rescrub [${dialect}]`, () => {
    it('dry run counts and changes nothing; the rescrub clears what names an erased customer; again, nothing; verify passes', async () => {
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
      const erased = await cli('retention', 'run', '--tenant', 'bank', '--json');
      assert.equal(JSON.parse(erased.out[0] ?? '{}').erased, 1, erased.err.join('\n'));

      // What an earlier release's erasure left behind.
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
      await db.db
        .insertInto('imports')
        .values({
          id: 'imp-left',
          tenant_id: 'bank',
          kind: 'subjects',
          status: 'failed',
          options: '{}',
          file_name: 'x.csv',
          bytes: 0,
          rows: 2,
          rejected_rows: 2,
          errors: 2,
          written: 0,
          unchanged: 0,
          periods: '[]',
          detail: null,
          created_by: 'key:x',
          created_at: now,
          finished_at: now,
        } as never)
        .execute();
      await db.db
        .insertInto('import_errors')
        .values(
          ['OLD1', 'OLD12'].map((s, i) => ({
            import_id: 'imp-left',
            seq: i,
            line: i + 2,
            column_name: 'kind',
            message: `subject "${s}" is a customer; kind cannot change`,
            code: 'immutable',
            params: JSON.stringify({ subject: s }),
          })) as never,
        )
        .execute();
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
        return Object.fromEntries(['erasedCustomers', ...COUNTS].map((k) => [k, r[k]]));
      };
      const all = { erasedCustomers: 1, jobFilters: 1, jobReasons: 1, importRowErrors: 1, idempotentAnswers: 1 };

      const before = await params();
      const dry = await cli('retention', 'rescrub', '--dry-run', '--tenant', 'bank', '--json');
      assert.equal(dry.code, 0, dry.err.join('\n'));
      assert.deepEqual(counts(dry.out[0]), all);
      assert.equal(await params(), before, 'a dry run changes nothing');

      const done = await cli('retention', 'rescrub', '--tenant', 'bank', '--json');
      assert.equal(done.code, 0, done.err.join('\n'));
      assert.deepEqual(counts(done.out[0]), all);
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
        jobFilters: 0,
        jobReasons: 0,
        importRowErrors: 0,
        idempotentAnswers: 0,
      });
      const verify = await cli('audit', 'verify', '--tenant', 'bank');
      assert.equal(verify.code, 0, verify.err.join('\n'));
      await db.close();
    });
  });
}
