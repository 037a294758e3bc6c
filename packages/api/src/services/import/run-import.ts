import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DEFAULT_TIME_ZONE, IMPORT_MODES, type ImportMode, type ImportPreview, type MetricDef } from '@tierkit/core';
import {
  type CustomerActivity,
  customerActivity,
  createBookStaging,
  createImport,
  createSubjectStaging,
  deleteImport,
  existingStaffIds,
  findImport,
  erasedExternalIds,
  findSubjectIds,
  findSubjectsByExternalIds,
  finishImport,
  insertImportErrors,
  insertSubjects,
  lockRunningImport,
  dropBookStaging,
  dropMetricKeyStaging,
  dropSubjectStaging,
  findSubjectsByIds,
  holdSubjects,
  isPostgres,
  moveStagedBooks,
  recordMetricWrites,
  stageBooks,
  stagedMoves,
  stageSubjectChanges,
  stagedSubjectChanges,
  upsertMetricRows,
  type Executor,
  type ImportRecord,
  type NewMetric,
  type Subject,
  type SubjectInput,
  type StagedBook,
  type StagedSubjectChange,
  type ClosingRequest,
  pendingClosingRequestOf,
} from '@tierkit/db';
import { sortableId } from '../../ids.js';
import { auditMoves, MOVES_PER_RECORD, type MoveAuditContext } from '../books.js';
import { systemAction, type OperatorAction } from '../audit.js';
import { type ClosingFloor, closeSubject } from '../closing.js';
import { activityOf, beforeActivity, type ClosingRetention, closingAtOnceFrom, closingNeedsSecondPerson } from '../closing-date-checks.js';
import { fileClosingRequest } from '../closing-requests.js';
import { hasLapsed, writeLapses } from '../closing-lapse.js';
import { auditImportClosings, type ImportClosing } from './closing-audit.js';
import type { FieldCode } from '../../problem.js';
import type { AmountUnit } from './amounts.js';
import {
  checkManagerRow,
  checkMetricRow,
  checkSubjectRow,
  type ManagerRowInput,
  type MetricRow,
  type RowContext,
  type RowError,
  type SubjectRowInput,
} from './check-rows.js';
import { ObservationsSeen, withoutConflicts } from './duplicates.js';
import { csvRecords, CsvFileError, type Encoding } from './csv-records.js';
import { planImport, PlanError, type ImportKind, type ImportPlan } from './import-plan.js';
import { failInterruptedImports, importOwner } from './interrupted.js';
import { subjectsWritten } from '../../version-trust.js';
import { retieredBefore } from '../jobs/schedule.js';

/** How an import treats rows with errors: import nothing (the default), or import the rows without errors. */
export { IMPORT_MODES };
export type { ImportMode };

/** What the caller declares about a file. */
export interface ImportOptions {
  readonly kind: ImportKind;
  readonly encoding: Encoding;
  /** How money columns are written; required for metrics (a wrong guess is off by 100×). */
  readonly amounts?: AmountUnit;
  readonly mode: ImportMode;
  /** Header → field (`subject`, `period`, `metric`, `value`, `metric:<key>`, `id`, `kind`, `name`, `attr:<name>`, `ignore`). */
  readonly mapping: Readonly<Record<string, string>>;
  /** The kind of subjects a subjects file without a kind column holds. Default `customer`. */
  readonly subjectKind?: string;
}

/** Who imports what, for which tenant, when. */
export interface ImportContext {
  readonly tenantId: string;
  readonly catalogue: ReadonlyMap<string, MetricDef>;
  readonly currentPeriod: string;
  /** The bank's calendar (default `Asia/Shanghai`): which month the schedule re-tiers, for `retiered`'s advice. */
  readonly timeZone?: string;
  readonly actor: string;
  readonly now: () => Date;
  readonly fileName: string | null;
  /** The earliest closedAt a subjects file may carry (default: 2000); the route gives the end of the last final month. */
  readonly closingFloor?: ClosingFloor;
  /**
   * The tenant's retention now: a closedAt before its cutoff is a row error (it would make the customer
   * erasable at once). The route and the CLI give it; without it, no such check.
   */
  readonly closingRetention?: ClosingRetention;
  /** The request a managers import came in (`POST /v1/imports`): each move is audited with it (`auditMoves`). */
  readonly audit?: MoveAuditContext;
  /**
   * The metrics feeding a scheme with sign-off levels: a metrics import counts, for each, the stored
   * values it replaced (`ImportResult.replaced`), for its audit record, and records `actor` as the
   * writer of each such value it changes, as the API's metric write does: the four-eyes check then bars
   * the importer from the sign-offs of those customers only, not of every customer read in the months
   * it loaded (docs/domain.md §4). Without it, the importer is barred tenant-wide, as before.
   */
  readonly signOffMetrics?: ReadonlySet<string>;

  /**
   * @internal For tests only (no route or command sets it): staged subjects of a managers file moved
   * per page (default `STAGED_MOVE_PAGE`), so a test can make every subject a page of its own and
   * see the lock order hold across pages.
   */
  readonly movePageRows?: number;
  /**
   * @internal For tests only (no route or command sets it): staged changes of a subjects file applied
   * per page (default `APPLY_PAGE_ROWS`, then the rest of the page's last customer's), so a test can
   * end a page between a customer's rows whatever the default is.
   */
  readonly applyPageRows?: number;
  /**
   * @internal For tests only (no route or command sets it): observations of a metrics file checked in
   * memory before they are moved to the staging table (default `SEEN_OBSERVATIONS`), so a test can
   * put a conflict on either side of the bound without a file of millions of rows.
   */
  readonly observationsInMemory?: number;
  /** Where a problem that does not stop the import is told (an interrupted import it could not mark); default stderr. */
  readonly log?: (line: string) => void;
}

/** The bytes of the file, read once from start to end (a file on disk, not a network stream: see runImport). */
export type ImportSource = () => AsyncIterable<Uint8Array>;

