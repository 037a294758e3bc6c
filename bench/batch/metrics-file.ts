// The generated metrics file of the import benches (import.bench.ts on SQLite, import-postgres.bench.ts)
// and the product's import of it, so both dialects time the same file through the same call.
import { createReadStream } from 'node:fs';
import { loadTenantPack, runImport } from '@tierkit/api';
import type { Executor, SubjectInput } from '@tierkit/db';
import { writeCsvFile } from './csv-file.js';

export const MONTHS = ['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10'];
/** The month the import is told is current: every month of the file is before it. */
const CURRENT_PERIOD = '2025-11';

export const externalId = (i: number) => `C${String(i).padStart(7, '0')}`;

/** `rows` metric rows name `rows / 10` subjects, each once a month for 10 months. */
export const subjectsOf = (rows: number) => rows / 10;

/** The subjects the file names, as `insertSubjects` takes them. */
export function benchSubjects(rows: number): SubjectInput[] {
  return Array.from({ length: subjectsOf(rows) }, (_, i) => ({
    id: `s${i}`,
    externalId: externalId(i),
    kind: 'customer',
    displayName: `客户${i}`,
    attributes: {},
  }));
}

/** `rows` / 10 subjects × 10 months of one balance in yuan with fen: a long-form core banking export. */
function* metricLines(rows: number): Generator<string> {
  const subjects = subjectsOf(rows);
  let seed = 7;
  for (let r = 0; r < rows; r++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const yuan = (seed % 50_000_000) / 100;
    yield `${externalId(r % subjects)},avg_daily_balance,${MONTHS[Math.floor(r / subjects)]},${yuan.toFixed(2)}`;
  }
}

/** Write the file of `rows` rows (a multiple of 10) to `path`. */
export const writeMetricsFile = (path: string, rows: number) => writeCsvFile(path, 'subject,metric,period,value', metricLines(rows));

/**
 * `runImport`, as `tierkit import` and `POST /v1/imports` run it, of the file at `path` into `tenant`;
 * throws unless it succeeded with `rows` written. `watched`: the balance feeds a scheme with sign-off
 * levels, so the importer is recorded per value it writes.
 */
export async function importMetricsFile(db: Executor, tenant: string, path: string, rows: number, watched = false): Promise<number> {
  const tp = await loadTenantPack(db, tenant);
  const record = await runImport(
    db,
    {
      kind: 'metrics',
      encoding: 'utf-8',
      amounts: 'yuan',
      mode: 'all-or-nothing',
      mapping: {},
    },
    {
      tenantId: tenant,
      catalogue: tp.metrics,
      currentPeriod: CURRENT_PERIOD,
      actor: 'bench',
      now: () => new Date(),
      fileName: 'metrics.csv',
      ...(watched ? { signOffMetrics: new Set(['avg_daily_balance']) } : {}),
    },
    () => createReadStream(path),
  );
  if (record.status !== 'succeeded' || record.written !== rows)
    throw new Error(`import ${record.status}: ${record.written} written, ${record.errors} errors`);
  return record.written;
}

/** The middle of the sorted values (the upper middle of an even count). */
export const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
