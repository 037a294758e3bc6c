import { type HttpTierkitClient, problemOf, TierkitApiError } from '@tierkit/client';

/** The affected-customer file of a simulation, as the API sent it. */
export interface AffectedFile {
  /** The CSV (UTF-8 with its byte order mark): the page makes it a download, a test reads its text. */
  readonly blob: Blob;
  /** The API's name for it (`simulation-<scheme>-v<version>-<period>.csv`), or one made from the job id. */
  readonly fileName: string;
}

/**
 * Every customer a completed simulation moves or holds in the grace (`GET /v1/jobs/{id}/affected`,
 * packages/api/README.md), read with the caller's credential. A plain link cannot carry the console's
 * bearer token, so the file is fetched here and the page offers the Blob; the kit stays DOM-free.
 * A refusal rejects with the API's problem (TierkitApiError: `simulation_not_completed`, 404, 403).
 */
export async function fetchAffectedCsv(
  client: Pick<HttpTierkitClient, 'http'>,
  jobId: string,
  { locale, signal }: { readonly locale?: 'zh-CN' | 'zh-TW' | 'en'; readonly signal?: AbortSignal } = {},
): Promise<AffectedFile> {
  const q = locale ? `?locale=${encodeURIComponent(locale)}` : '';
  const res = await client.http.fetch(`/v1/jobs/${encodeURIComponent(jobId)}/affected${q}`, signal ? { signal } : {});
  if (!res.ok) throw new TierkitApiError(await problemOf(res));
  const named = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1];
  return { blob: await res.blob(), fileName: named ?? `simulation-${jobId}-affected.csv` };
}