/** Progress of a running import: bytes and rows read so far. */
export interface ImportProgress {
  readonly bytes: number;
  readonly rows: number;
}

/** The whole file was refused (unreadable, a bad header): the import and its errors are removed. */
export class ImportRefused extends Error {
  readonly line: number | null;
  readonly column: string | null;
  readonly why: FieldCode;
  constructor(message: string, line: number | null, column: string | null, why: FieldCode) {
    super(message);
    this.name = 'ImportRefused';
    this.line = line;
    this.column = column;
    this.why = why;
  }
}

/** Row errors kept per import; more are counted, not stored. */
export const MAX_STORED_ERRORS = 100_000;
/** How many ids of each kind an import's withdrawals list; the counts are whole. */
export const WITHDRAWN_IDS_LISTED = 50;

/**
 * What the closings of a subjects import withdrew (closeSubject): how many override requests and
 * level sign-offs, and the ids of the first {@link WITHDRAWN_IDS_LISTED} of each, in the file's order —
 * a file closing thousands of customers would otherwise make an audit record of any size.
 */
export interface ImportWithdrawals {
  overrides: number;
  signOffs: number;
  /** Closings dated more than three months back, filed as closing requests rather than applied. */
  closingRequests: number;
  /**
   * Closings (dated far back, or of today) of customers for whom a closing request waits already: not
   * filed again (one pending per customer) and not applied, counted so the report says the rows were not
   * taken rather than dropping them.
   */
  closingRequestsWaiting: number;
  readonly overrideIds: string[];
  readonly signOffIds: string[];
}

/** An import as stored, and what its closings withdrew (kept in the audit record, not in the import's row). */
export type ImportResult = ImportRecord & {
  readonly withdrawn: ImportWithdrawals;
  /** Per metric of `ImportContext.signOffMetrics` the file carried: how many stored values it replaced. */
  readonly replaced: Readonly<Record<string, number>>;
};

const noWithdrawals = (): ImportWithdrawals => ({
  overrides: 0,
  signOffs: 0,
  closingRequests: 0,
  closingRequestsWaiting: 0,
  overrideIds: [],
  signOffIds: [],
});

/** Rows checked or written together: one subject lookup and one multi-row upsert per batch. */
const BATCH_ROWS = 2000;
/** Rows read between two turns of the event loop given to the server's other requests. */
const TURN_ROWS = 200;
/**
 * Internal ids of subjects a metrics import has already looked up: a monthly export names each
 * customer once per month, so later batches mostly hit. Bounded: past it the cache starts over.
 */
const SUBJECT_ID_CACHE = 200_000;

/** Counts the bytes of a source and hashes them as they pass. */
function measured(source: AsyncIterable<Uint8Array>, into: { bytes: number; hash: ReturnType<typeof createHash> }) {
  return (async function* () {
    for await (const chunk of source) {
      into.bytes += chunk.byteLength;
      into.hash.update(chunk);
      yield chunk;
    }
  })();
}

type Checked =
  | { readonly kind: 'metrics'; rows: MetricRow[] }
  | { readonly kind: 'subjects'; rows: SubjectRowInput[] }
  | { readonly kind: 'managers'; rows: ManagerRowInput[] };

/** A metrics or managers row naming a subject the tenant does not have. */
function unknownSubject(line: number, plan: ImportPlan | undefined, subject: string): RowError {
  const column = plan?.kind === 'metrics' || plan?.kind === 'managers' ? (plan.headers[plan.subject] ?? null) : null;
  return {
    line,
    column,
    message: `no subject "${subject}" in this tenant${plan?.kind === 'metrics' ? '; import it first' : ''}`,
    code: 'unknown_subject',
    params: { subject },
  };
}

/** A row naming a customer whose personal data was erased: nothing is written under them again (docs/operations.md, "Retention and erasure"). */
function erasedSubject(line: number, plan: ImportPlan | undefined): RowError {
  const column =
    plan?.kind === 'metrics' || plan?.kind === 'managers'
      ? (plan.headers[plan.subject] ?? null)
      : plan?.kind === 'subjects'
        ? (plan.headers[plan.id] ?? null)
        : null;
  return {
    line,
    column,
    // The number is not said back, as a job's filter does not: the import's record (which its answer is read from) must
    // not put it back in the database the erasure cleared, and an erased customer is never scanned again.
    message: 'this row names a customer erased after the retention period; nothing can be written for it',
    code: 'erased',
    params: {},
  };
}

/** Errors of rows in file order (README: "in file order"); one row's by its columns, the row-wide one first. */
function inFileOrder(rows: RowError[][], headers: readonly string[]): RowError[][] {
  const col = (e: RowError) => (e.column === null ? -1 : headers.indexOf(e.column));
  for (const errors of rows) errors.sort((a, b) => col(a) - col(b));
  return rows.sort((a, b) => (a[0]?.line ?? 0) - (b[0]?.line ?? 0));
}

/**
 * Read the file's records in batches: the header decides the plan, every row is checked on its own,
 * and each batch's subjects are looked up once (a metrics or managers row naming an unknown subject is
 * an error; a managers row naming an unknown staff member too). A batch's row errors reach `onRow` in
 * file order before the batch is yielded; `tally.rows` counts every data row read, rejected or not.
 */
