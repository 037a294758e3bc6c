import { html, nothing } from 'lit';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import type { EntitlementsResponse, TiersResponse } from '@tierkit/core';
import '../packages/components/src/define.js';
import { connected, controlled, frameArgs, frameArgTypes, PHONE, type FrameArgs } from './support.js';
import { entitlementsC3, entitlementsC5, entitlementsEmpty } from '../packages/components/src/common/fixtures/entitlements.js';
import { demoTiers, tiersC3, tiersC3InGrace } from '../packages/components/src/common/fixtures/tiers.js';
import { LONG_NAME, longNamed, XSS } from '../packages/components/src/common/fixtures/schemes.js';

interface PanelArgs extends FrameArgs {
  readonly entitlements: EntitlementsResponse;
  /** Controlled: the host passes `data` (and `tiers` for level names); nothing is fetched. */
  readonly controlledMode?: boolean;
  /** 张晓明's gold in its grace period, as an embed token reads it (`keep`). */
  readonly inGrace?: boolean;
  /** A staff tool's heading ("客户权益"): only staff may read a restriction's AML reason. */
  readonly heading?: string;
  /** Level, scheme and benefit names at their longest (fixtures' LONG_NAME). */
  readonly long?: boolean;
}

/** Every benefit of `e` named {@link LONG_NAME}. */
const longBenefits = (e: EntitlementsResponse): EntitlementsResponse => ({
  ...e,
  entitlements: e.entitlements.map((x) => ({ ...x, def: { ...x.def, label: LONG_NAME } })),
  next: e.next.map((n) => ({ ...n, adds: n.adds.map((d) => ({ ...d, label: LONG_NAME })) })),
});
/** Every scheme of `t` named {@link LONG_NAME}, levels too. */
const longTiers = (t: TiersResponse): TiersResponse =>
  ({ ...t, assignments: t.assignments.map((x) => ({ ...x, schemeInfo: longNamed(x.schemeInfo) })) }) as TiersResponse;

const meta: Meta<PanelArgs> = {
  title: 'Widgets/Entitlement panel',
  component: 'tk-entitlement-panel',
  args: { ...frameArgs, entitlements: entitlementsC3 },
  argTypes: { ...frameArgTypes, entitlements: { control: false } },
  render: (a) => {
    // The tiers of the same showcase customer, for the names of the levels that grant and block.
    const known = a.inGrace ? tiersC3InGrace : (demoTiers[a.entitlements.subject.id] ?? tiersC3);
    const tiers = a.long ? longTiers(known) : known;
    const entitlements = a.long ? longBenefits(a.entitlements) : a.entitlements;
    return a.controlledMode
      ? controlled(
          a,
          html`<tk-entitlement-panel heading=${a.heading ?? nothing} .data=${entitlements} .tiers=${tiers}></tk-entitlement-panel>`,
        )
      : connected(
          a,
          { tiers: { ...demoTiers, [tiers.subject.id]: tiers }, entitlements: { [tiers.subject.id]: entitlements } },
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
/** Benefit, level and scheme names of 12 Chinese and 40 English characters: each line wraps. */
export const LongLabels: Story = { args: { long: true } };
export const LongLabelsEnglish: Story = { args: { long: true, locale: 'en' } };
/**
 * On a 360 px phone, with a restriction: under a staff heading, as in Restricted, since its reason is AML
 * wording only staff may read.
 */
export const Phone: Story = {
  ...PHONE,
  args: { long: true, entitlements: entitlementsC5, locale: 'en', heading: 'Client benefits (staff view)' },
};
