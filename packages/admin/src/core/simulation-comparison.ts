import type { LevelComparison, PolicySimulation } from '@tierkit/core/wire';

/*
 * A simulation read against the version in force (packages/api/README.md, "Policy simulation"): what a
 * product manager and the approver weigh — "+312 白金卡" against what today's rule computes for the
 * same data and month, not against the levels stored — and the downs the grace periods only delay,
 * by the month they drop in. Shared by the policy editor's simulation and the approval card.
 */

/** Subjects the grace periods hold this month that drop in one month's re-tier. */
export interface GraceDrop {
  /** `YYYY-MM`: the re-tier that drops them, if nothing changes. */
  readonly month: string;
  readonly count: number;
  /** By level held → level dropped to, highest level first (as the API orders them). */
  readonly moves: readonly { readonly from: string; readonly to: string; readonly count: number }[];
}

export interface SimulationComparison {
  /** The version in force compared with. */
  readonly against: number;
  /** Levels highest first, each in force against simulated, now and once the grace periods end. */
  readonly levels: readonly LevelComparison[];
  /** Subjects the version simulated puts higher than the version in force, lower, and level. */
  readonly higher: number;
  readonly lower: number;
  readonly same: number;
  /** Downs now (against the stored levels) and those the grace holds, which drop later (`drops`). */
  readonly downsNow: number;
  readonly heldByGrace: number;
  readonly drops: readonly GraceDrop[];
}

/**
 * The comparison of `sim` with the version in force, or null when it has none to compare with (a new
 * scheme, or a simulation stored before baselines were kept: the card then says so, never shows
 * counts against the stored levels as if they were against the rule).
 */
export function compareWithInForce(sim: PolicySimulation): SimulationComparison | null {
  const base = sim.baseline;
  if (!base) return null;
  const rank = new Map(sim.levels.map((l, i) => [l, i]));
  const levels = [...base.levels].sort((a, b) => (rank.get(b.level) ?? -1) - (rank.get(a.level) ?? -1));
  const byMonth = new Map<string, { count: number; moves: { from: string; to: string; count: number }[] }>();
  for (const h of sim.held.cells) {
    let m = byMonth.get(h.dropsIn);
    if (!m) byMonth.set(h.dropsIn, (m = { count: 0, moves: [] }));
    m.count += h.count;
    const same = m.moves.find((x) => x.from === h.level && x.to === h.to);
    if (same) same.count += h.count;
    else m.moves.push({ from: h.level, to: h.to, count: h.count });
  }
  const drops = [...byMonth].sort(([a], [b]) => (a < b ? -1 : 1)).map(([month, m]) => ({ month, ...m }));
  return {
    against: base.version,
    levels,
    higher: base.higher,
    lower: base.lower,
    same: base.same,
    downsNow: sim.downgraded,
    heldByGrace: sim.held.total,
    drops,
  };
}
