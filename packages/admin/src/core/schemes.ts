import type { HttpTierkitClient } from '@tierkit/client';
import type { SchemeSummary, SchemesResponse } from '@tierkit/core';

/**
 * The tenant's schemes with their names and levels (`GET /v1/schemes`), through the client's cache and
 * coalescing: always asked the same way, so the stores and pages that need them share one request.
 */
export async function readSchemes(client: Pick<HttpTierkitClient, 'http'>, signal: AbortSignal): Promise<readonly SchemeSummary[]> {
  return (await client.http.get<SchemesResponse>('/v1/schemes', { signal })).items;
}
