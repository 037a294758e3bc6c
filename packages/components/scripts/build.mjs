#!/usr/bin/env node
// Builds the embeddable bundles the backend serves at /widgets/:
//   dist/tierkit.js        every element, registered under the default tk-* tags (one <script type="module">)
//   dist/tierkit-badge.js  <tk-tier-badge> alone (use with a provider from tierkit.js, or in controlled mode)
// Minified ESM with Lit inside, so a host page needs nothing else.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import ts from 'typescript';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Collapses whitespace and comments inside css`…` templates of *.styles.ts files. esbuild minifies
 * JavaScript but treats template text as opaque; our style text is plain CSS with `${…}` holes
 * only for other CSSResults, which this leaves intact.
 */
const minifyCssTemplates = {
  name: 'minify-css-templates',
  setup(b) {
    b.onLoad({ filter: /\.styles\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const contents = source.replace(
        /css`([^`]*)`/g,
        (_, body) =>
          'css`' +
          body
            .replace(/\/\*[\s\S]*?\*\//g, '')
            .replace(/\s+/g, ' ')
            .replace(/\s*([{};,>])\s*/g, '$1')
            // Outside quotes a space after a colon never matters (before one it may: `.a :hover`), nor
            // does a last `;`. Our styles hold no quoted text with `: ` in it; keep it so.
            .replace(/:\s+/g, ':')
            .replace(/;}/g, '}')
            // Shorter spellings of the same values: `.875em`, `@media(…)`, `#fff`, `!important`, `calc(a/2)`.
            .replace(/([:\s(,])0\.(\d)/g, '$1.$2')
            .replace(/@media \(/g, '@media(')
            .replace(/#([\da-f])\1([\da-f])\2([\da-f])\3\b/gi, '#$1$2$3')
            .replace(/ !important/g, '!important')
            // calc() needs spaces around + and - only; no quoted text of ours holds ` / ` or ` * `.
            .replace(/ ([/*]) /g, '$1')
            .trim() +
          '`',
      );
      return { contents, loader: 'ts' };
    });
  },
};

/**
 * Collapses the layout whitespace of html`…` templates in the components' sources: each run of
 * whitespace that holds a line break becomes one space. HTML reads any such run as one space (no
 * template holds a <pre>, a <textarea> or text under `white-space: pre`; keep it so), so nothing
 * renders differently, and the indentation that lays the templates out costs no bytes (~70 gzip of
 * tierkit.js). TypeScript's own parser finds the template text, so code and strings are never touched.
 */
const collapseHtmlTemplates = {
  name: 'collapse-html-templates',
  setup(b) {
    b.onLoad({ filter: /[\\/]packages[\\/]components[\\/]src[\\/].*\.ts$/ }, async (args) => {
      if (args.path.endsWith('.styles.ts')) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('html`')) return undefined;
      const file = ts.createSourceFile(args.path, source, ts.ScriptTarget.Latest, true);
      const texts = [];
      const visit = (node) => {
        if (ts.isTaggedTemplateExpression(node) && node.tag.getText(file) === 'html') {
          const t = node.template;
          if (ts.isNoSubstitutionTemplateLiteral(t)) texts.push(t);
          else texts.push(t.head, ...t.templateSpans.map((span) => span.literal));
        }
        ts.forEachChild(node, visit);
      };
      visit(file);
      let contents = '';
      let at = 0;
      for (const t of texts.sort((x, y) => x.getStart(file) - y.getStart(file))) {
        const start = t.getStart(file);
        contents += source.slice(at, start) + source.slice(start, t.end).replace(/[ \t]*\n\s*/g, ' ');
        at = t.end;
      }
      return { contents: contents + source.slice(at), loader: 'ts' };
    });
  },
};

/** Options shared by every bundle; exported for the component bench, which measures the same build. */
export const bundleOptions = {
  bundle: true,
  format: 'esm',
  minify: true,
  target: 'es2022',
  platform: 'browser',
  // esbuild follows `extends`, but the base config is where the decorator settings live.
  tsconfig: here('../../../tsconfig.base.json'),
  // Lit's BSD-3 notices go to `<bundle>.LEGAL.txt` beside the bundle, which names it in its last
  // comment: the notices ship with the code without every page load carrying ~0.2 KB gzip of them.
  legalComments: 'linked',
  logLevel: 'warning',
  plugins: [minifyCssTemplates, collapseHtmlTemplates],
};

export const entries = {
  'tierkit.js': here('../src/define.ts'),
  'tierkit-badge.js': here('../src/tier-badge/tier-badge.ts'),
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [name, entry] of Object.entries(entries)) {
    const result = await build({ ...bundleOptions, entryPoints: [entry], outfile: here(`../dist/${name}`), metafile: true });
    const bytes = Object.entries(result.metafile.outputs).reduce((n, [file, o]) => n + (file.endsWith('.js') ? o.bytes : 0), 0);
    console.log(`dist/${name}  ${(bytes / 1024).toFixed(1)} KB (min)`);
  }
}
