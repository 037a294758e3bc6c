import type { LevelDef } from '../model/scheme.js';
import type { MetricDef } from '../model/metric.js';
import type { MatrixDef } from '../model/matrix.js';
import type { DerivedPolicy } from '../policy/policy-schema.js';
import type { SchemeDefinition } from '../policy/pack-schema.js';
import type { LocalizedText } from '../model/locale.js';
import { localize } from '../format/format-value.js';
import type { Decider, Decision } from './decider.js';
import { InputRegistry } from './inputs.js';
import { derivedSources } from '../policy/dependencies.js';

const MISSING: LocalizedText = {
  'zh-CN': '所依据的等级缺失，取最低等级',
  'zh-TW': '所依據的等級缺失，取最低等級',
  en: 'a level it reads is missing: lowest level',
};

/**
 * Builds a decider for schemes whose level is read from other schemes' levels (derived and matrix
 * schemes). They read no metrics and have no hysteresis: the schemes they read already have theirs.
 */
function levelReader(
  metrics: ReadonlyMap<string, MetricDef>,
  reads: readonly string[],
  lookup: (levels: Readonly<Record<string, string>>) => { index: number; id: string; label: LocalizedText } | undefined,
): Decider {
  const registry = new InputRegistry(metrics);
  const read = (levels: Readonly<Record<string, string>> | undefined) =>
    Object.fromEntries(reads.map((k) => [k, levels?.[k] ?? ''])) as Record<string, string>;
  return {
    inputs: registry,
    hysteresis: undefined,
    decide(_vec, levels) {
      return (levels && lookup(levels)?.index) ?? 0;
    },
    explain(_vec, levels): Decision {
      const hit = levels ? lookup(levels) : undefined;
      if (!hit)
        return { index: 0, kind: 'default', id: 'default.missing-level', label: MISSING, triggered: false, levelsRead: read(levels) };
      return { index: hit.index, kind: 'matrix', id: hit.id, label: hit.label, triggered: false, levelsRead: read(levels) };
    },
    retains: () => true,
    progress: () => null,
    retentionLines: () => [],
  };
}

/**
 * What a derived level says it read: "反洗钱风险等级：中高 → 高风险" in the reader's language, by the
 * names of the levels given — staff's, or the customer faces a customer's view passes in (a savings
 * grade's 风险 read by a derived customer scheme would otherwise reach the customer in its label). A
 * scheme or level not given (compiled on its own) keeps its key.
 */
export function derivedLabel(
  source: Pick<SchemeDefinition, 'name' | 'levels'> | undefined,
  scheme: string,
  from: string,
  levels: readonly LevelDef[],
  to: string,
): LocalizedText {
  const fromName = source?.levels.find((l) => l.key === from)?.name;
  const toName = levels.find((l) => l.key === to)?.name;
  return localize((l) => `${source?.name[l] ?? scheme}${l === 'en' ? ': ' : '：'}${fromName?.[l] ?? from} → ${toName?.[l] ?? to}`);
}

/**
 * `aml-risk: medium-high` → `risk-band: high`, through the policy's table; with several sources the
 * highest-ranked mapped level wins (the first source on a tie), and the explanation names that source.
 */
export function compileDerivedDecider(
  policy: DerivedPolicy,
  levels: readonly LevelDef[],
  metrics: ReadonlyMap<string, MetricDef>,
  schemes?: ReadonlyMap<string, SchemeDefinition>,
): Decider {
  const levelIndex = new Map(levels.map((l, i) => [l.key, i]));
  const sources = derivedSources(policy);
  const mapLabel = (scheme: string, from: string, to: string): LocalizedText =>
    derivedLabel(schemes?.get(scheme), scheme, from, levels, to);
  const tables = sources.map((src) => ({
    scheme: src.from,
    table: new Map(
      Object.entries(src.map).map(([from, to]) => [
        from,
        {
          index: levelIndex.get(to) ?? 0,
          // The single-source id is kept as it was: stored explanations and events carry it.
          id: sources.length === 1 ? `map.${from}` : `map.${src.from}.${from}`,
          label: mapLabel(src.from, from, to),
        },
      ]),
    ),
  }));
  return levelReader(
    metrics,
    sources.map((s) => s.from),
    (lv) => {
      let best: { index: number; id: string; label: LocalizedText } | undefined;
      for (const { scheme, table } of tables) {
        const from = lv[scheme];
        const hit = from === undefined ? undefined : table.get(from);
        if (!hit) return undefined;
        if (!best || hit.index > best.index) best = hit;
      }
      return best;
    },
  );
}

/** The cell at (row scheme's level, column scheme's level) of the matrix. */
export function compileMatrixDecider(matrix: MatrixDef, levels: readonly LevelDef[], metrics: ReadonlyMap<string, MetricDef>): Decider {
  const levelIndex = new Map(levels.map((l, i) => [l.key, i]));
  const cells = new Map(
    matrix.cells.map((c) => [`${c.row}|${c.col}`, { index: levelIndex.get(c.level) ?? 0, id: `cell.${c.row}.${c.col}`, label: c.action }]),
  );
  return levelReader(metrics, [matrix.rowScheme, matrix.colScheme], (lv) => {
    const row = lv[matrix.rowScheme];
    const col = lv[matrix.colScheme];
    return row === undefined || col === undefined ? undefined : cells.get(`${row}|${col}`);
  });
}
