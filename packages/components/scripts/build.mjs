#!/usr/bin/env node
// Builds the embeddable bundles the backend serves at /widgets/:
//   dist/tierkit.js        every element, registered under the default tk-* tags (one <script type="module">)
//   dist/tierkit-badge.js  <tk-tier-badge> alone (use with a provider from tierkit.js, or in controlled mode)
// Minified ESM with Lit inside, so a host page needs nothing else.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { appendFile, readFile } from 'node:fs/promises';
import ts from 'typescript';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

/** Throws on a style rule that keeps white space: the html templates' white space is collapsed (below). */
function assertNoKeptWhiteSpace(source, path) {
  const keeps = /white-space(-collapse)?\s*:\s*(pre|preserve|break-spaces)/.exec(source);
  if (keeps) throw new Error(`${path}: '${keeps[0]}' — the html templates' white space is collapsed at build time (build.mjs)`);
}

/**
 * Collapses whitespace and comments inside css`…` templates of a *.styles.ts file. esbuild minifies
 * JavaScript but treats template text as opaque; our style text is plain CSS with `${…}` holes
 * only for other CSSResults, which this leaves intact. Throws on a style that keeps white space
 * (`white-space: pre…`, `break-spaces`): the html templates' white space is collapsed at build time
 * (below), so text under such a rule would render differently from its source.
 */
