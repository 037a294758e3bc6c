import { html } from 'lit';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import type { MatrixResponse } from '@tierkit/core';
import '../packages/components/src/define.js';
import { connected, controlled, frameArgs, frameArgTypes, PHONE, type FrameArgs } from './support.js';
import { emptyPortfolio, portfolio, twoByTwo } from '../packages/components/src/common/fixtures/matrix.js';
import { hostileSchemes, longSchemes, sampleSchemes } from '../packages/components/src/common/fixtures/schemes.js';
import { demoTiers, tiersC3, tiersWithoutMatrix } from '../packages/components/src/common/fixtures/tiers.js';

const SUBJECT_ID = tiersC3.subject.id;
/** What the fixture client serves: the showcase customers, the portfolio and the schemes for axis names. */
const served = { tiers: demoTiers, matrix: { 'risk-value': portfolio }, schemes: sampleSchemes };

interface MatrixArgs extends FrameArgs {
  readonly mode: 'portfolio' | 'subject';
  readonly tableView: boolean;
  /** Controlled data instead of the fixture client. */
  readonly data?: MatrixResponse;
  readonly hostile?: boolean;
  /** Level and scheme names at their longest (fixtures' LONG_NAME). */
  readonly long?: boolean;
}

const meta: Meta<MatrixArgs> = {
  title: 'Widgets/Risk-value matrix',
  component: 'tk-risk-value-matrix',
  args: { ...frameArgs, mode: 'portfolio', tableView: false },
  argTypes: { ...frameArgTypes, mode: { control: 'inline-radio', options: ['portfolio', 'subject'] } },
  render: (a) => {
    const el = html`<tk-risk-value-matrix mode=${a.mode} ?table-view=${a.tableView}
      .schemes=${a.hostile ? hostileSchemes() : a.long ? longSchemes() : a.data ? sampleSchemes : undefined} .data=${a.data}></tk-risk-value-matrix>`;
    return a.data ? controlled(a, el) : connected(a, served, el, a.mode === 'subject' ? SUBJECT_ID : undefined);
  },
};
export default meta;

type Story = StoryObj<MatrixArgs>;

/** An RM's book: counts per cell, from `getMatrix('risk-value')` through the provider. */
export const Portfolio: Story = {};
export const PortfolioTaiwan: Story = { args: { locale: 'zh-TW' } };
export const PortfolioEnglish: Story = { args: { locale: 'en' } };
export const PortfolioDark: Story = { args: { theme: 'dark' } };
export const PortfolioTableView: Story = { args: { tableView: true, locale: 'en' } };
/** One customer's cell, from the tiers response the badge shares. */
export const Subject: Story = { args: { mode: 'subject' } };
export const SubjectEnglishDark: Story = { args: { mode: 'subject', locale: 'en', theme: 'dark' } };
export const SubjectWithoutSegment: Story = {
  args: { mode: 'subject' },
  render: (a) =>
    connected(
      a,
      { tiers: { [SUBJECT_ID]: tiersWithoutMatrix } },
      html`<tk-risk-value-matrix mode="subject"></tk-risk-value-matrix>`,
      SUBJECT_ID,
    ),
};
/** Controlled: the host sets `data` (and `schemes` for names); nothing is fetched. */
export const Controlled: Story = { args: { data: portfolio, locale: 'en' } };
export const TwoByTwo: Story = { args: { data: twoByTwo } };
export const EmptyPortfolio: Story = { args: { data: emptyPortfolio } };
export const Loading: Story = { args: { behaviour: 'pending' } };
export const LoadError: Story = { args: { behaviour: 'error', locale: 'en' } };
/** The embed token expired (401): the widget asks the customer to sign in again, with no retry. */
export const SignedOut: Story = { args: { behaviour: 'signed-out' } };
/** The API knows no such customer (404): the widget says so, with no retry that could never succeed. */
export const NotFound: Story = { args: { behaviour: 'not-found', mode: 'subject', locale: 'en' } };
/** An embed token asked for another customer (403): no retry, which would be refused again. */
export const Forbidden: Story = { args: { behaviour: 'forbidden', mode: 'subject' } };
/** Level names carrying markup render as text. */
export const HostileNames: Story = { args: { data: portfolio, hostile: true } };
/** Level names of 12 Chinese and 40 English characters: headers and cells wrap. */
export const LongLabels: Story = { args: { data: portfolio, long: true } };
export const LongLabelsEnglish: Story = { args: { data: portfolio, long: true, locale: 'en' } };
/** On a 360 px phone. */
export const Phone: Story = { ...PHONE, args: { data: portfolio, long: true, locale: 'en' } };
