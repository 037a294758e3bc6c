import { html } from 'lit';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import type { HistoryEvent } from '@tierkit/core';
import '../packages/components/src/define.js';
import { connected, controlled, frameArgs, frameArgTypes, PHONE, type FrameArgs } from './support.js';
import {
  customerDropHistory,
  customerHistory,
  hostileHistory,
  makeHistory,
  shortHistory,
} from '../packages/components/src/common/fixtures/history.js';
import { longSchemes, sampleSchemes } from '../packages/components/src/common/fixtures/schemes.js';
import { tiersC3 } from '../packages/components/src/common/fixtures/tiers.js';
import { FixtureClient } from '../packages/components/src/common/fixtures/fixture-client.js';

const SUBJECT_ID = tiersC3.subject.id;

interface TimelineArgs extends FrameArgs {
  readonly timeZone: string;
  /** Events the fixture client serves, in pages of `pageSize`. */
  readonly history: readonly HistoryEvent[];
  readonly pageSize: number;
  /** Show staff in full (only for viewers allowed to see them; masked by default). */
  readonly unmasked: boolean;
  /** Controlled data instead of the fixture client. */
  readonly data?: readonly HistoryEvent[];
  /** Level and scheme names at their longest (fixtures' LONG_NAME), for controlled data. */
  readonly long?: boolean;
}

const meta: Meta<TimelineArgs> = {
  title: 'Widgets/Tier timeline',
  component: 'tk-tier-timeline',
  args: { ...frameArgs, timeZone: 'Asia/Shanghai', history: shortHistory, pageSize: 50, unmasked: false },
  argTypes: {
    ...frameArgTypes,
    timeZone: { control: 'select', options: ['Asia/Shanghai', 'Asia/Hong_Kong', 'UTC', 'Europe/London'] },
    history: { control: false },
  },
  render: (a) => {
    const el = html`<tk-tier-timeline time-zone=${a.timeZone} page-size=${a.pageSize} ?unmasked=${a.unmasked} .data=${a.data}
      .schemes=${a.data ? (a.long ? longSchemes() : sampleSchemes) : undefined}></tk-tier-timeline>`;
    return a.data
      ? controlled(a, el)
      : connected(a, { tiers: { [SUBJECT_ID]: tiersC3 }, events: { [SUBJECT_ID]: a.history } }, el, SUBJECT_ID);
  },
};
export default meta;

type Story = StoryObj<TimelineArgs>;

/** Six changes over two years, names from the tiers response. */
export const History: Story = {};
/** For a viewer allowed to see staff: who made and who approved each change, in full. */
export const HistoryUnmasked: Story = { args: { unmasked: true } };
export const HistoryTaiwan: Story = { args: { locale: 'zh-TW' } };
export const HistoryEnglish: Story = { args: { locale: 'en' } };
/**
 * A customer reading their own history in online banking (embed token): the API sends when, which scheme,
 * the move and its month, nothing of how the bank decided or who did it, and each row shows what it holds.
 */
export const CustomerAudience: Story = { args: { history: customerHistory } };
export const CustomerAudienceTaiwan: Story = { args: { history: customerHistory, locale: 'zh-TW' } };
export const CustomerAudienceEnglish: Story = { args: { history: customerHistory, locale: 'en' } };
/**
 * A customer whose gold dropped after three months below its line: the row says why in one line, in the
 * published criteria (the API's `because.text`), never the rule or the policy version.
 */
export const CustomerDowngrade: Story = { args: { history: [...customerDropHistory, ...customerHistory] } };
export const CustomerDowngradeTaiwan: Story = { args: { history: [...customerDropHistory, ...customerHistory], locale: 'zh-TW' } };
export const CustomerDowngradeEnglish: Story = { args: { history: [...customerDropHistory, ...customerHistory], locale: 'en' } };
export const HistoryDark: Story = { args: { theme: 'dark', locale: 'en' } };
/** The same events in UTC: the New Year change moves back into 2023. */
export const HistoryInUtc: Story = { args: { timeZone: 'UTC', locale: 'en' } };
/** 10,000 changes: only the visible rows are in the DOM; paging follows the scroll. */
export const TenThousandChanges: Story = { args: { history: makeHistory(10_000), pageSize: 500, locale: 'en' } };
/** Controlled 10,000 events at once. */
export const ControlledTenThousand: Story = { args: { data: makeHistory(10_000) } };
export const Controlled: Story = { args: { data: shortHistory, locale: 'en' } };
export const Empty: Story = { args: { history: [] } };
export const Loading: Story = { args: { behaviour: 'pending' } };
export const LoadError: Story = { args: { behaviour: 'error', locale: 'en' } };
/** The embed token expired (401): the widget asks the customer to sign in again, with no retry. */
export const SignedOut: Story = { args: { behaviour: 'signed-out' } };
/** The API knows no such customer (404): the widget says so, with no retry that could never succeed. */
export const NotFound: Story = { args: { behaviour: 'not-found', locale: 'zh-TW' } };
/** An embed token asked for another customer (403): no retry, which would be refused again. */
export const Forbidden: Story = { args: { behaviour: 'forbidden', locale: 'en' } };
/**
 * The first page loads, the next is refused (403, as for a token bound to another page's origin):
 * "load more" goes, and the refusal is said under the changes already shown, as a first page's would be.
 */
export const LaterPageRefused: Story = {
  // Five changes overflow the box, so reaching its end asks for the next page by itself: a page that does
  // not fill the box waits for "load earlier changes" (timeline-window.ts, atEnd).
  args: { history: makeHistory(30), pageSize: 5, locale: 'en' },
  render: (a) => {
    const client = new FixtureClient({ tiers: { [SUBJECT_ID]: tiersC3 }, events: { [SUBJECT_ID]: a.history } });
    client.failLaterPages = 403;
    return html`<tk-provider .client=${client} locale=${a.locale} theme=${a.theme} subject=${SUBJECT_ID}>
      <tk-tier-timeline time-zone=${a.timeZone} page-size=${a.pageSize}></tk-tier-timeline></tk-provider>`;
  },
};

/** Notes and people carrying markup render as text. */
export const HostileNotes: Story = { args: { data: hostileHistory } };
/** Level and scheme names of 12 Chinese and 40 English characters: each row wraps. */
export const LongLabels: Story = { args: { data: shortHistory, long: true } };
export const LongLabelsEnglish: Story = { args: { data: shortHistory, long: true, locale: 'en' } };
/** On a 360 px phone. */
export const Phone: Story = { ...PHONE, args: { data: shortHistory, long: true, locale: 'en' } };
/**
 * A customer's paged history (130 changes, pages of 50) on a 360 px phone: the box is there from the first page,
 * so a page more, which takes it past 100 rows, leaves the change being read where it was.
 */
export const PhoneLongHistory: Story = { ...PHONE, args: { history: makeHistory(130), locale: 'en' } };
