// Type tests of what a portal team writes against the shipped tag typings: compiled by the typecheck
// stage (`tsc -p tsconfig.json`), never run. A line a host app may write compiles; each line the typings
// must refuse carries `@ts-expect-error`, which fails the stage when the line compiles after all.
// Raw tags in React 19 JSX go through `@tierkit/components/jsx`; Vue templates through
// `@tierkit/components/vue`, whose props are these same `tags.d.ts` types (vue-tsc itself runs in
// tests/embed, with a template that writes `page-size="6"`).
import type { ComponentProps } from 'react';
import type {} from '@tierkit/components/jsx';
import type { LocaleTag } from '@tierkit/components';
import { TkEntitlementPanel, TkProvider, TkTierTimeline } from '@tierkit/react';
import '@tierkit/components/define';
import type { EntitlementPanelProps, ProviderProps, TierTimelineProps } from '../../packages/components/types/tags.js';

// What a template writes: attributes are strings, so a numeric attribute takes its digits.
export const vueTimeline: TierTimelineProps[] = [{ pageSize: '6' }, { pageSize: 6 }];
// @ts-expect-error not a number
export const vueTimelineWords: TierTimelineProps = { pageSize: 'six' };
export const vuePanel: EntitlementPanelProps = { heading: '客户权益' };
// The supported locales and the regional tags the widgets map onto them (zh-HK reads Traditional).
export const vueLocales: ProviderProps[] = [
  { locale: 'zh-CN' },
  { locale: 'zh-TW' },
  { locale: 'en' },
  { locale: 'zh-HK' },
  { locale: 'en-GB' },
];
// @ts-expect-error a language the widgets do not speak (it would show English)
export const vueFrench: ProviderProps = { locale: 'fr' };
// @ts-expect-error as a theme they do not have is refused
export const vueSepia: ProviderProps = { theme: 'sepia' };
// A tag known only at run time is a string: the documented escape hatch is to say it is a tag.
export const vueRuntime: ProviderProps = { locale: navigator.language as LocaleTag };

// Raw tags in React 19 JSX.
export const rawTags = (
  <tk-provider locale="zh-HK" theme="dark">
    <tk-entitlement-panel heading="客户权益" />
    <tk-tier-timeline pageSize="6" />
    <tk-tier-timeline pageSize={6} />
  </tk-provider>
);
export const rawFrench = (
  <tk-provider
    // @ts-expect-error a language the widgets do not speak
    locale="fr"
  />
);
export const rawWords = (
  <tk-tier-timeline
    // @ts-expect-error not a number
    pageSize="six"
  />
);
export const rawUnknown = (
  <tk-entitlement-panel
    // @ts-expect-error the panel has no such property
    title2="客户权益"
  />
);

// @tierkit/react's wrappers take their props from the element classes.
export const wrapped = (
  <TkProvider locale="zh-TW">
    <TkEntitlementPanel heading="客户权益" />
    <TkTierTimeline pageSize={6} />
  </TkProvider>
);
// @ts-expect-error a language the widgets do not speak
export const wrappedFrench: ComponentProps<typeof TkProvider> = { locale: 'fr' };

// The element's own property, as a page's script sets it.
export function setLocale(provider: HTMLElementTagNameMap['tk-provider']): void {
  provider.locale = 'zh-HK';
  // @ts-expect-error a language the widgets do not speak
  provider.locale = 'fr';
}
