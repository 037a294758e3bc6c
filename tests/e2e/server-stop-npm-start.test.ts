// A process manager, systemd or `docker stop` signals only the pid it started: for `npm start` that is npm.
// The server behind it must get the SIGTERM and go, not stay listening as an orphan of init.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { freePort, tempDataDir } from './support/server.js';

const root = new URL('../..', import.meta.url).pathname;

/** Every living process whose parent chain leads to `pid` (Linux /proc). */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command may hold spaces and parentheses: the ppid is the second field after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(entry), Number(fields[1]));
    } catch {
      // ended while we read
    }
  }
  const found: number[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const children = [...parent].filter(([, ppid]) => frontier.includes(ppid)).map(([child]) => child);
    found.push(...children);
    frontier = children;
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // A zombie has ended; only its parent has not read its status yet.
    return state.slice(state.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return check();
}

let leftovers: number[] = [];
after(() => {
  // Whatever the outcome, nothing this test started outlives it.
  for (const pid of leftovers) if (alive(pid)) process.kill(pid, 'SIGKILL');
});

describe('stopping `npm start` by its pid', () => {
  it('delivers SIGTERM to the server: the port is released and no process of the tree survives', async () => {
    const port = await freePort();
    const npm = spawn('npm', ['start'], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        DATABASE_URL: join(tempDataDir(), 'tierkit.db'),
        TIERKIT_SEED_DEMO: 'off',
        TIERKIT_SCHEDULE: 'off',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    npm.stdout.on('data', (d: Buffer) => (log += d.toString()));
    npm.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
    const ready = await until(async () => {
      if (npm.exitCode !== null) return true;
      try {
        return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
      } catch {
        return false;
      }
    }, 300_000);
    assert.ok(ready && npm.exitCode === null, `npm start serves /healthz:\n${log}`);
    const tree = descendants(npm.pid!);
    leftovers = tree;
    assert.ok(tree.length > 0, 'npm runs the server in a child process');

    npm.kill('SIGTERM');
    await exited;
    const gone = await until(() => tree.every((pid) => !alive(pid)), 30_000);
    assert.ok(gone, `no process of npm start's tree outlives it; still running: ${tree.filter(alive).join(', ')}\n${log}`);
    assert.ok(await portFree(port), `port ${port} is released`);
    assert.match(log, /SIGTERM: shutting down/, 'the server itself got the signal and shut down cleanly');
  });
});
