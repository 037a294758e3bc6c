import type { PolicyError } from './policy-errors.js';
import type { SchemeDefinition } from './pack-schema.js';
import { formatPath } from './policy-errors.js';
import { derivedSources } from './dependencies.js';
import { mayReadScheme, READER_ROLES } from '../model/scheme-readers.js';

/*
 * A band read from a grade some staff may not read (the risk band from the AML grade: docs/domain.md §4,
 * "Who reads a grade") tells them the band, never the grade: their view withholds the rule and the
 * grade's level it was read from (audience/reader-view.ts). But a band level that only a sign-off level
 * of the grade leads to (AML 高, the suspicion that needs a second person) *is* that grade under another
 * name: whoever reads the band reads that the customer is AML 高. The band may coarsen — the default
 * pack's 高风险 comes from AML 中高 or 高 or a poor credit grade — but not isolate the sign-off level.
 * A level only a grade's ordinary level leads to (the default pack's 未评估 band, from AML 未评估: no
 * assessment on record, a data gap the relationship manager must close, not a suspicion) is allowed.
 */

/** Staff who read `band` but not `grade`: one is enough for the band to disclose the grade to someone. */
function someReadsOnlyBand(band: SchemeDefinition, grade: SchemeDefinition): boolean {
  return READER_ROLES.some((role) =>
    [false, true].some((bookScoped) => mayReadScheme(band, { role, bookScoped }) && !mayReadScheme(grade, { role, bookScoped })),
  );
}

/**
 * `grade_disclosed` on each source map of a derived scheme `s` whose level is reached only from sign-off
 * levels of one source that some of `s`'s readers may not read.
 */
export function checkGradeDisclosure(
  s: SchemeDefinition,
  at: readonly PropertyKey[],
  schemes: ReadonlyMap<string, SchemeDefinition>,
  errors: PolicyError[],
): void {
  const p = s.policy;
  if (p.kind !== 'derived') return;
  const sources = derivedSources(p);
  for (const level of s.levels) {
    const ways = sources.flatMap((src) =>
      Object.entries(src.map)
        .filter(([, to]) => to === level.key)
        .map(([from]) => ({ scheme: src.from, from })),
    );
    const only = new Set(ways.map((w) => w.scheme));
    const [key] = only;
    if (ways.length === 0 || only.size !== 1 || key === undefined) continue;
    const grade = schemes.get(key);
    if (!grade || !someReadsOnlyBand(s, grade)) continue;
    const signOff = new Set(grade.levels.filter((v) => v.approvalRequired === true).map((v) => v.key));
    if (!ways.every((w) => signOff.has(w.from))) continue;
    const index = sources.findIndex((src) => src.from === key);
    errors.push({
      path: formatPath([...at, 'policy', ...(index === 0 ? ['map'] : ['alsoFrom', index - 1, 'map'])]),
      message: `level "${level.key}" is reached only from ${key}'s sign-off levels (${ways.map((w) => w.from).join(', ')}): staff who read ${s.key} but not ${key} would read that grade — map another level or another source to it too, or give ${s.key} ${key}'s readers`,
      code: 'grade_disclosed',
      params: { level: level.key, scheme: key, from: ways.map((w) => w.from) },
    });
  }
}
