// A portal team's first hour with tierkit, outside this repository: `npm pack` the packages, install
// the tarballs into three fresh apps (Vite + React 19 from the React-TS template with its own
// tsconfig; Vite + Vue 3 from the Vue-TS template; a plain HTML page with the unbundled ESM through an
// import map), type-check and build each the way the app's own scripts do, then open each in Chromium
// against the real server: connected and controlled widgets render, events reach the framework,
// locale and theme switch, and the console stays clean.
//
// Installs come from the npm registry through one cache (`TIERKIT_EMBED_CACHE`, default in the
// system's temp folder) that later runs reuse; the three apps install once per run, in parallel.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../e2e/support/browser.js';
import { ADMIN_KEY, freePort, startServer, tempDataDir, type RunningServer } from '../e2e/support/server.js';

const root = new URL('../..', import.meta.url).pathname;
const appsSource = join(root, 'tests/embed/apps');
/** The packages a portal team installs, in the order they depend on each other. */
const PACKED = ['core', 'client', 'components', 'react'] as const;
/** Pinned: the template, and so the tsconfig the apps compile with, stays the same from run to run. */
const CREATE_VITE = 'create-vite@7.1.3';
const SUBJECT = 'C000003';

const cache = process.env['TIERKIT_EMBED_CACHE'] ?? join(tmpdir(), 'tierkit-embed-npm-cache');
const work = mkdtempSync(join(tmpdir(), 'tierkit-embed-'));
// Nothing of the repository's own npm or Node setup may leak into the apps.
const env: NodeJS.ProcessEnv = {
  ...process.env,
  npm_config_cache: cache,
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
};
for (const k of Object.keys(env)) if (k.startsWith('npm_package_') || k === 'npm_config_workspace' || k === 'NODE_OPTIONS') delete env[k];

/** Runs a command, failing with its output when it fails. */
function run(cmd: string, args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${code}:\n${out}`)),
    );
  });
}

interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function editPackageJson(file: string, edit: (json: PackageJson) => void): void {
  const json = JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
  edit(json);
  writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
}

/** `file:` dependencies on every tarball: npm then satisfies their dependencies on each other locally. */
function tarballDeps(packs: string): Record<string, string> {
  const files = readdirSync(packs);
  return Object.fromEntries(
    PACKED.map((name) => {
      const file = files.find((f) => f.startsWith(`tierkit-${name}-`));
      assert.ok(file, `no tarball for @tierkit/${name} in ${packs}`);
      return [`@tierkit/${name}`, `file:${join(packs, file)}`];
    }),
  );
}

/** A Vite template app, its lint tooling removed (not part of type-check and build), our tarballs added. */
async function templateApp(name: string, template: string, packs: string, extra: Record<string, string> = {}): Promise<string> {
  await run('npx', ['--yes', CREATE_VITE, name, '--template', template, '--no-interactive'], work);
  const dir = join(work, name);
  editPackageJson(join(dir, 'package.json'), (p) => {
    const dev = p.devDependencies ?? {};
    for (const dep of Object.keys(dev)) if (/eslint|^globals$/.test(dep)) delete dev[dep];
    p.dependencies = { ...p.dependencies, ...tarballDeps(packs), ...extra };
  });
  return dir;
}

/** The plain page: an import map over the installed packages' files, and TypeScript only to check main.js. */
async function plainApp(packs: string): Promise<string> {
  const dir = join(work, 'plain');
  mkdirSync(dir);
  cpSync(join(appsSource, 'plain'), dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'plain',
        private: true,
        type: 'module',
        dependencies: { ...tarballDeps(packs), lit: '^3.3.0' },
        devDependencies: { typescript: '~5.9.3' },
      },
      null,
      2,
    ),
  );
  return dir;
}

/** Entries for the plain page's import map: every bare specifier the unbundled modules import. */
function importMap(dir: string): string {
  const nm = './node_modules';
  const pkgDir = (name: string) => {
    const p = join(dir, 'node_modules', name);
    assert.ok(existsSync(p), `${name} not installed flat in the plain app`);
    return `${nm}/${name}`;
  };
  const imports: Record<string, string> = {
    lit: `${pkgDir('lit')}/index.js`,
    'lit/': `${pkgDir('lit')}/`,
    'lit-html': `${pkgDir('lit-html')}/lit-html.js`,
    'lit-html/': `${pkgDir('lit-html')}/`,
    'lit-element/lit-element.js': `${pkgDir('lit-element')}/lit-element.js`,
    'lit-element/': `${pkgDir('lit-element')}/`,
    '@lit/reactive-element': `${pkgDir('@lit/reactive-element')}/reactive-element.js`,
    '@lit/reactive-element/': `${pkgDir('@lit/reactive-element')}/`,
    '@lit/context': `${pkgDir('@lit/context')}/index.js`,
    '@tierkit/core/mask': `${pkgDir('@tierkit/core')}/dist/format/mask.js`,
    '@tierkit/core/money': `${pkgDir('@tierkit/core')}/dist/format/money.js`,
    '@tierkit/core/period': `${pkgDir('@tierkit/core')}/dist/format/period.js`,
    '@tierkit/core/progress': `${pkgDir('@tierkit/core')}/dist/format/progress-sentence.js`,
    '@tierkit/client': `${pkgDir('@tierkit/client')}/dist/index.js`,
    '@tierkit/components': `${pkgDir('@tierkit/components')}/dist/index.js`,
    '@tierkit/components/define': `${pkgDir('@tierkit/components')}/dist/define.js`,
  };
  return JSON.stringify({ imports });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** Serves a folder as a static site on a free port (a separate origin per app, as on a bank's CDN). */
async function serve(dir: string): Promise<{ origin: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${port}`, server };
}

