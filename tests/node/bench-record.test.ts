// `npm run bench` records each run in BENCHMARKS.md beside hand-written analysis and earlier figures;
// a run must replace only its own block, never the text around it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runBlock, spliceRun } from '../../scripts/bench-record.mjs';

const fixture = readFileSync(new URL('./fixtures/benchmarks.md', import.meta.url), 'utf8');
const run = (rel: string, output: string, status: number | null = 0) =>
  runBlock({ rel, output, status, date: '2026-12-04T14:00:00.000Z', node: 'v20.20.2', cpu: '2 × AMD EPYC' });
/** The file with every recorded block taken out (and the blank line around a new one): what a person wrote. */
const curated = (text: string) =>
  text.replace(/<!-- npm run bench: [^>]*-->[\s\S]*?<!-- \/npm run bench -->\n?/g, '').replace(/\n{3,}/g, '\n\n');

describe('recording a bench run in BENCHMARKS.md', () => {
  it('replaces the bench’s block with the new output, date, Node and CPU, and keeps every other line', () => {
    const out = spliceRun(fixture, 'bench/a.bench.ts', run('bench/a.bench.ts', 'a: 1.10× baseline ($1 kept as written)\n'));
    assert.ok(!out.includes('old output of a'), out);
    assert.ok(out.includes('```\na: 1.10× baseline ($1 kept as written)\n```'), out);
    assert.ok(out.includes('2026-12-04T14:00:00.000Z, Node v20.20.2, 2 × AMD EPYC'), out);
    assert.equal(curated(out), curated(fixture));
    assert.equal(out.split('\n')[0], '# Benchmarks');
    // Run again: still one block.
    const again = spliceRun(out, 'bench/a.bench.ts', run('bench/a.bench.ts', 'a: 1.05×'));
    assert.equal(again.match(/<!-- npm run bench: bench\/a\.bench\.ts -->/g)?.length, 1);
    assert.ok(again.includes('a: 1.05×') && !again.includes('a: 1.10×'));
  });

  it('inserts a block right under the heading of a bench that has none yet, a heading naming more than it too', () => {
    const out = spliceRun(fixture, 'bench/b.bench.ts', run('bench/b.bench.ts', 'b: 2.00×', 1));
    const at = out.indexOf('## bench/b.bench.ts and c.bench.ts\n');
    assert.ok(at > 0);
    const after = out.slice(at);
    assert.ok(after.indexOf('b: 2.00×') < after.indexOf('Analysis of b, never rewritten.'), out);
    assert.ok(after.includes('(exited 1)'));
    assert.equal(curated(out), curated(fixture));
  });

  it('appends a section at the end for a bench the file does not mention', () => {
    const out = spliceRun(fixture, 'bench/new.bench.ts', run('bench/new.bench.ts', 'new: 1.00×'));
    assert.ok(out.startsWith(fixture.trimEnd()), 'everything before is unchanged');
    const tail = out.slice(fixture.trimEnd().length);
    assert.match(
      tail,
      /^\n\n## bench\/new\.bench\.ts\n\n<!-- npm run bench: bench\/new\.bench\.ts -->\n[\s\S]*new: 1\.00×[\s\S]*<!-- \/npm run bench -->\n$/,
    );
  });
});
