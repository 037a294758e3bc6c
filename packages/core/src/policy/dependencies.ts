import type { SchemeDefinition } from './pack-schema.js';
import { walkThresholds } from './check-conditions.js';
import type { DerivedPolicy, DerivedSource } from './policy-schema.js';
import type { AddedDependent } from '../wire/jobs.js';

/** Every scheme a derived policy reads, `from` first. */
export function derivedSources(p: DerivedPolicy): readonly DerivedSource[] {
  return [{ from: p.from, map: p.map }, ...(p.alsoFrom ?? [])];
}

/** The schemes whose levels this scheme reads (derived and matrix schemes); empty for metric-based ones. */
export function schemeDependencies(s: SchemeDefinition): readonly string[] {
  if (s.policy.kind === 'derived') return derivedSources(s.policy).map((d) => d.from);
  if (s.policy.kind === 'matrix' && s.matrix) return [s.matrix.rowScheme, s.matrix.colScheme];
  return [];
}

/** Orders schemes so that each comes after the schemes it reads. Assumes no cycles (validation rejects them). */
export function dependencyOrder<T extends SchemeDefinition>(schemes: readonly T[]): T[] {
  const byKey = new Map(schemes.map((s) => [s.key, s]));
  const out: T[] = [];
  const done = new Set<string>();
  const visit = (s: T, depth: number) => {
    if (done.has(s.key) || depth > schemes.length) return;
    for (const d of schemeDependencies(s)) {
      const dep = byKey.get(d);
      if (dep) visit(dep, depth + 1);
    }
    if (!done.has(s.key)) {
      done.add(s.key);
      out.push(s);
    }
  };
  for (const s of schemes) visit(s, 0);
  return out;
}

/** Every metric a scheme's policy reads: rule and trigger thresholds, score factors. */
export function schemeMetrics(s: SchemeDefinition): Set<string> {
  const out = new Set<string>();
  const p = s.policy;
  const add = (c: Parameters<typeof walkThresholds>[0]) => walkThresholds(c, [], (leaf) => out.add(leaf.metric));
  if (p.kind === 'rules') for (const l of p.levels) add(l.when);
  if (p.kind === 'score') for (const f of p.factors) out.add(f.metric);
  if (p.kind === 'rules' || p.kind === 'score') for (const t of p.triggers ?? []) add(t.when);
  return out;
}

/**
 * The schemes a job asked for `asked` must write besides, with why: every scheme that reads, directly or
 * through another, a level the job writes (`reads`), and every scheme whose level one the job writes reads
 * (`readBy`) — a derived or matrix scheme written alone would be worked out from an input the job does
 * not store. Repeated until closed both ways (an input added may have other readers), each added once, in
 * dependency order (each after what it reads); packages/api README, "Re-tier jobs". Unknown keys are
 * ignored; `asked` itself is not listed.
 */
export function dependentSchemes(schemes: readonly SchemeDefinition[], asked: readonly string[]): AddedDependent[] {
  const ordered = dependencyOrder(schemes);
  const inJob = new Set(asked);
  const reason = new Map<string, AddedDependent>();
  for (let grew = true; grew; ) {
    grew = false;
    // Inputs first, latest reader first: an input's own inputs come after it in reverse order, so one pass closes them.
    for (const s of [...ordered].reverse()) {
      if (inJob.has(s.key)) continue;
      const readBy = ordered.filter((r) => inJob.has(r.key) && schemeDependencies(r).includes(s.key)).map((r) => r.key);
      if (!readBy.length) continue;
      inJob.add(s.key);
      reason.set(s.key, { scheme: s.key, readBy });
      grew = true;
    }
    // dependencyOrder puts every scheme after its inputs, so one pass sees each input's membership settled.
    for (const s of ordered) {
      if (inJob.has(s.key)) continue;
      const reads = schemeDependencies(s).filter((d) => inJob.has(d));
      if (!reads.length) continue;
      inJob.add(s.key);
      reason.set(s.key, { scheme: s.key, reads });
      grew = true;
    }
  }
  return ordered.flatMap((s) => reason.get(s.key) ?? []);
}
