// Starts the real server (apps/server) as a child process, the way `npm start` does, on a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../..', import.meta.url).pathname;

/** The ops bootstrap key the tests start the server with (TIERKIT_ADMIN_KEY), as a bank's server would hold one. */
export const ADMIN_KEY = 'tk_' + 'e2e'.repeat(11);

/** GET with the admin key, the way the bank's own backend calls the API. */
export function fetchAsBank(url: string): Promise<Response> {
  return fetch(url, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
}

export interface RunningServer {
  readonly url: string;
  readonly output: () => string;
  stop(): Promise<void>;
  /** `kill -9`: the process dies mid-whatever, as on an OOM kill or a lost host; resolves once it has. */
  kill(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh directory for one test's database file. */
export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'tierkit-e2e-'));
}

export async function startServer(env: Record<string, string>, timeoutMs = 180_000): Promise<RunningServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: root,
    // No monthly re-tier of the demo book in the background while the pages are measured and compared.
    env: { ...process.env, PORT: String(port), TIERKIT_ADMIN_KEY: ADMIN_KEY, TIERKIT_SCHEDULE: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before it was ready:\n${log}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not ready after ${timeoutMs} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    output: () => log,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/**
 * The bank's day (Asia/Shanghai, `YYYY-MM-DD`) `days` from today, and its last second as the console
 * sends it: an override expiry within the default pack's bound on the card tier (366 days).
 */
export function bankDayAhead(days: number): { readonly day: string; readonly lastSecond: string } {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(Date.now() + days * 86_400_000),
  );
  return { day, lastSecond: `${day}T15:59:59.000Z` };
}
