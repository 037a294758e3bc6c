import { html } from 'lit';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import type { StaffTiersResponse, TiersResponse } from '@tierkit/core';
import '../packages/components/src/define.js';
import { connected, controlled, frameArgs, frameArgTypes, PHONE, type FrameArgs } from './support.js';
import { demoTiers, tiersNewCustomer } from '../packages/components/src/common/fixtures/tiers.js';
import { longNamed, XSS } from '../packages/components/src/common/fixtures/schemes.js';

interface BadgeArgs extends FrameArgs {
  /** One of the showcase customers C000001–C000005, the same people as the demo server's. */
  readonly customer: string;
  readonly scheme: string;
  readonly size: 's' | 'm' | 'l';
  readonly showProgress: boolean;
  /** Controlled: show this customer's assignment without a client. */
  readonly controlledMode?: boolean;
  readonly tiers?: TiersResponse;
}

const tiersOf = (a: BadgeArgs): TiersResponse => a.tiers ?? (demoTiers[a.customer] as TiersResponse);

const meta: Meta<BadgeArgs> = {
  title: 'Widgets/Tier badge',
  component: 'tk-tier-badge',
  args: { ...frameArgs, customer: 'C000003', scheme: 'retail-tier', size: 'm', showProgress: true },
  argTypes: {
    ...frameArgTypes,
    customer: { control: 'select', options: Object.keys(demoTiers) },
    scheme: { control: 'inline-radio', options: ['retail-tier', 'aml-risk', 'risk-value'] },
    size: { control: 'inline-radio', options: ['s', 'm', 'l'] },
  },
  render: (a) => {
    const tiers = tiersOf(a);
    if (a.controlledMode) {
      const assignment = tiers.assignments.find((x) => x.scheme === a.scheme);
      return controlled(
        a,
        html`<tk-tier-badge scheme=${a.scheme} size=${a.size} ?show-progress=${a.showProgress}
        .data=${assignment ? { assignment, metrics: tiers.metrics } : undefined}></tk-tier-badge>`,
      );
    }
    return connected(
      a,
      { tiers: { [tiers.subject.id]: tiers } },
      html`<tk-tier-badge scheme=${a.scheme} size=${a.size} ?show-progress=${a.showProgress}></tk-tier-badge>`,
      tiers.subject.id,
    );
  },
};
export default meta;

type Story = StoryObj<BadgeArgs>;

/** 张晓明 (C000003): gold, ¥12,000 short of platinum, the nearer of two paths. */
export const Gold: Story = {};
/** 刘洋 (C000004): standard, ¥4,000 short of gold. */
export const Standard: Story = { args: { customer: 'C000004' } };
/** 李秀英 (C000002): platinum. */
export const Platinum: Story = { args: { customer: 'C000002' } };
/** 王建国 (C000001): the top level, no progress to show. */
export const Diamond: Story = { args: { customer: 'C000001' } };
/** 陈志强 (C000005): high AML risk. */
export const AmlRiskHigh: Story = { args: { customer: 'C000005', scheme: 'aml-risk', showProgress: false } };
export const RiskValueSegment: Story = { args: { scheme: 'risk-value', showProgress: false } };
export const Taiwan: Story = { args: { locale: 'zh-TW' } };
export const English: Story = { args: { locale: 'en' } };
export const Dark: Story = { args: { theme: 'dark', locale: 'en' } };
export const Sizes: Story = {
  render: (a) =>
    connected(
      a,
      { tiers: { [a.customer]: tiersOf(a) } },
      html`<tk-tier-badge size="s"></tk-tier-badge>
    <tk-tier-badge size="m"></tk-tier-badge><tk-tier-badge size="l"></tk-tier-badge>`,
      a.customer,
    ),
};
export const Controlled: Story = { args: { controlledMode: true, locale: 'en' } };
export const Loading: Story = { args: { behaviour: 'pending' } };
export const LoadError: Story = { args: { behaviour: 'error', locale: 'en' } };
/** The embed token expired (401): the error pill, with no retry that would be refused again. */
export const SignedOut: Story = { args: { behaviour: 'signed-out' } };
/** The API knows no such customer (404): the widget says so, with no retry that could never succeed. */
export const NotFound: Story = { args: { behaviour: 'not-found', locale: 'zh-TW' } };
/** An embed token asked for another customer (403): no retry, which would be refused again. */
export const Forbidden: Story = { args: { behaviour: 'forbidden' } };
/** The customer is not ranked in this scheme. */
export const NotRanked: Story = { args: { scheme: 'credit-rating' } };
/** A customer opened this month, before their first level (the API's `asOf` is null): 暂未评定等级. */
export const NewCustomer: Story = { args: { tiers: tiersNewCustomer } };
export const NewCustomerTaiwan: Story = { args: { tiers: tiersNewCustomer, locale: 'zh-TW' } };
export const NewCustomerEnglish: Story = { args: { tiers: tiersNewCustomer, locale: 'en' } };
/** A level name carrying markup renders as text. */
export const HostileName: Story = {
  args: {
    tiers: {
      ...(demoTiers['C000003'] as StaffTiersResponse),
      assignments: (demoTiers['C000003'] as StaffTiersResponse).assignments.map((x) => ({
        ...x,
        schemeInfo: { ...x.schemeInfo, levels: x.schemeInfo.levels.map((l) => ({ ...l, name: { 'zh-CN': XSS, 'zh-TW': XSS, en: XSS } })) },
      })),
    },
  },
};
/** 张晓明 (C000003) with every level and scheme named at length (12 Chinese characters, 40 English): the pill wraps. */
const longTiers: StaffTiersResponse = {
  ...(demoTiers['C000003'] as StaffTiersResponse),
  assignments: (demoTiers['C000003'] as StaffTiersResponse).assignments.map((x) => ({ ...x, schemeInfo: longNamed(x.schemeInfo) })),
};
export const LongLabels: Story = { args: { tiers: longTiers } };
export const LongLabelsEnglish: Story = { args: { tiers: longTiers, locale: 'en' } };
/** On a 360 px phone, with long names and the progress sentence. */
export const Phone: Story = { ...PHONE, args: { tiers: longTiers, locale: 'en', size: 'l' } };
