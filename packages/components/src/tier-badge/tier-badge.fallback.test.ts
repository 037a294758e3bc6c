import { expect, fixture, html } from '@open-wc/testing';
import './tier-badge.js';
import type { TkTierBadge, TierBadgeData } from './tier-badge.component.js';
import { demoTiers, tiersC3 } from '../common/fixtures/tiers.js';
import { metrics } from '../common/fixtures/schemes.js';

/*
 * Browsers before Chrome 125 / Safari 17.4 / Firefox 126 have no custom states: the badge writes them
 * as a `data-tk-state` attribute, which the built-in rules match too. This file runs in its own page,
 * where Chromium is told it lacks `:state()` before any badge renders.
 */
const supports = CSS.supports.bind(CSS);
CSS.supports = ((a: string, b?: string) =>
  b === undefined && a.includes(':state(') ? false : b === undefined ? supports(a) : supports(a, b)) as typeof CSS.supports;

const c3: TierBadgeData = { assignment: tiersC3.assignments[0]!, metrics: tiersC3.metrics };
const top: TierBadgeData = { assignment: demoTiers.C000001!.assignments[0]!, metrics };

describe('tk-tier-badge without custom states', () => {
  it('writes its states as data-tk-state, and the built-in rules draw the pill from it', async () => {
    const el = await fixture<TkTierBadge>(html`<tk-tier-badge lang="en" .data=${c3}></tk-tier-badge>`);
    expect(el.getAttribute('data-tk-state')).to.equal('pill gold');
    expect(getComputedStyle(el).backgroundColor).to.equal('rgb(243, 211, 107)');
    el.data = top;
    await el.updateComplete;
    expect(el.getAttribute('data-tk-state')).to.equal('pill diamond');
    el.showProgress = true;
    el.data = c3;
    await el.updateComplete;
    expect(el.hasAttribute('data-tk-state')).to.equal(false);
    await expect(el).to.be.accessible();
  });

  it('clears a state copied with the markup of another badge', async () => {
    const source = await fixture<TkTierBadge>(html`<tk-tier-badge lang="en" .data=${c3}></tk-tier-badge>`);
    const copy = source.cloneNode() as TkTierBadge;
    expect(copy.getAttribute('data-tk-state')).to.equal('pill gold');
    copy.showProgress = true;
    copy.data = c3;
    source.after(copy);
    await copy.updateComplete;
    expect(copy.hasAttribute('data-tk-state')).to.equal(false);
    expect(getComputedStyle(copy).backgroundColor).to.equal('rgba(0, 0, 0, 0)');
  });
});