async function* checkedBatches(
  db: Executor,
  source: AsyncIterable<Uint8Array>,
  options: ImportOptions,
  ctx: ImportContext,
  onRow: (errors: readonly RowError[]) => void,
  tally: { rows: number },
  /** A metrics file's observations so far, in `db`, the importing transaction, once past memory's bound. */
  seen?: ObservationsSeen,
): AsyncGenerator<{ checked: Checked; subjects: Map<string, Subject>; subjectIds: Map<string, string> }> {
  let plan: ImportPlan | undefined;
  const rowCtx: RowContext = { catalogue: ctx.catalogue, currentPeriod: ctx.currentPeriod, amounts: options.amounts ?? 'fen' };
  let metricRows: MetricRow[] = [];
  let subjectRows: SubjectRowInput[] = [];
  let managerRows: ManagerRowInput[] = [];
  // A batch's lookups report after its rows' own checks: held here and handed on sorted by line.
  let rowErrors: RowError[][] = [];
  // Rows read since the last batch, valid or not: a file of bad rows must not hold every error.
  let batchRows = 0;
  const reject = (errors: readonly RowError[]) => {
    if (errors.length) rowErrors.push([...errors]);
  };
  // Rejected rows whose subject id is well formed: looked up with their batch, so an unknown subject is
  // named beside the row's other errors, not only once the user has fixed those and uploaded again.
  let heldRejects: { line: number; subject: string; errors: RowError[] }[] = [];
  const resolveHeld = () => {
    for (const r of heldRejects) {
      if (!subjectIds.has(r.subject)) r.errors.push(unknownSubject(r.line, plan, r.subject));
      else if (erasedIds.has(r.subject)) r.errors.push(erasedSubject(r.line, plan));
      reject(r.errors);
    }
    heldRejects = [];
  };
  const settleHeld = async () => {
    if (!heldRejects.length) return;
    await lookUpSubjectIds(heldRejects.map((r) => r.subject));
    resolveHeld();
  };
  const reportErrors = () => {
    for (const errors of inFileOrder(rowErrors, plan?.headers ?? [])) onRow(errors);
    rowErrors = [];
  };
  // The kind each id of a subjects file was given by an earlier row: one id with two kinds is refused
  // however far apart, also where the first was not written (the same batch, a dry run). Bounded as the id cache.
  const kindsInFile = new Map<string, string>();
  // Metrics and managers rows need only the subject's internal id; a subjects file needs the stored subject.
  const subjectIds = new Map<string, string>();
  // Of those, the erased: refused rather than written (a metric or a book would undo the erasure).
  const erasedIds = new Set<string>();
  const lookUpSubjectIds = async (named: readonly string[]) => {
    let missing = named.filter((s) => !subjectIds.has(s));
    if (subjectIds.size + missing.length > SUBJECT_ID_CACHE) {
      subjectIds.clear();
      erasedIds.clear();
      missing = [...named];
    }
    if (!missing.length) return;
    const found = await findSubjectIds(db, ctx.tenantId, missing);
    for (const [externalId, id] of found) subjectIds.set(externalId, id);
    if (found.size) for (const externalId of await erasedExternalIds(db, ctx.tenantId, [...found.keys()])) erasedIds.add(externalId);
  };
  const flush = async function* () {
    let subjects = new Map<string, Subject>();
    let checked: Checked;
    if (plan?.kind === 'managers') {
      await lookUpSubjectIds([...managerRows.map((r) => r.subject), ...heldRejects.map((r) => r.subject)]);
      resolveHeld();
      // The rule of `POST /v1/subject-managers`: a book is held by a staff member of this tenant.
      const asked = managerRows.flatMap((r) => (r.manager === null ? [] : [r.manager]));
      // A disabled member (someone who left) holds no new customers, as over HTTP.
      const staff = await existingStaffIds(db, ctx.tenantId, asked, { working: true });
      const existing = asked.some((m) => !staff.has(m)) ? await existingStaffIds(db, ctx.tenantId, asked) : staff;
      const known: ManagerRowInput[] = [];
      for (const r of managerRows) {
        const errors: RowError[] = [];
        if (!subjectIds.has(r.subject)) errors.push(unknownSubject(r.line, plan, r.subject));
        else if (erasedIds.has(r.subject)) errors.push(erasedSubject(r.line, plan));
        if (r.manager !== null && !staff.has(r.manager))
          errors.push({
            line: r.line,
            column: plan.headers[plan.manager] ?? null,
            message: existing.has(r.manager)
              ? `staff member "${r.manager}" is disabled: their book takes no customers`
              : `no staff member "${r.manager}" in this tenant`,
            code: 'unknown_staff',
            params: { staff: r.manager },
          });
        if (errors.length) reject(errors);
        else known.push(r);
      }
      checked = { kind: 'managers', rows: known };
    } else if (plan?.kind === 'metrics') {
      await lookUpSubjectIds([...metricRows.map((r) => r.subject), ...heldRejects.map((r) => r.subject)]);
      resolveHeld();
      const known: MetricRow[] = [];
      for (const r of metricRows) {
        if (!subjectIds.has(r.subject)) reject([unknownSubject(r.line, plan, r.subject)]);
        else if (erasedIds.has(r.subject)) reject([erasedSubject(r.line, plan)]);
        else known.push(r);
      }
      checked = { kind: 'metrics', rows: seen ? await withoutConflicts(seen, known, subjectIds, reject) : known };
    } else {
      subjects = await findSubjectsByExternalIds(
        db,
        ctx.tenantId,
        subjectRows.map((r) => r.id),
      );
      // A closing learnt late of a customer the book holds: checked against their recorded activity.
      const lateClosed = subjectRows.flatMap((r) => {
        const s = r.closed?.late ? subjects.get(r.id) : undefined;
        return s && s.closedAt === null ? [s.id] : [];
      });
      const activity = lateClosed.length ? await customerActivity(db, ctx.tenantId, lateClosed) : new Map<string, CustomerActivity>();
      const kept: SubjectRowInput[] = [];
      for (const r of subjectRows) {
        // Counted as written while nothing could be: the operator is told, by the row.
        if (subjects.get(r.id)?.erasedAt) {
          reject([erasedSubject(r.line, plan)]);
          continue;
        }
        const stored = subjects.get(r.id);
        const early =
          r.closed?.late && stored && stored.closedAt === null
            ? beforeActivity(r.closed.leftAt ?? r.closed.at, activity.get(stored.id), ctx.timeZone ?? DEFAULT_TIME_ZONE)
            : undefined;
        if (early) {
          const column = plan?.kind === 'subjects' && plan.closedAt !== undefined ? (plan.headers[plan.closedAt] ?? null) : null;
          reject([{ line: r.line, column, ...early, params: { ...early.params, subject: r.id } }]);
          continue;
        }
        const kind = subjects.get(r.id)?.kind ?? kindsInFile.get(r.id);
        if (kind !== undefined && kind !== r.kind) {
          const column = plan?.kind === 'subjects' && plan.subjectKind !== undefined ? (plan.headers[plan.subjectKind] ?? null) : null;
          reject([
            {
              line: r.line,
              column,
              message: `subject "${r.id}" is a ${kind}; its kind cannot change to ${r.kind}`,
              code: 'immutable',
              params: { value: kind, subject: r.id },
            },
          ]);
          continue;
        }
        if (kind === undefined) {
          if (kindsInFile.size >= SUBJECT_ID_CACHE) kindsInFile.clear();
          kindsInFile.set(r.id, r.kind);
        }
        kept.push(r);
      }
      checked = { kind: 'subjects', rows: kept };
    }
    metricRows = [];
    subjectRows = [];
    managerRows = [];
    reportErrors();
    yield { checked, subjects, subjectIds };
  };
  try {
    for await (const rec of csvRecords(source, options.encoding)) {
      if (plan === undefined) {
        plan = planImport(options.kind, rec.fields, options.mapping, ctx.catalogue);
        continue;
      }
      tally.rows += 1;
      batchRows += 1;
      if (plan.kind === 'metrics') {
        const { row, subject, errors } = checkMetricRow(plan, rec, rowCtx);
        if (row) metricRows.push(row);
        else if (subject !== undefined) heldRejects.push({ line: rec.line, subject, errors });
        else reject(errors);
      } else if (plan.kind === 'managers') {
        const { row, subject, errors } = checkManagerRow(plan, rec);
        if (row) managerRows.push(row);
        else if (subject !== undefined) heldRejects.push({ line: rec.line, subject, errors });
        else reject(errors);
      } else {
        const { row, errors } = checkSubjectRow(
          plan,
          rec,
          options.subjectKind ?? 'customer',
          ctx.now(),
          ctx.closingFloor,
          ctx.closingRetention,
        );
        if (row) subjectRows.push(row);
        else reject(errors);
      }
      // The parser answers from its buffer without waiting on I/O: without a turn given to the event
      // loop now and then, a server answered no request for seconds while an upload was imported.
      if (batchRows % TURN_ROWS === 0) await nextTurn();
      if (batchRows >= BATCH_ROWS) {
        batchRows = 0;
        if (metricRows.length + subjectRows.length + managerRows.length > 0) yield* flush();
        else {
          await settleHeld();
          reportErrors();
        }
      }
    }
    if (plan === undefined) throw new ImportRefused('the file is empty: it needs a header row', null, null, { code: 'empty_file' });
    if (metricRows.length + subjectRows.length + managerRows.length > 0) yield* flush();
    await settleHeld();
    reportErrors();
  } catch (err) {
    if (err instanceof CsvFileError) throw new ImportRefused(err.message, err.line, null, err.why);
    if (err instanceof PlanError) throw new ImportRefused(err.message, 1, err.column, err.why);
    throw err;
  }
}

