/*
 * A matrix's counts, and what they tell the subject list behind a cell. The console's drill-down asks
 * for the subjects of a cell it has just shown a count for; when that count is 0, finding out again
 * that nobody is there means reading one axis level's whole index and checking each entry against the
 * other (a million customers, two levels a third of the book each: ~360 ms on SQLite, the server's
 * thread held; on PostgreSQL ~1.9 s). The counts answer it, but only while they are the data's: they
 * carry the data version they were read at, and a list trusts them only when the version now is the
 * same — a commit between, by this server, a re-tier thread, another process or another server on the
 * same PostgreSQL, moves it (dataVersion: SQLite's data_version, PostgreSQL's snapshot). Where no
 * version is had (a transaction), the list reads as before.
 */
import type { MatrixDef } from '@tierkit/core';
import { countLevelPairs, dataVersion, type Books, type ClosedFilter, type Executor } from '@tierkit/db';
import type { ApiDeps } from '../deps.js';
import { matrixKey, type MatrixCounts } from './matrix-cache.js';

/** The matrix's counts over the current book, with the version they hold for if nothing was written while they were read. */
export async function matrixCounts(
  db: Executor,
  tenantId: string,
  def: Pick<MatrixDef, 'rowScheme' | 'colScheme'>,
  kind: string | undefined,
  book: Books | undefined,
): Promise<MatrixCounts> {
  const before = await dataVersion(db);
  const rows = await countLevelPairs(db, tenantId, def.rowScheme, def.colScheme, kind, book);
  const after = before === undefined ? undefined : await dataVersion(db);
  return { rowScheme: def.rowScheme, colScheme: def.colScheme, rows, version: before === after ? before : undefined };
}

/** A list of a matrix cell's subjects, as the subject list asks it. */
export interface CellQuery {
  readonly scheme: string;
  readonly def: Pick<MatrixDef, 'rowScheme' | 'colScheme'>;
  readonly row: string;
  readonly col: string;
  readonly kind: string | undefined;
  readonly book: Books | undefined;
  readonly closed: ClosedFilter;
}

/**
 * Whether the cell is known empty now: counted 0 over the same customers or more (the tenant's whole
 * book, or the very kind and book asked), at the data version the database is still at. Any further
 * filter of the list only narrows an empty cell. Customers who left are in no cell, so a list that
 * includes them is never answered from the counts.
 */
export async function knownEmptyCell(deps: Pick<ApiDeps, 'db' | 'tenantId' | 'matrices'>, q: CellQuery): Promise<boolean> {
  if (q.closed !== 'exclude') return false;
  const keys = new Set([matrixKey(q.scheme, q.kind, q.book), matrixKey(q.scheme, undefined, undefined)]);
  const versions = new Set<string>();
  for (const key of keys) {
    const counts = deps.matrices.settled(deps.tenantId, key);
    if (counts?.version === undefined || counts.rowScheme !== q.def.rowScheme || counts.colScheme !== q.def.colScheme) continue;
    if (!counts.rows.some((c) => c.row === q.row && c.col === q.col && c.count > 0)) versions.add(counts.version);
  }
  if (versions.size === 0) return false;
  const now = await dataVersion(deps.db);
  return now !== undefined && versions.has(now);
}
