import type { HttpTierkitClient } from '@tierkit/client';
import type { Team, TeamList } from '@tierkit/core/wire';

/**
 * The tenant's teams of books, in id order (`GET /v1/teams`: tenant-wide staff and internal audit
 * read it; not paged, as a bank has tens of teams), through the client's cache.
 */
export async function readTeams(client: Pick<HttpTierkitClient, 'http'>, signal: AbortSignal): Promise<readonly Team[]> {
  return (await client.http.get<TeamList>('/v1/teams', { signal })).items;
}
