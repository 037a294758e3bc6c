import type { PolicyError } from './policy-errors.js';
import type { ProblemParam } from '../model/api.js';
import type { MetricDef } from '../model/metric.js';
import { formatPath, issueCode } from './policy-errors.js';
import { policyPackSchema, schemeDefinitionSchema } from './pack-schema.js';
import { salvagePack } from './salvage-pack.js';
import { unknownFields } from './unknown-fields.js';
import type { PolicyPack, SchemeDefinition } from './pack-schema.js';
import {
  checkMetricSubjects,
  checkMetrics,
  checkThresholdOrder,
  checkUnreachableLevels,
  metricSubjectProblem,
  walkThresholds,
} from './check-conditions.js';
import { metricIsComplianceOnly, metricIsStaffOnly, metricSubjectKinds } from '../pack/metrics.js';
import { derivedSources, schemeDependencies } from './dependencies.js';
import { checkSuitabilitySchemes } from './check-suitability.js';
import { checkGradeDisclosure } from './check-grade-disclosure.js';

export type ValidationResult = { ok: true; pack: PolicyPack } | { ok: false; errors: PolicyError[] };

export interface ValidationOptions {
  /**
   * Also what a new version may not do though the engine can run it: a customer scheme deciding on a
   * metric kept from customers (`staff_metric`), a level no subject can reach (`unreachable_level`), a
   * second suitability scheme of a side or a level key suitability cannot read (`suitability_*`), a band
   * level only a hidden grade's sign-off level leads to (`grade_disclosed`). A
   * stored pack is loaded without them: versions approved before these checks keep running (the
   * customer view withholds what they read), where refusing them would take the tenant's whole pack
   * down. Provisioning and `checkSchemeDocument` (every submission, the editor) ask for them.
   */
  readonly authoring?: boolean;
}

/**
 * Validates a whole policy pack: the shape (zod) and then what a shape cannot say — unknown
 * metrics and levels, thresholds out of order, overlapping bands, incomplete matrices, cycles
 * between derived schemes. Every error names the field path.
 */
export function validatePolicyPack(doc: unknown, options: ValidationOptions = {}): ValidationResult {
  const parsed = policyPackSchema.safeParse(doc);
  const shapeErrors: PolicyError[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message, ...issueCode(i) }));
  // A new version is refused for a field no schema knows (a misspelt `approvalrequired` did nothing).
  if (options.authoring && typeof doc === 'object' && doc !== null && Array.isArray((doc as { schemes?: unknown }).schemes))
    for (const [i, s] of (doc as { schemes: unknown[] }).schemes.entries())
      shapeErrors.push(...unknownFields(schemeDefinitionSchema, s, ['schemes', i]));
  // What parsed is checked for meaning too, so one answer says all it can (salvage-pack.ts).
  const salvaged = parsed.success ? { pack: parsed.data as PolicyPack, replaced: [] } : salvagePack(doc);
  if (!salvaged) return { ok: false, errors: shapeErrors };
  const pack = salvaged.pack;
  const errors: PolicyError[] = [];
  const metrics = new Set<string>();
  pack.metrics.forEach((m, i) => {
    if (metrics.has(m.key))
      errors.push({ path: `metrics[${i}].key`, message: `duplicate metric "${m.key}"`, code: 'duplicate', params: { metric: m.key } });
    metrics.add(m.key);
    if (m.unit === 'money' && !m.currency)
      errors.push({ path: `metrics[${i}].currency`, message: 'money metrics need a currency', code: 'required' });
  });
  const schemes = new Map<string, SchemeDefinition>();
  pack.schemes.forEach((s, i) => {
    if (schemes.has(s.key))
      errors.push({ path: `schemes[${i}].key`, message: `duplicate scheme "${s.key}"`, code: 'duplicate', params: { scheme: s.key } });
    schemes.set(s.key, s);
  });
  pack.schemes.forEach((s, i) => {
    checkScheme(s, [`schemes`, i], metrics, schemes, errors);
    checkSchemeMetricSubjects(s, [`schemes`, i], pack.metrics, errors);
    if (options.authoring) {
      if (s.audience === 'customer') checkCustomerReads(s, [`schemes`, i], pack.metrics, errors);
      checkUnreachable(s, [`schemes`, i], errors);
      checkGradeDisclosure(s, [`schemes`, i], schemes, errors);
    }
  });
  checkCycles(pack, errors);
  if (options.authoring) checkSuitabilitySchemes(pack, errors);
  const echo = (path: string) => salvaged.replaced.some((r) => path === r || path.startsWith(`${r}.`) || path.startsWith(`${r}[`));
  const all = [...shapeErrors, ...errors.filter((e) => !echo(e.path))];
  return all.length ? { ok: false, errors: all } : { ok: true, pack };
}

