/** How a simulation's subjects moved, counted from its from → to cells. */
export interface SimulationMoves {
  readonly total: number;
  readonly upgraded: number;
  readonly downgraded: number;
  /** From a level the ranks do not know (`none`: a first level): neither up, down nor unchanged. */
  readonly assigned: number;
  readonly unchanged: number;
}

/**
 * The one place a simulation's cells are sorted into up, down, assigned and unchanged — the engine's
 * `simulate` and the API's book simulation both count with it, so "unchanged" cannot mean two things.
 * A `to` the ranks do not know counts as the lowest rank.
 */
export function simulationMoves(
  cells: Iterable<{ readonly from: string; readonly to: string; readonly count: number }>,
  rank: ReadonlyMap<string, number>,
): SimulationMoves {
  let total = 0;
  let upgraded = 0;
  let downgraded = 0;
  let assigned = 0;
  for (const c of cells) {
    total += c.count;
    const rf = rank.get(c.from);
    const rt = rank.get(c.to) ?? 0;
    if (rf === undefined) assigned += c.count;
    else if (rt > rf) upgraded += c.count;
    else if (rt < rf) downgraded += c.count;
  }
  return { total, upgraded, downgraded, assigned, unchanged: total - upgraded - downgraded - assigned };
}
