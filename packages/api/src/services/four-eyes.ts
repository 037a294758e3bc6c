import { createHash } from 'node:crypto';
import { canonicalJson } from '@tierkit/core';
import type { Executor } from '@tierkit/db';
import { personOfActor } from '../auth/api-keys.js';
import { ProblemError } from '../problem.js';

// Core's, so a policy diff compares documents exactly as an approval hashes them.
export { canonicalJson };

/**
 * The hash an approval binds to: `sha256:` + hex of the canonical JSON. A request carries it when it
 * is submitted; the approver sends back the hash of what they reviewed, and the approval applies only
 * when it still matches what is stored (see `requireSameContent`).
 */
export function contentHash(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex')}`;
}

/**
 * Four eyes: whoever decides a request must be another person than whoever made it, whatever their
 * roles. `actor` is the principal's stable identity (`Principal.actor`).
 */
export function requireDistinctApprover(requestedBy: string, approver: string): void {
  if (requestedBy === approver) {
    throw new ProblemError('four-eyes', 'You requested this change; another person must approve or reject it.');
  }
}

/**
 * Whether the caller (`actor`, a `Principal.actor`) is among a request's `requesters` (stored actors),
 * by person: the same credential, or another credential of the same person — a key owned by the staff
 * member who requested with their token or another of their keys (`personOfActor`; a re-tier job is
 * whoever started it). An unowned key is a person of its own; empty requesters are skipped. The one
 * home of "same person": four eyes (`requireDistinctPerson`), the requester's own steps (`samePerson`)
 * and `requestedByYou` all ask it. Each stored actor is looked up once per returned function (one
 * request's worth of items).
 */
export function requestedByCaller(db: Executor, tenantId: string, actor: string): (requesters: readonly string[]) => Promise<boolean> {
  const people = new Map<string, Promise<string>>();
  const person = (a: string) => {
    let p = people.get(a);
    if (p === undefined) people.set(a, (p = personOfActor(db, tenantId, a)));
    return p;
  };
  return async (requesters) => {
    for (const r of requesters) if (r && (r === actor || (await person(r)) === (await person(actor)))) return true;
    return false;
  };
}

/**
 * Four eyes between people, not credentials: the approver (`Principal.actor`) may be none of the
 * `requesters` (stored actors), nor hold a credential of the same person (`requestedByCaller`).
 */
export async function requireDistinctPerson(
  db: Executor,
  tenantId: string,
  requesters: readonly string[],
  approver: string,
): Promise<void> {
  const mine = requestedByCaller(db, tenantId, approver);
  for (const requester of requesters) {
    if (!(await mine([requester]))) continue;
    requireDistinctApprover(requester, approver);
    throw new ProblemError(
      'four-eyes',
      `You requested this change as ${requester}, a credential of yours (${await personOfActor(db, tenantId, approver)}) too; another person must approve or reject it.`,
    );
  }
}

/** Whether two stored actors are the same person (the same credential, or credentials of one staff member). */
export function samePerson(db: Executor, tenantId: string, a: string, b: string): Promise<boolean> {
  return requestedByCaller(db, tenantId, b)([a]);
}

/** An approval names the content it saw; a request edited or superseded since then is refused. */
export function requireSameContent(stored: string, approved: string): void {
  if (stored !== approved) {
    throw new ProblemError(
      'content-changed',
      'What you approved is no longer what is pending: review the current content and approve its hash.',
    );
  }
}
