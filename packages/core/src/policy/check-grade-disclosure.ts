import type { PolicyError } from './policy-errors.js';
import type { SchemeDefinition } from './pack-schema.js';
import { formatPath } from './policy-errors.js';
import { derivedSources } from './dependencies.js';
import { mayReadScheme, READER_ROLES, type SchemeReader } from '../model/scheme-readers.js';

/*
 * A band read from a grade some staff may not read (the risk band from the AML grade: docs/domain.md §4,
 * "Who reads a grade") tells them the band, never the grade: their view withholds the rule and the
 * grade's level it was read from (audience/reader-view.ts). But a band level that only a sign-off level
 * of the grade leads to (AML 高, the suspicion that needs a second person) *is* that grade under another
 * name: whoever reads the band reads that the customer is AML 高. The band may coarsen — the default
 * pack's 高风险 comes from AML 中高 and 高 alike — but not isolate the sign-off level. Another source
 * hides the grade only from staff who may not read it either: a credit grade they read tells them which.
 * A level only a grade's ordinary level leads to (the default pack's 未评估 band, from AML 未评估: no
 * assessment on record, a data gap the relationship manager must close, not a suspicion) is allowed.
 */

/** Staff (role, book scope) who read `band` but not `grade`: to them the band may disclose the grade. */
function bandOnlyReaders(band: SchemeDefinition, grade: SchemeDefinition): SchemeReader[] {
  return READER_ROLES.flatMap((role) =>
    [false, true].map((bookScoped) => ({ role, bookScoped })).filter((r) => mayReadScheme(band, r) && !mayReadScheme(grade, r)),
  );
}

/**
 * `grade_disclosed` on each source map of a derived scheme `s` whose level some of `s`'s readers would
 * read as the source's sign-off level: every level of that source mapped to it is a sign-off level, and
 * no other source that reader may not read maps to it too. A derived level is the highest-ranked of its
 * sources' mapped levels, and a source the reader reads hides nothing: beside a credit grade that maps
 * lower, a band level only AML 高 also reaches tells them the customer is AML 高.
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
  const reaches = (src: (typeof sources)[number], level: string) => Object.values(src.map).includes(level);
  for (const level of s.levels) {
    sources.forEach((src, index) => {
      const grade = schemes.get(src.from);
      const from = Object.entries(src.map)
        .filter(([, to]) => to === level.key)
        .map(([k]) => k);
      if (!grade || from.length === 0) return;
      const signOff = new Set(grade.levels.filter((v) => v.approvalRequired === true).map((v) => v.key));
      if (!from.every((k) => signOff.has(k))) return;
      const uncovered = bandOnlyReaders(s, grade).some(
        (reader) =>
          !sources.some((other, j) => {
            const def = j === index ? undefined : schemes.get(other.from);
            return def !== undefined && other.from !== src.from && reaches(other, level.key) && !mayReadScheme(def, reader);
          }),
      );
      if (!uncovered) return;
      errors.push({
        path: formatPath([...at, 'policy', ...(index === 0 ? ['map'] : ['alsoFrom', index - 1, 'map'])]),
        message: `level "${level.key}" is reached from ${src.from} only through its sign-off levels (${from.join(', ')}), and no source hidden from the same staff leads to it: staff who read ${s.key} but not ${src.from} would read that grade — map an ordinary level of ${src.from} to it too, or give ${s.key} ${src.from}'s readers`,
        code: 'grade_disclosed',
        params: { level: level.key, scheme: src.from, from },
      });
    });
  }
}
