// Browser tests of the web components, in the machine's Chromium (no browser download).
// Run: npx web-test-runner --config web-test-runner.config.mjs [--files <glob>]
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromeLauncher } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { CHROME_ARGS, CHROME_PATH } from './tests/support/chromium.mjs';

// The plugin passes the file's raw text to esbuild, which does not follow `extends`: give it the base
// config that holds the compiler settings (useDefineForClassFields) directly.
const tsconfig = fileURLToPath(new URL('./tsconfig.base.json', import.meta.url));
const userDataDir = mkdtempSync(join(tmpdir(), 'tk-wtr-'));

/**
 * `executeServerCommand('forced-colors', 'active' | 'none')`: Windows high contrast, which the stock
 * `emulateMedia` command cannot set under the Chrome launcher (it passes only colour scheme and motion).
 */
const forcedColors = {
  name: 'forced-colors',
  async executeCommand({ command, payload, session }) {
    if (command !== 'forced-colors') return undefined;
    await session.browser.getPage(session.id).emulateMediaFeatures([{ name: 'forced-colors', value: payload }]);
    return true;
  },
};

export default {
  files: ['packages/components/src/**/*.test.ts', 'tests/browser/**/*.test.ts'],
  // `tierkit-source`: @tierkit/* from the sources, so the tests need no prior build.
  nodeResolve: { exportConditions: ['tierkit-source', 'browser', 'development'] },
  // One file at a time: the 10,000-row timeline tests and axe are CPU-heavy on 2 cores.
  concurrency: 1,
  testsFinishTimeout: 180_000,
  testFramework: { config: { timeout: 10_000 } },
  plugins: [esbuildPlugin({ ts: true, tsconfig, target: 'es2022' }), forcedColors],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: CHROME_PATH,
        args: [
          ...CHROME_ARGS,
          `--user-data-dir=${userDataDir}`,
          // Element.computedRole / computedName: tests read the role and name Chromium's accessibility
          // tree gives an element — the only way to check a name set through ElementInternals.
          '--enable-blink-features=ComputedAccessibilityInfo',
        ],
      },
    }),
  ],
};
