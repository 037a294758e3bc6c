import { assignmentRows, evaluatePeriods, provisionTenant, addMonths, monthRange } from '@tierkit/api';
import { DEFAULT_TIME_ZONE, periodEnd, type SubjectKind } from '@tierkit/core';
import {
  claimSeedRun,
  findSeedRun,
  insertAssignments,
  markRetiered,
  insertMetrics,
  insertSeedRun,
  insertSubjects,
  appendTierEvents,
  type Database,
  type NewMetric,
  type NewTierEventInput,
  type StoredAssignment,
} from '@tierkit/db';
import type { Kysely } from 'kysely';
import { loadTenantPack, movesIntoApprovalRequired, syncLevelApprovals, type PeriodEvent } from '@tierkit/api';
import { randomCustomer, type SeedSubject } from './customers.js';
import { personName } from './names.js';
import { randomCorporate, randomEmployee, randomProduct } from './others.js';
import { Prng } from './prng.js';
import { LATE_LEAVER_ID, lateLeaver, showcaseCustomers } from './showcase.js';

/** Options of `seedDemo`. */
export interface SeedOptions {
  readonly tenantId: string;
  readonly tenantName?: string;
  /** Customers including the five showcase ones (and the late leaver, besides). Default 10,000. */
  readonly customers?: number;
  /** Companies, products and employees, for the schemes of those kinds. Defaults 300 / 40 / 120. */
  readonly corporates?: number;
  readonly products?: number;
  readonly employees?: number;
  /** PRNG seed: same seed and end period, same data. */
  readonly seed?: number;
  /** The last month with data (`YYYY-MM`), normally the last complete month in Asia/Shanghai. */
  readonly endPeriod: string;
  /** The bank's calendar: history events are dated at the end of their month there. Default `DEFAULT_TIME_ZONE`. */
  readonly timeZone?: string;
  /** Months of history evaluated month by month. Default 24. */
  readonly months?: number;
  readonly log?: (line: string) => void;
}

/** What seeding did. `skipped` when the tenant had been seeded before (seeding happens once). */
export interface SeedResult {
  readonly skipped: boolean;
  readonly subjects: number;
  readonly metrics: number;
  readonly events: number;
  readonly ms: number;
}

/** Months of data before the first evaluated month, so the longest window (6 months) starts full. */
const LEAD_MONTHS = 5;
export const DEFAULT_SEED = 20_251_123;

/** Generate every subject deterministically from the seed. */
export function generateSubjects(options: SeedOptions, months: readonly string[], n: number): SeedSubject[] {
  const rng = new Prng(options.seed ?? DEFAULT_SEED);
  const out = showcaseCustomers(rng, months, LEAD_MONTHS, n);
  const customers = Math.max(out.length, options.customers ?? 10_000);
  // The late leaver is one of the customers asked for (`seed --customers 20` makes 20), the last one, when there is
  // room past the showcase; the random customers before it keep their ids and figures.
  const leaver = customers > out.length;
  for (let i = out.length + 1; out.length < (leaver ? customers - 1 : customers); i++) {
    const id = `C${String(i).padStart(6, '0')}`;
    if (id !== LATE_LEAVER_ID) out.push(randomCustomer(rng, id, personName(rng), months));
  }
  if (leaver) out.push(lateLeaver(months));
  for (let i = 1; i <= (options.corporates ?? 300); i++) out.push(randomCorporate(rng, `E${String(i).padStart(6, '0')}`, months));
  for (let i = 1; i <= (options.products ?? 40); i++) out.push(randomProduct(rng, `P${String(i).padStart(6, '0')}`, i, months));
  for (let i = 1; i <= (options.employees ?? 120); i++) out.push(randomEmployee(rng, `S${String(i).padStart(6, '0')}`, months));
  return out;
}

/**
 * Seed a demo tenant once: provision it with the default pack, generate subjects with skewed
 * metric histories, evaluate each month in order (so the history holds real changes and
 * hysteresis), and store it all in one transaction with batched multi-row inserts. A second call
 * finds the seed record and does nothing, so restarts keep the data.
 */
