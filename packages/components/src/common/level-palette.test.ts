import { expect } from '@open-wc/testing';
import { levelPalette } from './level-palette.js';
import { levelColorStyles } from './level-colors.styles.js';
import { themeStyles } from './theme.styles.js';

// The light level colours are written out three times — the badge's generated rules (level-palette.ts),
// the literal CSS of the other widgets and the provider's light theme — so they must not drift apart.
describe('level colours', () => {
  const squeeze = (css: string) => css.replace(/\s+/g, '');
  it("are the same in the palette, the widgets' fallbacks and the provider's light theme", () => {
    const widgets = squeeze(levelColorStyles.cssText);
    const light = squeeze(themeStyles.cssText).split(":host([theme='dark'])")[0]!;
    for (const [c, [bg, fg]] of Object.entries(levelPalette)) {
      expect(widgets, c).to.contain(`var(--tk-level-${c},${bg})`).and.contain(`var(--tk-level-${c}-text,${fg})`);
      expect(light, c).to.contain(`--tk-level-${c}:${bg};`).and.contain(`--tk-level-${c}-text:${fg}`);
    }
  });
});
