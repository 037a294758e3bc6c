import { html } from 'lit';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import type { EntitlementsResponse } from '@tierkit/core';
import '../packages/components/src/define.js';
import { connected, controlled, frameArgs, frameArgTypes, type FrameArgs } from './support.js';
import { entitlementsC3, entitlementsEmpty } from '../packages/components/src/shared/fixtures/entitlements.js';
import { tiersC3 } from '../packages/components/src/shared/fixtures/tiers.js';
import { XSS } from './fixtures/schemes.js';

interface PanelArgs extends FrameArgs {
  readonly entitlements: EntitlementsResponse;
  /** Controlled: the host passes `data` (and `tiers` for level names); nothing is fetched. */
  readonly controlledMode?: boolean;
}

const meta: Meta<PanelArgs> = {
  title: 'Widgets/Entitlement panel',
  component: 'tk-entitlement-panel',
  args: { ...frameArgs, entitlements: entitlementsC3 },
  argTypes: { ...frameArgTypes, entitlements: { control: false } },
  render: (a) =>
    a.controlledMode
      ? controlled(a, html`<tk-entitlement-panel .data=${a.entitlements} .tiers=${tiersC3}></tk-entitlement-panel>`)
      : connected(
          a,
          { tiers: tiersC3, entitlements: a.entitlements },
          html`<tk-entitlement-panel></tk-entitlement-panel>`,
          tiersC3.subject.id,
        ),
};
export default meta;

type Story = StoryObj<PanelArgs>;

/** Gold perks, a transfer limit blocked by AML risk, and what platinum adds. */
export const Benefits: Story = {};
export const Taiwan: Story = { args: { locale: 'zh-TW' } };
export const English: Story = { args: { locale: 'en' } };
export const Dark: Story = { args: { theme: 'dark' } };
export const Controlled: Story = { args: { controlledMode: true, locale: 'en' } };
export const Empty: Story = { args: { entitlements: entitlementsEmpty } };
export const Loading: Story = { args: { behaviour: 'pending' } };
export const LoadError: Story = { args: { behaviour: 'error', locale: 'en' } };
/** Labels and reasons carrying markup render as text. */
export const HostileLabels: Story = {
  args: {
    entitlements: {
      ...entitlementsC3,
      entitlements: entitlementsC3.entitlements.map((e) => ({ ...e, def: { ...e.def, label: { 'zh-CN': XSS, 'zh-TW': XSS, en: XSS } } })),
    },
  },
};
