// The widget bundles carry Lit without what they never run (packages/components/scripts/build.mjs,
// `lean-lit`): its development-build version records, its shadow-DOM polyfill and SSR hydration hooks,
// its unused `svg`/`mathml` tags and their template wrapping, standard decorators' metadata and class
// initializers (the widgets use no decorators), element bindings and rendering before a root's server-rendered
// content (no widget has either), the long words of its CSS tag's misuse errors, and its fallback for
// browsers without constructable stylesheets (`<style>` elements, which the widgets' strict CSP refuses). The edits match Lit's minified source by pattern, so a Lit upgrade
// that changes that source must be seen: the build warns, and this fails.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { bundleOptions, entries } from '../../packages/components/scripts/build.mjs';

describe('the widget bundles’ Lit', () => {
  for (const [name, entry] of Object.entries(entries)) {
    it(`${name}: no version records, polyfill or hydration hooks, nor unused tag functions, and no warning`, async () => {
      const result = await build({ ...bundleOptions, entryPoints: [entry], outfile: `/tmp/${name}`, write: false, logLevel: 'silent' });
      assert.deepEqual(
        result.warnings.map((w) => w.text),
        [],
      );
      const js = result.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
      for (const gone of ['Versions', 'PolyfillSupport', 'HydrateSupport', 'not constructable', 'must be a'])
        assert.ok(!js.includes(gone), `${gone} is still in ${name}`);
      // No decorator metadata (its polyfill and its read in `finalize`), nor the svg / mathml template wrapping.
      for (const gone of ['metadata', '<svg>', '<math>', 'replaceWith']) assert.ok(!js.includes(gone), `${gone} is still in ${name}`);
      // Nor class initializers (only decorators add one), rendering before a root's server-rendered content,
      // or element bindings (type 6), which no widget template has.
      for (const gone of ['addInitializer', 'firstChild,', 'type:6', 'type=6'])
        assert.ok(!js.includes(gone), `${gone} is still in ${name}`);
      // lit-html's html, svg and mathml tags are tag(1), tag(2), tag(3) of one maker: only html is used.
      assert.doesNotMatch(js, /=(\w+)\(1\),\w+=\1\(2\)/);
      // What the widgets do use is still there: Lit's Trusted Types policy (strict CSP) and its element base.
      assert.match(js, /createPolicy\("lit-html"/);
      assert.match(js, /_\$litElement\$/);
      // Styles are adopted, never written into <style> elements; a misuse of the CSS tag still throws, in fewer words.
      assert.match(js, /\.adoptedStyleSheets=\w+\.map\(/);
      // (The badge uses no `css` at all, so it carries no CSS tag: its styles are text, pill-rules.ts.)
      if (name === 'tierkit.js') assert.match(js, /Error\("lit css"\)/);
    });
  }
});
