import type { PolicyError } from './policy-errors.js';
import type { PolicyPack, SchemeDefinition } from './pack-schema.js';
import { validatePolicyPack } from './validate-pack.js';

export type SchemeDocumentCheck =
  | { readonly ok: true; readonly definition: SchemeDefinition; readonly pack: PolicyPack }
  | { readonly ok: false; readonly errors: readonly PolicyError[] };

/**
 * Validate one scheme's document as the engine will run it: inside `pack` (the metrics and the
 * schemes in force), in place of the scheme's current definition (or added, for a new scheme).
 * Errors point into the document as a request carries it (`document.policy.levels[0].when.value`);
 * an error the document causes in another scheme (a matrix that reads a level it removes) is
 * reported on `document` with that scheme's own path in the message. The API checks a submission
 * with this and an editor checks a draft as it is typed with the same, so both say the same thing.
 */
export function checkSchemeDocument(
  pack: { readonly metrics: PolicyPack['metrics']; readonly schemes: readonly unknown[] },
  scheme: string,
  document: unknown,
): SchemeDocumentCheck {
  const key = typeof document === 'object' && document !== null ? (document as { key?: unknown }).key : undefined;
  if (key !== scheme)
    return {
      ok: false,
      errors: [
        {
          path: 'document.key',
          message: `must be "${scheme}", the scheme this version belongs to`,
          code: 'invalid_value',
          params: { values: [scheme] },
        },
      ],
    };
  const schemes: unknown[] = [...pack.schemes];
  let index = schemes.findIndex((s) => typeof s === 'object' && s !== null && (s as { key?: unknown }).key === scheme);
  if (index < 0) index = schemes.push(document) - 1;
  else schemes[index] = document;
  const own = `schemes[${index}]`;
  const mine = (path: string) => path === own || path.startsWith(`${own}.`) || path.startsWith(`${own}[`);
  // The checks of a new version (ValidationOptions.authoring) bind this document; a scheme stored before
  // them is reported only for what the engine could not run.
  const result = validatePolicyPack({ metrics: pack.metrics, schemes }, { authoring: true });
  const loadable = result.ok ? result : validatePolicyPack({ metrics: pack.metrics, schemes });
  const disclosed = result.ok ? [] : gradeDisclosedBy(scheme, result.errors, pack);
  const errors = result.ok
    ? []
    : result.errors.filter(
        (e) =>
          mine(e.path) || disclosed.includes(e) || (!loadable.ok && loadable.errors.some((l) => l.path === e.path && l.code === e.code)),
      );
  if (errors.length > 0 || !loadable.ok) {
    const inDocument = (path: string): string | undefined =>
      path === own
        ? 'document'
        : path.startsWith(`${own}.`) || path.startsWith(`${own}[`)
          ? `document${path.slice(own.length)}`
          : undefined;
    return {
      ok: false,
      errors: errors.map((e): PolicyError => {
        // A threshold out of order names the other threshold (`at`) by path too: the document's, as `path`.
        const other = e.params?.at;
        const at = typeof other === 'string' ? inDocument(other) : undefined;
        if (typeof other === 'string' && at !== undefined) e = { ...e, message: e.message.replace(other, at), params: { ...e.params, at } };
        const path = inDocument(e.path);
        if (path !== undefined) return { ...e, path };
        // Another scheme's error keeps its code; `elsewhere` says where in the pack it is, `inScheme` which scheme.
        return {
          ...e,
          path: 'document',
          message: `in the pack with this version, ${e.path}: ${e.message}`,
          params: { ...e.params, elsewhere: e.path, ...schemeKeyAt(schemes, e.path) },
        };
      }),
    };
  }
  const checked = loadable.pack;
  const definition = checked.schemes[index];
  if (!definition) throw new Error('validated pack lost the checked scheme');
  return { ok: true, definition, pack: checked };
}

/**
 * Another scheme's `grade_disclosed` that this version of its source `scheme` causes: a level of the
 * grade made a sign-off level, or its readers narrowed, turns a band read from it into the grade under
 * another name (check-grade-disclosure.ts), though the band's document is unchanged — so the grade's
 * version answers for it. One the pack as it stands already has is left to the band's next version
 * (docs/domain.md §4), not charged to an unrelated edit of the grade.
 */
function gradeDisclosedBy(
  scheme: string,
  errors: readonly PolicyError[],
  pack: { readonly metrics: PolicyPack['metrics']; readonly schemes: readonly unknown[] },
): PolicyError[] {
  const caused = errors.filter((e) => e.code === 'grade_disclosed' && e.params?.scheme === scheme);
  if (caused.length === 0) return [];
  const before = validatePolicyPack(pack, { authoring: true });
  const had = new Set(
    before.ok
      ? []
      : before.errors
          .filter((e) => e.code === 'grade_disclosed')
          .map((e) => `${schemeKeyAt(pack.schemes, e.path).inScheme}\u0000${String(e.params?.level)}`),
  );
  return caused.filter((e) => !had.has(`${schemeKeyAt(pack.schemes, e.path).inScheme}\u0000${String(e.params?.level)}`));
}

/** `{ inScheme: key }` of the scheme a pack path (`schemes[2].matrix.rows`) is in, when it names one. */
export function schemeKeyAt(schemes: readonly unknown[], path: string): { inScheme?: string } {
  const at = /^schemes\[(\d+)\]/.exec(path);
  const key = at ? (schemes[Number(at[1])] as { key?: unknown } | undefined)?.key : undefined;
  return typeof key === 'string' ? { inScheme: key } : {};
}
