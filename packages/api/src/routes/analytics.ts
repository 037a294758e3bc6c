import { createRoute, z } from '@hono/zod-openapi';
import type { MetricDef, SchemeDefinition } from '@tierkit/core';
import { type ApiDeps, packOf } from '../deps.js';
import { booksRead } from '../auth/principal.js';
import { isPeriod, monthRange, monthsBetween, periodOf } from '../periods.js';
import { monthNotBegun } from '../month-errors.js';
import { invalid, ProblemError } from '../problem.js';
import { router } from '../router.js';
import {
  DistributionResponseSchema,
  EffectMetricsResponseSchema,
  EffectResponseSchema,
  MigrationResponseSchema,
  RatesResponseSchema,
} from '../schemas/analytics.js';
import { problemResponses } from '../schemas/common.js';
import { audienceOf, requireReadable } from '../services/audience.js';
import { evaluateEffect, metricsOfKind } from '../services/effect-evaluation.js';
import { distribution, migration, rates } from '../services/level-analytics.js';

/** The widest range of months a distribution or rates read covers: ten years. */
export const MAX_ANALYTICS_MONTHS = 120;
/** The longest follow-up of an effect evaluation. */
export const MAX_EFFECT_MONTHS = 24;
/** What an effect evaluation measures unless told otherwise. */
/** What a bank's effect evaluation follows first: balances (AUM), the default pack's `avg_daily_balance`. */
const PREFERRED_EFFECT_METRIC = 'avg_daily_balance';

/**
 * The metric an effect evaluation follows when asked for none: the default pack's balance, else the
 * catalogue's first money metric, else its first. A bank whose catalogue names balances otherwise
 * (`aum`, `deposits`) got a 400 for every evaluation that named no metric, the console's first included.
 */
function defaultEffectMetric(metrics: ReadonlyMap<string, MetricDef>): string | undefined {
  if (metrics.has(PREFERRED_EFFECT_METRIC)) return PREFERRED_EFFECT_METRIC;
  const all = [...metrics.values()];
  return (all.find((m) => m.unit === 'money') ?? all[0])?.key;
}

const scheme = z
  .string()
  .min(1)
  .max(64)
  .openapi({ param: { name: 'scheme', in: 'query' }, example: 'retail-tier' });

const period = (name: string, description: string) =>
  z
    .string()
    .refine(isPeriod, { message: 'a month YYYY-MM (2000-01 … 2999-12)', params: { code: 'invalid_format', format: 'month' } })
    .openapi({ param: { name, in: 'query' }, example: '2025-10', description });

const RangeQuery = z.object({
  scheme,
  from: period('from', 'First month, `YYYY-MM`'),
  to: period(
    'to',
    `Last month, \`YYYY-MM\`, not before \`from\` nor after the current month (the bank's calendar); at most ${MAX_ANALYTICS_MONTHS} months in all`,
  ),
});

const BOOK_REACH =
  'A book-scoped credential (a relationship manager, a team lead) counts only the customers in its reach now — its own book and its teams’ — with their history before they came; the whole bank otherwise.';

const distributionRoute = createRoute({
  method: 'get',
  path: '/distribution',
  tags: ['analytics'],
  summary: 'Subjects per level of a scheme in each month, from the tier history',
  description: BOOK_REACH,
  request: { query: RangeQuery },
  responses: {
    200: { description: 'One count per level and month', content: { 'application/json': { schema: DistributionResponseSchema } } },
    ...problemResponses(400, 404),
  },
});

const migrationRoute = createRoute({
  method: 'get',
  path: '/migration',
  tags: ['analytics'],
  summary: 'The from × to matrix of levels between two months, with up, down and same totals',
  description: BOOK_REACH,
  request: {
    query: z.object({
      scheme,
      from: period('from', 'The earlier month'),
      to: period('to', "The later month, not before `from` nor after the current month (the bank's calendar)"),
    }),
  },
  responses: {
    200: { description: 'Level matrix and totals', content: { 'application/json': { schema: MigrationResponseSchema } } },
    ...problemResponses(400, 404),
  },
});

