import { restrictsReaders, type AudienceView } from '@tierkit/core';
import { auditRead } from '../middleware/audit.js';
import type { AuditState } from '../middleware/audit.js';

/**
 * The schemes with restricted readers (`readers`: an AML grade) that a staff read shows the levels of:
 * those of `shown` (or every scheme the reader sees, when `shown` is undefined) that restrict their
 * readers. Empty for a customer's credential, which never reads a staff scheme.
 */
export function restrictedShown(audience: AudienceView, shown: ReadonlySet<string> | undefined): string[] {
  if (audience.audience !== 'staff') return [];
  return audience.schemes.filter((s) => restrictsReaders(s) && (shown === undefined || shown.has(s.key))).map((s) => s.key);
}

/**
 * Record a staff read that returns restricted schemes' levels for named customers: one audit record per
 * request (who and which credential are the record's own fields), naming the schemes and the customers
 * by external id — at most a page, 100, as an unmasked list read names them. An examiner asks "who read
 * this customer's AML grade" of the trail (docs/domain.md §4, "Who reads a grade"); nothing is served
 * when the record cannot be written (middleware/audit.ts).
 */
export function recordRestrictedRead(
  c: { readonly var: { readonly audit: AuditState } },
  audience: AudienceView,
  subjects: { readonly externalId: string } | readonly { readonly externalId: string }[],
  shown: ReadonlySet<string> | undefined,
): void {
  const schemes = restrictedShown(audience, shown);
  const list = Array.isArray(subjects) ? subjects : [subjects as { readonly externalId: string }];
  if (schemes.length === 0 || list.length === 0) return;
  auditRead(c, { restrictedRead: { schemes, subjects: list.map((s) => s.externalId), count: list.length } });
}

/**
 * Record a staff read of items that each name a customer's level, or a level sought, in a scheme (override
 * requests, a pending sign-off): one record per request for those of restricted schemes, as
 * {@link recordRestrictedRead} does for a subject's read.
 */
export function recordRestrictedItems(
  c: { readonly var: { readonly audit: AuditState } },
  audience: AudienceView,
  items: readonly { readonly subject: string; readonly scheme: string }[],
): void {
  const restricted = new Set(restrictedShown(audience, undefined));
  const read = items.filter((i) => restricted.has(i.scheme));
  if (read.length === 0) return;
  const subjects = [...new Set(read.map((i) => i.subject))];
  auditRead(c, { restrictedRead: { schemes: [...new Set(read.map((i) => i.scheme))], subjects, count: subjects.length } });
}
