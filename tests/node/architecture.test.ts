// The dependency direction of docs/architecture.md, checked on every import so a shortcut cannot creep in:
// core knows no I/O, the components know no server code, the client knows only core's types.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

function sources(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.tsx?$/.test(name) && !/\.(test|bench)\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

/** Every module specifier a file imports or re-exports, with whether it is type-only. */
function imports(file: string): { spec: string; typeOnly: boolean }[] {
  const text = readFileSync(file, 'utf8');
  const found: { spec: string; typeOnly: boolean }[] = [];
  const re =
    /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(re)) {
    const spec = m[3] ?? m[4] ?? m[5];
    if (spec) found.push({ spec, typeOnly: Boolean(m[2]) });
  }
  return found;
}

const nodeBuiltin = /^(node:|fs$|path$|http$|https$|crypto$|os$|child_process$|stream$|url$|worker_threads$)/;

function violations(pkgDir: string, forbidden: (spec: string, typeOnly: boolean) => string | null): string[] {
  const out: string[] = [];
  for (const file of sources(join(root, pkgDir))) {
    for (const { spec, typeOnly } of imports(file)) {
      const why = forbidden(spec, typeOnly);
      if (why) out.push(`${relative(root, file)} imports '${spec}': ${why}`);
    }
  }
  return out;
}

describe('dependency direction', () => {
  it('core imports no I/O, no framework and no other tierkit package', () => {
    assert.deepEqual(
      violations('packages/core/src', (s) =>
        nodeBuiltin.test(s)
          ? 'core must stay free of I/O'
          : /^(lit|@lit|hono|@hono|kysely|pg|better-sqlite3|react)/.test(s)
            ? 'core imports no framework'
            : s.startsWith('@tierkit/')
              ? 'core depends on nothing of ours'
              : null,
      ),
      [],
    );
  });

  it('the client uses core for types only and never reaches the server packages', () => {
    assert.deepEqual(
      violations('packages/client/src', (s, typeOnly) =>
        /^@tierkit\/(api|db|cli|components)(\/|$)/.test(s)
          ? 'the client knows only the wire contract'
          : s === '@tierkit/core' && !typeOnly
            ? 'the client imports core types only (import type)'
            : nodeBuiltin.test(s)
              ? 'the client runs in browsers'
              : null,
      ),
      [],
    );
  });

  it('components never import server code or Node modules', () => {
    assert.deepEqual(
      violations('packages/components/src', (s) =>
        /^@tierkit\/(api|db|cli)(\/|$)/.test(s)
          ? 'components know no server code'
          : nodeBuiltin.test(s)
            ? 'components run in browsers'
            : null,
      ),
      [],
    );
  });

  it('db and api never import the browser packages', () => {
    const rule = (s: string) => (/^(@tierkit\/(components|client|react)|lit|@lit)/.test(s) ? 'server code knows no widgets' : null);
    assert.deepEqual([...violations('packages/db/src', rule), ...violations('packages/api/src', rule)], []);
  });

  it('the admin kit’s cores import no DOM, no Lit and no server code; only its Lit adapter knows Lit', () => {
    const server = /^@tierkit\/(api|db|cli)(\/|$)/;
    assert.deepEqual(
      violations('packages/admin/src/core', (s) =>
        server.test(s)
          ? 'the kit knows the API only through @tierkit/client'
          : /^(lit|@lit|react|vue)/.test(s) || s.startsWith('@tierkit/components')
            ? 'cores are framework-agnostic: adapters live in src/lit'
            : nodeBuiltin.test(s)
              ? 'cores run in browsers'
              : null,
      ),
      [],
    );
    // No DOM either: the cores compile and run in Node, whose globals have no document or element.
    // `document` and `window` count where used as globals (`document.x`, `window[…]`), not as a
    // property or a field path (a policy version's `document`, 'document.policy.levels[0]').
    const dom = /\b(HTMLElement|customElements|localStorage|sessionStorage)\b|(?<![.\w'"`$-])(document|window)\s*[.[(]/;
    const touching = sources(join(root, 'packages/admin/src/core')).filter((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .some((line) => !/^\s*(\*|\/\/|\/\*)/.test(line) && dom.test(line)),
    );
    assert.deepEqual(
      touching.map((f) => relative(root, f)),
      [],
      'no DOM global in a core',
    );
    assert.deepEqual(
      violations('packages/admin/src/lit', (s) => (server.test(s) ? 'the kit knows the API only through @tierkit/client' : null)),
      [],
    );
  });

  it('the admin console is built from the kit and the components only', () => {
    assert.deepEqual(
      violations('apps/admin/src', (s) =>
        /^@tierkit\/(api|db|cli)(\/|$)/.test(s)
          ? 'the console knows the API only through the kit and the client'
          : nodeBuiltin.test(s)
            ? 'the console runs in browsers'
            : null,
      ),
      [],
    );
  });

  it('db does not depend on the api', () => {
    assert.deepEqual(
      violations('packages/db/src', (s) => (s.startsWith('@tierkit/api') ? 'db sits below api' : null)),
      [],
    );
  });

  it('packages never import an app: the CLI shares its Node code with the server through @tierkit/ops', () => {
    const rule = (s: string) => (/^@tierkit\/(server|portal-demo)(\/|$)|apps\//.test(s) ? 'packages sit below the apps' : null);
    const packages = readdirSync(join(root, 'packages')).map((name) => `packages/${name}/src`);
    assert.deepEqual(
      packages.flatMap((dir) => violations(dir, rule)),
      [],
    );
  });
});
