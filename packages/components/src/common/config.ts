import { createContext } from '@lit/context';
import type { TierkitClient } from '@tierkit/client';
import type { Theme } from './context.js';
import type { TermOverrides } from './term-overrides.js';

/**
 * Everything a provider hands down, in one value: a widget makes one context request for all of it
 * instead of one per field (a page of a thousand badges would otherwise dispatch five thousand
 * `context-request` events). The single-field contexts of context.ts stay for widgets that consume them.
 */
export interface TierkitConfig {
  readonly client: TierkitClient | undefined;
  readonly subject: string | undefined;
  /** The provider's `locale` as given (`en-GB`): widgets word it as a supported locale and format dates with it. */
  readonly locale: string | undefined;
  readonly currency: string;
  readonly theme: Theme;
  /** The bank's own words (see {@link TermOverrides}). */
  readonly terms: TermOverrides | undefined;
}
/** The provider's whole configuration (see {@link TierkitConfig}). */
export const configContext = createContext<TierkitConfig | undefined>(Symbol.for('tierkit.config'));

/*
 * How many providers are connected on the page, counted on a Symbol.for() key so that every copy of
 * the bundle on the page (two tag names, two versions) shares the count. Lets a controlled widget
 * skip its context request when no provider could answer it.
 */
const PROVIDERS = Symbol.for('tierkit.providers');
const registry = globalThis as unknown as Record<typeof PROVIDERS, number | undefined>;

/** Called by <tk-provider> on connect (+1) and disconnect (−1). */
export function countProvider(delta: 1 | -1): void {
  registry[PROVIDERS] = (registry[PROVIDERS] ?? 0) + delta;
}

/** Whether any provider is connected on the page (in any copy of the bundle). */
export function anyProvider(): boolean {
  return (registry[PROVIDERS] ?? 0) > 0;
}
