// The widget bundles collapse the layout white space of html`…` templates at build time
// (packages/components/scripts/build.mjs). That renders the same only while no text keeps its white
// space: these check that the build refuses the sources where it would not, LF or CRLF alike.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { collapseHtmlTemplates, minifyCssTemplates } from '../../packages/components/scripts/build.mjs';

const crlf = (s: string) => s.replace(/\n/g, '\r\n');

describe('the bundles’ html template collapse', () => {
  it('turns a line break and its indentation into one space, and drops it before a tag’s closing >', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source text with `${…}` holes
    const source = 'const t = html`<div class="a"\n    >${x}</div>\n  <span>one\n    two</span>`;\nconst s = `keep\n  me`;\n';
    for (const src of [source, crlf(source)]) {
      const out = collapseHtmlTemplates(src, 'x.ts');
      // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source text with `${…}` holes
      assert.ok(out.includes('html`<div class="a">${x}</div> <span>one two</span>`'), out);
      // Not an html template: untouched.
      assert.ok(out.includes(src.includes('\r') ? '`keep\r\n  me`' : '`keep\n  me`'), out);
    }
  });

  it('drops the run between two table tags, where it is no text anyone sees or hears, and keeps it elsewhere', () => {
    const source =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source text with `${…}` holes
      'html`<table part="t">\n  <caption>c</caption>\n  <tr>\n    <th>${a}</th>\n    <td><span>x</span>\n      <span>y</span></td>\n  </tr>\n</table>\n<p>z</p>`';
    for (const src of [source, crlf(source)]) {
      const out = collapseHtmlTemplates(src, 'x.ts');
      assert.equal(
        out,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source text with `${…}` holes
        'html`<table part="t"><caption>c</caption><tr><th>${a}</th><td><span>x</span> <span>y</span></td></tr></table> <p>z</p>`',
        out,
      );
    }
    // After a `${…}` hole the tag before the run is not known: the run stays a space.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source text with `${…}` holes
    assert.equal(collapseHtmlTemplates('html`<tr>${cells}\n  </tr>`', 'x.ts'), 'html`<tr>${cells} </tr>`');
  });

  it('keeps the space before a > that is text, not the end of a tag', () => {
    const out = collapseHtmlTemplates('html`<p>a\n  > b</p>`', 'x.ts');
    assert.equal(out, 'html`<p>a > b</p>`');
  });

  it('fails the build on a template with <pre> or <textarea>, or a backslash-newline', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source text with `${…}` holes
    for (const bad of ['html`<pre>${a}\n  b</pre>`', 'html`<textarea>x</textarea>`', 'html`<p>a\\\n b</p>`']) {
      for (const src of [bad, crlf(bad)]) assert.throws(() => collapseHtmlTemplates(src, 'x.ts'), /x\.ts:1/, JSON.stringify(src));
    }
  });

  it("writes an attribute selector's identifier value without quotes, and keeps those a value needs", () => {
    // Every widget style selects its parts and states this way: the quotes were ~40 B gzip of tierkit.js.
    assert.equal(
      minifyCssTemplates(`css\`[part~='cell'][aria-disabled='true'], [part='load-more'] { x: 1 }\``, 'y.styles.ts'),
      'css`[part~=cell][aria-disabled=true],[part=load-more]{x:1}`',
    );
    // A value that is no identifier (a digit first, a space, a dot) keeps its quotes.
    for (const sel of ["[data-n='2x']", "[title='a b']", "[data-v='1.5']"])
      assert.equal(minifyCssTemplates(`css\`${sel}{x:1}\``, 'y.styles.ts'), `css\`${sel}{x:1}\``);
  });

  it('fails the build on a component style that keeps white space', () => {
    for (const rule of ['white-space: pre', 'white-space:pre-wrap', 'white-space: pre-line', 'white-space: break-spaces']) {
      const src = crlf(`export const s = css\`\n  .note {\n    ${rule};\n  }\n\`;\n`);
      assert.throws(() => minifyCssTemplates(src, 'y.styles.ts'), /y\.styles\.ts/, rule);
    }
    assert.equal(
      minifyCssTemplates('css`\r\n  .sr {\r\n    white-space: nowrap;\r\n  }\r\n`', 'y.styles.ts'),
      'css`.sr{white-space:nowrap}`',
    );
  });
});
