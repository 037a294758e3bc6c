// The bundles the e2e server serves, built the way `npm start` builds them. `npm test` builds them
// once before the e2e stage and sets TIERKIT_E2E_BUILT=1; a file run on its own builds them itself.
import { spawnSync } from 'node:child_process';

const root = new URL('../../..', import.meta.url).pathname;

/** Set by scripts/test.mjs once it has built both bundles for the whole stage. */
export const BUILT_ENV = 'TIERKIT_E2E_BUILT';

function npmRun(what: string, args: readonly string[]): void {
  if (process.env[BUILT_ENV] === '1') return;
  const r = spawnSync('npm', ['run', ...args], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${what} build failed:\n${r.stdout}\n${r.stderr}`);
}

/** The widget bundle the server serves at /widgets. */
export function buildWidgets(): void {
  npmRun('widget', ['build:bundles', '-w', '@tierkit/components']);
}

/** The admin console's bundle, served at /admin/assets/. */
export function buildConsole(): void {
  npmRun('console', ['build', '-w', '@tierkit/admin-console']);
}
