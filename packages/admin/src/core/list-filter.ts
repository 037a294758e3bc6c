/*
 * What every cursor-paged list store of the kit does the same way: a filter without empty fields (so
 * the query string, and the client's cache key, do not depend on how a form left them) and a page size
 * within the API's limit.
 */

/** `filter` without its undefined or empty-string fields. */
export function withoutEmpty<F extends object>(filter: F): F {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined && v !== '')) as F;
}

/** A page size the API accepts (1–100), `fallback` when none is asked. */
export function pageSizeOf(asked: number | undefined, fallback = 50): number {
  return Math.min(100, Math.max(1, asked ?? fallback));
}