/**
 * Write one checked batch, or stage what waits for the file's end (a managers file's moves, a subjects
 * file's changes to customers who exist: `seq` is the batch's number); returns the periods of the
 * observations written and how many rows were written or already stored (staged rows count when applied).
 */
async function writeBatch(
  trx: Executor,
  ctx: ImportContext,
  checked: Checked,
  subjects: Map<string, Subject>,
  subjectIds: Map<string, string>,
  touched: Map<string, { readonly period: string; readonly metric: string }>,
  seq: number,
  replaced: Map<string, number>,
  closings: ImportClosing[],
): Promise<{ written: number; unchanged: number; periods: string[] }> {
  if (checked.kind === 'metrics') {
    // The same subject, metric and month twice: the same value (withoutConflicts rejected another).
    const byKey = new Map<string, NewMetric>();
    for (const r of checked.rows) {
      const subjectId = subjectIds.get(r.subject);
      if (subjectId === undefined) continue;
      for (const o of r.observations) {
        byKey.set(`${subjectId}\u0000${o.metric}\u0000${o.period}`, {
          tenant_id: ctx.tenantId,
          subject_id: subjectId,
          metric: o.metric,
          period: o.period,
          value: o.value,
        });
      }
    }
    const rows = [...byKey.values()];
    const watched = ctx.signOffMetrics?.size ? ctx.signOffMetrics : undefined;
    // Every risk input the file carries is counted, if only as 0 replaced.
    if (watched) for (const r of rows) if (watched.has(r.metric) && !replaced.has(r.metric)) replaced.set(r.metric, 0);
    // The upsert records the importer in each risk input's row it changes (an unchanged value keeps
    // whoever wrote it last), and tells which of them replaced a stored value: a statement of writer
    // rows per batch, or a read of the stored values, cost more than the upsert (BENCHMARKS.md, import bench).
    const periods = await upsertMetricRows(
      trx,
      rows,
      null,
      touched,
      watched && {
        actor: ctx.actor,
        metrics: watched,
        onWritten: (metric, wasStored) => {
          if (wasStored) replaced.set(metric, (replaced.get(metric) ?? 0) + 1);
        },
      },
    );
    return { written: periods.length, unchanged: rows.length - periods.length, periods };
  }
  if (checked.kind === 'managers') {
    // Staged, not moved yet: the file's moves are made at its end in subject order (moveStagedBooks).
    const staged: StagedBook[] = [];
    for (const r of checked.rows) {
      const subjectId = subjectIds.get(r.subject);
      if (subjectId !== undefined) staged.push({ subjectId, externalId: r.subject, staffId: r.manager });
    }
    await stageBooks(trx, staged);
    // Counted when the file's moves are made.
    return { written: 0, unchanged: 0, periods: [] };
  }
  const latest = new Map<string, SubjectRowInput>();
  for (const r of checked.rows) latest.set(r.id, r);
  const now = ctx.now();
  const fresh: SubjectInput[] = [];
  // Customers that exist are staged, not written yet: the file's changes to them are made at its end,
  // in subject-id order (applyStagedSubjects). New ones are written now, as they are read.
  const staged: StagedSubjectChange[] = [];
  for (const r of latest.values()) {
    const existing = subjects.get(r.id);
    if (existing) {
      staged.push({
        subjectId: existing.id,
        seq,
        line: r.line,
        externalId: r.id,
        displayName: r.name,
        attributes: r.attributes,
        ...(r.closed ? { closed: r.closed } : {}),
      });
      continue;
    }
    fresh.push({
      id: sortableId(now),
      externalId: r.id,
      kind: r.kind,
      displayName: r.name,
      attributes: r.attributes,
      ...(r.closed ? { closed: r.closed } : {}),
    });
    if (r.closed) closings.push(importClosing(r.id, r.closed, now.toISOString()));
  }
  await stageSubjectChanges(trx, staged);
  await insertSubjects(trx, ctx.tenantId, fresh, now.toISOString());
  // The staged rows are counted when they are applied.
  return { written: fresh.length, unchanged: 0, periods: [] };
}

