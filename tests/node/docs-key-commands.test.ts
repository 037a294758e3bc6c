// The key-creation commands the docs show, as a reader copies them: `tierkit keys create` refuses one
// without --tenant, --role and --label ("keys create needs --tenant, --role and --label"), which a
// portal team met copying `tierkit keys create --role embedder` from the components README.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Every Markdown file git tracks (node_modules and build output are not). */
const docs = execFileSync('git', ['ls-files', '*.md'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);

describe('docs: key-creation commands', () => {
  it('every `tierkit keys create` that names a role names --tenant and --label too', () => {
    const incomplete: string[] = [];
    for (const file of docs) {
      // A command wrapped over two lines of prose reads as one.
      const text = readFileSync(`${root}/${file}`, 'utf8').replace(/\s*\n\s*/g, ' ');
      // A command as typed (`tierkit …` or `npx tsx packages/cli/src/bin.ts …`); prose naming an option
      // (`keys create --staff`) or a choice of roles (`--role officer|approver|admin`) is not one.
      for (const m of text.matchAll(/(?:tierkit|bin\.ts) keys create((?: +--[\w-]+(?: +(?!--)(?:"[^"]*"|[^\s`"|]+)(?![|\w]))?)+)/g)) {
        const options = m[1]!;
        if (!/--role \w/.test(options)) continue;
        if (!['--tenant', '--role', '--label'].every((o) => new RegExp(`${o}\\b`).test(options)))
          incomplete.push(`${file}: keys create${options}`);
      }
    }
    assert.deepEqual(incomplete, []);
  });
});
