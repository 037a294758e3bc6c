/*
 * Wire types of `GET /v1/analytics/*`: their one home is @tierkit/core/wire, where the API that sends
 * them takes them from too.
 */
export type {
  DistributionResponse,
  EffectGroupSeries,
  EffectMetricsResponse,
  EffectResponse,
  EffectStratum,
  MigrationResponse,
  RatesResponse,
} from '@tierkit/core/wire';
