import { expect, fixture } from '@open-wc/testing';
import type { TemplateResult } from 'lit';
import * as badge from '../../stories/tier-badge.stories.js';
import * as panel from '../../stories/entitlement-panel.stories.js';
import * as matrix from '../../stories/risk-value-matrix.stories.js';
import * as timeline from '../../stories/tier-timeline.stories.js';
import * as provider from '../../stories/provider.stories.js';
import * as palette from '../../stories/palette.stories.js';

/*
 * Stories run as tests: every story of every element is rendered in Chromium exactly as Storybook
 * renders it (meta args + story args through the story's render), then checked for content, for
 * markup injected through data, and with axe. A story that breaks fails here, not in a designer's hands.
 */

interface StoryLike {
  args?: object;
  render?: (args: never, ctx: never) => unknown;
}
interface MetaLike {
  title: string;
  args?: object;
  render?: (args: never, ctx: never) => unknown;
}

const modules = { badge, panel, matrix, timeline, provider, palette } as const;
const TAGS = ['tk-tier-badge', 'tk-entitlement-panel', 'tk-risk-value-matrix', 'tk-tier-timeline'];

function widgets(root: Element): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(TAGS.join(','))];
}

/** Lets mock answers (each a macrotask) and the follow-up reads they trigger finish. */
async function settle(root: Element): Promise<void> {
  for (let i = 0; i < 6; i++) {
    await Promise.all(widgets(root).map((w) => (w as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete));
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const [name, mod] of Object.entries(modules)) {
  const meta = mod.default as unknown as MetaLike;
  describe(`stories of ${meta.title}`, () => {
    for (const [exportName, value] of Object.entries(mod)) {
      if (exportName === 'default') continue;
      const story = value as StoryLike;
      it(`${name}: ${exportName} renders, shows no injected markup and passes axe`, async () => {
        const args = { ...meta.args, ...story.args };
        const render = (story.render ?? meta.render) as unknown as (a: object, ctx: object) => TemplateResult;
        const el = await fixture(render(args, { args, id: exportName }));
        await settle(el);
        const found = el.matches(TAGS.join(',')) ? [el as HTMLElement] : widgets(el);
        expect(found.length, 'the story renders at least one widget').to.be.greaterThan(0);
        for (const w of found) {
          const root = w.shadowRoot;
          expect(root?.textContent?.trim().length, `${w.localName} rendered its shadow content`).to.be.greaterThan(0);
          expect(root?.querySelector('img'), `${w.localName} has no injected <img>`).to.equal(null);
        }
        if (exportName === 'SignedOut') {
          // A refused token: every widget offers no retry, which would be refused again, and every block says why.
          // The badge has no room for the sentence: its error pill, without the retry, says it.
          for (const w of found) {
            const out = w.localName === 'tk-tier-badge' || !!w.shadowRoot?.querySelector('[part~="error"][data-reason="signed-out"]');
            expect(out, `${w.localName} is signed out`).to.equal(true);
            expect(!!w.shadowRoot?.querySelector('[part~="retry"]'), `${w.localName} offers a retry`).to.equal(false);
          }
        }
        if (exportName === 'NotFound') {
          // An unknown subject (404): every widget says it was not found, and none offers a retry that could never succeed.
          for (const w of found) {
            const said =
              w.localName === 'tk-tier-badge' ? w.shadowRoot : w.shadowRoot?.querySelector('[part~="error"][data-reason="not-found"]');
            expect(said?.textContent ?? '', `${w.localName} says not found`).to.match(/未找到该客户|查無此客戶|Customer not found/);
            expect(!!w.shadowRoot?.querySelector('[part~="retry"]'), `${w.localName} offers a retry`).to.equal(false);
          }
        }
        if (exportName === 'Forbidden') {
          // Refused (403) for a reason the widget cannot tell: no widget offers a retry, none blames the
          // reader or names a customer, and the badge says its word rather than "try again later".
          for (const w of found) {
            const badge = w.localName === 'tk-tier-badge';
            const said = badge ? w.shadowRoot : w.shadowRoot?.querySelector('[part~="error"][data-reason="forbidden"]');
            expect(said?.textContent ?? '', `${w.localName} says it can't be shown`).to.match(
              badge ? /^\s*(无法加载|無法載入|Unavailable)\s*$/ : /无法在此显示|無法在此顯示|can't be shown here/,
            );
            expect(!!w.shadowRoot?.querySelector('[part~="retry"]'), `${w.localName} offers a retry`).to.equal(false);
          }
        }
        if (exportName === 'LaterPageRefused') {
          // The changes of the first page stay; the refused later page takes "load more" away and says why.
          const root = found[0]?.shadowRoot;
          expect(root?.querySelectorAll('li.event').length, 'the first page').to.be.greaterThan(0);
          expect(root?.querySelector('[part~="error"][data-reason="forbidden"]')?.textContent ?? '').to.match(/can't be shown here/);
          expect(root?.querySelector('[part="load-more"]'), 'a load-more button').to.equal(null);
        }
        expect((window as { __tkXss?: number }).__tkXss).to.equal(undefined);
        await expect(el).to.be.accessible();
      });
    }
  });
}
