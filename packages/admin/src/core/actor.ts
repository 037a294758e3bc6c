/**
 * Who did something, by its actor's prefix (the API's actors: packages/api/src/routes/audit.ts):
 * `staff:RM001` a staff member, `key:…` an API key, `job:<id>` a re-tier job, `system` or
 * `system:<what>` the server by itself (a schedule, a seed, an import), `cli:<user>` the `tierkit` CLI,
 * `token:…` a token. `unknown`: a prefix this kit does not know, `id` the whole actor, for a screen to
 * say rather than show raw. Only a staff member (and the CLI's operating-system user) is a person:
 * the rest are no personal data, so nothing masks them.
 */
export interface ActorSource {
  readonly kind: 'staff' | 'key' | 'job' | 'system' | 'cli' | 'token' | 'unknown';
  /** What follows the prefix (a staff id, a key id, a job id, a user…); empty for a bare `system`. */
  readonly id: string;
}

const KINDS: readonly ActorSource['kind'][] = ['staff', 'key', 'job', 'system', 'cli', 'token'];

/** Who an actor is (`cli:ops1` → `{ kind: 'cli', id: 'ops1' }`), an actor of a kind not known kept whole. */
export function actorSource(actor: string): ActorSource {
  // The history's batch evaluations name the server bare (packages/core/src/model/history.ts).
  if (actor === 'system') return { kind: 'system', id: '' };
  const colon = actor.indexOf(':');
  const kind = KINDS.find((k) => k === actor.slice(0, colon));
  return colon > 0 && kind !== undefined ? { kind, id: actor.slice(colon + 1) } : { kind: 'unknown', id: actor };
}