const ratesRoute = createRoute({
  method: 'get',
  path: '/rates',
  tags: ['analytics'],
  summary: 'Monthly upgrade and downgrade rates, with their numerators and denominators',
  description: BOOK_REACH,
  request: { query: RangeQuery },
  responses: {
    200: { description: 'One rate per month', content: { 'application/json': { schema: RatesResponseSchema } } },
    ...problemResponses(400, 404),
  },
});

const effectRoute = createRoute({
  method: 'get',
  path: '/effect',
  tags: ['analytics'],
  summary: 'Effect evaluation: how a metric changed after a move up or down, against comparable subjects who stayed',
  request: {
    query: z.object({
      scheme,
      period: period('period', "The month of the move, not after the current month (the bank's calendar)"),
      direction: z.enum(['up', 'down']).openapi({ param: { name: 'direction', in: 'query' } }),
      months: z.coerce
        .number()
        .int()
        .min(1)
        .max(MAX_EFFECT_MONTHS)
        .default(6)
        .openapi({
          param: { name: 'months', in: 'query' },
          example: 6,
          description:
            'Months of follow-up after the move; those that have not begun yet (the bank’s calendar) are left out of the answer, which says how many it holds (`monthsAvailable`)',
        }),
      metric: z
        .string()
        .min(1)
        .max(64)
        .optional()
        .openapi({
          param: { name: 'metric', in: 'query' },
          description: `A metric of the tenant's catalogue (\`GET /v1/analytics/metrics\`); default \`${PREFERRED_EFFECT_METRIC}\`, or when the catalogue lacks it its first money metric`,
        }),
      overrides: z
        .enum(['exclude', 'include'])
        .default('exclude')
        .openapi({
          param: { name: 'overrides', in: 'query' },
          description:
            'Whether a subject an override moved counts as a mover. Default `exclude`: the evaluation measures what the policy’s moves did; they are counted apart (`cohorts.overrideMoved`)',
        }),
    }),
  },
  responses: {
    200: {
      description: 'Movers against matched stayers, month by month',
      content: { 'application/json': { schema: EffectResponseSchema } },
    },
    ...problemResponses(400, 404),
  },
});

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['analytics'],
  summary: 'The metrics an effect evaluation may follow (the tenant’s catalogue), and the one it follows by default',
  request: {
    query: z.object({
      scheme: scheme.optional().openapi({
        param: { name: 'scheme', in: 'query' },
        description: 'Only the metrics of this scheme’s kind of subject: not those that only schemes of other kinds read',
      }),
    }),
  },
  responses: {
    200: { description: 'The catalogue', content: { 'application/json': { schema: EffectMetricsResponseSchema } } },
    ...problemResponses(400, 404),
  },
});

/** The scheme if this credential may see it; otherwise the same 404 as a scheme that does not exist. */
async function visibleScheme(
  deps: ApiDeps,
  key: string,
): Promise<{ def: SchemeDefinition; metrics: ReadonlyMap<string, MetricDef>; latest: readonly string[] }> {
  const tp = await packOf(deps);
  requireReadable(deps.principal, tp, key, 'query.scheme');
  const def = audienceOf(deps.principal, tp).sees(key) ? tp.schemes.get(key) : undefined;
  if (!def) throw new ProblemError('scheme-not-found', `No scheme "${key}" in this tenant.`);
  // The metrics the engine reads with no window for this kind of subject: the one rule for carrying a
  // value forward, so that analytics read a metric exactly as the evaluations that moved the customers did.
  return { def, metrics: tp.metrics, latest: tp.compiled.latestMetricsFor(def.subjectKind) };
}

/**
 * A month after the current one (the bank's calendar) has no tier history yet: read as one, every
 * level would look held and every rate 0 %, figures nobody measured. Refused, naming the field.
 */
function notAfterThisMonth(deps: ApiDeps, field: string, month: string): void {
  const current = periodOf(deps.now(), deps.timeZone);
  // The code and words of every other "month in the future" refusal (metrics, jobs).
  if (month > current) throw invalid([monthNotBegun(`query.${field}`, month, current)]);
}

