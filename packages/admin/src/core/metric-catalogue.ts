import { type HttpTierkitClient, problemOf, TierkitApiError } from '@tierkit/client';
import type { MetricDef, MetricUnit, SubjectKind } from '@tierkit/core';

/** Who may read a metric's values: any scheme, staff schemes only, or not even a customer score's factor. */
export type MetricAudience = NonNullable<MetricDef['audience']> | 'customer';

/** Strongest first: lowering goes down this list and takes a second admin. */
export const METRIC_AUDIENCES: readonly MetricAudience[] = ['compliance', 'staff', 'customer'];

/** A metric of the tenant's catalogue as `GET /v1/metrics` sends it. */
export interface MetricEntry {
  readonly key: string;
  readonly unit: MetricUnit;
  readonly currency?: string;
  readonly label: Readonly<Record<'zh-CN' | 'zh-TW' | 'en', string>>;
  /** Absent: measured on any kind of subject. */
  readonly subjectKinds?: readonly SubjectKind[];
  readonly actionable: boolean;
  readonly audience: MetricAudience;
  readonly builtIn: boolean;
  /** Schemes whose approved or submitted versions read it: its unit, currency and kinds stay, and it cannot be removed. */
  readonly usedBy: readonly string[];
}

/** What a write sends: the entry without what the API computes. */
export type MetricInput = Omit<MetricEntry, 'builtIn' | 'usedBy'>;

/** A request to lower a metric's audience (`GET /v1/metric-audience-requests`). */
export interface MetricAudienceRequest {
  readonly id: string;
  readonly metric: string;
  readonly from: MetricAudience;
  readonly to: MetricAudience;
  readonly status: 'pending' | 'approved' | 'rejected' | 'withdrawn' | 'expired';
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly expiresAt: string;
  /** Why its maker asked; null on a request filed before reasons were asked for. */
  readonly reason: string | null;
  readonly requestedByYou: boolean;
  readonly mayDecide: boolean;
  readonly mayWithdraw: boolean;
}

const METRICS = '/v1/metrics';
const REQUESTS = '/v1/metric-audience-requests';
/** Every read a catalogue change makes stale: the catalogue, its requests, the queue, and what lists metrics. */
const FORGET = [METRICS, REQUESTS, '/v1/approvals', '/v1/schemes', '/v1/analytics/metrics'];
const enc = encodeURIComponent;

/** Whether going `from` → `to` lowers who is kept from the metric: a request for a second admin, not a change. */
export function lowersAudience(from: MetricAudience, to: MetricAudience): boolean {
  return METRIC_AUDIENCES.indexOf(to) > METRIC_AUDIENCES.indexOf(from);
}

/** The entry as a write states it (the API takes the whole entry on a change). */
export function metricInput(e: MetricEntry): MetricInput {
  return {
    key: e.key,
    unit: e.unit,
    ...(e.currency !== undefined ? { currency: e.currency } : {}),
    label: e.label,
    ...(e.subjectKinds !== undefined ? { subjectKinds: e.subjectKinds } : {}),
    actionable: e.actionable,
    audience: e.audience,
  };
}

export async function readMetricCatalogue(client: Pick<HttpTierkitClient, 'http'>, signal?: AbortSignal): Promise<readonly MetricEntry[]> {
  return (await client.http.get<{ items: MetricEntry[] }>(METRICS, signal ? { signal } : {})).items;
}

/** The requests waiting for a second admin (the API answers tenant-wide admins only). */
export async function readPendingAudienceRequests(
  client: Pick<HttpTierkitClient, 'http'>,
  signal?: AbortSignal,
): Promise<readonly MetricAudienceRequest[]> {
  return (await client.http.get<{ items: MetricAudienceRequest[] }>(REQUESTS, signal ? { signal } : {})).items;
}

export function addMetric(client: Pick<HttpTierkitClient, 'http'>, input: MetricInput): Promise<MetricEntry> {
  return client.http.send<MetricEntry>('POST', METRICS, input, { forget: FORGET });
}

/**
 * Change a metric: `changed` (200) when done, `requested` (202) when its audience was lowered, which
 * waits for another admin and changes nothing yet. A lowering needs `reason`, the maker's word to the
 * admin who decides it (422 without one).
 */
export async function amendMetric(
  client: Pick<HttpTierkitClient, 'http'>,
  input: MetricInput,
  reason?: string,
): Promise<{ readonly changed: MetricEntry } | { readonly requested: MetricAudienceRequest }> {
  const { key, ...entry } = input;
  const body = reason === undefined ? entry : { ...entry, reason };
  const got = await client.http.send<MetricEntry | { request: MetricAudienceRequest }>('PUT', `${METRICS}/${enc(key)}`, body, {
    forget: FORGET,
  });
  return 'request' in got ? { requested: got.request } : { changed: got };
}

/**
 * Remove a metric no version reads. Sent through `http.fetch`, not `http.send`: a DELETE in the shared
 * client would be bytes in every widget bundle (tierkit.js is within a few bytes of its budget) for a
 * route only the console calls.
 */
export async function removeMetric(client: Pick<HttpTierkitClient, 'http' | 'invalidate'>, key: string): Promise<MetricEntry> {
  const res = await client.http.fetch(`${METRICS}/${enc(key)}`, {
    method: 'DELETE',
    headers: { accept: 'application/json, application/problem+json' },
  });
  if (!res.ok) throw new TierkitApiError(await problemOf(res));
  const removed = (await res.json()) as MetricEntry;
  for (const prefix of FORGET) client.invalidate(prefix);
  return removed;
}

/** Take back one's own request (`mayWithdraw`). */
export function withdrawAudienceRequest(client: Pick<HttpTierkitClient, 'http'>, id: string): Promise<MetricAudienceRequest> {
  return client.http.send<MetricAudienceRequest>('POST', `${REQUESTS}/${enc(id)}/withdraw`, {}, { forget: FORGET });
}
