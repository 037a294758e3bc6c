import {
  compilePack,
  schemeDependencies,
  schemeMetrics,
  simulate,
  type LevelCount,
  type PolicySimulation,
  type SimulationResult,
  type SimulationSubject,
} from '@tierkit/core';
import { addLatestObservationsBefore, BOOK_CHUNK, bookChunk, loadBookMetricValues, type PolicyVersion } from '@tierkit/db';
import { packOf, type ApiDeps } from '../deps.js';
import { addMonths } from '../periods.js';
import { checkDocument } from './policy-checks.js';

export type { LevelCount } from '@tierkit/core';

/** A version run over the whole current book (the wire shape of `…/simulate`). */
export type BookSimulation = PolicySimulation;

function distribution(cells: SimulationResult['cells'], side: 'from' | 'to', order: readonly string[]): LevelCount[] {
  const counts = new Map<string, number>();
  for (const c of cells) counts.set(c[side], (counts.get(c[side]) ?? 0) + c.count);
  const rank = (l: string) => {
    const i = order.indexOf(l);
    return i < 0 ? -1 : i;
  };
  return [...counts].map(([level, count]) => ({ level, count })).sort((a, b) => rank(a.level) - rank(b.level));
}

/**
 * Run `v` over every subject holding a level of its scheme (every evaluated subject of the scheme's
 * kind, for a scheme not yet in force), each at the month its
 * current levels judge, from the engine state stored with them (so hysteresis holds as it would
 * in the monthly evaluation) and with their other schemes' current levels (for derived and matrix
 * schemes). Overrides are not applied: the simulation shows where the policy puts each subject.
 * The book is read a page at a time (two queries per page), so memory stays flat however large it is.
 */
export async function simulateOnBook(deps: ApiDeps, v: PolicyVersion, samplesPerCell: number): Promise<BookSimulation> {
  const tp = await packOf(deps);
  const { pack, definition } = checkDocument(tp, v.scheme, v.document);
  const draft = compilePack(pack).scheme(v.scheme);
  if (!draft) throw new Error('a validated pack lost its scheme');
  const months = draft.monthsNeeded;
  const latestMetrics = draft.latestMetrics;
  // A scheme in force: its holders, with the levels it reads. A new one: every evaluated subject.
  const reads = tp.versions.has(v.scheme) ? [v.scheme, ...schemeDependencies(definition)] : undefined;
  const metrics = [...schemeMetrics(definition)];

  async function* book(): AsyncGenerator<SimulationSubject> {
    let after = '';
    for (;;) {
      const page = await bookChunk(deps.db, deps.tenantId, definition.subjectKind, after, BOOK_CHUNK, reads);
      if (page.length === 0) return;
      after = page[page.length - 1]?.externalId ?? after;
      const evaluated = page.filter((s) => s.assignments.size > 0);
      // The month each subject's current levels judge: its own in this scheme, else its latest.
      const periods = evaluated.map(
        (s) =>
          s.assignments.get(v.scheme)?.period ??
          [...s.assignments.values()]
            .map((a) => a.period)
            .sort()
            .at(-1) ??
          '',
      );
      if (periods.length === 0) continue;
      const span = [...periods].sort();
      const from = addMonths(span[0] ?? '', -(months - 1));
      const ids = evaluated.map((s) => s.id);
      const values = await loadBookMetricValues(deps.db, deps.tenantId, ids, from, span.at(-1) ?? '', metrics);
      // An input with no window reads the latest observation however old, as a re-evaluation does.
      await addLatestObservationsBefore(deps.db, deps.tenantId, { ids }, latestMetrics, from, values);
      for (const [i, s] of evaluated.entries()) {
        const own = s.assignments.get(v.scheme);
        const levels: Record<string, string> = {};
        for (const [scheme, a] of s.assignments) if (scheme !== v.scheme) levels[scheme] = a.level;
        const base = own?.base.level ? { level: own.base.level, periodsBelow: own.base.periodsBelow } : undefined;
        yield {
          id: s.externalId,
          facts: { asOf: periods[i] ?? '', values: values.get(s.id) ?? {} },
          currentLevel: own?.level ?? 'none',
          levels,
          ...(base ? { prior: base } : {}),
        };
      }
    }
  }

  const result = await simulate(draft, book(), { samplesPerCell });
  const order = ['none', ...result.levels];
  return {
    ...result,
    version: v.version,
    against: tp.versions.get(v.scheme)?.version ?? null,
    before: distribution(result.cells, 'from', order),
    after: distribution(result.cells, 'to', order),
  };
}