/**
 * Staged changes to customers applied per page: the page's customers read (on PostgreSQL those it
 * changes then locked and read again), then their writes. A page is this many rows and the rest of
 * its last customer's, so no customer's changes are split across two pages.
 */
const APPLY_PAGE_ROWS = BATCH_ROWS;

/** A customer as a subjects import's changes so far leave them. */
interface AsApplied {
  readonly id: string;
  readonly displayName: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly closedAt: string | null;
}

function asApplied(s: Subject): AsApplied {
  return { id: s.id, displayName: s.displayName, attributes: s.attributes, closedAt: s.closedAt };
}

/** A closing a row made, as its audit record tells it. */
function importClosing(
  externalId: string,
  closed: { readonly at: string; readonly reason: string | null; readonly leftAt?: string | null; readonly late?: boolean },
  at: string,
): ImportClosing {
  return { externalId, closedAt: closed.at, leftAt: closed.leftAt ?? null, late: closed.late === true, reason: closed.reason, at };
}

/** What one staged change makes of `customer`, and whether it closes them; undefined when it changes nothing. */
function applied(customer: AsApplied, c: StagedSubjectChange): { customer: AsApplied; closes: boolean } | undefined {
  // Attributes named in the file replace those keys; others the subject has are kept.
  const attributes = { ...customer.attributes, ...c.attributes };
  // A closing already recorded stays as recorded: the same file imported again changes nothing.
  const closes = c.closed !== undefined && customer.closedAt === null;
  if (!closes && customer.displayName === c.displayName && JSON.stringify(attributes) === JSON.stringify(customer.attributes))
    return undefined;
  const closedAt = closes && c.closed ? c.closed.at : customer.closedAt;
  return { customer: { ...customer, displayName: c.displayName, attributes, closedAt }, closes };
}

/** The customers a page of staged changes would write, going by `stored`. */
function changedBy(page: readonly StagedSubjectChange[], stored: ReadonlyMap<string, Subject>): Set<string> {
  const out = new Set<string>();
  let customer: AsApplied | undefined;
  for (const c of page) {
    if (c.subjectId !== customer?.id) {
      const s = stored.get(c.subjectId);
      if (!s) continue;
      customer = asApplied(s);
    }
    const next = applied(customer, c);
    if (next) {
      out.add(customer.id);
      customer = next.customer;
    }
  }
  return out;
}

/**
 * Apply a subjects file's changes to customers that existed (staged as the file was read), in
 * ascending subject id over the whole file: a re-tier chunk, a bulk move or a policy's re-evaluation
 * of the book locks customers' rows in that order, and an import that took them in another could hold
 * one of them while waiting for another those hold (PostgreSQL aborts one of the two). A customer
 * named in more than one batch is changed once per batch, in file order, each compared with what the
 * one before left: the counts, closings and writes are those of writing each batch as it was read.
 * The withdrawals of its closings are listed in the file's order (by line), whatever order they were made in.
 */
