/*
 * Field paths as the engine writes them in its errors (`document.policy.levels[0].when.value`), read
 * and written on a plain JSON document without changing it in place: the editor's state is immutable
 * data, so every edit makes a new document that shares what it did not touch.
 */

export type PathSegment = string | number;

/** `document.policy.levels[0].when.of[1].value` → `['policy', 'levels', 0, 'when', 'of', 1, 'value']` (the leading `document` is the document itself). */
export function parseFieldPath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[1] !== undefined) out.push(m[1]);
  }
  return out[0] === 'document' ? out.slice(1) : out;
}

/** The value at `path`, or undefined when any step is missing. */
export function getAt(doc: unknown, path: string): unknown {
  let at: unknown = doc;
  for (const seg of parseFieldPath(path)) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PathSegment, unknown>)[seg];
  }
  return at;
}

/**
 * A copy of `doc` with `path` set to `value` (undefined: removed; in an array, spliced out). A step
 * that is missing is created as an object or array as the next segment needs; the value is not
 * checked here — the engine's validator says what is wrong with the result, with this same path.
 */
export function setAt(doc: unknown, path: string | readonly PathSegment[], value: unknown): unknown {
  const segs = typeof path === 'string' ? parseFieldPath(path) : path;
  const [head, ...rest] = segs;
  if (head === undefined) return value;
  if (typeof head === 'number') {
    const arr = Array.isArray(doc) ? [...doc] : [];
    if (rest.length === 0 && value === undefined) arr.splice(head, 1);
    else arr[head] = setAt(arr[head], rest, value);
    return arr;
  }
  const obj: Record<string, unknown> = doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? { ...doc } : {};
  if (rest.length === 0 && value === undefined) delete obj[head];
  else obj[head] = setAt(obj[head], rest, value);
  return obj;
}
