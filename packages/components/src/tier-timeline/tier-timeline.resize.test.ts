import { expect, fixture, html } from '@open-wc/testing';
import './tier-timeline.js';
import type { TkTierTimeline } from './tier-timeline.component.js';
import { makeHistory, shortHistory } from '../common/fixtures/history.js';
import { sampleSchemes } from '../common/fixtures/schemes.js';

// Frames, not timeouts: ResizeObserver delivers (and reports its loop) in a frame's rendering steps.
const frame = () => new Promise((r) => requestAnimationFrame(() => r(undefined)));

describe('<tk-tier-timeline> while its width changes', () => {
  // Below 30rem the box is as tall as its rows unless the host sets a height (tier-timeline.styles.ts):
  // the long history keeps a box, so that it stays windowed at every width.
  for (const [what, events, height] of [
    ['a short history, whose box is as tall as its rows', shortHistory.slice(0, 2), ''],
    ['a history that fills its box', shortHistory, ''],
    ['a long, windowed history', makeHistory(400), '--tk-tier-timeline-height: 24rem'],
  ] as const) {
    it(`reports no ResizeObserver loop: ${what}`, async () => {
      const errors: string[] = [];
      const onError = (e: ErrorEvent) => {
        errors.push(e.message);
        // The loop error is a page error, not a failed test: kept here and asserted below.
        e.preventDefault();
      };
      window.addEventListener('error', onError);
      try {
        const box = await fixture<HTMLDivElement>(
          html`<div style="inline-size: 600px"><tk-tier-timeline lang="zh-CN" style=${height} .data=${events} .schemes=${sampleSchemes}></tk-tier-timeline></div>`,
        );
        const el = box.firstElementChild as TkTierTimeline;
        await el.updateComplete;
        await frame();
        // Narrow and wide in turn: the rows wrap anew at each width, and the timeline measures them again.
        for (let i = 0; i < 24; i++) {
          box.style.inlineSize = `${i % 2 ? 600 - i * 10 : 160 + i * 5}px`;
          await frame();
          await frame();
        }
        await frame();
        expect(errors).to.deep.equal([]);
        // Still laid out for the last width: rows rendered, each as tall as its text needs.
        expect(el.shadowRoot!.querySelectorAll('li.event').length).to.be.greaterThan(0);
      } finally {
        window.removeEventListener('error', onError);
      }
    });
  }
});
