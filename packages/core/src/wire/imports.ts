/* What `/v1/imports` sends. */

import type { ProblemParam } from '../model/api.js';

export const IMPORT_KINDS = ['subjects', 'metrics', 'managers'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
export const IMPORT_ENCODINGS = ['utf-8', 'gbk', 'gb18030', 'big5'] as const;
export type ImportEncoding = (typeof IMPORT_ENCODINGS)[number];
/** How amounts are written in the file: yuan with up to two decimals, or integer fen. */
export const IMPORT_AMOUNTS = ['yuan', 'fen'] as const;
export type ImportAmounts = (typeof IMPORT_AMOUNTS)[number];
/** `all-or-nothing`: any row error imports nothing; `valid-rows`: the rows without errors are imported. */
export const IMPORT_MODES = ['all-or-nothing', 'valid-rows'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

/** An import's outcome so far (`running` until it finishes). */
export type ImportStatus = 'running' | 'succeeded' | 'partial' | 'failed';

/**
 * One problem with one row: the line the row ends on (1 is the header), the column's header (null: the
 * whole row), why in English, and the stable `code` with the `params` its words need (the codes of the
 * API's other field errors: packages/api/README.md, "Errors"). An import stored before row errors had
 * codes has none: only its `message`.
 */
export interface ImportRowError {
  readonly line: number;
  readonly column: string | null;
  readonly message: string;
  readonly code?: string;
  readonly params?: Readonly<Record<string, ProblemParam>>;
}

/** What an import did, as stored and as sent. */
export interface ImportTally {
  readonly id: string;
  readonly status: ImportStatus;
  readonly options: Readonly<Record<string, unknown>>;
  readonly fileName: string | null;
  readonly sha256: string | null;
  readonly bytes: number;
  /** Data rows read (the header not counted). */
  readonly rows: number;
  readonly rejectedRows: number;
  /** Subjects, observations or manager assignments inserted or changed. */
  readonly written: number;
  /** Subjects, observations or manager assignments already stored with the same content. */
  readonly unchanged: number;
  /** Months whose metrics changed: what a re-tier should cover. */
  readonly periods: readonly string[];
  /**
   * Of `periods`, those whose whole-book re-tier began before the import ended (it did not read the
   * new data): worked out when the import committed and stored with it, so every read of the import
   * says the same. Empty for an import stored before this was kept.
   */
  readonly retiered: readonly ImportRetieredMonth[];
  readonly detail: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

/** `POST /v1/imports` (201), an item of `GET /v1/imports`. */
export interface ImportRecord extends ImportTally {
  readonly kind: ImportKind;
  /** Errors found; the first 100,000 are kept. */
  readonly errorCount: number;
  /** The staff member behind `createdBy` (their staff token, or a key they own); null otherwise. */
  readonly createdByStaff: string | null;
  /**
   * A key's label when `createdBy` is a key (`keys create --label`), as the audit trail names it: a
   * reader tells an integration key from another by it, never by `key:key_…`. Null for any other actor.
   */
  readonly createdByKeyLabel: string | null;
}

/** A month the import changed after that month's whole-book re-tier had begun: that re-tier did not read it. */
export interface ImportRetieredMonth {
  readonly period: string;
  /** The month's re-tier: completed, or running when the import ended. */
  readonly job: { readonly id: string; readonly status: string };
  /** "2026-11 was re-tiered before this import (job …); a re-tier is needed: …". */
  readonly message: string;
}

/** `POST /v1/imports` (201): the import, with the months it changed that were re-tiered before it (`retiered`). */
export type ImportCreated = ImportRecord;

/** `GET /v1/imports/{id}`: the import and a page of its errors. */
export interface ImportDetail extends ImportRecord {
  readonly errors: { readonly items: readonly ImportRowError[]; readonly nextCursor: string | null };
}

/** `POST /v1/imports?dryRun=true` (200): what a real run of the same file would report; nothing written. */
export interface ImportPreview {
  readonly kind: ImportKind;
  /** How a real run of the same file would end. */
  readonly status: Exclude<ImportStatus, 'running'>;
  readonly bytes: number;
  readonly rows: number;
  readonly rejectedRows: number;
  readonly errorCount: number;
  /** The first 1,000 errors, in the order a real run stores them. */
  readonly errors: readonly ImportRowError[];
}
