import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heatLuminance, labelColour, PALETTE } from '../../apps/admin/src/pages/analytics-charts.js';

/** WCAG relative luminance of `#rrggbb`. */
function luminance(hex: string): number {
  const lin = (i: number) => {
    const s = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(1) + 0.7152 * lin(3) + 0.0722 * lin(5);
}
const contrast = (a: number, b: number) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);

describe('analytics chart colours (WCAG 2.2 AA)', () => {
  it('every series colour stands 3:1 against the white card (1.4.11)', () => {
    for (const c of PALETTE) assert.ok(contrast(luminance(c), 1) >= 3, `${c}: ${contrast(luminance(c), 1).toFixed(2)}`);
  });

  it('every heat-map count stands at least 3:1 against its cell, at any shade (large bold text)', () => {
    for (let i = 0; i <= 100; i++) {
      const alpha = i / 100;
      const label = labelColour(alpha);
      const ratio = contrast(heatLuminance(alpha), luminance(label));
      assert.ok(ratio >= 3, `alpha ${alpha}: ${label} at ${ratio.toFixed(2)}`);
    }
  });
});
