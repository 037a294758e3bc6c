import { spawnSync } from 'node:child_process';

const root = new URL('../../..', import.meta.url).pathname;

/** Builds the widget bundle the server serves at /widgets, as `npm start` does before starting. */
export function buildWidgets(): void {
  const r = spawnSync('npm', ['run', 'build:bundles', '-w', '@tierkit/components'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`widget build failed:\n${r.stdout}\n${r.stderr}`);
}