interface App {
  readonly name: string;
  readonly dir: string;
  origin?: string;
  server?: Server;
}
const apps: App[] = [];
let api: RunningServer;
let browser: Browser;
let token: string;

before(async () => {
  const started = Date.now();
  const packs = join(work, 'packs');
  mkdirSync(packs);
  await run('node', ['scripts/build.mjs'], root);
  await run('npm', ['pack', ...PACKED.flatMap((p) => ['-w', `packages/${p}`]), '--pack-destination', packs], root);

  const [react, vue, plain] = await Promise.all([
    templateApp('react', 'react-ts', packs),
    templateApp('vue', 'vue-ts', packs),
    plainApp(packs),
  ]);
  cpSync(join(appsSource, 'react/App.tsx'), join(react, 'src/App.tsx'));
  cpSync(join(appsSource, 'vue/App.vue'), join(vue, 'src/App.vue'));
  cpSync(join(appsSource, 'vue/vite.config.mts'), join(vue, 'vite.config.ts'));
  await Promise.all([react, vue, plain].map((dir) => run('npm', ['install'], dir)));
  writeFileSync(join(plain, 'index.html'), readFileSync(join(plain, 'index.html'), 'utf8').replace('IMPORT_MAP', importMap(plain)));
  console.log(`# embed: packed, created and installed three apps in ${Math.round((Date.now() - started) / 1000)} s`);
  apps.push({ name: 'react', dir: react }, { name: 'vue', dir: vue }, { name: 'plain', dir: plain });

  api = await startServer({ DATABASE_URL: join(tempDataDir(), 'tierkit.db'), DEMO_CUSTOMERS: '300' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await api?.stop();
  await Promise.all(apps.map((a) => new Promise((resolve) => (a.server ? a.server.close(resolve) : resolve(undefined)))));
  rmSync(work, { recursive: true, force: true });
});

describe('installed from tarballs into fresh apps', () => {
  it('React 19 (React-TS template): type-checks with the template tsconfig and builds', async () => {
    const app = apps[0]!;
    // The template's own `build` script: `tsc -b && vite build`.
    await run('npm', ['run', 'build'], app.dir);
    // Its tsconfig skips library checking; check our declarations too, under its settings.
    await run('npx', ['tsc', '-p', 'tsconfig.app.json', '--skipLibCheck', 'false', '--noEmit'], app.dir);
  });

  it('Vue 3 (Vue-TS template): type-checks with vue-tsc and builds', async () => {
    await run('npm', ['run', 'build'], apps[1]!.dir);
  });

  it('plain HTML: its script type-checks against the shipped declarations and tag map', async () => {
    await run(
      'npx',
      [
        'tsc',
        '--noEmit',
        '--allowJs',
        '--checkJs',
        '--strict',
        '--target',
        'es2022',
        '--module',
        'esnext',
        '--moduleResolution',
        'bundler',
        '--lib',
        'es2022,dom,dom.iterable',
        'main.js',
      ],
      apps[2]!.dir,
    );
  });

  it('ships declarations, the manifest and no TypeScript sources', () => {
    const pkg = join(apps[2]!.dir, 'node_modules/@tierkit/components');
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { customElements: string };
    assert.ok(existsSync(join(pkg, manifest.customElements)), 'custom-elements.json is in the package');
    assert.ok(existsSync(join(pkg, 'dist/tier-badge/tier-badge.d.ts')));
    assert.ok(!existsSync(join(pkg, 'src')), 'sources stay out of the tarball');
  });
});

describe('open in Chromium against the real server', () => {
  before(async () => {
    for (const app of apps) {
      const { origin, server } = await serve(app.name === 'plain' ? app.dir : join(app.dir, 'dist'));
      app.origin = origin;
      app.server = server;
    }
    // The bank's backend mints the customer's embed token for the pages' origins.
    const r = await fetch(`${api.url}/v1/embed-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: SUBJECT, origins: apps.map((a) => a.origin) }),
    });
    assert.equal(r.status, 201, await r.clone().text());
    token = ((await r.json()) as { token: string }).token;
  });

  for (const name of ['react', 'vue', 'plain'] as const) {
    it(`${name}: renders connected and controlled, events reach the app, locale and theme switch, clean console`, async () => {
      const app = apps.find((a) => a.name === name)!;
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${String(e)}`));
      page.on('response', (r) => {
        if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
      });
      const reads: string[] = [];
      page.on('request', (r) => reads.push(r.url()));
      try {
        await page.goto(`${app.origin}/?${new URLSearchParams({ api: api.url, token, subject: SUBJECT })}`);
        await checkPage(page);
        // A timeline given its page size as the template's digits (Vue's `page-size="6"`, React's raw
        // `pageSize="6"`, both typed for it) asks for pages of six.
        if (name !== 'plain')
          assert.ok(
            reads.some((u) => /\/history\?(.*&)?limit=6(&|$)/.test(u)),
            `a history page of 6 in:\n${reads.join('\n')}`,
          );
      } catch (err) {
        // What the page logged usually says why it never rendered.
        throw new Error(`${String(err)}\npage problems:\n${problems.join('\n')}`);
      } finally {
        await page.close();
      }
      assert.deepEqual(problems, [], 'the console stays clean');
    });
  }
});

