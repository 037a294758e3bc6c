import { createContext } from '@lit/context';
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

// In config.ts so a bundle needing only the combined context (the badge alone) does not carry the
// single-field contexts above: createContext() calls are not tree-shaken.
export { configContext, type TierkitConfig } from './config.js';
