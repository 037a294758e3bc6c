import { createContext } from '@lit/context';
import type { Locale } from '@tierkit/core';
import type { TierkitClient } from '@tierkit/client';

/*
 * What <tk-provider> hands down. Keys are Symbol.for() strings on purpose: two copies of the
 * component bundle on one page (two portal teams, two versions) still find each other's provider.
 */

export const THEMES = ['light', 'dark', 'auto'] as const;
export type Theme = (typeof THEMES)[number];

/** The client every connected widget reads through; shared so widgets share requests and cache. */
export const clientContext = createContext<TierkitClient | undefined>(Symbol.for('tierkit.client'));
/** The subject (customer) id widgets show when they have no `subject` attribute of their own. */
export const subjectContext = createContext<string | undefined>(Symbol.for('tierkit.subject'));
/** The provider's locale; undefined lets the document's `lang` decide. */
export const localeContext = createContext<Locale | undefined>(Symbol.for('tierkit.locale'));
/** ISO 4217 code amounts are shown in when the data does not say (default CNY). */
export const currencyContext = createContext<string>(Symbol.for('tierkit.currency'));
/** The provider's theme, for widgets that draw differently in the dark (not needed for colours). */
export const themeContext = createContext<Theme>(Symbol.for('tierkit.theme'));

// In config.ts so a bundle needing only the combined context (the badge alone) does not carry the
// single-field contexts above: createContext() calls are not tree-shaken.
export { configContext, type TierkitConfig } from './config.js';
