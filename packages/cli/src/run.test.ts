import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { connect } from '@tierkit/db';
import { run } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'tierkit-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('an operator migrates, seeds once, and is told when there is nothing to do', async () => {
  const database = join(dir, 'cli.db');
  const lines: string[] = [];
  const out = (l: string) => lines.push(l);
  assert.equal(await run(['migrate', '--database', database], out), 0);
  assert.ok(lines.some((l) => l.includes('migrated: 2025-11-23T00-00-00-initial')));
  assert.equal(await run(['seed', '--database', database, '--customers', '20'], out), 0);
  assert.equal(await run(['seed', '--database', database, '--customers', '20'], out), 0);
  assert.ok(lines.some((l) => l.includes('already seeded')));
  const db = connect({ url: database });
  const { n } = await db.db.selectFrom('subjects').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'customer').executeTakeFirstOrThrow();
  await db.close();
  assert.equal(Number(n), 20);
});

it('unknown commands print the usage and fail', async () => {
  const lines: string[] = [];
  assert.equal(await run(['frobnicate'], (l) => lines.push(l)), 2);
  assert.match(lines.join('\n'), /Usage: tierkit/);
});
