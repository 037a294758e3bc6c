import { compareWithInForce } from '@tierkit/admin';
import { formatPeriod } from '@tierkit/core/period';
import type { PolicySimulation } from '@tierkit/core/wire';
import { html, nothing, type TemplateResult } from 'lit';
import type { ConsoleLocale } from '../words.js';
import { count } from './analytics-format.js';
import { COMPARISON_WORDS, signedCount } from './simulation-comparison.words.js';

/**
 * A simulation against the version in force: each level's count under both, now and once the grace
 * ends, and the downs the grace only delays by the month they drop in. One rendering for the policy
 * editor's simulation and the approval card (the figures are the kit's compareWithInForce).
 */
export function comparisonView(
  sim: PolicySimulation,
  levelName: (level: string) => string,
  locale: ConsoleLocale,
  idPrefix: string,
  /** The heading's level where it sits: under the card's h4 on the approvals page, 5. */
  headingLevel: 4 | 5 = 4,
): TemplateResult | typeof nothing {
  const w = COMPARISON_WORDS[locale];
  const c = compareWithInForce(sim);
  if (!c) return html`<p class="hint" data-testid="comparison-none">${w.noBaseline}</p>`;
  const moves = (list: readonly { from: string; to: string; count: number }[]) =>
    list.map((m) => `${levelName(m.from)} → ${levelName(m.to)} ${count(m.count)}`).join('、');
  const cls = (n: number) => (n > 0 ? 'cmp-up' : n < 0 ? 'cmp-down' : '');
  return html`<section class="simulation-comparison" aria-labelledby="${idPrefix}-cmp" data-testid="comparison">
    ${headingLevel === 5 ? html`<h5 id="${idPrefix}-cmp">${w.title}</h5>` : html`<h4 id="${idPrefix}-cmp">${w.title}</h4>`}
    <p class="hint">${w.against(c.against)}</p>
    <p data-testid="comparison-versus">${w.versus(c.higher, c.lower, c.same)}</p>
    <div class="table-scroll" tabindex="0" role="region" aria-labelledby="${idPrefix}-cmp-cap">
      <table data-testid="comparison-levels">
        <caption id="${idPrefix}-cmp-cap">${w.caption}</caption>
        <thead>
          <tr>
            <th scope="col" rowspan="2">${w.level}</th>
            <th scope="colgroup" colspan="3">${formatPeriod(sim.period, locale)}</th>
            <th scope="colgroup" colspan="3">${w.afterGrace}</th>
          </tr>
          <tr>
            <th scope="col">${w.inForce}</th><th scope="col">${w.simulated}</th><th scope="col">${w.change}</th>
            <th scope="col">${w.inForce}</th><th scope="col">${w.simulated}</th><th scope="col">${w.change}</th>
          </tr>
        </thead>
        <tbody>
          ${c.levels.map(
            (l) => html`<tr data-level=${l.level}>
              <th scope="row">${levelName(l.level)}</th>
              <td>${count(l.baseline)}</td><td>${count(l.simulated)}</td><td class=${cls(l.change)} data-testid="change">${signedCount(l.change)}</td>
              <td>${count(l.baselineAfterGrace)}</td><td>${count(l.simulatedAfterGrace)}</td>
              <td class=${cls(l.changeAfterGrace)} data-testid="change-after-grace">${signedCount(l.changeAfterGrace)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <p data-testid="comparison-grace">${w.grace(c.downsNow, c.heldByGrace)}</p>
    ${
      c.drops.length
        ? html`<ul data-testid="comparison-drops">${c.drops.map((d) => html`<li data-month=${d.month}>${w.drop(d.month, d.count, moves(d.moves))}</li>`)}</ul>`
        : nothing
    }
  </section>`;
}
