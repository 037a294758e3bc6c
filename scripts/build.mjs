#!/usr/bin/env node
// `npm run build`: every published package to dist/ (JavaScript + .d.ts, one module per source file),
// in dependency order, because each package compiles against the .d.ts of the ones it imports — the
// way a host app sees them. Components also get their CDN bundles and custom-elements.json.
// Development and `npm test` need none of this: in the repository @tierkit/* resolves to the sources
// (tsconfig paths; the `tierkit-source` export condition for Vite and web-test-runner).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
export const PACKAGES = ['core', 'client', 'components', 'admin', 'react', 'db', 'api', 'ops'];

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build: ${cmd} ${args.join(' ')} failed`);
    process.exit(r.status ?? 1);
  }
}

for (const name of PACKAGES) {
  const started = Date.now();
  rmSync(`${root}packages/${name}/dist`, { recursive: true, force: true });
  run('npm', ['run', 'build', '--silent', '-w', `packages/${name}`]);
  console.log(`built @tierkit/${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
