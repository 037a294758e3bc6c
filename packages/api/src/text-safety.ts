import type { FieldError } from './problem.js';

/*
 * One rule for every string that enters the API: no U+0000 and no lone surrogate. PostgreSQL cannot
 * store U+0000 in text (a 500 there, silently kept by SQLite), and a lone surrogate is not UTF-8 at all
 * (stored as U+FFFD, so what is read back differs from what was written). Refusing both everywhere keeps
 * the two dialects equal and every stored string round-trippable.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `s` cannot be stored as text, or undefined when it can. */
export function unsafeTextReason(s: string): string | undefined {
  if (s.includes('\u0000')) return 'must not contain U+0000 (NUL)';
  if (LONE_SURROGATE.test(s)) return 'must not contain a lone surrogate (not valid Unicode)';
  return undefined;
}

/** Every unsafe string in a parsed JSON value, keys included, with its field path (`metrics[0].metric`). */
export function unsafeTextIn(value: unknown, path = ''): FieldError[] {
  if (typeof value === 'string') {
    const reason = unsafeTextReason(value);
    return reason ? [{ path: path || '(body)', message: reason }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => unsafeTextIn(v, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => {
      const at = path ? `${path}.${k}` : k;
      const reason = unsafeTextReason(k);
      return [...(reason ? [{ path: at, message: `field name ${reason}` }] : []), ...unsafeTextIn(v, at)];
    });
  }
  return [];
}
