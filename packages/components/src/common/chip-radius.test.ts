import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../define.js';
import { entitlementsC5 } from './fixtures/entitlements.js';
import { tiersC5 } from './fixtures/tiers.js';
import { shortHistory } from './fixtures/history.js';
import { portfolio } from './fixtures/matrix.js';
import { sampleSchemes } from './fixtures/schemes.js';

// A bank with square corners sets --tk-radius and --tk-chip-radius once: every chip follows, none stays a pill.
describe('chips in every widget follow --tk-chip-radius', () => {
  it('the timeline level and reason chips, the matrix signal, the panel "paused" tag — each with a part', async () => {
    const box = await fixture<HTMLElement>(html`<div style="--tk-chip-radius: 2px">
      <tk-tier-timeline lang="en" .data=${shortHistory} .schemes=${sampleSchemes}></tk-tier-timeline>
      <tk-risk-value-matrix lang="en" .data=${portfolio} .schemes=${sampleSchemes}></tk-risk-value-matrix>
      <tk-entitlement-panel lang="en" .data=${entitlementsC5} .tiers=${tiersC5}></tk-entitlement-panel>
    </div>`);
    const chip = (tag: string, part: string) => box.querySelector(tag)!.shadowRoot!.querySelector<HTMLElement>(`[part~="${part}"]`);
    const chips = [
      ['tk-tier-timeline', 'level'],
      ['tk-tier-timeline', 'reason'],
      ['tk-risk-value-matrix', 'tone'],
      ['tk-entitlement-panel', 'tag'],
    ] as const;
    await waitUntil(() => chips.every(([t, p]) => chip(t, p)), 'every chip drawn');
    for (const [t, p] of chips) expect(getComputedStyle(chip(t, p)!).borderTopLeftRadius, `${t} ${p}`).to.equal('2px');
  });
});