export function minifyCssTemplates(source, path) {
  assertNoKeptWhiteSpace(source, path);
  return source.replace(
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
        // Shorter spellings of the same values: `.875em`, `@media(…)`, `@container(…)`, `#fff`, `!important`, `calc(a/2)`.
        .replace(/([:\s(,])0\.(\d)/g, '$1.$2')
        .replace(/@(media|container) \(/g, '@$1(')
        .replace(/#([\da-f])\1([\da-f])\2([\da-f])\3\b/gi, '#$1$2$3')
        .replace(/ !important/g, '!important')
        // An attribute selector's value needs no quotes when it is an identifier: `[part~=cell]`.
        .replace(/\[([\w-]+)([~|^$*]?=)'([a-z_][\w-]*)'\]/gi, '[$1$2$3]')
        // calc() needs spaces around + and - only; no quoted text of ours holds ` / ` or ` * `.
        .replace(/ ([/*]) /g, '$1')
        .trim() +
      '`',
  );
}

// Elements whose children the table model lays out as rows and cells, with nothing between them.
const TABLE_TAGS = /^(table|caption|colgroup|col|thead|tbody|tfoot|tr|td|th)$/i;

/**
 * Whether a run of white space sits between two table tags (`</td>` and `<td>`, `<tr>` and `<th>` …),
 * with `before` ending in the one and `after` starting with the other. There it is a text node among
 * the table's rows and cells, which CSS drops (anonymous table objects: white space between table
 * boxes is not rendered) and which a screen reader does not read, so it can go rather than become a
 * space: ~10 bytes gzip of tierkit.js, whose matrix lays out its table across lines.
 */
// (A cell's own `<td>` and `</td>` count too: an empty cell and one holding a space look and read the
// same; only `:empty` tells them apart, and no widget style uses it — keep it so.)
function betweenTableTags(before, after) {
  const prev = /<\/?([a-z][\w-]*)[^<>]*>$/i.exec(before);
  const next = /^<\/?([a-z][\w-]*)/i.exec(after);
  return !!prev && !!next && TABLE_TAGS.test(prev[1]) && TABLE_TAGS.test(next[1]);
}

/**
 * Collapses the layout white space of the html`…` templates in a component source: each run of white
 * space that holds a line break (LF or CRLF) becomes one space, or nothing before the `>` that closes
 * a tag or between two table tags (`betweenTableTags`). HTML reads any such run as one space, so
 * nothing renders differently, and the indentation that lays the templates out costs no bytes (~70 gzip of tierkit.js). TypeScript's own parser finds
 * the template text, so code and strings are never touched. Throws where that would not hold: a
 * template with a <pre> or a <textarea> (their text keeps its white space) or a backslash-newline (a
 * line continuation, whose cooked text has no line break where the source has one).
 */
export function collapseHtmlTemplates(source, path) {
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true);
  const templates = [];
  const visit = (node) => {
    if (ts.isTaggedTemplateExpression(node) && node.tag.getText(file) === 'html') {
      const t = node.template;
      templates.push(ts.isNoSubstitutionTemplateLiteral(t) ? [t] : [t.head, ...t.templateSpans.map((span) => span.literal)]);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  const edits = [];
  for (const pieces of templates) {
    // Whether the text so far leaves the HTML parser inside a tag, carried across the `${…}` holes.
    let inTag = false;
    for (const piece of pieces) {
      const start = piece.getStart(file);
      const text = source.slice(start, piece.end);
      const line = source.slice(0, start).split('\n').length;
      if (/<(pre|textarea)\b/i.test(text))
        throw new Error(`${path}:${line}: an html template with a <pre> or <textarea>, whose white space build.mjs would collapse`);
      if (/\\\r?\n/.test(text))
        throw new Error(`${path}:${line}: a backslash-newline in an html template, which build.mjs cannot collapse`);
      let at = 0;
      const collapsed = text.replace(/\s*\n\s*(>?)/g, (run, gt, offset) => {
        for (const m of text.slice(at, offset).matchAll(/<[a-z/!]|>/gi)) inTag = m[0] !== '>';
        at = offset;
        if (gt) return inTag ? gt : ` ${gt}`;
        return betweenTableTags(text.slice(0, offset), text.slice(offset + run.length)) ? '' : ' ';
      });
      for (const m of text.slice(at).matchAll(/<[a-z/!]|>/gi)) inTag = m[0] !== '>';
      edits.push([start, piece.end, collapsed]);
    }
  }
  let contents = '';
  let at = 0;
  for (const [start, end, text] of edits.sort((x, y) => x[0] - y[0])) {
    contents += source.slice(at, start) + text;
    at = end;
  }
  return contents + source.slice(at);
}

/** Both as esbuild plugins; a throw fails the build with its message. */
const templatePlugins = [
  {
    // Lit as these bundles use it, in fewer bytes (both are at their budgets: README). lit-html makes its
    // `svg` and `mathml` tags with calls esbuild cannot tell are pure, so both stayed in a bundle that uses
    // neither (~15 B gzip each): marked pure, they go. Each of Lit's three modules also records its version
    // on globalThis (`litHtmlVersions` …), read only by Lit's development build to warn of two Lits on a
    // page (~25 B gzip): the widgets' bundle is a production build with its own Lit, so the records go.
    // So do the hooks for Lit's shadow-DOM polyfill (`polyfill-support.js`, for browsers without shadow
    // DOM, which the widgets do not support) and for server-rendered hydration (not supported: README).
    // Lit's CSS tag explains a misuse at length (a CSSResult constructed by hand, a value that is no `css`
    // result in a `css` template: ~80 B gzip of each bundle); the widgets commit neither, and a misuse
    // still throws, in two words. Standard decorators' metadata goes too (the `Symbol.metadata` polyfill and
    // its read in `finalize`, ~70 B gzip): the widgets declare `static properties` and use no decorator, so a
    // subclass of a widget that uses decorators is not supported. With the svg and mathml tags gone, so does
    // the wrapping and unwrapping of those two template types (~50 B gzip with it), and for the same reason
    // as the metadata, class initializers (`addInitializer`), which only decorators add. Nor do the widgets give
    // a property a symbol key, a `converter`, `hasChanged` or `noAccessor`, so Lit's reading of those goes (~80 B gzip),
    // and so do the calls of its Closure renaming stub (~20 B).
    // A Lit whose build no longer matches a pattern is loaded as it is, with a warning naming the pattern.
    name: 'lean-lit',
    setup(b) {
      // Each edit applies to the modules its last pattern names; these three are Lit's own (not its CSS tag).
      const LIT_MODULES = /(lit-html|reactive-element|lit-element)\.js$/;
      const edits = [
        ['svg/mathml tags', /(\w+)=(\w+)\(2\),(\w+)=\2\(3\)/, '$1=/*@__PURE__*/$2(2),$3=/*@__PURE__*/$2(3)', /lit-html\.js$/],
        ['version record', /\(\w+\.\w+Versions\?\?=\[\]\)\.push\("[\d.]+"\)/, '0', LIT_MODULES],
        ['hydrate hook', /\w+\.litElementHydrateSupport\?\.\(\{LitElement:\w+\}\)/, '0', /lit-element\.js$/],
        // `p=a.reactiveElementPolyfillSupport` … `p?.({ReactiveElement:y})`: the call, found by its variable.
        ['polyfill hook', /(?<=(?<![\w$])([\w$]+)=[\w$]+\.\w+PolyfillSupport[;,][\s\S]*)(?<![\w$.])\1\?\.\([^()]*\)/, '0', LIT_MODULES],
        ['polyfill read', /(?<![\w$])([\w$]+)=[\w$]+\.\w+PolyfillSupport(?=[;,])/, '$1=0', LIT_MODULES],
        [
          'adopting test',
          /(?<![\w$])([\w$]+)=[\w$]+\.ShadowRoot&&\([^()]*\)&&"adoptedStyleSheets"in Document\.prototype&&"replace"in CSSStyleSheet\.prototype/,
          '$1=!0',
          /css-tag\.js$/,
        ],
        [
          'style fallback',
          /if\([\w$]+\)([\w$]+)\.adoptedStyleSheets=([\w$]+\.map\([^;]*?\));else for\([^)]*\)\{[^{}]*\}/,
          '$1.adoptedStyleSheets=$2',
          /css-tag\.js$/,
        ],
        [
          'compatible style',
          /(?<![\w$])([\w$]+)=[\w$]+\?([\w$]+)=>\2:\2=>\2 instanceof CSSStyleSheet\?\(([\w$]+)=>\{[^{}]*\}\)\(\2\):\2/,
          '$1=$2=>$2',
          /css-tag\.js$/,
        ],
        // Standard decorators' metadata (`Symbol.metadata`, `litPropertyMetadata`): the widgets declare their
        // properties in `static properties` and use no decorator, so nothing ever writes it.
        [
          'metadata polyfill',
          /Symbol\.metadata\?\?=Symbol\("metadata"\),[\w$]+\.litPropertyMetadata\?\?=new WeakMap/,
          '0',
          /reactive-element\.js$/,
        ],
        ['metadata read', /const ([\w$]+)=this\[Symbol\.metadata\];if\(null!==\1\)\{[^{}]*\}/, '', /reactive-element\.js$/],
        // Class initializers (`static addInitializer`): only decorators add one (@lit/context's `@consume` and
        // `@provide` among them), and the widgets use none, so the list each class copies from its parent
        // and runs for each new element is always empty.
        [
          'initializer add',
          /static addInitializer\(([\w$]+)\)\{this\._\$Ei\(\),\(this\.l\?\?=\[\]\)\.push\(\1\)\}/,
          '',
          /reactive-element\.js$/,
        ],
        ['initializer copy', /void 0!==([\w$]+)\.l&&\(this\.l=\[\.\.\.\1\.l\]\),/, '', /reactive-element\.js$/],
        // LitElement renders before what a shadow root already holds (a server-rendered one, or Lit's old
        // `<style>` fallback, gone above): the widgets' roots start empty (no hydration: README), so it
        // renders into them as they are, through ReactiveElement's own createRenderRoot.
        [
          'render before',
          /createRenderRoot\(\)\{const ([\w$]+)=super\.createRenderRoot\(\);return this\.renderOptions\.renderBefore\?\?=\1\.firstChild,\1\}/,
          '',
          /lit-element\.js$/,
        ],
        ['initializer run', /,this\.constructor\.l\?\.forEach\(([\w$]+)=>\1\(this\)\)/, '', /reactive-element\.js$/],
        // With the svg and mathml tags gone (above), no template is of type 2 or 3.
        ['svg/mathml open', /2===([\w$]+)\?"<svg>":3===\1\?"<math>":""/, '""', /lit-html\.js$/],
        ['svg/mathml close', /\+\(2===([\w$]+)\?"<\/svg>":3===\1\?"<\/math>":""\)/, '', /lit-html\.js$/],
        [
          'svg/mathml unwrap',
          /,2===([\w$]+)\|\|3===\1\)\{const ([\w$]+)=this\.el\.content\.firstChild;\2\.replaceWith\(\.\.\.\2\.childNodes\)\}/,
          ');',
          /lit-html\.js$/,
        ],
        // Element bindings (`<div ${ref(…)}>`, a part of type 6): no widget template has one, nor any
        // directive, and lit-html is bundled for the widgets only (tierkit.js exports no `html`).
        [
          'element part parse',
          /else ([\w$]+)\.startsWith\([\w$]+\)&&\([\w$]+\.push\(\{type:6,index:[\w$]+\}\),[\w$]+\.removeAttribute\(\1\)\)/,
          '',
          /lit-html\.js$/,
        ],
        ['element part make', /:6===([\w$]+)\.type&&\(([\w$]+)=new [\w$]+\([\w$]+,this,[\w$]+\)\)/, ':0', /lit-html\.js$/],
        // Property options the widgets never give (s36): every key of their `static properties` is a string, none
        // has a `converter` (Boolean, Number and String attributes go through Lit's default one), a
        // `hasChanged` or `noAccessor`. So `finalize` lists no symbol keys, attributes always convert through
        // the default converter, a change is always tested by `Object.is`, and every property gets its accessor.
        // A subclass of a widget from the CDN bundle that declares such options is not supported (as with decorators).
        ['symbol keys', /\[\.\.\.([\w$]+)\(([\w$]+)\),\.\.\.[\w$]+\(\2\)\]/, '$1($2)', /reactive-element\.js$/],
        ['symbol read', /,getOwnPropertySymbols:[\w$]+/, '', /reactive-element\.js$/],
        [
          'converter read',
          /"function"==typeof ([\w$]+)\.converter\?\{fromAttribute:\1\.converter\}:void 0!==\1\.converter\?\.fromAttribute\?\1\.converter:([\w$]+)/,
          '$2',
          /reactive-element\.js$/,
        ],
        ['converter write', /\(void 0!==([\w$]+)\.converter\?\.toAttribute\?\1\.converter:([\w$]+)\)/, '$2', /reactive-element\.js$/],
        ['hasChanged option', /\(([\w$]+)\.hasChanged\?\?([\w$]+)\)/, '$2', /reactive-element\.js$/],
        ['noAccessor option', /,!([\w$]+)\.noAccessor\)\{/, '){', /reactive-element\.js$/],
        // Nothing reads `hasChanged` any more, so the default options need not carry it.
        ['default hasChanged', /,hasChanged:[\w$]+\}/, '}', /reactive-element\.js$/],
        // `JSCompiler_renameProperty(name, obj)` returns its name: it exists for Closure's property renaming, which
        // this build does not do, so each call (`d("finalized")` …) becomes its string and the function goes.
        [
          'rename calls',
          /(?<=(?<![\w$])([\w$]+)=\([\w$]+,[\w$]+\)=>[\w$]+,[\s\S]*)(?<![\w$.])\1\(("\w+")\)/g,
          '$2',
          /reactive-element\.js$/,
        ],
        ['CSSResult message', /Error\("CSSResult is not constructable[^"]*"\)/, 'Error("lit css")', /css-tag\.js$/],
        ['css value message', /Error\("Value passed to 'css' function[^"]*"\+(\w+)\+"[^"]*"\)/, 'Error("lit css "+$1)', /css-tag\.js$/],
      ];
      b.onLoad(
        { filter: /[\\/](lit-html[\\/]lit-html|reactive-element[\\/](reactive-element|css-tag)|lit-element[\\/]lit-element)\.js$/ },
        async (args) => {
          let contents = await readFile(args.path, 'utf8');
          const warnings = [];
          for (const [what, pattern, by, file] of edits) {
            if (!file.test(args.path)) continue;
            const edited = contents.replace(pattern, by);
            if (edited === contents) warnings.push({ text: `lean-lit: no ${what} of the known form in ${args.path}` });
            contents = edited;
          }
          return { contents, loader: 'js', warnings };
        },
      );
    },
  },
  {
    name: 'minify-css-templates',
    setup(b) {
      b.onLoad({ filter: /\.styles\.ts$/ }, async (args) => ({
        contents: minifyCssTemplates(await readFile(args.path, 'utf8'), args.path),
        loader: 'ts',
      }));
    },
  },
  {
    name: 'collapse-html-templates',
    setup(b) {
      b.onLoad({ filter: /[\\/]packages[\\/]components[\\/]src[\\/].*\.ts$/ }, async (args) => {
        if (args.path.endsWith('.styles.ts')) return undefined;
        const source = await readFile(args.path, 'utf8');
        // Styles live outside *.styles.ts too (the badge's pill rules).
        assertNoKeptWhiteSpace(source, args.path);
        if (!source.includes('html`')) return undefined;
        return { contents: collapseHtmlTemplates(source, args.path), loader: 'ts' };
      });
    },
  },
];

/**
 * Names the bundle's licence notices in its last comment. esbuild's own link (`legalComments: 'linked'`)
 * says "For license information please see <bundle>.LEGAL.txt": the same link in fewer words is ~20
 * bytes gzip of each bundle, which are at their budgets (README). The name comes from the outfile, so
 * the bench, which builds under the shipped names, measures the same bytes.
 */
const licenceLink = {
  name: 'licence-link',
  setup(b) {
    const name = b.initialOptions.outfile?.split(/[\\/]/).pop();
    if (name) b.initialOptions.footer = { js: `/*! Licences: ${name}.LEGAL.txt */` };
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
  // comment (licenceLink): the notices ship with the code without every page load carrying ~0.2 KB
  // gzip of them.
  legalComments: 'external',
  logLevel: 'warning',
  plugins: [...templatePlugins, licenceLink],
};

export const entries = {
  'tierkit.js': here('../src/define.ts'),
  'tierkit-badge.js': here('../src/tier-badge/tier-badge.ts'),
};

/**
 * The full licence texts of the packages bundled into `metafile`'s output. esbuild's external legal
 * comments carry each file's copyright line and SPDX id only; BSD-3-Clause (Lit) asks that binary
 * redistributions reproduce its conditions and disclaimer, so the LEGAL file gets each package's LICENSE.
 */
async function bundledLicences(metafile) {
  // Package name → its folder, as esbuild names inputs (relative to the working directory).
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) packages.set(m[1], input.slice(0, m.index + m[0].length));
  }
  const texts = [];
  for (const [pkg, dir] of [...packages].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const text = await readFile(`${dir}LICENSE`, 'utf8').catch(() => {
      throw new Error(`${pkg} is bundled but has no LICENSE file to ship with it`);
    });
    texts.push(`${pkg} (LICENSE):\n\n${text.trim()}\n`);
  }
  return texts.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [name, entry] of Object.entries(entries)) {
    const outfile = here(`../dist/${name}`);
    const result = await build({ ...bundleOptions, entryPoints: [entry], outfile, metafile: true });
    await appendFile(`${outfile}.LEGAL.txt`, `\nFull licence texts:\n\n${await bundledLicences(result.metafile)}`);
    const bytes = Object.entries(result.metafile.outputs).reduce((n, [file, o]) => n + (file.endsWith('.js') ? o.bytes : 0), 0);
    console.log(`dist/${name}  ${(bytes / 1024).toFixed(1)} KB (min)`);
  }
}
