import type { HttpTierkitClient, Session } from '@tierkit/client';
import type { TemplateResult } from 'lit';
import type { ConsoleLocale } from './words.js';

/** What the shell hands every page: who is signed in, in which language, and where in the page. */
export interface PageContext {
  /** The console's one client: the kit's stores and the widgets share its requests and cache. */
  readonly client: HttpTierkitClient;
  readonly session: Session;
  readonly locale: ConsoleLocale;
  /** The route after the page's id: `#/policies/retail-tier/3` gives `['retail-tier', '3']`. */
  readonly path: readonly string[];
  /** The route's query: `#/jobs?scheme=retail-tier`. */
  readonly params: URLSearchParams;
  /** Go to another route of the console, e.g. `navigate('jobs/J1')`; history and the back button follow. */
  navigate(route: string): void;
}

/**
 * One page of the console. Pages are listed in `pages/index.ts`; the shell shows those `visible` to the
 * signed-in staff member in its navigation and renders the one the location's hash names
 * (`#/<id>/…`). A page is a light-DOM Lit element of its own that takes the context as a property, so
 * its stores live as long as it is shown.
 */
export interface ConsolePage {
  /** The first segment of the route; lowercase letters and dashes. */
  readonly id: string;
  readonly title: Readonly<Record<ConsoleLocale, string>>;
  /** Whether the navigation offers the page to this session (the API still decides every request). */
  visible(session: Session): boolean;
  render(ctx: PageContext): TemplateResult;
}
