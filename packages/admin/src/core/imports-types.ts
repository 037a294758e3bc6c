/*
 * Wire shapes of `/v1/imports` (packages/api/src/schemas/imports.ts). Kept here, not in
 * @tierkit/client: the widgets' bundle must not carry the console's API.
 */

export type ImportKind = 'subjects' | 'metrics' | 'managers';
export type ImportEncoding = 'utf-8' | 'gbk' | 'gb18030';
export type ImportAmounts = 'yuan' | 'fen';
export type ImportMode = 'all-or-nothing' | 'valid-rows';

/** One row error: the line the row ends on (1 is the header), the column's header, why. */
export interface ImportRowError {
  readonly line: number;
  readonly column: string | null;
  readonly message: string;
}

/** `POST /v1/imports` (201). */
export interface ImportRecord {
  readonly id: string;
  readonly kind: ImportKind;
  readonly status: 'running' | 'succeeded' | 'partial' | 'failed';
  readonly fileName: string | null;
  readonly bytes: number;
  readonly rows: number;
  readonly rejectedRows: number;
  readonly errorCount: number;
  readonly written: number;
  readonly unchanged: number;
  /** Months whose metrics changed: what a re-tier should cover. */
  readonly periods: readonly string[];
  readonly detail: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

/** `GET /v1/imports/{id}`: the import and a page of its errors. */
export interface ImportDetail extends ImportRecord {
  readonly errors: { readonly items: readonly ImportRowError[]; readonly nextCursor: string | null };
}

/** `POST /v1/imports?dryRun=true` (200): what an import would report; nothing written. */
export interface ImportPreview {
  readonly kind: ImportKind;
  readonly status: 'succeeded' | 'partial' | 'failed';
  readonly bytes: number;
  readonly rows: number;
  readonly rejectedRows: number;
  readonly errorCount: number;
  /** The first 1,000. */
  readonly errors: readonly ImportRowError[];
}