async function applyStagedSubjects(
  trx: Executor,
  ctx: ImportContext,
  withdrawing: ImportWithdrawals,
  closings: ImportClosing[],
): Promise<{ written: number; unchanged: number }> {
  let written = 0;
  let unchanged = 0;
  // The first WITHDRAWN_IDS_LISTED ids of each kind by the line of the row that closed the customer.
  type Listed = { readonly line: number; readonly ids: readonly string[] };
  const overrideIds: Listed[] = [];
  const signOffIds: Listed[] = [];
  const keep = (into: Listed[], line: number, ids: readonly string[]) => {
    if (!ids.length) return;
    into.push({ line, ids: ids.slice(0, WITHDRAWN_IDS_LISTED) });
    into.sort((a, b) => a.line - b.line);
    let n = 0;
    let i = 0;
    while (i < into.length && n < WITHDRAWN_IDS_LISTED) n += into[i++]?.ids.length ?? 0;
    into.length = i;
  };
  const zone = ctx.timeZone ?? DEFAULT_TIME_ZONE;
  const atOnceFrom = closingAtOnceFrom(ctx.now(), zone);
  for await (const page of stagedSubjectChanges(trx, ctx.applyPageRows ?? APPLY_PAGE_ROWS)) {
    const nowIso = ctx.now().toISOString();
    // Read now, not when the batch was: a closing the API committed since stays as it was recorded.
    // A page holds all of a customer's changes (stagedSubjectChanges): none is split across pages, so
    // all of them start from this page's read of the customer.
    const stored = await findSubjectsByIds(trx, ctx.tenantId, [...new Set(page.map((c) => c.subjectId))]);
    if (isPostgres(trx)) {
      // The attributes the file does not name are kept from what is read, so what is read must be what
      // a writer of the customer (a PUT, a closing) committed: the rows of the customers this page
      // changes are held, in id order, then read again — a write in flight is waited for and then seen.
      // Not those it leaves as they are, going by the read above: held to the commit, a file that
      // names the whole book unchanged would block every metric write and decision on it for the
      // import's length. One of those that a write changes meanwhile keeps that write, as if the import
      // had read it before. SQLite has one writer at a time: what it read is what is stored.
      const writes = changedBy(page, stored);
      if (writes.size) {
        await holdSubjects(trx, ctx.tenantId, writes);
        for (const [id, s] of await findSubjectsByIds(trx, ctx.tenantId, [...writes])) stored.set(id, s);
      }
    }
    // The customer whose changes are being applied, as the last of them left it.
    let current: AsApplied | undefined;
    for (const c of page) {
      if (c.subjectId !== current?.id) {
        const s = stored.get(c.subjectId);
        // Subjects are not deleted; were one gone, there is nothing left to change.
        if (!s) continue;
        current = asApplied(s);
      }
      const next = applied(current, c);
      if (!next) {
        unchanged += 1;
        continue;
      }
      // Dated more than three months back, the closing waits for a second person as the API's does
      // (closing-requests.ts): filed, the customer left open, with a record of its own as the API's
      // request has (auditImportClosings). While a request waits for the customer, no closing of them is
      // taken, far back or of today — the date a checker is yet to judge would be moot, as the API's
      // 409 closing_request_pending says —: the row is counted waiting and the customer left open. One
      // that lapsed waits no more: the row files anew, or closes.
      const asked = c.closed ? (c.closed.leftAt ?? c.closed.at) : undefined;
      const waits =
        next.closes &&
        c.closed !== undefined &&
        asked !== undefined &&
        asked < atOnceFrom &&
        closingNeedsSecondPerson(
          asked,
          stored.get(c.subjectId)?.createdAt ?? nowIso,
          await activityOf(trx, ctx.tenantId, c.subjectId),
          atOnceFrom,
          zone,
        );
      const now = new Date(nowIso);
      let waiting = next.closes ? await pendingClosingRequestOf(trx, ctx.tenantId, c.subjectId) : undefined;
      let lapsed: ClosingRequest[] = [];
      if (waiting && hasLapsed(waiting, now)) {
        // One that lapsed waits for no one, as for the API's closing (closing-lapse.ts): written lapsed
        // here to free the customer's one pending place, its record kept for the file's end with the
        // closing's or filing's (auditImportClosings), so the chain head is not taken mid-file. Read
        // again: on PostgreSQL another server's closing may have lapsed it first and filed one that
        // waits (then this call wrote nothing, so nothing of it is left unrecorded).
        lapsed = await writeLapses(trx, ctx.tenantId, now, c.subjectId);
        waiting = await pendingClosingRequestOf(trx, ctx.tenantId, c.subjectId);
      }
      if (next.closes && waiting) {
        withdrawing.closingRequestsWaiting += 1;
        next.customer = { ...next.customer, closedAt: current.closedAt };
      } else if (waits && c.closed && asked !== undefined) {
        const wanted = { at: asked, late: c.closed.late === true, reason: c.closed.reason ?? '' };
        const filed = await fileClosingRequest(trx, ctx.tenantId, ctx.actor, { id: c.subjectId, externalId: c.externalId }, wanted, now);
        closings.push({ ...importClosing(c.externalId, c.closed, nowIso), request: filed.id, closedAt: asked, lapsed });
        withdrawing.closingRequests += 1;
        next.customer = { ...next.customer, closedAt: current.closedAt };
      } else if (next.closes && c.closed) {
        // The closing runs before the row's own update, which then finds the row held: a closing takes
        // the customer's row, then their requests and sign-offs (lock order, closeSubject), and withdraws
        // what waits for a second person as the API's does. It changes only an open customer, so records
        // no second closing.
        const w = await closeSubject(trx, ctx.tenantId, c.subjectId, c.closed, ctx.actor, nowIso);
        if (w) {
          closings.push({ ...importClosing(c.externalId, c.closed, nowIso), lapsed });
          withdrawing.overrides += w.overrides.length;
          withdrawing.signOffs += w.signOffs.length;
          keep(overrideIds, c.line, w.overrides);
          keep(signOffIds, c.line, w.signOffs);
        }
      }
      await trx
        .updateTable('subjects')
        .set({ display_name: c.displayName, attributes: JSON.stringify(next.customer.attributes), updated_at: nowIso })
        .where('tenant_id', '=', ctx.tenantId)
        .where('id', '=', c.subjectId)
        // An erased customer is never written back (docs/operations.md, "Retention and erasure").
        .where('erased_at', 'is', null)
        .execute();
      written += 1;
      current = next.customer;
    }
  }
  withdrawing.overrideIds.push(...overrideIds.flatMap((l) => l.ids).slice(0, WITHDRAWN_IDS_LISTED));
  withdrawing.signOffIds.push(...signOffIds.flatMap((l) => l.ids).slice(0, WITHDRAWN_IDS_LISTED));
  return { written, unchanged };
}

/**
 * How an import ends: `failed` when nothing was imported because of row errors (any, all-or-nothing;
 * every row, valid-rows), `partial` when valid rows were imported and others rejected.
 */
function outcome(
  mode: ImportMode,
  rows: number,
  rejectedRows: number,
): { status: 'succeeded' | 'partial' | 'failed'; detail: string | null } {
  if (rejectedRows === 0) return { status: 'succeeded', detail: null };
  if (mode === 'all-or-nothing')
    return {
      status: 'failed',
      detail: `${rejectedRows} of ${rows} rows have errors; nothing was imported (mode valid-rows imports the others)`,
    };
  if (rejectedRows >= rows) return { status: 'failed', detail: `all ${rows} rows have errors; nothing was imported` };
  return { status: 'partial', detail: null };
}

/** Thrown inside the transaction to undo an all-or-nothing import that found errors. */
class RollBack extends Error {}

