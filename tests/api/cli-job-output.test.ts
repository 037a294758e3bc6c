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

it('jobs show says how many customers a re-tier skipped, not only how many it went through', async () => {
  // Every seeded customer is evaluated at the last complete month: a re-tier of the month before skips them all.
  const [year, month] = lastCompleteMonth().split('-').map(Number) as [number, number];
  const earlier = month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
  const ran = await tierkit('retier', '--period', earlier, '--reason', 'restatement', '--json');
  assert.equal(ran.code, 0, ran.err.join('\n'));
  const id = (JSON.parse(ran.out.at(-1) ?? '') as { id: string }).id;
  const shown = await tierkit('jobs', 'list');
  const line = shown.out.find((l) => l.startsWith(id)) ?? '';
  assert.match(line, /subjects (\d+)\/\1 \(0 re-evaluated, \1 left alone\)/, line);
  // And jobs show says in one line that nothing was re-evaluated, with the reasons a job records (no filter: not that one).
  const total = /subjects (\d+)\//.exec(line)?.[1];
  const details = await tierkit('jobs', 'show', id);
  assert.equal(details.code, 0, details.err.join('\n'));
  const why = details.out.filter((l) => l.includes('left alone for one of these reasons'));
  assert.equal(why.length, 1, details.out.join('\n'));
  assert.ok(why[0]?.startsWith(`nothing re-evaluated: all ${total} left alone, levels unchanged;`), why[0]);
  assert.match(why[0] ?? '', /already evaluated at a later month, closed, or with neither a level nor data \(/);
  assert.doesNotMatch(why[0] ?? '', /filter/);
});
