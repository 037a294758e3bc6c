import { html, nothing, type TemplateResult } from 'lit';
import type { Locale } from '@tierkit/core';
import type { TierkitClient } from '@tierkit/client';
import {
  FIXTURE_BEHAVIOURS,
  FixtureClient,
  type FixtureBehaviour,
  type FixtureData,
} from '../packages/components/src/common/fixtures/fixture-client.js';

/*
 * What every story shares: typed locale / theme / behaviour args, and a <tk-provider> frame around
 * a widget with a fixture client object (never the network). Stories double as browser-test fixtures
 * (tests/browser/stories.test.ts renders each one), so a story must render without Storybook.
 */

export const LOCALE_OPTIONS: readonly Locale[] = ['zh-CN', 'zh-TW', 'en'];
export const THEME_OPTIONS = ['light', 'dark'] as const;
export type StoryTheme = (typeof THEME_OPTIONS)[number];

/** Args every connected story takes. */
export interface FrameArgs {
  readonly locale: Locale;
  readonly theme: StoryTheme;
  /** How the fixture client answers: with fixtures, never (loading), a 503 (error state), a 401 (signed out), a 404 (not found) or a 403 (forbidden). */
  readonly behaviour: FixtureBehaviour;
}

export const frameArgs: FrameArgs = { locale: 'zh-CN', theme: 'light', behaviour: 'ok' };

export const frameArgTypes = {
  locale: { control: 'inline-radio', options: LOCALE_OPTIONS },
  theme: { control: 'inline-radio', options: THEME_OPTIONS },
  behaviour: { control: 'inline-radio', options: FIXTURE_BEHAVIOURS },
} as const;

/**
 * A phone's width (360 px, the narrow end of common Android phones): Storybook's viewport for the
 * `phone360` option defined in .storybook/preview.ts.
 */
export const PHONE = { globals: { viewport: { value: 'phone360', isRotated: false } } } as const;

/** A widget inside a provider with a fresh fixture client over `data`. */
export function connected(args: FrameArgs, data: FixtureData, content: TemplateResult, subject?: string): TemplateResult {
  const client: TierkitClient = FixtureClient.behaving(data, args.behaviour);
  return html`<tk-provider .client=${client} locale=${args.locale} theme=${args.theme} subject=${subject ?? nothing}>
${content}</tk-provider>`;
}

/** A controlled widget: a provider only for locale and theme (no client), so nothing is fetched. */
export function controlled(args: Pick<FrameArgs, 'locale' | 'theme'>, content: TemplateResult): TemplateResult {
  return html`<tk-provider locale=${args.locale} theme=${args.theme}>
${content}</tk-provider>`;
}
