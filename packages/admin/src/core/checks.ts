import type { ProblemParam } from '@tierkit/core';
/**
 * One thing wrong with a field, as the kit's stores report it: the kit's own checks (made before a
 * request is sent) carry a stable `code` and the data their words need, so a host says them in its
 * own language without reading the English; `message` is the kit's default wording (English) for a
 * host that has none. A field the API refused has no kit code: `message` is the API's, and `api`
 * the API's own stable code and params (packages/api README, "Errors") for a host to word it by.
 */
export interface FieldCheck<C extends string> {
  /** The kit's code; undefined when the API refused the field (then `message` is the API's). */
  readonly code: C | undefined;
  readonly message: string;
  /** For a limit exceeded (`reason-too-long`): the most allowed. */
  readonly max?: number;
  /** The API's refusal's `code` and `params`, when the API refused the field and gave them. */
  readonly api?: { readonly code: string; readonly params?: Readonly<Record<string, ProblemParam>> };
}

/** What a check's default message is made from. */
export interface CheckData {
  readonly max?: number;
}

/** A check of `table` by code, its default message made from `data`. */
export function fieldCheck<C extends string>(
  table: Readonly<Record<C, (data: CheckData) => string>>,
  code: C,
  data: CheckData = {},
): FieldCheck<C> {
  return { code, message: table[code](data), ...data };
}

/** The API's refusal of a field (one of its problem's `errors`), with its code when it gives one. */
export function apiCheck<C extends string>(e: {
  readonly message: string;
  readonly code?: unknown;
  readonly params?: unknown;
}): FieldCheck<C> {
  if (typeof e.code !== 'string') return { code: undefined, message: e.message };
  const params = typeof e.params === 'object' && e.params !== null ? (e.params as Record<string, ProblemParam>) : undefined;
  return { code: undefined, message: e.message, api: { code: e.code, ...(params ? { params } : {}) } };
}

/**
 * The API's validation problem (a `TierkitApiError`'s `problem.errors`) as field errors by field:
 * `body.reason` and `reason` both become `reason`. With `fields`, only those: a refusal of anything
 * else is the whole request's, not a field a form shows.
 */
export function apiFieldErrors<C extends string>(err: unknown, fields?: readonly string[]): Readonly<Record<string, FieldCheck<C>>> {
  const problem = err && typeof err === 'object' && 'problem' in err ? (err as { problem: { errors?: unknown } }).problem : undefined;
  const list = Array.isArray(problem?.errors)
    ? (problem.errors as { path?: unknown; message?: unknown; code?: unknown; params?: unknown }[])
    : [];
  const out: Record<string, FieldCheck<C>> = {};
  for (const e of list) {
    if (typeof e.path !== 'string' || typeof e.message !== 'string') continue;
    const field = e.path.replace(/^body\./, '');
    if (fields === undefined || fields.includes(field)) out[field] = apiCheck({ ...e, message: e.message });
  }
  return out;
}
