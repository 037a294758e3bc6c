// The admin console under test: its bundle built (once per `npm test`, see builds.ts), the real server
// started, Chromium launched — once per test file, stopped after it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import { SHOTS } from './axe.js';
import { launchBrowser } from './browser.js';
import { buildConsole } from './builds.js';
import { type RunningServer, startServer, tempDataDir } from './server.js';

export interface ConsoleUnderTest {
  server: RunningServer;
  browser: Browser;
  /** The server's database, for what only the CLI and library functions do (API keys). */
  databaseUrl: string;
}

/** Registers before/after hooks; the returned object is filled in by `before`. */
export function consoleUnderTest(demoCustomers: number, env: Record<string, string> = {}): ConsoleUnderTest {
  const t = {} as ConsoleUnderTest;
  before(async () => {
    buildConsole();
    t.databaseUrl = env.DATABASE_URL ?? join(tempDataDir(), 'tierkit.db');
    t.server = await startServer({ DATABASE_URL: t.databaseUrl, DEMO_CUSTOMERS: String(demoCustomers), ...env });
    t.browser = await launchBrowser();
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await t.browser?.close();
    await t.server?.stop();
  });
  return t;
}
