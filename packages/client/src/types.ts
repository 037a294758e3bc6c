import type { EntitlementsResponse, HistoryResponse, Locale, MatrixResponse, SchemeResponse, TiersResponse } from '@tierkit/core';

/** Options every read accepts. Aborting cancels only this caller's wait, never a request others share. */
export interface ReadOptions {
  readonly signal?: AbortSignal;
}

/**
 * Options of a subject read: `locale` asks for that locale's labels only (`{"en": "Gold"}`), about a
 * third of the bytes; without it every label carries all three locales.
 */
export interface SubjectReadOptions extends ReadOptions {
  readonly locale?: Locale;
}

/** Options of a tiers read: `schemes` asks for those schemes only (default: every scheme). */
export interface TiersOptions extends SubjectReadOptions {
  readonly schemes?: readonly string[];
}

/** Options of a history read: one scheme or all, a cursor from the previous page, a page size. */
export interface HistoryOptions extends SubjectReadOptions {
  readonly scheme?: string;
  readonly cursor?: string;
  readonly limit?: number;
}

/** Options of a portfolio matrix read: filters such as `branch=…` or `rm=…`. */
export interface MatrixOptions extends ReadOptions {
  readonly filter?: Readonly<Record<string, string>>;
}

/**
 * The reads the widgets make. `createClient` returns one over HTTP; a host (or a test, or a story)
 * may pass any object of this shape to `<tk-provider>` instead — the "ready client object" path.
 */
export interface TierkitClient {
  getTiers(subjectId: string, o?: TiersOptions): Promise<TiersResponse>;
  getHistory(subjectId: string, o?: HistoryOptions): Promise<HistoryResponse>;
  getEntitlements(subjectId: string, o?: SubjectReadOptions): Promise<EntitlementsResponse>;
  getScheme(key: string, o?: ReadOptions): Promise<SchemeResponse>;
  getMatrix(scheme: string, o?: MatrixOptions): Promise<MatrixResponse>;
}

/** Where the bearer token comes from: a fixed embed token, or a function that fetches a fresh one. */
export type TokenSource = string | (() => string | Promise<string>);

export interface ClientOptions {
  /** API origin and prefix root, e.g. `https://tier.bank.example` (paths start with `/v1`). */
  readonly baseUrl: string;
  readonly token?: TokenSource;
  /** Defaults to the global `fetch`. */
  readonly fetch?: typeof fetch;
  /**
   * Milliseconds a cached body is reused without asking the server at all. Widgets mounting a few
   * hundred milliseconds apart then share one response; after it, the client revalidates with
   * `If-None-Match`. Default 5000; 0 always revalidates.
   */
  readonly freshFor?: number;
  /**
   * Most responses kept for revalidation (least recently used go first). An RM page that browses
   * hundreds of customers must not keep every one of them for the life of the page. Default 200.
   */
  readonly cacheSize?: number;
  /**
   * Milliseconds a read or write may take, its token and body included, before it is abandoned and
   * rejects with a `TierkitApiError` of status 0 (`problem.type` `…/problems/timeout`), which the widgets
   * show as an error with a retry — not "loading" for ever on a stalled network. Default 20000: longer
   * than the server's own longest wait (a PostgreSQL statement's 10 s, then 5 s, before its 503), so a
   * slow server's answer still arrives. 0: no limit.
   */
  readonly timeout?: number;
}
