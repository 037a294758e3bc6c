// `npm start` with its port already taken (a second server, another program) says so in one line and
// exits 1 at once: before, it migrated and seeded a new database for ~45 s and only then failed `listen`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ADMIN_KEY, freePort, tempDataDir } from './support/server.js';

const root = new URL('../..', import.meta.url).pathname;

describe('a server whose port is in use', () => {
  it('exits 1 with the one-line reason before it opens or seeds the database', async () => {
    const port = await freePort();
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(port, '127.0.0.1', r));
    const database = join(tempDataDir(), 'tierkit.db');
    try {
      const started = Date.now();
      const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
        cwd: root,
        env: { ...process.env, PORT: String(port), DATABASE_URL: database, TIERKIT_ADMIN_KEY: ADMIN_KEY, TIERKIT_SCHEDULE: 'off' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      const took = Date.now() - started;
      assert.equal(code, 1);
      // One record at ERROR, as every line the server writes: its UTC time, the level, the reason.
      assert.match(stderr.trim(), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z ERROR +[^\n]+$/);
      assert.equal(
        stderr.trim().replace(/^\S+ ERROR +/, ''),
        `tierkit server: cannot start: 127.0.0.1:${port} is already in use (another tierkit server?): stop it or set PORT to a free port`,
      );
      assert.doesNotMatch(stdout, /seed/i, 'nothing was seeded');
      assert.equal(existsSync(database), false, 'the database was never opened');
      // tsx's start-up is the rest; the seed alone took ~45 s.
      assert.ok(took < 30_000, `failed after ${took} ms`);
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });
});