function checkScheme(
  s: SchemeDefinition,
  at: readonly PropertyKey[],
  metrics: ReadonlySet<string>,
  schemes: ReadonlyMap<string, SchemeDefinition>,
  errors: PolicyError[],
): void {
  const err = (p: readonly PropertyKey[], message: string, code: string, params?: Record<string, ProblemParam>) =>
    errors.push({ path: formatPath([...at, ...p]), message, code, ...(params ? { params } : {}) });
  const rankOf = new Map<string, number>();
  s.levels.forEach((l, i) => {
    if (rankOf.has(l.key)) err(['levels', i, 'key'], `duplicate level "${l.key}"`, 'duplicate', { level: l.key });
    const prev = s.levels[i - 1];
    if (prev && prev.rank >= l.rank)
      err(['levels', i, 'rank'], 'levels must be listed lowest rank first, ranks strictly ascending', 'out_of_order', {
        of: 'rank',
        value: l.rank,
        other: prev.rank,
      });
    rankOf.set(l.key, l.rank);
  });
  const lowest = s.levels[0]?.key;
  const level = (p: readonly PropertyKey[], key: string) => {
    if (!rankOf.has(key))
      err(p, `unknown level "${key}" of scheme "${s.key}"`, 'unknown_level', { level: key, scheme: s.key, levels: [...rankOf.keys()] });
  };
  const rule = s.overrides;
  // A loosening override needs at least whoever approves any override of the scheme.
  if (rule?.loosenNeeds === 'approver' && rule.approvedBy === 'admin')
    err(['overrides', 'loosenNeeds'], 'must not be weaker than "approvedBy" ("admin")', 'invalid_value', { values: ['admin'] });
  // Which side is looser differs by scheme (a higher AML grade is stricter, a higher credit grade is
  // looser, and credit's NR ranks lowest yet is no strict grade): a guard on loosening that guessed it
  // from the ranks would guard the wrong side, so the rule lists the levels in order, every one once.
  const levelKeys = s.levels.map((l) => l.key);
  if (rule?.loosenNeeds !== undefined && rule.order === undefined)
    err(['overrides', 'order'], 'is required with "loosenNeeds": the levels from the strictest to the loosest', 'invalid_value', {
      values: levelKeys,
    });
  if (
    rule?.order !== undefined &&
    (rule.order.length !== levelKeys.length ||
      new Set(rule.order).size !== levelKeys.length ||
      !levelKeys.every((k) => rule.order?.includes(k)))
  )
    err(['overrides', 'order'], `must list each level of scheme "${s.key}" once, from the strictest to the loosest`, 'invalid_value', {
      values: levelKeys,
    });
  // Lowering a sign-off level waits for approval only towards the looser side, which the override
  // rule's `order` states; without it the setting would guard nothing. A scheme with no level marked
  // `approvalRequired` may set it (credit in the default pack): it bites once a bank marks one.
  if (s.loweringNeeds !== undefined && rule?.order === undefined)
    err(['loweringNeeds'], 'needs "overrides.order": the levels from the strictest to the loosest', 'invalid_value', { values: levelKeys });
  const p = s.policy;
  if (p.kind === 'rules' || p.kind === 'score') {
    (p.triggers ?? []).forEach((t, i) => {
      level(['policy', 'triggers', i, 'level'], t.level);
      checkMetrics(t.when, [...at, 'policy', 'triggers', i, 'when'], metrics, errors);
    });
  }
  if (p.kind === 'rules') {
    const seen = new Set<string>();
    p.levels.forEach((r, i) => {
      level(['policy', 'levels', i, 'level'], r.level);
      if (r.level === lowest)
        err(['policy', 'levels', i, 'level'], `"${r.level}" is the lowest level: it is what remains when no rule holds`, 'lowest_level', {
          level: r.level,
        });
      if (seen.has(r.level))
        err(['policy', 'levels', i, 'level'], `level "${r.level}" has two rules`, 'duplicate', { level: r.level, of: 'rule' });
      seen.add(r.level);
      checkMetrics(r.when, [...at, 'policy', 'levels', i, 'when'], metrics, errors);
    });
    checkThresholdOrder(
      p.levels.map((r, i) => ({ rank: rankOf.get(r.level) ?? -1, level: r.level, when: r.when, path: [...at, 'policy', 'levels', i] })),
      errors,
    );
  } else if (p.kind === 'score') {
    let weights = 0;
    p.factors.forEach((f, i) => {
      weights += f.weight;
      if (!metrics.has(f.metric))
        err(['policy', 'factors', i, 'metric'], `unknown metric "${f.metric}"`, 'unknown_metric', {
          metric: f.metric,
          known: [...metrics],
        });
      const t = f.transform;
      if (t.kind === 'linear' && t.from >= t.to)
        err(['policy', 'factors', i, 'transform', 'to'], '"to" must be above "from"', 'too_small', {
          minimum: t.from,
          inclusive: false,
          origin: 'number',
        });
      if (t.kind === 'bands') {
        t.bands.forEach((b, j) => {
          const prev = t.bands[j - 1];
          if (prev && prev.min >= b.min)
            err(
              ['policy', 'factors', i, 'transform', 'bands', j, 'min'],
              'bands overlap: each "min" must be above the previous one',
              'out_of_order',
              {
                of: 'band',
                value: b.min,
                other: prev.min,
              },
            );
        });
      }
    });
    if (weights !== 100)
      err(['policy', 'factors'], `factor weights add up to ${weights}, not 100`, 'weights_sum', { actual: weights, expected: 100 });
    p.bands.forEach((b, i) => {
      level(['policy', 'bands', i, 'level'], b.level);
      const prev = p.bands[i - 1];
      if (prev && prev.min >= b.min)
        err(['policy', 'bands', i, 'min'], 'bands overlap: each "min" must be above the previous one', 'out_of_order', {
          of: 'band',
          value: b.min,
          other: prev.min,
        });
      if (prev && (rankOf.get(prev.level) ?? 0) >= (rankOf.get(b.level) ?? 0)) {
        err(['policy', 'bands', i, 'level'], 'bands must name levels in ascending rank', 'out_of_order', {
          of: 'band_level',
          value: b.level,
          other: prev.level,
        });
      }
    });
  } else if (p.kind === 'derived') {
    derivedSources(p).forEach((src, i) => {
      const at = i === 0 ? ['policy'] : ['policy', 'alsoFrom', i - 1];
      const from = schemes.get(src.from);
      if (!from) {
        err([...at, 'from'], `unknown scheme "${src.from}"`, 'unknown_scheme', { scheme: src.from });
        return;
      }
      if (from.subjectKind !== s.subjectKind)
        err([...at, 'from'], `scheme "${src.from}" tiers ${from.subjectKind}, not ${s.subjectKind}`, 'wrong_subject_kind', {
          scheme: src.from,
          subjectKind: from.subjectKind,
          expected: s.subjectKind,
        });
      for (const l of from.levels)
        if (!(l.key in src.map))
          err([...at, 'map', l.key], `level "${l.key}" of "${src.from}" is not mapped`, 'unmapped', { level: l.key, scheme: src.from });
      for (const [k, v] of Object.entries(src.map)) {
        if (!from.levels.some((l) => l.key === k))
          err([...at, 'map', k], `"${src.from}" has no level "${k}"`, 'unknown_level', {
            level: k,
            scheme: src.from,
            levels: from.levels.map((l) => l.key),
          });
        level([...at, 'map', k], v);
      }
    });
  } else {
    checkMatrix(s, at, schemes, errors, level);
  }
  if (s.audience !== 'customer') {
    // A staff scheme never reaches a customer: a customer face on one would be read by no one, and its
    // author would believe customers see it by that name.
    s.levels.forEach((l, i) => {
      if (l.customer !== undefined)
        err(
          ['levels', i, 'customer'],
          `level "${l.key}": customer is a customer scheme’s setting: a staff scheme never reaches a customer`,
          'customer_only',
          {
            field: 'customer',
            level: l.key,
          },
        );
    });
  }
  if (s.audience === 'customer') {
    // Two levels a customer reads by one name would make a drop read 「普通 → 普通」: a neutral face
    // (a staff level shown as an ordinary one) must still be a name of its own.
    const face = (l: (typeof s.levels)[number]) => l.customer?.name ?? l.name;
    s.levels.forEach((l, i) => {
      if (!l.customer) return;
      const { name } = l.customer;
      const same = s.levels.find((o) => o !== l && Object.entries(face(o)).some(([k, v]) => name[k as keyof typeof name] === v));
      if (same)
        err(['levels', i, 'customer', 'name'], `level "${l.key}" reads to customers by the name level "${same.key}" has`, 'duplicate', {
          level: l.key,
          of: 'customer',
        });
    });
    // Only a staff scheme's blocks are hidden from customers; on a customer scheme the setting would be
    // ignored, and whoever wrote it would believe the notice switched on or off (SchemeDefinition.customerBlocks).
    if (s.customerBlocks !== undefined)
      err(['customerBlocks'], 'customerBlocks is a staff scheme’s setting: a customer scheme’s blocks are shown whole', 'staff_only', {
        field: 'customerBlocks',
      });
    // A customer scheme read from a staff one would show the customer the staff level by another name.
    const field = p.kind === 'derived' ? ['policy', 'from'] : ['matrix'];
    for (const d of schemeDependencies(s)) {
      if (schemes.get(d)?.audience === 'staff')
        err(field, `a customer scheme cannot read the staff scheme "${d}"`, 'staff_scheme', { scheme: d });
    }
  }
  for (const [lv, defs] of Object.entries(s.entitlements ?? {})) {
    level(['entitlements', lv], lv);
    defs.forEach((d, i) => {
      if (d.kind === 'quota' && d.usageMetric && !metrics.has(d.usageMetric)) {
        err(['entitlements', lv, i, 'usageMetric'], `unknown metric "${d.usageMetric}"`, 'unknown_metric', {
          metric: d.usageMetric,
          known: [...metrics],
        });
      }
    });
  }
}

