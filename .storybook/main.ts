import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StorybookConfig } from '@storybook/web-components-vite';
import { defaultClientConditions } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

/*
 * The custom-elements manifest the components package ships is generated from the components' JSDoc
 * headers every time Storybook starts or builds, so autodocs never drift from the code (it is never
 * hand-written or committed).
 */
execFileSync(
  process.execPath,
  [
    fileURLToPath(new URL('../node_modules/@custom-elements-manifest/analyzer/cem.js', import.meta.url)),
    'analyze',
    '--config',
    'custom-elements-manifest.config.mjs',
  ],
  { cwd: `${root}packages/components`, stdio: ['ignore', 'ignore', 'inherit'] },
);

const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.ts'],
  addons: ['@storybook/addon-a11y', '@storybook/addon-docs'],
  framework: { name: '@storybook/web-components-vite', options: {} },
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
  viteFinal: (vite) => ({
    ...vite,
    // @tierkit/* from the sources (the packages' `tierkit-source` export condition): no prior build.
    resolve: { ...vite.resolve, conditions: ['tierkit-source', ...defaultClientConditions] },
    // Pre-bundling Lit would give the page a second copy ("multiple versions of Lit"), so it is
    // served as the same ESM modules the components import.
    optimizeDeps: {
      ...vite.optimizeDeps,
      exclude: [...(vite.optimizeDeps?.exclude ?? []), 'lit', 'lit-html', 'lit-element', '@lit/reactive-element', '@lit/context'],
    },
  }),
};

export default config;