/**
 * Import a CSV file of subjects, metrics or managers (packages/api/README.md, "Imports"), streamed: memory
 * holds one chunk, one batch of rows and at most `MAX_STORED_ERRORS` errors, whatever the file's
 * size. One pass, in one transaction: each batch is checked and written; errors are collected, and an
 * all-or-nothing import that found any stops writing and rolls back, so nothing of it remains (nor
 * after a crash). The errors are stored after the transaction. Writes compare with what is stored, so
 * the same file twice changes nothing. Metrics are stored, not evaluated: the import records the
 * periods it changed, for the re-tier that follows.
 *
 * Read from a local file: the transaction lasts as long as the read, and on SQLite other writers
 * wait for it (the API spools an upload to a temporary file first).
 *
 * Throws `ImportRefused` (after removing the import) when the file cannot be read as a whole.
 */
export async function runImport(
  db: Executor,
  options: ImportOptions,
  ctx: ImportContext,
  source: ImportSource,
  onProgress: (p: ImportProgress) => void = () => undefined,
): Promise<ImportResult> {
  const id = sortableId(ctx.now());
  // An interrupted import this one finds is marked failed with an audit record, as a server's start
  // marks one: the same target and detail, the route `interrupted import` (so a reviewer finds both
  // with one filter). Found by an audited request or command, it is that request's side effect: a
  // `change` record under its request id, between its intent and its result — not a `result` of its
  // own, which would read as the request answered before its import began, and would leave no intent
  // without a result were this process to die too. A marking that cannot be recorded is not made (the
  // record commits with it), is logged, and is left for the next import or start to mark: this import
  // goes on all the same, since the dead one holds nothing it needs.
  await failInterruptedImports(db, ctx.now(), ctx.tenantId, {
    action: () => interruptedImportAction(ctx),
    phase: ctx.audit ? 'change' : 'result',
    ...(ctx.log ? { log: ctx.log } : {}),
  });
  await createImport(db, {
    id,
    tenantId: ctx.tenantId,
    kind: options.kind,
    options: {
      encoding: options.encoding,
      amounts: options.amounts ?? null,
      mode: options.mode,
      mapping: options.mapping,
      subjectKind: options.subjectKind ?? null,
    },
    fileName: ctx.fileName,
    createdBy: ctx.actor,
    createdAt: ctx.now().toISOString(),
    owner: importOwner(),
    valueWriters: options.kind === 'metrics' && ctx.signOffMetrics !== undefined,
  });
  try {
    return await importFile(db, id, options, ctx, source, onProgress);
  } catch (err) {
    await deleteImport(db, ctx.tenantId, id).catch(() => undefined);
    throw err;
  }
}

/**
 * Who marks an interrupted import found by an import: its request or command; else (no audit context,
 * so no intent to attach a change to) the server acting by itself (`system:import`, method `SCHEDULE`,
 * as an expired override's settling is), recorded as its own result — a method the trail's filter knows.
 */
function interruptedImportAction(ctx: ImportContext): OperatorAction {
  const a = ctx.audit;
  return a
    ? { requestId: a.requestId, actor: a.actor, credential: a.credential, method: a.method, route: 'interrupted import' }
    : systemAction('import', 'interrupted import');
}

