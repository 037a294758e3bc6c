import { css } from 'lit';
import { hostStyles, levelColorStyles, stateStyles } from '../common/tokens.styles.js';

const own = css`
  :host {
    display: block;
    --_height: var(--tk-tier-timeline-height, 24rem);
    --_row: var(--tk-tier-timeline-row-height, 5.5rem);
    --_year: var(--tk-tier-timeline-year-height, 2rem);
    --_line: var(--tk-tier-timeline-line-color, var(--_border));
  }
  /* A card with its heading inside, as the entitlement panel's. */
  [part='base'] {
    container-type: inline-size; display: grid; gap: var(--_space); background: var(--_surface); color: var(--_text);
    border: 1px solid var(--_border); border-radius: var(--_radius); padding: calc(var(--_space) * 2);
  }
  .title { margin: 0; font-size: 1.125em; }
  [part='scroller'] {
    max-block-size: var(--_height);
    overflow-y: auto;
    overscroll-behavior: contain;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    /* Scrolling repaints only inside the box; the window keeps its DOM to a few dozen rows. */
    contain: content;
  }
  /*
   * On a phone (or at 400% zoom) the page scrolls, not a box inside it, unless the host sets a height — or
   * the history is longer than a phone can render at once (data-long, over 100 rows or more than one page, decided at the
   * first page so the box never turns on under a reader: tier-timeline.component.ts): the windowing keeps a
   * few dozen rows in the DOM only inside a box that scrolls; without one, 3,000 rows froze the page.
   */
  @container (max-width: 30rem) { [part='scroller']:not([data-long]) { max-block-size: var(--tk-tier-timeline-height, none); } }
  [part='list'] { list-style: none; margin: 0; padding: 0; position: relative; }
  .year {
    position: sticky; top: 0; z-index: 1;
    block-size: var(--_year); display: flex; align-items: center;
    padding-inline: 12px; background: var(--_surface-raised); border-block-end: 1px solid var(--_border);
  }
  .year h3 { margin: 0; font-size: 0.875rem; font-weight: 600; }
  /*
   * A row grows to fit its own text (enlarged text, a narrow card, text-spacing overrides: WCAG 1.4.4,
   * 1.4.10, 1.4.12); the windowing measures each (TimelineWindow).
   */
  .event {
    min-block-size: var(--_row);
    display: grid; align-content: center; gap: 2px;
    padding: 4px 12px 4px 28px; position: relative; font-size: 0.8125rem; line-height: 1.35;
    border-block-end: 1px solid var(--_line);
  }
  .event::before {
    content: ''; position: absolute; inset-inline-start: 12px; inset-block: 0;
    border-inline-start: 2px solid var(--_line);
  }
  .event::after {
    content: ''; position: absolute; inset-inline-start: 8px; top: calc(50% - 5px);
    inline-size: 10px; block-size: 10px; border-radius: 50%; background: var(--_accent);
  }
  .event:focus-visible { outline: 2px solid var(--_focus); outline-offset: -2px; }
  /* Lines wrap rather than cut a date, a level or a reason short. */
  .line { display: flex; flex-wrap: wrap; gap: 0 8px; align-items: baseline; }
  .line > * { min-inline-size: 0; overflow-wrap: anywhere; }
  .meta { color: var(--_muted); }
  .change { font-weight: 600; }
  /*
   * Forced colours drop the level chip's background but draw its transparent border in a system colour,
   * which keeps the level set apart, like the badge's pill.
   */
  .lvl, .reason { padding: 0 6px; border-radius: var(--tk-chip-radius, 999px); border: 1px solid transparent; }
  .lvl { background: var(--_level-bg); color: var(--_level-fg); }
  .dir { font-size: 0.75rem; color: var(--_muted); }
  .reason { border-color: var(--_border); flex: none; }
  .sr { position: absolute; inline-size: 1px; block-size: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  .foot { display: flex; align-items: center; gap: var(--_space); color: var(--_muted); font-size: 0.8125rem; }
  /* A later page's refusal (states.ts) sits in the line of the count, at its size, not a block state's. */
  .foot .state { padding: 0; font-size: inherit; }
  [part='load-more'] {
    font: inherit; color: var(--_accent); background: none; border: 1px solid var(--_accent);
    border-radius: calc(var(--_radius) / 2); padding: 2px 10px; cursor: pointer;
  }
  [part='load-more'][disabled] { color: var(--_muted); border-color: var(--_border); cursor: progress; }
`;

export const timelineStyles = [hostStyles, levelColorStyles, stateStyles, own];
