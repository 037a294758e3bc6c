// The custom-elements.json that @tierkit/components ships (and Storybook reads): generated from the
// components' JSDoc, valid against the manifest schema, and exactly the public API — every property,
// attribute, event, part, CSS property and slot, and nothing private.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv } from 'ajv';

const require = createRequire(import.meta.url);
const root = new URL('../..', import.meta.url).pathname;
const pkgDir = join(root, 'packages/components');

interface Named {
  readonly name: string;
  readonly description?: string;
  readonly privacy?: string;
  readonly kind?: string;
  readonly static?: boolean;
}
interface Declaration {
  readonly name: string;
  readonly description?: string;
  readonly tagName?: string;
  readonly customElement?: boolean;
  readonly members?: readonly Named[];
  readonly attributes?: readonly Named[];
  readonly events?: readonly Named[];
  readonly cssParts?: readonly Named[];
  readonly cssProperties?: readonly Named[];
  readonly slots?: readonly Named[];
  readonly cssStates?: readonly Named[];
}
interface Manifest {
  readonly modules: readonly { readonly path: string; readonly declarations?: readonly Declaration[] }[];
}

/** The public API of each element, as its README documents it. */
const EXPECTED: Record<string, { properties: string[]; attributes: string[]; events: string[]; slots: string[] }> = {
  'tk-provider': {
    properties: ['baseUrl', 'client', 'currency', 'effectiveClient', 'locale', 'subject', 'terms', 'theme', 'token'],
    attributes: ['base-url', 'currency', 'locale', 'subject', 'theme', 'token'],
    events: [],
    slots: [''],
  },
  'tk-tier-badge': {
    properties: ['data', 'scheme', 'showProgress', 'size', 'subject'],
    attributes: ['lang', 'scheme', 'show-progress', 'size', 'subject'],
    events: ['tk-error', 'tk-load'],
    slots: [],
  },
  'tk-entitlement-panel': {
    properties: ['data', 'heading', 'subject', 'tiers'],
    attributes: ['heading', 'subject'],
    events: ['tk-error', 'tk-load'],
    slots: [],
  },
  'tk-risk-value-matrix': {
    properties: ['data', 'effectiveMode', 'filter', 'mode', 'scheme', 'schemes', 'subject', 'tableView'],
    attributes: ['mode', 'scheme', 'subject', 'table-view'],
    events: ['tk-cell-select', 'tk-error', 'tk-load'],
    slots: [],
  },
  'tk-tier-timeline': {
    properties: ['actors', 'data', 'pageSize', 'scheme', 'schemes', 'subject', 'timeZone', 'unmasked'],
    attributes: ['page-size', 'scheme', 'subject', 'time-zone', 'unmasked'],
    events: ['tk-error', 'tk-load'],
    slots: [],
  },
};

const names = (list: readonly Named[] | undefined) => (list ?? []).map((x) => x.name).sort();

/** Every literal `part="…"` an element's own folder renders, and the shared state views if it uses them. */
function renderedParts(folder: string): string[] {
  const files = readdirSync(join(pkgDir, 'src', folder)).map((f) => join(pkgDir, 'src', folder, f));
  if (files.some((f) => readFileSync(f, 'utf8').includes("from '../common/states.js'"))) files.push(join(pkgDir, 'src/common/states.ts'));
  const parts = new Set<string>();
  for (const f of files.filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    for (const m of readFileSync(f, 'utf8').matchAll(/part="([a-z][a-z -]*)"/g)) for (const p of m[1]!.split(' ')) parts.add(p);
  }
  return [...parts];
}

/**
 * Every `:state()` an element sets: the badge its pill, each level colour (level-palette.ts, whose keys
 * are the colours it may set) and its three states (pill-rules.ts' PillState); a block widget the kinds
 * StateVoice copies from the shared state views (states.ts' renderState); the provider none.
 */