/** `from ≤ to ≤` the current month, and at most `max` months from the first to the last (both included) when given. */
function checkRange(deps: ApiDeps, from: string, to: string, max?: number): void {
  const months = monthsBetween(from, to) + 1;
  if (months < 1)
    throw invalid([
      {
        path: 'query.to',
        message: `must not be before from (${from})`,
        code: 'too_small',
        params: { minimum: from, inclusive: true, origin: 'month' },
      },
    ]);
  notAfterThisMonth(deps, 'to', to);
  if (max !== undefined && months > max)
    throw invalid([
      {
        path: 'query.to',
        message: `at most ${max} months from from; this is ${months}`,
        code: 'too_big',
        params: { maximum: max, inclusive: true, origin: 'months', actual: months },
      },
    ]);
}

/**
 * Where a report's counting runs: each reads the whole scheme's history over the months asked for
 * (0.15–0.45 s at 10,000 customers on a quiet machine, BENCHMARKS.md "analytics.bench.ts": tens of seconds
 * at a million), so on SQLite in a reader process beside the server's thread when it has one
 * (docs/operations.md, "SQLite: what runs where"); each statement reads on its own there, as it did on
 * the server's reader connection. The pack and the checks stay on `db`.
 */
const scan = (deps: ApiDeps) => deps.heavyReads ?? deps.db;

/** `/v1/analytics/*`: aggregates over a scheme's tier history and the metrics, for staff. */
export function analytics() {
  return router()
    .openapi(metricsRoute, async (c) => {
      const { scheme: key } = c.req.valid('query');
      const tp = await packOf(c.var.deps);
      const items =
        key === undefined
          ? [...tp.metrics.values()]
          : metricsOfKind((await visibleScheme(c.var.deps, key)).def, tp.schemes.values(), tp.metrics);
      return c.json({ items, default: defaultEffectMetric(new Map(items.map((m) => [m.key, m]))) ?? null }, 200);
    })
    .openapi(distributionRoute, async (c) => {
      const { scheme: key, from, to } = c.req.valid('query');
      const deps = c.var.deps;
      checkRange(deps, from, to, MAX_ANALYTICS_MONTHS);
      const { def } = await visibleScheme(deps, key);
      return c.json(
        {
          ...(await distribution(scan(deps), deps.tenantId, def, from, to, deps, booksRead(deps.principal))),
          versions: await versionsByMonth(deps, key, from, to),
        },
        200,
      );
    })
    .openapi(migrationRoute, async (c) => {
      const { scheme: key, from, to } = c.req.valid('query');
      const deps = c.var.deps;
      checkRange(deps, from, to);
      const { def } = await visibleScheme(deps, key);
      return c.json(await migration(scan(deps), deps.tenantId, def, from, to, deps, booksRead(deps.principal)), 200);
    })
    .openapi(ratesRoute, async (c) => {
      const { scheme: key, from, to } = c.req.valid('query');
      const deps = c.var.deps;
      checkRange(deps, from, to, MAX_ANALYTICS_MONTHS);
      const { def } = await visibleScheme(deps, key);
      return c.json(
        {
          ...(await rates(scan(deps), deps.tenantId, def, from, to, deps, booksRead(deps.principal))),
          versions: await versionsByMonth(deps, key, from, to),
        },
        200,
      );
    })
    .openapi(effectRoute, async (c) => {
      const q = c.req.valid('query');
      const deps = c.var.deps;
      notAfterThisMonth(deps, 'period', q.period);
      const { def, metrics, latest } = await visibleScheme(deps, q.scheme);
      const metricKey = q.metric ?? defaultEffectMetric(metrics) ?? PREFERRED_EFFECT_METRIC;
      const metric = metrics.get(metricKey);
      if (!metric)
        throw invalid([
          {
            path: 'query.metric',
            message: `no metric "${metricKey}" in this tenant's catalogue`,
            code: 'unknown_metric',
            params: { metric: metricKey, known: [...metrics.keys()] },
          },
        ]);
      return c.json(
        await evaluateEffect(
          scan(deps),
          deps.tenantId,
          def,
          {
            period: q.period,
            direction: q.direction,
            months: q.months,
            metric,
            carriedForward: latest.includes(metric.key),
            overrides: q.overrides,
          },
          deps,
        ),
        200,
      );
    });
}

/** The version of `scheme` in force for each month of `from … to` (null: none), from the tenant's timeline. */
async function versionsByMonth(deps: ApiDeps, scheme: string, from: string, to: string): Promise<(number | null)[]> {
  const tp = await packOf(deps);
  return monthRange(from, to).map((period) => tp.at(period).versions.get(scheme)?.version ?? null);
}