async function importFile(
  db: Executor,
  id: string,
  options: ImportOptions,
  ctx: ImportContext,
  source: ImportSource,
  onProgress: (p: ImportProgress) => void,
): Promise<ImportResult> {
  // Filled only by a transaction that commits: a rolled-back import withdrew nothing.
  let withdrawn = noWithdrawals();
  // Likewise: a rolled-back import replaced nothing.
  let replaced: Record<string, number> = {};
  const read = { bytes: 0, hash: createHash('sha256') };
  const kept: RowError[] = [];
  let errorCount = 0;
  let rejectedRows = 0;
  const tally = { rows: 0 };
  const onRow = (errors: readonly RowError[]) => {
    if (!errors.length) return;
    rejectedRows += 1;
    errorCount += errors.length;
    for (const e of errors) if (kept.length < MAX_STORED_ERRORS) kept.push(e);
  };
  const allOrNothing = options.mode === 'all-or-nothing';
  const finish = async (
    into: Executor,
    totals: { written: number; unchanged: number; periods: string[] },
    closingRequests = 0,
    closingRequestsWaiting = 0,
  ) => {
    await insertImportErrors(into, id, 0, kept);
    const { status, detail: told } = outcome(options.mode, tally.rows, rejectedRows);
    // Its report says which closings it did not apply, stored with it (GET says what POST said).
    const filed = closingRequests
      ? `${closingRequests} closing${closingRequests === 1 ? '' : 's'} dated more than three months back filed as closing requests for a second person (GET /v1/approvals?kind=closing); those customers stay open until one is approved`
      : null;
    const waiting = closingRequestsWaiting
      ? `${closingRequestsWaiting} closing${closingRequestsWaiting === 1 ? '' : 's'} not applied nor filed: a closing request waits for ${closingRequestsWaiting === 1 ? 'that customer' : 'those customers'} already (decide or withdraw it, then import again)`
      : null;
    const detail = [told, filed, waiting].filter((d): d is string => Boolean(d)).join('; ') || null;
    const finishedAt = ctx.now().toISOString();
    // In the import's transaction: what it tells is stored with it (GET says what POST said), and a
    // failure here fails the import whole instead of an answer after its rows committed.
    const retiered = totals.periods.length
      ? await retieredBefore(into, ctx.tenantId, totals.periods, finishedAt, ctx.timeZone ?? DEFAULT_TIME_ZONE)
      : [];
    await finishImport(into, ctx.tenantId, id, {
      sha256: read.hash.digest('hex'),
      bytes: read.bytes,
      rows: tally.rows,
      rejectedRows,
      errors: errorCount,
      ...totals,
      status,
      detail,
      retiered,
      finishedAt,
    });
  };
  try {
    await db.transaction().execute(async (trx) => {
      await lockRunningImport(trx, id);
      let written = 0;
      let unchanged = 0;
      const periods = new Set<string>();
      // The months and metrics it changed: recorded (metric_periods) once, just before it commits.
      const touched = new Map<string, { readonly period: string; readonly metric: string }>();
      const replacing = new Map<string, number>();
      const managers = options.kind === 'managers';
      const subjects = options.kind === 'subjects';
      if (managers) await createBookStaging(trx);
      if (subjects) await createSubjectStaging(trx);
      const metrics = options.kind === 'metrics';
      // What this transaction's closings withdrew (applyStagedSubjects adds to it): reported once it commits.
      const withdrawing = noWithdrawals();
      // Whom its rows closed, for a record each at the file's end (auditImportClosings).
      const closings: ImportClosing[] = [];
      let seq = 0;
      const seen = metrics ? new ObservationsSeen(trx, ctx.observationsInMemory) : undefined;
      for await (const batch of checkedBatches(trx, measured(source(), read), options, ctx, onRow, tally, seen)) {
        seq += 1;
        // All-or-nothing with an error: the rest is only checked, to report every error.
        if (!(allOrNothing && errorCount > 0)) {
          const r = await writeBatch(trx, ctx, batch.checked, batch.subjects, batch.subjectIds, touched, seq, replacing, closings);
          written += r.written;
          unchanged += r.unchanged;
          for (const p of r.periods) periods.add(p);
        }
        onProgress({ bytes: read.bytes, rows: tally.rows });
      }
      if (allOrNothing && errorCount > 0) throw new RollBack();
      if (metrics) await dropMetricKeyStaging(trx);
      await recordMetricWrites(trx, ctx.tenantId, touched.values(), ctx.now().toISOString());
      // Only now the whole file is read, its changes to customers that existed in ascending subject id.
      if (subjects) {
        const a = await applyStagedSubjects(trx, ctx, withdrawing, closings);
        written += a.written;
        unchanged += a.unchanged;
        await dropSubjectStaging(trx);
      }
      // Only now the whole file is read, in ascending subject id a page at a time: the one lock order
      // a bulk move takes, so the two queue rather than deadlock. Through the function
      // `POST /v1/subject-managers` moves with; a subject already in the book it names is unchanged.
      const m = managers
        ? await moveStagedBooks(trx, ctx.tenantId, ctx.actor, () => ctx.now().toISOString(), {
            keepMoves: ctx.audit !== undefined,
            ...(ctx.movePageRows !== undefined ? { pageRows: ctx.movePageRows } : {}),
          })
        : { staged: 0, moved: 0 };
      written += m.moved;
      unchanged += m.staged - m.moved;
      // The outcome commits with the rows: an import whose process dies is `running` with nothing
      // written, which is what `failInterruptedImports` reports.
      await finish(
        trx,
        { written, unchanged, periods: [...periods].sort() },
        withdrawing.closingRequests,
        withdrawing.closingRequestsWaiting,
      );
      // Last, after every book row of the file is locked and written and the import's own row too:
      // the tenant's audit chain head is held only to the commit (auditMoves).
      // A page of whole records at a time: the records are those one call with every move would write.
      const audit = ctx.audit;
      if (audit && m.moved)
        for await (const page of stagedMoves(trx, MOVES_PER_RECORD * 5)) {
          const externalIds = new Map(page.map((mv) => [mv.subjectId, mv.externalId]));
          await auditMoves(trx, audit, page, (id) => externalIds.get(id) ?? id);
        }
      if (audit && closings.length) await auditImportClosings(trx, audit, closings);
      if (managers) await dropBookStaging(trx);
      withdrawn = withdrawing;
      replaced = Object.fromEntries([...replacing].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    });
  } catch (err) {
    if (!(err instanceof RollBack)) throw err;
    await finish(db, { written: 0, unchanged: 0, periods: [] });
  }
  subjectsWritten();
  return { ...((await findImport(db, ctx.tenantId, id)) as ImportRecord), withdrawn, replaced };
}

/** What a dry run found: what a real run would report, nothing written (the wire shape). */
export type { ImportPreview };

/** Errors a dry run returns: its answer is one JSON body, not pages of a stored import. */
export const MAX_PREVIEW_ERRORS = 1000;

/**
 * Dry run: the same pass as `runImport` — the header planned, every row checked, each batch's
 * subjects looked up — where the pipeline would write, it does not. No import is recorded, no
 * subject, metric or error is stored. For a console's preview before upload. Throws `ImportRefused`
 * when the file cannot be read as a whole, like a real run.
 *
 * One difference by design: a subjects file naming one id twice with two kinds, more than 200,000
 * other ids apart, is reported by a real run that wrote the first row, not by a dry run.
 */
export async function previewImport(
  db: Executor,
  options: ImportOptions,
  ctx: ImportContext,
  source: ImportSource,
): Promise<ImportPreview> {
  const read = { bytes: 0, hash: createHash('sha256') };
  const errors: RowError[] = [];
  let errorCount = 0;
  let rejectedRows = 0;
  const tally = { rows: 0 };
  const onRow = (found: readonly RowError[]) => {
    if (!found.length) return;
    rejectedRows += 1;
    errorCount += found.length;
    for (const e of found) if (errors.length < MAX_PREVIEW_ERRORS) errors.push(e);
  };
  // A metrics file's observations are held as a real run holds them, so a conflict any distance
  // apart is found; past memory's bound staged in a transaction always rolled back, so the dry run writes nothing.
  if (options.kind === 'metrics')
    try {
      await db.transaction().execute(async (trx) => {
        const seen = new ObservationsSeen(trx, ctx.observationsInMemory);
        for await (const _batch of checkedBatches(trx, measured(source(), read), options, ctx, onRow, tally, seen));
        await dropMetricKeyStaging(trx);
        throw new RollBack();
      });
    } catch (err) {
      if (!(err instanceof RollBack)) throw err;
    }
  else for await (const _batch of checkedBatches(db, measured(source(), read), options, ctx, onRow, tally));
  return {
    kind: options.kind,
    status: outcome(options.mode, tally.rows, rejectedRows).status,
    bytes: read.bytes,
    rows: tally.rows,
    rejectedRows,
    errorCount,
    errors,
  };
}
