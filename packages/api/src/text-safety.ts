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
  const character = unsafeCharacter(s);
  return character && REASONS[character];
}

/** What in `s` cannot be stored as text (the `character` of an `unsafe_text` field error), or undefined when nothing. */
export function unsafeCharacter(s: string): 'nul' | 'lone_surrogate' | undefined {
  if (s.includes('\u0000')) return 'nul';
  if (LONE_SURROGATE.test(s)) return 'lone_surrogate';
  return undefined;
}

const REASONS = {
  nul: 'must not contain U+0000 (NUL)',
  lone_surrogate: 'must not contain a lone surrogate (not valid Unicode)',
} as const;

/** The field error for `s` at `path` when it cannot be stored as text. */
export function unsafeTextError(path: string, s: string, what = ''): FieldError | undefined {
  const character = unsafeCharacter(s);
  return character && { path, message: what + REASONS[character], code: 'unsafe_text', params: { character } };
}

const shortPath = (path: string) => (path.length > 200 ? `${path.slice(0, 200)}…` : path);

/**
 * Every unsafe string in a parsed JSON value, keys included, with its field path (`metrics[0].metric`).
 * Walks with its own stack: a 1 MiB body can nest half a million levels deep.
 */
export function unsafeTextIn(root: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const stack: [unknown, string][] = [[root, '']];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [value, path] = item;
    if (typeof value === 'string') {
      const error = unsafeTextError(shortPath(path) || '(body)', value);
      if (error) errors.push(error);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => {
        stack.push([v, `${path}[${i}]`]);
      });
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) {
        const at = path ? `${path}.${k}` : k;
        const error = unsafeTextError(shortPath(at), k, 'field name ');
        if (error) errors.push({ ...error, params: { ...error.params, in: 'key' } });
        stack.push([v, at]);
      }
    }
  }
  return errors;
}
