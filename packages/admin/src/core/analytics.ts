import { type HttpTierkitClient, query } from '@tierkit/client';
import type { SchemeSummary } from '@tierkit/core';
import type { DistributionResponse, EffectMetricsResponse, EffectResponse, MigrationResponse, RatesResponse } from './analytics-types.js';
import { KitStore, type KitError, type Status } from './kit-store.js';
import { readSchemes } from './schemes.js';

/** One read of the analytics screen: its own status, answer and problem, so one failing chart leaves the others. */
export interface AnalyticsPart<T> {
  readonly status: Status;
  readonly data: T | undefined;
  readonly error: KitError | undefined;
}

/** The months a screen looks at: distribution and rates over `from…to`, the migration from `from` to `to`. */
export interface AnalyticsRange {
  readonly scheme: string;
  /** `YYYY-MM`. */
  readonly from: string;
  /** `YYYY-MM`, not before `from`. */
  readonly to: string;
}

/** What an effect evaluation asks (docs/domain.md §10). */
export interface EffectQuery {
  readonly scheme: string;
  /** The month of the move, `YYYY-MM`. */
  readonly period: string;
  readonly direction: 'up' | 'down';
  /** Months of follow-up (1–24; the API's default 6). */
  readonly months?: number;
  /** A metric of the tenant's catalogue (`metrics`; the API's default when absent: `metrics.data.default`). */
  readonly metric?: string;
  /**
   * Whether customers an override moved count as movers (the API's default `exclude`: the evaluation
   * measures the policy's moves, and counts the overrides' apart in `cohorts.overrideMoved`).
   */
  readonly overrides?: 'exclude' | 'include';
}

export interface AnalyticsState {
  /** The schemes the credential may see, with their level names, for the picker and the labels. */
  readonly schemes: AnalyticsPart<readonly SchemeSummary[]>;
  /**
   * The metrics an effect evaluation may follow and the one it follows by default: the tenant's
   * catalogue, then, once `loadMetrics` has read them, those of a scheme's kind of subject.
   */
  readonly metrics: AnalyticsPart<EffectMetricsResponse>;
  readonly range: AnalyticsRange | undefined;
  readonly distribution: AnalyticsPart<DistributionResponse>;
  readonly migration: AnalyticsPart<MigrationResponse>;
  readonly rates: AnalyticsPart<RatesResponse>;
  readonly effectQuery: EffectQuery | undefined;
  readonly effect: AnalyticsPart<EffectResponse>;
}

/**
 * The months of a per-month read (`distribution`, `rates`) whose figures are provisional: evaluated, but
 * the month after them not over yet, so an override approved then may still set back their moves (the
 * API's `final`). A month not evaluated is not listed: it has no result of its own to change yet.
 */
export function provisionalMonths(read: {
  readonly periods: readonly string[];
  readonly evaluated: readonly boolean[];
  readonly final: readonly boolean[];
}): string[] {
  return read.periods.filter((_, i) => read.evaluated[i] === true && read.final[i] === false);
}

/** Whether one month's read (`migration` of `to`, `effect` of `period`) is provisional, as {@link provisionalMonths}. */
export function isProvisional(read: { readonly evaluated: boolean; readonly final: boolean }): boolean {
  return read.evaluated && !read.final;
}

const IDLE = { status: 'idle', data: undefined, error: undefined } as const;
const LOADING = { status: 'loading', data: undefined, error: undefined } as const;

type Client = Pick<HttpTierkitClient, 'http' | 'invalidate'>;

/**
 * The analytics screen's reads over a scheme's tier history: levels per month, the from × to
 * migration matrix, up/down rates, and an effect evaluation of movers against comparable stayers.
 * Each is a part with its own status and lane; a new range replaces the three range reads at once.
 * The API counts; this store only asks and keeps the answers (every figure beside its count).
 */
export class Analytics extends KitStore<AnalyticsState> {
  readonly #client: Client;

  constructor(client: Client) {
    super({
      schemes: IDLE,
      metrics: IDLE,
      range: undefined,
      distribution: IDLE,
      migration: IDLE,
      rates: IDLE,
      effectQuery: undefined,
      effect: IDLE,
    });
    this.#client = client;
  }

  /**
   * Read the schemes to pick from (matrix schemes are left out: their cells are levels of two others)
   * and, beside them, the metrics an effect evaluation may follow.
   */
  async loadSchemes(): Promise<void> {
    this.set({ schemes: LOADING, metrics: LOADING });
    const [got] = await Promise.all([
      this.run(
        'schemes',
        (signal) => readSchemes(this.#client, signal),
        (error) => this.set({ schemes: { status: 'error', data: undefined, error } }),
      ),
      this.#part('metrics', '/v1/analytics/metrics'),
    ]);
    if (got) this.set({ schemes: { status: 'ready', data: got.filter((s) => s.category !== 'matrix'), error: undefined } });
  }

  /**
   * Read the metrics an evaluation of `scheme` may follow into `metrics`: those of its kind of subject
   * (a retail scheme is offered no corporate or employee metric), and its default among them.
   */
  async loadMetrics(scheme: string): Promise<void> {
    await this.#part('metrics', `/v1/analytics/metrics${query({ scheme })}`);
  }

  /** Read distribution, migration and rates of `range`; the previous range's reads in flight are cancelled. */
  async setRange(range: AnalyticsRange): Promise<void> {
    this.set({ range, distribution: LOADING, migration: LOADING, rates: LOADING });
    const q = query({ scheme: range.scheme, from: range.from, to: range.to });
    await Promise.all([
      this.#part('distribution', `/v1/analytics/distribution${q}`),
      this.#part('migration', `/v1/analytics/migration${q}`),
      this.#part('rates', `/v1/analytics/rates${q}`),
    ]);
  }

  /** Evaluate the effect of the moves of one month. */
  async evaluate(effect: EffectQuery): Promise<void> {
    this.set({ effectQuery: effect, effect: LOADING });
    const q = query({
      scheme: effect.scheme,
      period: effect.period,
      direction: effect.direction,
      months: effect.months,
      metric: effect.metric,
      overrides: effect.overrides,
    });
    await this.#part('effect', `/v1/analytics/effect${q}`);
  }

  /** Read everything shown again (the tier history may have grown since: a re-tier job ran). */
  async refresh(): Promise<void> {
    // The transport caches reads: forget them, or the same answers come back.
    this.#client.invalidate('/v1/analytics/');
    const { range, effectQuery } = this.state;
    await Promise.all([range ? this.setRange(range) : undefined, effectQuery ? this.evaluate(effectQuery) : undefined]);
  }

  async #part<K extends 'metrics' | 'distribution' | 'migration' | 'rates' | 'effect'>(key: K, path: string): Promise<void> {
    const data = await this.run(
      key,
      (signal) => this.#client.http.get<NonNullable<AnalyticsState[K]['data']>>(path, { signal }),
      (error) => this.set({ [key]: { status: 'error', data: undefined, error } } as Partial<AnalyticsState>),
    );
    if (data !== undefined) this.set({ [key]: { status: 'ready', data, error: undefined } } as Partial<AnalyticsState>);
  }
}