function setStates(tag: string): string[] {
  const src = (p: string) => readFileSync(join(pkgDir, 'src', p), 'utf8');
  const kinds = /kind: ((?:'[a-z]+' \| )+)undefined/.exec(src('common/states.ts'))![1]!.match(/[a-z]+/g)!;
  if (tag === 'tk-provider') return [];
  if (tag !== 'tk-tier-badge') return [...kinds].sort();
  const colours = [...src('common/level-palette.ts').matchAll(/^\s+(\w+): \['#/gm)].map((m) => m[1]!);
  const pill = /PillState = LevelColor((?: \| '[a-z]+')+)/.exec(src('tier-badge/pill-rules.ts'))![1]!.match(/[a-z]+/g)!;
  return ['pill', ...colours, ...pill].sort();
}

let elements: Map<string, { declaration: Declaration; path: string }>;
let manifest: Manifest;

before(() => {
  execFileSync(
    process.execPath,
    [require.resolve('@custom-elements-manifest/analyzer/cem.js'), 'analyze', '--config', 'custom-elements-manifest.config.mjs'],
    { cwd: pkgDir, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  manifest = JSON.parse(readFileSync(join(pkgDir, 'custom-elements.json'), 'utf8')) as Manifest;
  elements = new Map();
  for (const mod of manifest.modules)
    for (const d of mod.declarations ?? []) if (d.customElement && d.tagName) elements.set(d.tagName, { declaration: d, path: mod.path });
});

describe('custom-elements.json', () => {
  it('is valid against the Custom Elements Manifest schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(require('custom-elements-manifest/schema.json') as object);
    assert.ok(validate(manifest), JSON.stringify(validate.errors, null, 2));
  });

  it('is named by package.json and describes every element under its default tag, at its built module', () => {
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { customElements: string; files: string[] };
    assert.equal(pkg.customElements, 'custom-elements.json');
    assert.ok(pkg.files.includes('custom-elements.json'), 'shipped in the tarball');
    assert.deepEqual([...elements.keys()].sort(), Object.keys(EXPECTED).sort());
    for (const { path } of elements.values()) assert.match(path, /^dist\/.+\.component\.js$/);
  });

  it('<tk-provider> documents every shared --tk-* token a widget reads, so a bank can re-brand each', () => {
    const d = elements.get('tk-provider')!.declaration;
    const documented = names(d.cssProperties);
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
      );
    const tokens = new Set(
      sources(join(pkgDir, 'src')).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/var\((--tk-[a-z0-9-]+)/g)].map((m) => m[1]!)),
    );
    for (const token of tokens) {
      if (Object.keys(EXPECTED).some((tag) => token.startsWith(`--${tag}-`))) continue; // a widget's own knob, checked below
      // One level colour stands for all of them (and their -text), as its description says.
      if (token.startsWith('--tk-level-')) continue;
      assert.ok(documented.includes(token), `${token} is documented on tk-provider (${documented.join(', ')})`);
    }
    // Every level colour and its text, each with its default: a designer's token sheet lists them all.
    for (const color of ['neutral', 'gold', 'diamond', 'danger'])
      for (const token of [`--tk-level-${color}`, `--tk-level-${color}-text`]) assert.ok(documented.includes(token), token);
  });

  for (const [tag, expected] of Object.entries(EXPECTED)) {
    it(`<${tag}>: every public property, attribute, event and slot, and nothing private`, () => {
      const d = elements.get(tag)?.declaration;
      assert.ok(d, `${tag} is in the manifest`);
      const fields = (d.members ?? []).filter((m) => m.kind === 'field' && !m.static);
      assert.deepEqual(names(fields), expected.properties);
      assert.deepEqual(
        (d.members ?? []).filter((m) => m.privacy === 'private' || m.privacy === 'protected' || m.name.startsWith('#')),
        [],
      );
      assert.deepEqual(names(d.attributes), expected.attributes);
      assert.deepEqual(names(d.events), expected.events);
      assert.deepEqual(names(d.slots), expected.slots);
      for (const e of d.events ?? []) assert.ok(e.description, `${tag}: event ${e.name} is described`);
      // Prose written after the last JSDoc tag is swallowed into that tag: the intro must come first.
      assert.ok(d.description && !d.description.startsWith('```'), `${tag} has an intro for its docs page`);
      for (const x of [...(d.events ?? []), ...(d.cssProperties ?? []), ...(d.cssParts ?? []), ...(d.slots ?? [])]) {
        assert.doesNotMatch(x.description ?? '', /\n\s*\n/, `${tag}: ${x.name} swallowed a paragraph`);
      }
    });

    it(`<${tag}>: every custom state it sets is documented, each on its own, and no other`, () => {
      // One line per state, so the manifest and Storybook's docs list `:state(platinum)` too, not one for all colours.
      assert.deepEqual(names(elements.get(tag)!.declaration.cssStates), setStates(tag));
    });

    it(`<${tag}>: every part it renders and every custom property it reads is documented`, () => {
      const d = elements.get(tag)!.declaration;
      const folder = tag.replace(/^tk-/, '');
      const documented = names(d.cssParts);
      for (const part of renderedParts(folder)) {
        if (/^cell-/.test(part)) continue; // the matrix's cell-selected / cell-current, documented under `cell`
        assert.ok(documented.includes(part), `${tag}: part "${part}" is documented (${documented.join(', ')})`);
      }
      const source = readdirSync(join(pkgDir, 'src', folder))
        .filter((f) => f.endsWith('.styles.ts'))
        .map((f) => readFileSync(join(pkgDir, 'src', folder, f), 'utf8'))
        .join('\n');
      const knobs = new Set([...source.matchAll(/var\((--tk-[a-z0-9-]+)/g)].map((m) => m[1]!).filter((v) => v.startsWith(`--${tag}-`)));
      for (const knob of knobs) assert.ok(names(d.cssProperties).includes(knob), `${tag}: custom property ${knob} is documented`);
      for (const p of [...(d.cssParts ?? []), ...(d.cssProperties ?? [])]) assert.ok(p.description, `${tag}: ${p.name} is described`);
      // Storybook's Default column and a designer's token sheet read `default`: none is left empty.
      for (const p of d.cssProperties ?? []) assert.ok((p as { default?: string }).default, `${tag}: ${p.name} has a default`);
    });
  }
});
