import { actorSource } from '@tierkit/admin';
import { html, type TemplateResult } from 'lit';
import { actorWords } from './actor-words.js';
import { staffName } from './staff-name.js';
import type { ConsoleLocale } from './words.js';

/**
 * Who did something, as the console shows it: a staff member by name with the id (StaffNames), a
 * re-tier job linked to its page (`#/jobs/<id>`) when `jobsLinked` (the session may open that page),
 * anything else in words (actor-words.ts). Nothing masked: the console's staff may see which colleague
 * acted, and a job or the system is no person.
 */
export function whoDid(actor: string, locale: ConsoleLocale, jobsLinked: boolean): TemplateResult | string {
  const source = actorSource(actor);
  if (source.kind === 'staff') return staffName(actor);
  const words = actorWords(source, locale);
  return source.kind === 'job' && jobsLinked ? html`<a href="#/jobs/${encodeURIComponent(source.id)}" data-job-link>${words}</a>` : words;
}
