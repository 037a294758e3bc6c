import { type ActorSource, actorSource } from '@tierkit/admin';
import { type ConsoleLocale, WORDS } from './words.js';

/**
 * An actor that is no staff member, as the console says it: a re-tier job, the system, the CLI, a key
 * or a token as what it is, never masked (a job or the system is no person: docs/domain.md §8 masks
 * people). A staff member is a name the page reads (who-did.ts); here, its id.
 */
export function actorWords(actor: string | ActorSource, locale: ConsoleLocale): string {
  const w = WORDS[locale];
  const source = typeof actor === 'string' ? actorSource(actor) : actor;
  switch (source.kind) {
    case 'staff':
      return source.id;
    case 'job':
      return w.byJob(source.id);
    case 'key':
      return w.byKey(source.id);
    case 'system':
      return w.bySystem(source.id);
    case 'cli':
      return w.byCli(source.id);
    case 'token':
      return w.byToken(source.id);
    case 'unknown':
      return w.byUnknown(source.id);
  }
}
