// The customer's reads over HTTP, two or more servers compared in the same time window: each side is
// a checkout (this one, or another's root) and optional node flags, serving one seeded SQLite file
// through its own bench/api/serve.ts, beside this checkout's bare Hono + one-SELECT route. Rounds
// alternate bare and every side on every route, so a neighbour's load falls on all alike; each run
// also reads the server's own event-loop delay, collector pauses and CPU per request
// (bench/api/loop-stats.ts, preloaded). Prints medians per side; asserts nothing. Not run by
// `npm run bench` (it needs the other checkout).
// Run: node --import tsx bench/api/compare-reads.ts --side main=/tmp/main-copy --side branch=.
//        [--side 'semi=.|--max-semi-space-size=16'] [--db /tmp/reads.db] [--rounds 4] [--seconds 5]
//        [--routes embed|front|staff]   (staff: the front page and every scheme's tiers, API key, random customers: first asks)
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { seededReads } from './seeded-reads.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const values = (name: string) => process.argv.flatMap((a, i) => (a === `--${name}` ? [process.argv[i + 1] ?? ''] : []));
const one = (name: string, fallback: string) => values(name)[0] ?? fallback;
const ROUNDS = Number(one('rounds', '4'));
const SECONDS = Number(one('seconds', '5'));
const FILE = resolve(one('db', '/tmp/tierkit-compare-reads.db'));
const ROUTES = one('routes', 'embed');
const CONNECTIONS = 50;

interface Side {
  readonly name: string;
  readonly root: string;
  readonly flags: string[];
}
const sides: Side[] = values('side').map((s) => {
  const eq = s.indexOf('=');
  const [dir = '.', ...flags] = s.slice(eq + 1).split('|');
  return { name: s.slice(0, eq), root: resolve(dir), flags };
});
if (sides.length === 0) throw new Error('give at least one --side name=<checkout>[|node flag…]');

interface Server {
  readonly base: string;
  readonly child: ChildProcess;
  /** The server's loop and collector figures since the last call. */
  stats(): Promise<Record<string, number>>;
}

// Every server started, stopped when this process ends however it ends (one that fails to start included).
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) c.kill();
});
// Node runs no `exit` listener when a signal ends it: Ctrl-C or a kill would leave every server running.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

function start(dir: string, flags: readonly string[], mode: 'real' | 'bare'): Promise<Server> {
  const child = spawn(
    process.execPath,
    [...flags, '--import', 'tsx', '--import', join(root, 'bench/api/loop-stats.ts'), join(dir, 'bench/api/serve.ts'), mode, FILE],
    { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  let out = '';
  const waiting: ((s: Record<string, number>) => void)[] = [];
  return new Promise((done, fail) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      let nl = out.indexOf('\n');
      while (nl >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const port = /listening (\d+)/.exec(line);
        if (port)
          done({
            base: `http://127.0.0.1:${port[1]}`,
            child,
            stats: () =>
              new Promise((got) => {
                waiting.push(got);
                child.kill('SIGUSR2');
              }),
          });
        if (line.startsWith('loop-stats ')) waiting.shift()?.(JSON.parse(line.slice(11)) as Record<string, number>);
        nl = out.indexOf('\n');
      }
    });
    child.once('exit', (code) => fail(new Error(`${mode} server in ${dir} exited with ${code}`)));
  });
}

interface Run {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly errors: number;
  readonly server: Record<string, number>;
}

async function drive(server: Server, paths: readonly string[], headers: Record<string, string>): Promise<Run> {
  await server.stats();
  const r = await autocannon({
    url: server.base,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers,
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[Math.floor(Math.random() * paths.length)] ?? '/' }) }],
  });
  const stats = await server.stats();
  const usPerRequest = r.requests.total ? Math.round(((stats.cpuMs ?? 0) * 1000) / r.requests.total) : 0;
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    p999: r.latency.p99_9,
    errors: r.non2xx + r.errors,
    server: { ...stats, usPerRequest },
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

const { secret, token, ids } = await seededReads(FILE, 'compare-reads');

