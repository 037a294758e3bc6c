import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import type { JobView } from '@tierkit/api';
import { lastCompleteMonth } from '@tierkit/ops';
import { run } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'tierkit-cli-jobs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('an operator re-tiers the book, reads the job back, and is told why what cannot be done is refused', async () => {
  const database = join(dir, 'retier.db');
  const lines: string[] = [];
  const out = (l: string) => lines.push(l);
  assert.equal(await run(['seed', '--database', database, '--customers', '20'], out), 0);
  const period = lastCompleteMonth();

  lines.length = 0;
  assert.equal(await run(['retier', '--database', database, '--period', period, '--scheme', 'retail-tier', '--json'], out), 0);
  const job = JSON.parse(lines.at(-1) ?? '') as JobView;
  assert.equal(job.status, 'completed');
  const subjects = job.progress.subjects;
  assert.equal(subjects.processed + subjects.skipped, subjects.total);
  assert.ok(subjects.processed >= 20, 'every seeded customer was re-evaluated');
  assert.equal(
    job.summary.matrix.reduce((n, c) => n + c.count, 0),
    20,
    'one count per customer: the card tier is a customer scheme',
  );
  assert.deepEqual(new Set(job.summary.matrix.map((c) => c.scheme)), new Set(['retail-tier']));

  lines.length = 0;
  assert.equal(await run(['jobs', 'list', '--database', database, '--json'], out), 0);
  assert.deepEqual(
    (JSON.parse(lines.at(-1) ?? '[]') as JobView[]).map((j) => j.id),
    [job.id],
  );
  lines.length = 0;
  assert.equal(await run(['jobs', 'show', job.id, '--database', database], out), 0);
  assert.match(lines.join('\n'), /retail-tier\n/);
  assert.match(lines[0] ?? '', new RegExp(`^${job.id}\\s+completed`));

  lines.length = 0;
  assert.equal(await run(['jobs', 'cancel', job.id, '--database', database], out), 1);
  assert.match(lines.join('\n'), /only a running job can be cancelled/);
  assert.equal(await run(['jobs', 'show', 'job_nope', '--database', database], out), 1);
  assert.equal(await run(['retier', '--database', database], out), 2, 'no period');
  lines.length = 0;
  assert.equal(await run(['retier', '--database', database, '--period', '2025-13'], out), 2);
  assert.match(lines.join('\n'), /period: "2025-13" is not a month/);
  assert.equal(await run(['retier', '--database', database, '--period', period, '--frobnicate'], out), 2);
  assert.equal(await run(['jobs', 'explode', '--database', database], out), 2);
});