const CJK = /[\u4e00-\u9fff]/;
/** What a badge shows: its own text (the host is the pill) or its shadow root's. */
const badgeText = (page: Page, id: string) =>
  page.$eval(`#${id}`, (el) => `${el.shadowRoot?.textContent ?? ''}`.replace(/\s+/g, ' ').trim());
const settled = (text: string) => text !== '' && !/加载|載入|Loading/i.test(text);

async function checkPage(page: Page): Promise<void> {
  // Connected: the badge inside the provider fetched the customer's level through the token.
  // A framework may render the badge before it hands the provider its subject: "no customer" is a
  // passing state there, not the answer (it never settles on it when the subject arrives).
  await page.waitForFunction(() => {
    const t = document.querySelector('#connected')?.shadowRoot?.textContent?.trim() ?? '';
    return t !== '' && !/加载|Loading|未指定客户|No customer selected/i.test(t);
  });
  const connectedZh = await badgeText(page, 'connected');
  assert.match(connectedZh, CJK, `a zh-CN level name, got "${connectedZh}"`);
  // Controlled: the badge outside any provider shows the data the app set.
  await page.waitForFunction(() => (document.querySelector('#controlled')?.shadowRoot?.textContent?.trim() ?? '') !== '');
  const controlledZh = await badgeText(page, 'controlled');
  assert.ok(settled(controlledZh) && CJK.test(controlledZh), `controlled badge in zh-CN, got "${controlledZh}"`);
  assert.equal(controlledZh, connectedZh, 'controlled and connected show the same level');
  // The panel and timeline rendered content, not a "no customer" or error state.
  await page.waitForFunction(() => !!document.querySelector('#panel')?.shadowRoot?.querySelector('[part="base"]'));
  await page.waitForFunction(() => !!document.querySelector('#timeline')?.shadowRoot?.querySelector('[part="event"]'));
  // Events reach the framework: the app's own state recorded the badge's tk-load.
  await page.waitForFunction(() => (document.querySelector('#loads')?.textContent ?? '').includes('tiers'));

  // Locale switches at run time, through the framework's state.
  const surfaceBefore = await page.$eval('#provider', (el) => getComputedStyle(el).getPropertyValue('--tk-color-surface').trim());
  await page.click('#en');
  await page.waitForFunction(() => {
    const t = document.querySelector('#connected')?.shadowRoot?.textContent ?? '';
    return t.trim() !== '' && !/[\u4e00-\u9fff]/.test(t);
  });
  await page.waitForFunction(() => !/[\u4e00-\u9fff]/.test(document.querySelector('#controlled')?.shadowRoot?.textContent ?? '国'));
  assert.match(await badgeText(page, 'connected'), /[A-Za-z]/);

  // Theme switches: the provider's tokens change to the dark set.
  await page.click('#dark');
  await page.waitForFunction(
    (before) => getComputedStyle(document.querySelector('#provider')!).getPropertyValue('--tk-color-surface').trim() !== before,
    surfaceBefore,
  );
}
