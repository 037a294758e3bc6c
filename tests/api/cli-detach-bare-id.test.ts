import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { lastCompleteMonth } from '@tierkit/ops';
import { run } from '../../packages/cli/src/run.js';

/*
 * `tierkit retier --detach` is how a script queues the month and keeps the job to follow it:
 * `job=$(tierkit retier --period … --detach)`. The README promises the job id; it printed
 * `queued job_…`, which a script then passed on to `jobs show` and got "no such job".
 */

const dir = mkdtempSync(join(tmpdir(), 'tierkit-detach-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function tierkit(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(
    [...argv, '--database', join(dir, 'tierkit.db'), '--tenant', 'bank-a'],
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out, err };
}

it('retier --detach prints the bare job id on stdout, which jobs show then takes as it is', async () => {
  const seeded = await tierkit('seed', '--customers', '20');
  assert.equal(seeded.code, 0, seeded.err.join('\n'));
  const queued = await tierkit('retier', '--period', lastCompleteMonth(), '--detach', '--reason', 'month end');
  assert.equal(queued.code, 0, queued.err.join('\n'));
  assert.equal(queued.out.length, 1, queued.out.join('\n'));
  const id = queued.out[0] ?? '';
  assert.match(id, /^\S+$/, 'the id alone, nothing around it');
  const shown = await tierkit('jobs', 'show', id, '--json');
  assert.equal(shown.code, 0, shown.err.join('\n'));
  assert.equal((JSON.parse(shown.out.join('\n')) as { id: string }).id, id);
});
