import { html, nothing } from 'lit';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import type { EntitlementsResponse } from '@tierkit/core';
import '../packages/components/src/define.js';
import { connected, controlled, frameArgs, frameArgTypes, type FrameArgs } from './support.js';
import { entitlementsC3, entitlementsC5, entitlementsEmpty } from '../packages/components/src/common/fixtures/entitlements.js';
import { demoTiers, tiersC3, tiersC3InGrace } from '../packages/components/src/common/fixtures/tiers.js';
import { XSS } from '../packages/components/src/common/fixtures/schemes.js';

interface PanelArgs extends FrameArgs {
  readonly entitlements: EntitlementsResponse;
  /** Controlled: the host passes `data` (and `tiers` for level names); nothing is fetched. */
  readonly controlledMode?: boolean;
  /** 张晓明's gold in its grace period, as an embed token reads it (`keep`). */
  readonly inGrace?: boolean;
  /** A staff tool's heading ("客户权益"): only staff may read a restriction's AML reason. */
  readonly heading?: string;
}

const meta: Meta<PanelArgs> = {
  title: 'Widgets/Entitlement panel',
  component: 'tk-entitlement-panel',
  args: { ...frameArgs, entitlements: entitlementsC3 },
  argTypes: { ...frameArgTypes, entitlements: { control: false } },
  render: (a) => {
    // The tiers of the same showcase customer, for the names of the levels that grant and block.
    const tiers = a.inGrace ? tiersC3InGrace : (demoTiers[a.entitlements.subject.id] ?? tiersC3);
    return a.controlledMode
      ? controlled(
          a,
          html`<tk-entitlement-panel heading=${a.heading ?? nothing} .data=${a.entitlements} .tiers=${tiers}></tk-entitlement-panel>`,
        )
      : connected(
          a,
          { tiers: { ...demoTiers, [tiers.subject.id]: tiers }, entitlements: { [tiers.subject.id]: a.entitlements } },
          html`<tk-entitlement-panel heading=${a.heading ?? nothing}></tk-entitlement-panel>`,
          tiers.subject.id,
        );
  },
};
export default meta;

type Story = StoryObj<PanelArgs>;

/** 张晓明 (C000003): gold perks and what platinum adds. */
export const Benefits: Story = {};
/**
 * 陈志强 (C000005) as his relationship manager reads him, under a staff heading: platinum perks, and a
 * transfer limit his high AML risk blocks. A customer never sees the AML reason (the API cuts it from an
 * embed token's read), so this is no "我的权益" story.
 */
export const Restricted: Story = { args: { entitlements: entitlementsC5, heading: '客户权益（员工视图）' } };
/** 张晓明's gold in its grace period: what keeps it, above the benefits (the API's `keep.text`). */
export const GracePeriod: Story = { args: { inGrace: true } };
export const GracePeriodTaiwan: Story = { args: { inGrace: true, locale: 'zh-TW' } };
export const GracePeriodEnglish: Story = { args: { inGrace: true, locale: 'en' } };
export const Taiwan: Story = { args: { locale: 'zh-TW' } };
export const English: Story = { args: { locale: 'en' } };
export const Dark: Story = { args: { theme: 'dark' } };
export const Controlled: Story = { args: { controlledMode: true, locale: 'en' } };
export const Empty: Story = { args: { entitlements: entitlementsEmpty } };
export const Loading: Story = { args: { behaviour: 'pending' } };
export const LoadError: Story = { args: { behaviour: 'error', locale: 'en' } };
/** The embed token expired (401): the widget asks the customer to sign in again, with no retry. */
export const SignedOut: Story = { args: { behaviour: 'signed-out' } };
/** The API knows no such customer (404): the widget says so, with no retry that could never succeed. */
export const NotFound: Story = { args: { behaviour: 'not-found', locale: 'zh-TW' } };
/** An embed token asked for another customer (403): no retry, which would be refused again. */
export const Forbidden: Story = { args: { behaviour: 'forbidden' } };
/** Labels and reasons carrying markup render as text. */
export const HostileLabels: Story = {
  args: {
    entitlements: {
      ...entitlementsC3,
      entitlements: entitlementsC3.entitlements.map((e) => ({ ...e, def: { ...e.def, label: { 'zh-CN': XSS, 'zh-TW': XSS, en: XSS } } })),
    },
  },
};
