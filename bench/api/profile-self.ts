// Self time of a V8 `.cpuprofile` (node --cpu-prof), by file and by function, so a profile of a bench
// server reads as a table: where a request's CPU goes. Files are named from the repository's root
// (or node_modules/<package>, or node:<module>); V8's own entries keep their names ("(garbage
// collector)", "(program)", "(idle)"). Idle time is left out of the shares.
// Run: node --import tsx bench/api/profile-self.ts <file.cpuprofile> [--top 30] [--skip-seconds 5]
//   (--skip-seconds: leave out the first seconds of samples, e.g. a warm-up or a seeding)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Node {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface Profile {
  readonly nodes: readonly Node[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-self.ts <file.cpuprofile> [--top N] [--skip-seconds S]');
const opt = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const TOP = opt('top', 30);
const SKIP_US = opt('skip-seconds', 0) * 1e6;
const root = fileURLToPath(new URL('../../', import.meta.url));

const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const place = (url: string): string => {
  if (url === '') return '';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return `node_modules/${pkg[1]}`;
  if (path.startsWith(root)) return path.slice(root.length);
  return path;
};
const files = new Map<string, number>();
const functions = new Map<string, number>();
let total = 0;
let clock = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  clock += dt;
  if (clock < SKIP_US) continue;
  const node = byId.get(profile.samples[i] ?? -1);
  if (!node) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  if (functionName === '(idle)') continue;
  total += dt;
  const where = place(url);
  const fileKey = where || functionName;
  files.set(fileKey, (files.get(fileKey) ?? 0) + dt);
  const fnKey = where ? `${functionName || '(anonymous)'}  ${where}:${lineNumber + 1}` : functionName;
  functions.set(fnKey, (functions.get(fnKey) ?? 0) + dt);
}
const table = (title: string, m: Map<string, number>) => {
  console.log(`\n${title} (self time, of ${(total / 1e6).toFixed(2)} s not idle)`);
  for (const [k, us] of [...m].sort((x, y) => y[1] - x[1]).slice(0, TOP))
    console.log(`  ${((us / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
};
table('By file', files);
table('By function', functions);