function checkMatrix(
  s: SchemeDefinition,
  at: readonly PropertyKey[],
  schemes: ReadonlyMap<string, SchemeDefinition>,
  errors: PolicyError[],
  level: (p: readonly PropertyKey[], key: string) => void,
): void {
  const err = (p: readonly PropertyKey[], message: string, code: string, params?: Record<string, ProblemParam>) =>
    errors.push({ path: formatPath([...at, ...p]), message, code, ...(params ? { params } : {}) });
  const m = s.matrix;
  if (!m) {
    err(['matrix'], 'a matrix policy needs the scheme\'s "matrix" definition', 'required');
    return;
  }
  if (m.scheme !== s.key) err(['matrix', 'scheme'], `must be "${s.key}"`, 'invalid_value', { values: [s.key] });
  const axis = (name: 'rowScheme' | 'colScheme', keys: readonly string[], listName: 'rows' | 'cols') => {
    const other = schemes.get(m[name]);
    if (!other) return err(['matrix', name], `unknown scheme "${m[name]}"`, 'unknown_scheme', { scheme: m[name] });
    if (other.subjectKind !== s.subjectKind)
      err(['matrix', name], `scheme "${m[name]}" tiers ${other.subjectKind}, not ${s.subjectKind}`, 'wrong_subject_kind', {
        scheme: m[name],
        subjectKind: other.subjectKind,
        expected: s.subjectKind,
      });
    const levels = new Set(other.levels.map((l) => l.key));
    keys.forEach((k, i) => {
      if (!levels.has(k))
        err(['matrix', listName, i], `"${m[name]}" has no level "${k}"`, 'unknown_level', {
          level: k,
          scheme: m[name],
          levels: [...levels],
        });
    });
    for (const l of levels)
      if (!keys.includes(l))
        err(['matrix', listName], `level "${l}" of "${m[name]}" has no ${listName === 'rows' ? 'row' : 'column'}`, 'unmapped', {
          level: l,
          scheme: m[name],
        });
  };
  axis('rowScheme', m.rows, 'rows');
  axis('colScheme', m.cols, 'cols');
  const seen = new Set<string>();
  m.cells.forEach((c, i) => {
    const k = `${c.row}|${c.col}`;
    if (seen.has(k))
      err(['matrix', 'cells', i], `two cells for row "${c.row}", column "${c.col}"`, 'duplicate', { row: c.row, col: c.col });
    seen.add(k);
    if (!m.rows.includes(c.row)) err(['matrix', 'cells', i, 'row'], `no row "${c.row}"`, 'invalid_value', { values: [...m.rows] });
    if (!m.cols.includes(c.col)) err(['matrix', 'cells', i, 'col'], `no column "${c.col}"`, 'invalid_value', { values: [...m.cols] });
    level(['matrix', 'cells', i, 'level'], c.level);
  });
  for (const r of m.rows)
    for (const c of m.cols)
      if (!seen.has(`${r}|${c}`)) err(['matrix', 'cells'], `no cell for row "${r}", column "${c}"`, 'no_cell', { row: r, col: c });
}