export async function seedDemo(db: Kysely<Database>, options: SeedOptions): Promise<SeedResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  // A tenant this call creates is claimed at once, so a start stopped before the seed commits is
  // seeded by the next one rather than taken for a bank's own tenant (seedIfNeeded).
  if (await provisionTenant(db, { id: options.tenantId, name: options.tenantName ?? options.tenantId }))
    await claimSeedRun(db, { tenantId: options.tenantId, seed: options.seed ?? DEFAULT_SEED });
  if (await findSeedRun(db, options.tenantId)) return { skipped: true, subjects: 0, metrics: 0, events: 0, ms: Date.now() - started };

  const n = options.months ?? 24;
  const months = monthRange(addMonths(options.endPeriod, -(n + LEAD_MONTHS - 1)), options.endPeriod);
  const evaluated = months.slice(LEAD_MONTHS);
  const subjects = generateSubjects(options, months, n);
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  const tp = await loadTenantPack(db, options.tenantId, timeZone);
  const tenantId = options.tenantId;
  const idOf = (s: SeedSubject) => `${tenantId}:${s.externalId}`;

  const metrics: NewMetric[] = [];
  const assignments: StoredAssignment[] = [];
  const events: NewTierEventInput[] = [];
  const evaluatedAt = periodEnd(options.endPeriod, timeZone);
  // Subjects the batch moved into an approval-required level (AML 高): their sign-offs open, pending.
  const signOffs: { subject: { id: string; externalId: string }; events: readonly PeriodEvent[]; rows: StoredAssignment[] }[] = [];
  for (const s of subjects) {
    const subjectId = idOf(s);
    for (const [metric, byPeriod] of Object.entries(s.values)) {
      for (const [period, value] of Object.entries(byPeriod))
        metrics.push({ tenant_id: tenantId, subject_id: subjectId, metric, period, value });
    }
    const run = evaluatePeriods(tp.compiled, s.kind as SubjectKind, s.values, evaluated, {}, {});
    // approvalRequired on a stored assignment means "a sign-off is pending", which only syncLevelApprovals knows.
    const rows = assignmentRows(run, subjectId, options.endPeriod, evaluatedAt).map((r) => ({ ...r, approvalRequired: false }));
    if (movesIntoApprovalRequired(tp, run.events))
      signOffs.push({ subject: { id: subjectId, externalId: s.externalId }, events: run.events, rows });
    else assignments.push(...rows);
    run.events.forEach((ev, i) => {
      events.push({
        // Deterministic and, within one subject and instant, ordered like the evaluation.
        id: `seed:${tenantId}:${s.externalId}:${ev.period}:${String(i).padStart(3, '0')}`,
        subjectId,
        scheme: ev.scheme,
        from: ev.from,
        to: ev.to,
        at: periodEnd(ev.period, timeZone),
        reason: ev.reason,
        ruleId: ev.ruleId,
        note: null,
        actor: 'system',
        approvedBy: null,
        policyVersion: ev.policyVersion,
        period: ev.period,
      });
    });
  }
  log(
    `seed: generated ${subjects.length} subjects, ${metrics.length} metric rows, ${events.length} tier events in ${Date.now() - started} ms`,
  );

  const now = evaluatedAt;
  await db.transaction().execute(async (trx) => {
    await insertSubjects(
      trx,
      tenantId,
      subjects.map((s) => ({
        id: idOf(s),
        externalId: s.externalId,
        kind: s.kind,
        displayName: s.displayName,
        attributes: s.attributes,
        // Known since their first month of data, not since the seed ran (the late leaver).
        ...(s.recordedFrom ? { createdAt: periodEnd(addMonths(s.recordedFrom, -1), timeZone) } : {}),
      })),
      now,
    );
    await insertMetrics(trx, metrics);
    for (const o of signOffs) assignments.push(...(await syncLevelApprovals(trx, tp, o.subject, o.events, o.rows, 'system', now)));
    await insertAssignments(trx, tenantId, assignments);
    // The seed stands for the months' re-tiers: the call lists read its latest month.
    await markRetiered(trx, tenantId, assignments, now);
    await appendTierEvents(trx, tenantId, events);
    await insertSeedRun(trx, { tenantId, seed: options.seed ?? DEFAULT_SEED, customers: subjects.length, now });
  });
  const ms = Date.now() - started;
  log(`seed: stored in ${ms} ms total`);
  return { skipped: false, subjects: subjects.length, metrics: metrics.length, events: events.length, ms };
}
