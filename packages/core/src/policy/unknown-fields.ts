import type { z } from 'zod';
import type { PolicyError } from './policy-errors.js';
import { formatPath } from './policy-errors.js';

/*
 * Fields a schema does not know. The schemas strip them, so a misspelt optional field
 * (`approvalrequired`) used to pass validation and do nothing — a bank's risk team found their
 * sign-off level was never one (docs/policy-format.md, "Validation and error codes"). A new version
 * is refused for each of them; a stored one is still loaded as it was (validatePolicyPack's
 * `authoring`), since refusing it would take the tenant's pack down.
 *
 * Walked here over the schema's own definition rather than by making every object strict, so the
 * schemas stay what loading a stored pack parses with, and every unknown field is reported at once
 * with its path, beside the document's other errors.
 */

// zod 4's definition of a schema: the members this walk reads.
interface Def {
  readonly type: string;
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly catchall?: z.ZodType;
  readonly element?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly getter?: () => z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly discriminator?: string;
  readonly valueType?: z.ZodType;
  readonly in?: z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Every field of `value` that `schema` does not know, at its path (`at` leads each one), with the nearest known name. */
export function unknownFields(schema: z.ZodType, value: unknown, at: readonly PropertyKey[] = []): PolicyError[] {
  const out: PolicyError[] = [];
  walk(schema, value, at, out);
  return out;
}

function walk(schema: z.ZodType, value: unknown, at: readonly PropertyKey[], out: PolicyError[]): void {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'readonly':
    case 'default':
    case 'nonoptional':
      if (def.innerType) walk(def.innerType, value, at, out);
      return;
    case 'lazy':
      if (def.getter) walk(def.getter(), value, at, out);
      return;
    case 'pipe':
      if (def.in) walk(def.in, value, at, out);
      return;
    case 'array':
      if (Array.isArray(value) && def.element) {
        const element = def.element;
        for (const [i, v] of value.entries()) walk(element, v, [...at, i], out);
      }
      return;
    case 'record':
      if (isObject(value) && def.valueType) for (const [k, v] of Object.entries(value)) walk(def.valueType, v, [...at, k], out);
      return;
    case 'union': {
      const option = optionFor(def, value);
      if (option) walk(option, value, at, out);
      return;
    }
    case 'object': {
      if (!isObject(value) || !def.shape) return;
      // A strict object (`readers`) reports its own extra fields (`unrecognized_keys`), as before.
      const strict = def.catchall !== undefined && defOf(def.catchall).type === 'never';
      const known = Object.keys(def.shape);
      for (const [k, v] of Object.entries(value)) {
        const field = def.shape[k];
        if (field) walk(field, v, [...at, k], out);
        else if (!strict) out.push(unknownField([...at, k], k, known));
      }
      return;
    }
    default:
      return;
  }
}

/** The option of a union `value` is meant for: by its tag in a tagged union, else the first that accepts it. */
function optionFor(def: Def, value: unknown): z.ZodType | undefined {
  const options = def.options ?? [];
  if (def.discriminator !== undefined) {
    if (!isObject(value)) return undefined;
    const tag = value[def.discriminator];
    return options.find((o) => {
      const shape = defOf(o).shape;
      return shape?.[def.discriminator as string]?.safeParse(tag).success === true;
    });
  }
  return options.find((o) => o.safeParse(value).success);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unknownField(path: readonly PropertyKey[], field: string, known: readonly string[]): PolicyError {
  const suggestion = nearestName(field, known);
  return {
    path: formatPath(path),
    message: `unknown field "${field}"${suggestion === undefined ? '' : `; did you mean "${suggestion}"?`}`,
    code: 'unknown_field',
    params: { field, known: [...known], ...(suggestion === undefined ? {} : { suggestion }) },
  };
}

/**
 * The known name `field` most likely means: the fewest edits apart, letter case ignored
 * (`approvalrequired` → `approvalRequired`), and near enough to be a slip — at most a third of its
 * letters, and at least two edits allowed. Undefined when nothing is that near.
 */
export function nearestName(field: string, known: readonly string[]): string | undefined {
  const f = field.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = editDistance(f, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(field.length / 3)) ? best : undefined;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}