function checkCycles(pack: PolicyPack, errors: PolicyError[]): void {
  const deps = new Map(pack.schemes.map((s) => [s.key, schemeDependencies(s)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const reported = new Set<string>();
  const visit = (key: string, trail: string[]): void => {
    if (state.get(key) === 'done') return;
    if (state.get(key) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(key)), key];
      const i = pack.schemes.findIndex((s) => s.key === key);
      const s = pack.schemes[i];
      if (s && !reported.has(key)) {
        reported.add(key);
        const field = s.policy.kind === 'derived' ? 'policy.from' : 'matrix.rowScheme';
        errors.push({
          path: `schemes[${i}].${field}`,
          message: `cycle between schemes: ${cycle.join(' → ')}`,
          code: 'cycle',
          params: { schemes: cycle },
        });
      }
      return;
    }
    state.set(key, 'visiting');
    for (const d of deps.get(key) ?? []) if (deps.has(d)) visit(d, [...trail, key]);
    state.set(key, 'done');
  };
  for (const s of pack.schemes) visit(s.key, []);
}

/** Every metric a scheme's rules, triggers and factors read is measured on the scheme's kind of subject. */
function checkSchemeMetricSubjects(
  s: SchemeDefinition,
  at: readonly PropertyKey[],
  catalogue: readonly MetricDef[],
  errors: PolicyError[],
): void {
  const defs = new Map(catalogue.map((m) => [m.key, m]));
  const kindsOf = (metric: string) => {
    const def = defs.get(metric);
    return def ? metricSubjectKinds(def) : undefined;
  };
  const p = s.policy;
  if (p.kind !== 'rules' && p.kind !== 'score') return;
  (p.triggers ?? []).forEach((t, i) => {
    checkMetricSubjects(t.when, [...at, 'policy', 'triggers', i, 'when'], kindsOf, s.subjectKind, errors);
  });
  if (p.kind === 'rules')
    p.levels.forEach((r, i) => {
      checkMetricSubjects(r.when, [...at, 'policy', 'levels', i, 'when'], kindsOf, s.subjectKind, errors);
    });
  else
    p.factors.forEach((f, i) => {
      const problem = metricSubjectProblem(f.metric, kindsOf(f.metric), s.subjectKind, [...at, 'policy', 'factors', i, 'metric']);
      if (problem) errors.push(problem);
    });
}

/** A customer scheme's staff metrics may weigh less than this share (of 100) of its score. */
const STAFF_FACTOR_WEIGHT_LIMIT = 50;

/**
 * A customer scheme must not decide a level on a metric kept from customers (`MetricDef.audience`): a
 * level reached by `pep ≥ 1` tells the customer they are a PEP however its reason is worded (tipping-off).
 * Not on every metric a staff scheme reads: the savings grade's bad-loan trigger reads the arrears the
 * credit rating reads, a fact the customer knows, and the view words it "contact your branch".
 * A score factor on one is allowed while the staff metrics weigh a minority of the score (the star
 * rating's credit record, 15 of 100): the customer never sees its points, the total or the band's reason
 * (audience view), and the level then rests mostly on their own banking. Not on an AML score or PEP
 * status (`audience: 'compliance'`), at any weight: a few points of it can carry a customer across a
 * band, and the band would then tell them of an AML judgement.
 */
function checkCustomerReads(s: SchemeDefinition, at: readonly PropertyKey[], catalogue: readonly MetricDef[], errors: PolicyError[]): void {
  const defs = new Map(catalogue.map((m) => [m.key, m]));
  const staff = (metric: string) => {
    const def = defs.get(metric);
    return def ? metricIsStaffOnly(def) : false;
  };
  const refuse = (leafPath: readonly PropertyKey[], metric: string) =>
    errors.push({
      path: formatPath([...leafPath, 'metric']),
      message: `a customer scheme cannot decide a level on "${metric}": the metric is kept from customers`,
      code: 'staff_metric',
      params: { metric, scheme: s.key },
    });
  const p = s.policy;
  if (p.kind !== 'rules' && p.kind !== 'score') return;
  (p.triggers ?? []).forEach((tr, i) => {
    walkThresholds(tr.when, [...at, 'policy', 'triggers', i, 'when'], (leaf, lp) => {
      if (staff(leaf.metric)) refuse(lp, leaf.metric);
    });
  });
  if (p.kind === 'rules') {
    p.levels.forEach((r, i) => {
      walkThresholds(r.when, [...at, 'policy', 'levels', i, 'when'], (leaf, lp) => {
        if (staff(leaf.metric)) refuse(lp, leaf.metric);
      });
    });
    return;
  }
  p.factors.forEach((f, i) => {
    const def = defs.get(f.metric);
    if (def && metricIsComplianceOnly(def))
      errors.push({
        path: formatPath([...at, 'policy', 'factors', i, 'metric']),
        message: `a customer scheme cannot score "${f.metric}" at any weight: AML and PEP figures are kept from customers`,
        code: 'staff_metric',
        params: { metric: f.metric, scheme: s.key },
      });
  });
  const staffFactors = p.factors
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => staff(f.metric) && !metricIsComplianceOnly(defs.get(f.metric) as MetricDef));
  const weight = staffFactors.reduce((sum, { f }) => sum + f.weight, 0);
  if (weight >= STAFF_FACTOR_WEIGHT_LIMIT)
    for (const { f, i } of staffFactors)
      errors.push({
        path: formatPath([...at, 'policy', 'factors', i, 'metric']),
        message: `a customer scheme's factors on metrics kept from customers weigh ${weight} of 100; they must weigh less than ${STAFF_FACTOR_WEIGHT_LIMIT}`,
        code: 'staff_metric',
        params: { metric: f.metric, scheme: s.key, actual: weight, maximum: STAFF_FACTOR_WEIGHT_LIMIT - 1 },
      });
}

/** A rules level the rule of a higher one always takes (`checkUnreachableLevels`). */
function checkUnreachable(s: SchemeDefinition, at: readonly PropertyKey[], errors: PolicyError[]): void {
  const p = s.policy;
  if (p.kind !== 'rules') return;
  const rankOf = new Map(s.levels.map((l) => [l.key, l.rank]));
  checkUnreachableLevels(
    p.levels.map((r, i) => ({ rank: rankOf.get(r.level) ?? -1, level: r.level, when: r.when, path: [...at, 'policy', 'levels', i] })),
    new Set((p.triggers ?? []).map((t) => t.level)),
    errors,
  );
}
