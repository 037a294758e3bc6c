// The portal's React page (./react) built with Vite, as the React team's own build makes it: @tierkit/*
// from this repository's sources through their `tierkit-source` condition (tests/embed builds the packed
// tarballs into a create-vite app, which needs the npm registry; this needs nothing but the checkout).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, defaultClientConditions } from 'vite';

const here = new URL('.', import.meta.url).pathname;

/** Builds the React page for `/react/` and returns the folder it was written to. */
export async function buildReactPortal(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'tierkit-portal-react-'));
  await build({
    configFile: false,
    root: join(here, 'react'),
    base: '/react/',
    logLevel: 'warn',
    resolve: { conditions: ['tierkit-source', ...defaultClientConditions] },
    // React 17+'s automatic runtime, as @vitejs/plugin-react sets it (esbuild compiles the TSX).
    esbuild: { jsx: 'automatic' },
    build: { outDir, emptyOutDir: true, minify: true },
  });
  return outDir;
}
