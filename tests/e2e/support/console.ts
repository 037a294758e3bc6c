// The admin console's e2e setup: its bundle built, the real server on a fresh database with a small
// demo book, and Chromium — started before the file's tests and stopped after them.
import { after, before } from 'node:test';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { SHOTS } from './axe.js';
import { launchBrowser } from './browser.js';
import { startServer, tempDataDir, type RunningServer } from './server.js';

const root = new URL('../../..', import.meta.url).pathname;

export interface ConsoleRun {
  readonly server: RunningServer;
  readonly browser: Browser;
}

/** Register the setup with node:test; the returned object is filled once `before` has run. */
export function consoleRun(demoCustomers: number): ConsoleRun {
  const run = {} as { server: RunningServer; browser: Browser };
  before(async () => {
    const built = spawnSync('npm', ['run', 'build', '-w', '@tierkit/admin-console'], { cwd: root, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`console build failed:\n${built.stdout}\n${built.stderr}`);
    run.server = await startServer({ DATABASE_URL: join(tempDataDir(), 'tierkit.db'), DEMO_CUSTOMERS: String(demoCustomers) });
    run.browser = await launchBrowser();
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await run.browser?.close();
    await run.server?.stop();
  });
  return run;
}
