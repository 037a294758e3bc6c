#!/usr/bin/env node
// `npm run dev`: the demo server as `npm start` runs it, plus rebuilding the widget bundles the server
// serves whenever a component (or what it imports) changes, and restarting the server when its own
// code changes (tsx watch follows the server's imports; the bundles are files it checks on every request
// and reads again once rebuilt).
import { spawn } from 'node:child_process';
import { context } from 'esbuild';
import { bundleOptions, entries } from '../packages/components/scripts/build.mjs';

const root = new URL('..', import.meta.url).pathname;
const outdir = `${root}packages/components/dist/`;

/** Logs each rebuild, so a developer sees that the page is worth reloading. */
const announce = (name) => ({
  name: 'announce',
  setup(b) {
    b.onEnd((r) => console.log(r.errors.length ? `widgets: ${name} failed to build` : `widgets: rebuilt ${name}`));
  },
});

const contexts = await Promise.all(
  Object.entries(entries).map(([name, entry]) =>
    context({ ...bundleOptions, entryPoints: [entry], outfile: outdir + name, plugins: [...bundleOptions.plugins, announce(name)] }),
  ),
);
await Promise.all(contexts.map((c) => c.watch()));

const server = spawn(
  process.execPath,
  [`${root}node_modules/tsx/dist/cli.mjs`, 'watch', '--clear-screen=false', 'apps/server/src/main.ts'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);

async function stop() {
  await Promise.all(contexts.map((c) => c.dispose()));
  server.kill('SIGTERM');
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
server.once('exit', (code) => {
  void Promise.all(contexts.map((c) => c.dispose())).then(() => process.exit(code ?? 0));
});