const embed = { Authorization: `Bearer ${token}` };
const key = { Authorization: `Bearer ${secret}` };
const routes: { name: string; paths: string[]; headers: Record<string, string> }[] =
  ROUTES === 'staff'
    ? [
        {
          name: 'tiers?scheme=retail-tier&locale=zh-CN, key, random',
          paths: ids.map((r) => `/v1/subjects/${r.external_id}/tiers?scheme=retail-tier&locale=zh-CN`),
          headers: key,
        },
        { name: 'tiers, key, random', paths: ids.map((r) => `/v1/subjects/${r.external_id}/tiers`), headers: key },
      ]
    : ROUTES === 'front'
      ? [
          {
            name: 'tiers?scheme=retail-tier&locale=zh-CN, key, random',
            paths: ids.map((r) => `/v1/subjects/${r.external_id}/tiers?scheme=retail-tier&locale=zh-CN`),
            headers: key,
          },
        ]
      : [
          { name: 'tiers, embed token', paths: ['/v1/subjects/C000003/tiers'], headers: embed },
          { name: 'tiers?locale=zh-CN, embed token', paths: ['/v1/subjects/C000003/tiers?locale=zh-CN'], headers: embed },
          { name: 'entitlements, embed token', paths: ['/v1/subjects/C000003/entitlements'], headers: embed },
          { name: 'history, embed token', paths: ['/v1/subjects/C000003/history'], headers: embed },
        ];
const barePaths = ids.map((r) => `/bare/${encodeURIComponent(r.id)}`);

const bare = await start(root, [], 'bare');
const servers = await Promise.all(sides.map((s) => start(s.root, s.flags, 'real')));
try {
  // Warm-up: JIT, caches, the kept bodies (a body is kept on its second ask).
  await drive(bare, barePaths, {});
  for (const s of servers) for (const r of routes) await drive(s, r.paths, r.headers);
  const runs = new Map<string, Run[]>();
  const push = (k: string, r: Run) => runs.set(k, [...(runs.get(k) ?? []), r]);
  for (let round = 0; round < ROUNDS; round++) {
    push('bare', await drive(bare, barePaths, {}));
    for (const r of routes)
      for (const [i, s] of servers.entries()) push(`${r.name}\u0000${sides[i]?.name}`, await drive(s, r.paths, r.headers));
    process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
  }
  const line = (label: string, xs: Run[], bareRps: number) => {
    const m = (f: (r: Run) => number) => median(xs.map(f));
    const ratio = bareRps ? ` ${(m((r) => r.rps) / bareRps).toFixed(2)}×` : '';
    console.log(
      `  ${label.padEnd(48)} ${Math.round(m((r) => r.rps))
        .toString()
        .padStart(
          6,
        )} req/s${ratio.padStart(7)}  p50 ${m((r) => r.p50)}  p99 ${m((r) => r.p99)}  p99.9 ${m((r) => r.p999)} ms | server ${m((r) => r.server.usPerRequest ?? 0)} µs/req, loop p99 ${m((r) => r.server.loopP99 ?? 0)} max ${m((r) => r.server.loopMax ?? 0)} ms, gc ${m((r) => r.server.gcCount ?? 0)}× ${m((r) => r.server.gcMs ?? 0)} ms (longest ${m((r) => r.server.gcLongest ?? 0)})${xs.some((r) => r.errors) ? '  ERRORS' : ''}`,
    );
  };
  console.log(`\n${CONNECTIONS} connections, ${SECONDS} s runs, ${ROUNDS} alternating rounds, medians; rps per round:`);
  const bareRuns = runs.get('bare') ?? [];
  const bareRps = median(bareRuns.map((r) => r.rps));
  line('bare Hono + 1 PK SELECT', bareRuns, 0);
  for (const r of routes)
    for (const s of sides) {
      const xs = runs.get(`${r.name}\u0000${s.name}`) ?? [];
      line(`${r.name} [${s.name}]`, xs, bareRps);
      console.log(
        `      rounds: ${xs.map((x) => Math.round(x.rps)).join(' / ')} (bare ${bareRuns.map((x) => Math.round(x.rps)).join(' / ')})`,
      );
    }
} finally {
  bare.child.kill();
  for (const s of servers) s.child.kill();
}
