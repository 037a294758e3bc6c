import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as React from 'react';
import type { ComponentProps } from 'react';
import { TkEntitlementPanel, TkProvider, TkRiskValueMatrix, TkTierBadge, TkTierTimeline, type TkCellSelectEvent } from './index.js';

/** react-dom ships no types here (@types/react-dom is not installed): the one function used, typed. */
interface ReactDomServer {
  renderToStaticMarkup(node: React.ReactNode): string;
}
const server = (await import('react-dom/server' as string)) as ReactDomServer;

describe('React wrappers of the tierkit elements', () => {
  it('render the tk-* tags on the server; element properties wait for the browser', () => {
    const html = server.renderToStaticMarkup(
      React.createElement(
        TkProvider,
        { subject: 'C000003', locale: 'zh-CN' },
        React.createElement(TkTierBadge, { scheme: 'retail-tier', size: 'l' }),
        React.createElement(TkEntitlementPanel, null),
        React.createElement(TkRiskValueMatrix, { mode: 'portfolio', scheme: 'risk-value', onTkCellSelect: () => undefined }),
        React.createElement(TkTierTimeline, { scheme: 'aml-risk', id: 'history' }),
      ),
    );
    // @lit/react sets element properties (subject, scheme …) on the live element, so the server
    // markup carries only plain HTML attributes such as `id`; the element hydrates in the browser.
    assert.equal(
      html,
      '<tk-provider><tk-tier-badge></tk-tier-badge><tk-entitlement-panel></tk-entitlement-panel>' +
        '<tk-risk-value-matrix></tk-risk-value-matrix><tk-tier-timeline id="history"></tk-tier-timeline></tk-provider>',
    );
  });

  it('importing a wrapper registers the element class under its default tag', () => {
    assert.equal(typeof customElements.get('tk-risk-value-matrix'), 'function');
    assert.equal(customElements.get('tk-tier-timeline')?.name, 'TkTierTimeline');
  });

  it('types events as onTk* props and element properties as props', () => {
    // Compile-time checks: this function is type-checked by `npm run typecheck`, never called.
    const typed = (): void => {
      const onSelect = (e: TkCellSelectEvent): string => `${e.filter.scheme}:${e.filter.level}:${e.count ?? ''}`;
      const ok: ComponentProps<typeof TkRiskValueMatrix> = { onTkCellSelect: onSelect, mode: 'subject', tableView: true };
      // @ts-expect-error a mode the element does not have
      const badMode: ComponentProps<typeof TkRiskValueMatrix> = { mode: 'grid' };
      // @ts-expect-error `data` of the timeline is TierEvent[], not a string
      const badData: ComponentProps<typeof TkTierTimeline> = { data: 'events' };
      void [ok, badMode, badData];
    };
    assert.equal(typeof typed, 'function');
  });
});
