import type { Progress } from './explanation.js';

/**
 * How near the next level is in money: the smallest gap (minor units) of the ways there that are
 * money, with their currency — "within ¥50,000 of 白金卡" holds when any way there is that near. Null
 * at the top level, when no way is money (a count, a card to hold), and when the money ways are in
 * more than one currency, which no one amount compares. What the API's 潜力客户 list filters and sorts
 * by (stored as `next_gap`, packages/api/README.md, "Staff and books") and what the console shows beside it.
 */
export function nextMoneyGap(progress: Progress | null | undefined): { readonly gap: number; readonly currency: string } | null {
  if (!progress) return null;
  let gap: number | null = null;
  let currency: string | undefined;
  // A plain loop: the writer of a re-tier runs this for every row it writes.
  for (const p of progress.paths) {
    if (p.unit !== 'money') continue;
    if (p.currency === undefined || (currency !== undefined && p.currency !== currency)) return null;
    currency = p.currency;
    if (gap === null || p.gap < gap) gap = p.gap;
  }
  return gap === null || currency === undefined ? null : { gap, currency };
}
