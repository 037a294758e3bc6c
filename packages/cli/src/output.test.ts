import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, it } from 'node:test';
import { actionLine } from './output.js';
import { runCaptured } from './run-captured.js';

const bin = fileURLToPath(new URL('./bin.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tierkit-cli-pipe-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Run the CLI with its stdout into a pipe whose reader has already gone, as `… | head -1` does. */
function runIntoClosedPipe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader goes before the first line is written: every write of the child fails with EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

it('a reader that stops early (| head) ends the command quietly with its own exit code', { timeout: 60_000 }, async () => {
  const database = join(dir, 'pipe.db');
  // Made first: `tenants list` and `jobs show` refuse a file that does not exist (missing-database.test.ts).
  assert.equal((await runCaptured(['migrate', '--database', database])).code, 0);
  for (const [args, code] of [
    [['--help'], 0],
    // `jobs list` on a database without the tenant is a refusal now (a mistyped tenant): `tenants list` is
    // the command that writes its table to the closed pipe and succeeds.
    [['tenants', 'list', '--database', database], 0],
    [['jobs', 'show', 'job_nope', '--database', database], 1],
  ] as const) {
    const r = await runIntoClosedPipe([...args]);
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled 'error'|\n\s+at /, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
  }
});

it('a line reporting an action says its time in UTC with the zone, as a worker’s lines do; a JSON record under TIERKIT_LOG_FORMAT=json', () => {
  const at = new Date('2026-12-06T02:15:04.112+08:00');
  const was = process.env.TIERKIT_LOG_FORMAT;
  try {
    delete process.env.TIERKIT_LOG_FORMAT;
    assert.equal(actionLine('added E1 in tenant bank', at), '2026-12-05T18:15:04.112Z INFO  added E1 in tenant bank');
    process.env.TIERKIT_LOG_FORMAT = 'json';
    assert.deepEqual(JSON.parse(actionLine('revoked key_1', at)), {
      time: '2026-12-05T18:15:04.112Z',
      level: 'info',
      msg: 'revoked key_1',
    });
  } finally {
    if (was === undefined) delete process.env.TIERKIT_LOG_FORMAT;
    else process.env.TIERKIT_LOG_FORMAT = was;
  }
});
