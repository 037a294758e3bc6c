// The widget bundles carry Lit without its reading of property options no widget gives (build.mjs, `lean-lit`,
// s36): symbol keys in `static properties`, a `converter`, `hasChanged` or `noAccessor` (and the calls of its
// Closure renaming stub). That holds only while no widget gives one, which the source check below keeps so;
// the built bundle, in Chromium, still converts, reflects and defaults its attributes as the widgets declare them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { bundleOptions, entries } from '../../packages/components/scripts/build.mjs';
import { CHROME_ARGS, CHROME_PATH } from '../support/chromium.mjs';

const src = fileURLToPath(new URL('../../packages/components/src/', import.meta.url));

async function bundle(name: string): Promise<string> {
  const entry = entries[name as keyof typeof entries];
  const result = await build({ ...bundleOptions, entryPoints: [entry], outfile: `/tmp/${name}`, write: false, logLevel: 'silent' });
  assert.deepEqual(
    result.warnings.map((w) => w.text),
    [],
  );
  return result.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
}

describe('the widget bundles’ Lit, without property options no widget gives', () => {
  for (const name of Object.keys(entries)) {
    it(`${name}: reads no symbol keys, converter, hasChanged or noAccessor`, async () => {
      const js = await bundle(name);
      for (const gone of ['getOwnPropertySymbols', '.converter', 'hasChanged', 'noAccessor'])
        assert.ok(!js.includes(gone), `${gone} is still in ${name}`);
      // Nor the calls of Lit's Closure renaming stub, which returns the name it is given: the names are plain strings.
      assert.match(js, /hasOwnProperty\("finalized"\)/);
      // The default converter is still there, for the Boolean, Number and String attributes.
      assert.match(js, /fromAttribute\(\w+,\w+\)\{let \w+=\w+;switch\(\w+\)\{case Boolean:/);
    });
  }

  it('no widget declares a property with a symbol key, a converter, hasChanged or noAccessor', () => {
    const components = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.component.ts'));
    assert.ok(components.length >= 5, 'the five widgets’ sources');
    for (const file of components) {
      const text = readFileSync(join(src, file), 'utf8');
      const block = /static override properties = (\{[\s\S]*?\});/.exec(text)?.[1];
      assert.ok(block !== undefined, `${file}: its static properties`);
      assert.doesNotMatch(block, /converter|hasChanged|noAccessor/, file);
      assert.doesNotMatch(block, /^\s*\[/m, `${file}: a computed (symbol) key`);
    }
  });

  it('the built tierkit.js converts, reflects and defaults attributes as the widgets declare them', async () => {
    const js = await bundle('tierkit.js');
    const userDataDir = mkdtempSync(join(tmpdir(), 'tk-props-'));
    const browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROME_PATH,
      headless: true,
      args: [...CHROME_ARGS],
    });
    try {
      const page = await browser.newPage();
      await page.setContent('<!doctype html><html lang="en"><body></body></html>');
      await page.addScriptTag({ content: js, type: 'module' });
      await page.waitForFunction(() => customElements.get('tk-tier-timeline') && customElements.get('tk-risk-value-matrix'));
      const seen = await page.evaluate(async () => {
        document.body.innerHTML =
          '<tk-tier-timeline page-size="3" unmasked></tk-tier-timeline><tk-risk-value-matrix></tk-risk-value-matrix><tk-entitlement-panel></tk-entitlement-panel>';
        const timeline = document.querySelector('tk-tier-timeline') as HTMLElement & {
          pageSize: unknown;
          unmasked: boolean;
          scheme: string;
        };
        const matrix = document.querySelector('tk-risk-value-matrix') as HTMLElement & {
          tableView: boolean;
          updateComplete: Promise<boolean>;
        };
        const panel = document.querySelector('tk-entitlement-panel') as HTMLElement & { subject: string; updateComplete: Promise<boolean> };
        const fromAttributes = { pageSize: timeline.pageSize, unmasked: timeline.unmasked };
        timeline.removeAttribute('unmasked');
        timeline.scheme = 'retail';
        matrix.tableView = true;
        await Promise.all([matrix.updateComplete, panel.updateComplete, (timeline as unknown as typeof matrix).updateComplete]);
        return {
          ...fromAttributes,
          unmaskedAfterRemove: timeline.unmasked,
          schemeReflected: timeline.getAttribute('scheme'),
          tableViewReflected: matrix.getAttribute('table-view'),
          // `useDefault`: the panel's default subject ('') is not written back as an attribute.
          panelSubject: panel.subject,
          panelHasSubjectAttribute: panel.hasAttribute('subject'),
        };
      });
      assert.deepEqual(seen, {
        pageSize: 3,
        unmasked: true,
        unmaskedAfterRemove: false,
        schemeReflected: 'retail',
        tableViewReflected: '',
        panelSubject: '',
        panelHasSubjectAttribute: false,
      });
    } finally {
      await browser.close();
      rmSync(userDataDir, { recursive: true, force: true });
    }
  });
});
