import { html, nothing, type TemplateResult } from 'lit';
import type { Locale } from '@tierkit/core';
import type { TierkitClient } from '@tierkit/client';
import { MockClient, type MockBehaviour, type MockClientOptions } from './fixtures/mock-client.js';

/*
 * What every story shares: typed locale / theme / behaviour args, and a <tk-provider> frame around
 * a widget with a mock client object (never the network). Stories double as browser-test fixtures
 * (tests/browser/stories.test.ts renders each one), so a story must render without Storybook.
 */

export const LOCALE_OPTIONS: readonly Locale[] = ['zh-CN', 'zh-TW', 'en'];
export const THEME_OPTIONS = ['light', 'dark'] as const;
export type StoryTheme = (typeof THEME_OPTIONS)[number];

/** Args every connected story takes. */
export interface FrameArgs {
  readonly locale: Locale;
  readonly theme: StoryTheme;
  /** How the mock client answers: with fixtures, never (loading), or with a 503 (error state). */
  readonly behaviour: MockBehaviour;
}

export const frameArgs: FrameArgs = { locale: 'zh-CN', theme: 'light', behaviour: 'ok' };

export const frameArgTypes = {
  locale: { control: 'inline-radio', options: LOCALE_OPTIONS },
  theme: { control: 'inline-radio', options: THEME_OPTIONS },
  behaviour: { control: 'inline-radio', options: ['ok', 'pending', 'error'] },
} as const;

/** A widget inside a provider with a fresh mock client over `data`. */
export function connected(args: FrameArgs, data: MockClientOptions, content: TemplateResult, subject?: string): TemplateResult {
  const client: TierkitClient = new MockClient({ ...data, behaviour: args.behaviour });
  return html`<tk-provider .client=${client} locale=${args.locale} theme=${args.theme} subject=${subject ?? nothing}>
${content}</tk-provider>`;
}

/** A controlled widget: a provider only for locale and theme (no client), so nothing is fetched. */
export function controlled(args: Pick<FrameArgs, 'locale' | 'theme'>, content: TemplateResult): TemplateResult {
  return html`<tk-provider locale=${args.locale} theme=${args.theme}>
${content}</tk-provider>`;
}
