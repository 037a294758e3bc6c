import { createHash } from 'node:crypto';
import { ProblemError } from '../problem.js';

/**
 * JSON with object keys sorted at every depth, so the same content always hashes the same however
 * it was built or parsed. Arrays keep their order: order is meaning in a policy (rules, levels).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v as Record<string, unknown>).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

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

/** An approval names the content it saw; a request edited or superseded since then is refused. */
export function requireSameContent(stored: string, approved: string): void {
  if (stored !== approved) {
    throw new ProblemError(
      'content-changed',
      'What you approved is no longer what is pending: review the current content and approve its hash.',
    );
  }
}
