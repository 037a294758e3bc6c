import { html } from 'lit';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import type { LevelColor, SchemeSummary } from '@tierkit/core';
import '../packages/components/src/define.js';
import { levelPalette } from '../packages/components/src/common/level-palette.js';
import { text } from '../packages/components/src/common/fixtures/schemes.js';
import { assignment } from '../packages/components/src/common/fixtures/tiers.js';
import { controlled, frameArgs, frameArgTypes, type FrameArgs } from './support.js';

/*
 * Every level colour a scheme may give its levels, drawn by the badge itself in the chosen theme, so
 * a designer sees what a bank's `--tk-level-<color>` and `--tk-level-<color>-text` overrides change.
 * The colours come from the widgets' own palette, so a new colour shows up here without an edit.
 */

const NAMES: Readonly<Record<LevelColor, readonly [string, string, string]>> = {
  neutral: ['中性', '中性', 'Neutral'],
  bronze: ['铜', '銅', 'Bronze'],
  silver: ['银', '銀', 'Silver'],
  gold: ['金', '金', 'Gold'],
  platinum: ['铂金', '鉑金', 'Platinum'],
  diamond: ['钻石', '鑽石', 'Diamond'],
  success: ['良好', '良好', 'Success'],
  info: ['提示', '提示', 'Info'],
  caution: ['注意', '注意', 'Caution'],
  warning: ['警告', '警告', 'Warning'],
  danger: ['危险', '危險', 'Danger'],
};

const colors = Object.keys(levelPalette) as LevelColor[];

/** One scheme with a level of every colour, named after its colour token. */
const palette: SchemeSummary = {
  key: 'palette',
  subjectKind: 'customer',
  category: 'value',
  name: text('等级颜色', '等級顏色', 'Level colours'),
  levels: colors.map((color, rank) => ({ key: color, rank, color, name: text(...NAMES[color]) })),
};

const meta: Meta<Pick<FrameArgs, 'locale' | 'theme'>> = {
  title: 'Design/Level colours',
  args: { locale: frameArgs.locale, theme: frameArgs.theme },
  argTypes: { locale: frameArgTypes.locale, theme: frameArgTypes.theme },
  render: (a) =>
    controlled(
      a,
      html`<dl style="display:grid;grid-template-columns:max-content max-content;gap:0.5rem 1.5rem;align-items:center;margin:0">
        ${colors.map(
          (color) => html`<dt><code>--tk-level-${color}</code></dt>
            <dd style="margin:0"><tk-tier-badge scheme="palette" .data=${{ assignment: assignment(palette, color), metrics: [] }}></tk-tier-badge></dd>`,
        )}
      </dl>`,
    ),
};
export default meta;

type Story = StoryObj<Pick<FrameArgs, 'locale' | 'theme'>>;

/** Every level colour in the light theme. */
export const Light: Story = {};
/** The same colours in the dark theme. */
export const Dark: Story = { args: { theme: 'dark', locale: 'en' } };
