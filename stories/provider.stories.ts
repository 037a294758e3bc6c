import { html } from 'lit';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import '../packages/components/src/define.js';
import { frameArgs, frameArgTypes, type FrameArgs } from './support.js';
import { FixtureClient } from '../packages/components/src/common/fixtures/fixture-client.js';
import { tiersC3 } from '../packages/components/src/common/fixtures/tiers.js';
import { entitlementsC3 } from '../packages/components/src/common/fixtures/entitlements.js';
import { sampleSchemes } from '../packages/components/src/common/fixtures/schemes.js';
import { shortHistory } from '../packages/components/src/common/fixtures/history.js';

/** The four widgets of one customer under one provider: one client, shared requests, one locale and theme. */
const meta: Meta<FrameArgs> = {
  title: 'Widgets/Provider',
  component: 'tk-provider',
  args: frameArgs,
  argTypes: frameArgTypes,
  render: (a) => {
    const id = tiersC3.subject.id;
    const client = FixtureClient.behaving(
      { tiers: { [id]: tiersC3 }, entitlements: { [id]: entitlementsC3 }, events: { [id]: shortHistory }, schemes: sampleSchemes },
      a.behaviour,
    );
    return html`<tk-provider .client=${client} subject=${tiersC3.subject.id} locale=${a.locale} theme=${a.theme}>
      <tk-tier-badge show-progress></tk-tier-badge>
      <tk-entitlement-panel></tk-entitlement-panel>
      <tk-risk-value-matrix mode="subject"></tk-risk-value-matrix>
      <tk-tier-timeline></tk-tier-timeline>
    </tk-provider>`;
  },
};
export default meta;

type Story = StoryObj<FrameArgs>;

export const OnlineBanking: Story = {};
export const Taiwan: Story = { args: { locale: 'zh-TW' } };
export const English: Story = { args: { locale: 'en' } };
export const Dark: Story = { args: { theme: 'dark', locale: 'en' } };
export const Loading: Story = { args: { behaviour: 'pending' } };
export const LoadError: Story = { args: { behaviour: 'error' } };
/** The embed token expired (401): the blocks ask the customer to sign in again, with no retry; the badge shows its error pill. */
export const SignedOut: Story = { args: { behaviour: 'signed-out' } };
/** The API knows no such customer (404): the widget says so, with no retry that could never succeed. */
export const NotFound: Story = { args: { behaviour: 'not-found' } };
/** An embed token asked for another customer (403): no retry, which would be refused again. */
export const Forbidden: Story = { args: { behaviour: 'forbidden', locale: 'zh-TW' } };
