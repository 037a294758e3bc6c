import {
  BIRTH_DATE_ATTRIBUTE,
  parseCivilDate,
  SUBJECT_KINDS,
  type ImportRowError,
  type MetricDef,
  type MetricObservation,
  type ProblemParam,
} from '@tierkit/core';
import { SubjectIdParams } from '../../schemas/params.js';
import { birthDateError } from '../../birth-date.js';
import { countedClosing, FLOOR_2000, lowestClosing, type ClosingFloor } from '../closing.js';
import { beyondRetention, type ClosingRetention } from '../closing-date-checks.js';
import { BankId } from '../../schemas/staff.js';
import { unsafeTextError } from '../../text-safety.js';
import { checkObservations } from '../check-observations.js';
import { parseInteger, yuanToFen, type AmountUnit } from './amounts.js';
import type { CsvRecord } from './csv-records.js';
import type { ManagerPlan, MetricPlan, SubjectPlan } from './import-plan.js';

/** One problem with one row: where the row ends, which column (its header), and why. */
export type RowError = ImportRowError;

/** What a row check needs besides the row. */
export interface RowContext {
  readonly catalogue: ReadonlyMap<string, MetricDef>;
  /** The tenant's current month: later months are refused, as by `PUT …/metrics`. */
  readonly currentPeriod: string;
  readonly amounts: AmountUnit;
}

/** A metrics row that passed its own checks (its subject is looked up per batch). */
export interface MetricRow {
  readonly line: number;
  readonly subject: string;
  readonly observations: readonly MetricObservation[];
}

/** A subjects row that passed its checks. */
export interface SubjectRowInput {
  readonly line: number;
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  /**
   * When the customer left the bank (ISO UTC) and why; absent when the row's closedAt cell is empty or
   * the file has none. `leftAt` only for a closing learnt late (closedLate): `at` is then the floor.
   */
  readonly closed?: {
    readonly at: string;
    readonly reason: string | null;
    readonly leftAt?: string;
    /** Said to be learnt late (closedLate 1): its date is checked against the customer's recorded activity. */
    readonly late?: true;
  };
}

/** A managers row that passed its own checks (subject and staff member are looked up per batch). */
export interface ManagerRowInput {
  readonly line: number;
  readonly subject: string;
  /** Staff id, or null: in nobody's book. */
  readonly manager: string | null;
}

const PERIOD = /^(\d{4})-?(\d{2})$/;
/** A cell that must not be empty. */
const EMPTY = { message: 'is empty', code: 'required' } as const;
const SUBJECT_ID = SubjectIdParams.shape.id;

function fieldCount(rec: CsvRecord, headers: readonly string[], errors: RowError[]): boolean {
  if (rec.fields.length === headers.length) return true;
  const more = rec.fields.length > headers.length;
  errors.push({
    line: rec.line,
    column: null,
    message: `has ${rec.fields.length} fields; the header has ${headers.length}`,
    code: more ? 'too_big' : 'too_small',
    params: { [more ? 'maximum' : 'minimum']: headers.length, inclusive: true, origin: 'fields', actual: rec.fields.length },
  });
  return false;
}

function subjectId(rec: CsvRecord, col: number, header: string, errors: RowError[]): string | undefined {
  const raw = (rec.fields[col] ?? '').trim();
  const parsed = SUBJECT_ID.safeParse(raw);
  if (parsed.success) return parsed.data;
  errors.push(
    raw
      ? {
          line: rec.line,
          column: header,
          message: `"${raw.slice(0, 64)}" is not a subject id (1–64 letters, digits, "_", ".", ":", "-")`,
          code: 'invalid_format',
          params: { format: 'subject_id', value: raw.slice(0, 64) },
        }
      : { line: rec.line, column: header, ...EMPTY },
  );
  return undefined;
}

/**
 * What a row check gives: the row when it passed, else its errors — and the subject id when that cell
 * was well formed, so a rejected row's unknown subject is named in the same pass as its other errors.
 */
export interface RowCheck<T> {
  readonly row?: T;
  readonly subject?: string;
  readonly errors: RowError[];
}

/** Check one metrics row; its observations, or the errors that keep it out. */
export function checkMetricRow(plan: MetricPlan, rec: CsvRecord, ctx: RowContext): RowCheck<MetricRow> {
  const errors: RowError[] = [];
  if (!fieldCount(rec, plan.headers, errors)) return { errors };
  const header = (col: number) => plan.headers[col] ?? null;
  const subject = subjectId(rec, plan.subject, plan.headers[plan.subject] ?? '', errors);
  const rawPeriod = (rec.fields[plan.period] ?? '').trim();
  const pm = PERIOD.exec(rawPeriod);
  const period = pm ? `${pm[1]}-${pm[2]}` : undefined;
  if (!period)
    errors.push(
      rawPeriod
        ? {
            line: rec.line,
            column: header(plan.period),
            message: `"${rawPeriod.slice(0, 20)}" is not a month (YYYY-MM or YYYYMM)`,
            code: 'invalid_format',
            params: { format: 'month', value: rawPeriod.slice(0, 20) },
          }
        : { line: rec.line, column: header(plan.period), ...EMPTY },
    );

  const cells: { metric: string; metricCol: number | null; text: string; valueCol: number }[] = [];
  if (plan.long) {
    cells.push({
      metric: (rec.fields[plan.long.metric] ?? '').trim(),
      metricCol: plan.long.metric,
      text: (rec.fields[plan.long.value] ?? '').trim(),
      valueCol: plan.long.value,
    });
  } else {
    for (const w of plan.wide) {
      const text = (rec.fields[w.col] ?? '').trim();
      // A wide export leaves a cell empty when it has no figure for that month: no observation.
      if (text) cells.push({ metric: w.metric, metricCol: null, text, valueCol: w.col });
    }
  }
  const observations: MetricObservation[] = [];
  // The month is one cell of the row: a wide row with a bad month has one error for it, not one per metric.
  let periodReported = false;
  for (const cell of cells) {
    // A long row's empty metric cell is an empty cell, not a metric named "" the catalogue lacks. The
    // row's other cells are still checked, so one upload names every error of the row.
    if (!cell.metric) errors.push({ line: rec.line, column: header(cell.metricCol ?? cell.valueCol), ...EMPTY });
    const def = ctx.catalogue.get(cell.metric);
    // Without a metric its unit is unknown: where yuan are allowed, a value is wrong only when it is
    // neither an amount nor an integer.
    const money = ctx.amounts === 'yuan' && (cell.metric ? def?.unit === 'money' : true);
    const value = money ? (yuanToFen(cell.text) ?? (cell.metric ? undefined : parseInteger(cell.text))) : parseInteger(cell.text);
    if (value === undefined) {
      errors.push(
        cell.text
          ? {
              line: rec.line,
              column: header(cell.valueCol),
              message: `"${cell.text.slice(0, 40)}" is not ${money ? 'an amount in yuan (digits, at most 2 decimals, no separators)' : 'an integer'}`,
              code: 'invalid_format',
              params: { format: money ? 'yuan' : 'integer', value: cell.text.slice(0, 40) },
            }
          : { line: rec.line, column: header(cell.valueCol), ...EMPTY },
      );
    }
    if (period === undefined) continue;
    // The catalogue, month and range rules of `PUT …/metrics`, from their one home.
    const obs = { metric: cell.metric, period, value: value ?? 0 };
    for (const e of checkObservations([obs], ctx.catalogue, ctx.currentPeriod)) {
      // No metric to know or range-check: its empty cell is reported above, its month still is here.
      if (!cell.metric && !e.path.endsWith('.period')) continue;
      const column = e.path.endsWith('.metric')
        ? header(cell.metricCol ?? cell.valueCol)
        : e.path.endsWith('.period')
          ? header(plan.period)
          : header(cell.valueCol);
      if (value === undefined && e.path.endsWith('.value')) continue;
      if (e.path.endsWith('.period')) {
        if (periodReported) continue;
        periodReported = true;
      }
      errors.push({
        line: rec.line,
        column,
        message: e.message,
        ...(e.code ? { code: e.code } : {}),
        ...(e.params ? { params: rowParams(e.params) } : {}),
      });
    }
    observations.push(obs);
  }
  if (errors.length || subject === undefined) return { errors, ...(subject === undefined ? {} : { subject }) };
  return { row: { line: rec.line, subject, observations }, errors };
}

/**
 * A metric check's params as a row error keeps them: without `known`, the tenant's whole catalogue,
 * which `PUT …/metrics` names once per request but an import would store again with each of up to
 * 100,000 row errors, and that the console does not use.
 */
function rowParams(params: Readonly<Record<string, ProblemParam>>): Record<string, ProblemParam> {
  const { known: _known, ...rest } = params;
  return rest;
}

/**
 * Check one subjects row. `defaultKind` applies when the file has no kind column; `now` bounds an
 * `attr:birthDate` column (see birth-date.ts) and a closedAt from above, `floor` from below.
 */
export function checkSubjectRow(
  plan: SubjectPlan,
  rec: CsvRecord,
  defaultKind: string,
  now: Date,
  floor: ClosingFloor = FLOOR_2000,
  retention?: ClosingRetention,
): { row?: SubjectRowInput; errors: RowError[] } {
  const errors: RowError[] = [];
  if (!fieldCount(rec, plan.headers, errors)) return { errors };
  const header = (col: number) => plan.headers[col] ?? null;
  const id = subjectId(rec, plan.id, plan.headers[plan.id] ?? '', errors);
  const kind = plan.subjectKind === undefined ? defaultKind : (rec.fields[plan.subjectKind] ?? '').trim();
  if (!(SUBJECT_KINDS as readonly string[]).includes(kind)) {
    errors.push({
      line: rec.line,
      column: plan.subjectKind === undefined ? null : header(plan.subjectKind),
      message: `"${kind.slice(0, 40)}" is not a subject kind (${SUBJECT_KINDS.join(', ')})`,
      code: 'invalid_value',
      params: { values: [...SUBJECT_KINDS], value: kind.slice(0, 40) },
    });
  }
  const text = (col: number, max: number, required: boolean): string | undefined => {
    const value = (rec.fields[col] ?? '').trim();
    const why =
      !value && required
        ? EMPTY
        : value.length > max
          ? {
              message: `is longer than ${max} characters`,
              code: 'too_big',
              params: { maximum: max, inclusive: true, origin: 'string', actual: value.length },
            }
          : unsafeTextError('', value);
    if (!why) return value;
    errors.push({
      line: rec.line,
      column: header(col),
      message: why.message,
      code: why.code,
      ...('params' in why ? { params: why.params } : {}),
    });
    return undefined;
  };
  const name = text(plan.name, 100, true);
  const attributes: Record<string, string> = {};
  for (const a of plan.attributes) {
    const value = text(a.col, 1000, false);
    if (!value) continue;
    const birth = a.key === BIRTH_DATE_ATTRIBUTE ? birthDateError(value, now) : undefined;
    if (birth) errors.push({ line: rec.line, column: header(a.col), ...birth });
    else attributes[a.key] = value;
  }
  const late = plan.closedLate === undefined ? false : closedLateCell(rec, plan.closedLate, header(plan.closedLate), errors);
  // Said to be learnt late, a closedAt in a final month is kept as when the customer left, counted from
  // the floor; nothing is ever before 2000. Not said, its refusal says how a closing learnt late is told.
  const lowest = lowestClosing(late, floor, '1 in a closedLate column');
  const closedAt = plan.closedAt === undefined ? undefined : closedAtCell(rec, plan.closedAt, header(plan.closedAt), now, lowest, errors);
  // Dated past the retention period, the closing would make the customer erasable at once, on one file's word.
  const beyond = closedAt === undefined ? undefined : beyondRetention(closedAt, retention);
  if (beyond && plan.closedAt !== undefined) errors.push({ line: rec.line, column: header(plan.closedAt), ...beyond });
  const reason = plan.closedReason === undefined ? undefined : text(plan.closedReason, 200, false);
  // A reason, or a closing said to be late, with no time is a closing half written down: refused at
  // the cell that said it, rather than dropped.
  const noTime = plan.closedAt !== undefined && !(rec.fields[plan.closedAt] ?? '').trim();
  const needsTime = (column: number) =>
    errors.push({
      line: rec.line,
      column: header(column),
      message: 'needs the closedAt of the same row',
      code: 'requires',
      params: { field: 'closedAt' },
    });
  if (noTime && reason && plan.closedReason !== undefined) needsTime(plan.closedReason);
  if (noTime && late && plan.closedLate !== undefined) needsTime(plan.closedLate);
  if (errors.length || id === undefined || name === undefined) return { errors };
  const counted = closedAt === undefined ? undefined : countedClosing(closedAt, floor);
  const closed =
    counted === undefined
      ? undefined
      : {
          at: counted.at,
          reason: reason || null,
          ...(counted.leftAt !== null ? { leftAt: counted.leftAt } : {}),
          ...(late ? { late: true as const } : {}),
        };
  return { row: { line: rec.line, id, kind, name, attributes, ...(closed ? { closed } : {}) }, errors };
}

/** A date and time with its zone (`Z` or `±hh:mm`): a bank's export is in local time, and a time without its zone is a guess. */
const ZONED_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A closedAt cell: empty is no closing (nothing changes: reopening is `POST …/reopen`, never a blank
 * cell); otherwise a real time with its zone, not in the future, as ISO UTC.
 */
function closedAtCell(
  rec: CsvRecord,
  col: number,
  column: string | null,
  now: Date,
  floor: ClosingFloor,
  errors: RowError[],
): string | undefined {
  const value = (rec.fields[col] ?? '').trim();
  if (!value) return undefined;
  const ms = ZONED_TIME.test(value) ? Date.parse(value) : Number.NaN;
  // Date.parse rolls 30 February over into March: the date part must be a real day (core's civil-date check).
  const real = !Number.isNaN(ms) && parseCivilDate(value.slice(0, 10)) !== undefined;
  if (!real) {
    errors.push({
      line: rec.line,
      column,
      message: `"${value.slice(0, 40)}" is not a time with its zone, e.g. 2026-03-31T16:00:00Z or 2026-04-01T00:00:00+08:00`,
      code: 'invalid_format',
      params: { format: 'datetime', value: value.slice(0, 40) },
    });
    return undefined;
  }
  if (ms > now.getTime()) {
    errors.push({
      line: rec.line,
      column,
      message: 'is in the future',
      code: 'too_big',
      params: { maximum: now.toISOString(), inclusive: true, origin: 'instant', value: value.slice(0, 40) },
    });
    return undefined;
  }
  const at = new Date(ms).toISOString();
  if (at < floor.at) {
    errors.push({
      line: rec.line,
      column,
      message: floor.why,
      code: 'too_small',
      params: { minimum: floor.at, inclusive: true, origin: 'instant', value: value.slice(0, 40) },
    });
    return undefined;
  }
  return at;
}

/**
 * A closedLate cell: `1` says the row's closedAt is known to fall in a month already final; empty or
 * `0` says nothing. Anything else is refused rather than guessed.
 */
function closedLateCell(rec: CsvRecord, col: number, column: string | null, errors: RowError[]): boolean {
  const value = (rec.fields[col] ?? '').trim();
  if (value === '1') return true;
  if (value === '' || value === '0') return false;
  errors.push({
    line: rec.line,
    column,
    message: `"${value.slice(0, 40)}" is not 1 (learnt late) or 0`,
    code: 'invalid_value',
    params: { values: ['1', '0'], value: value.slice(0, 40) },
  });
  return false;
}

/** Check one managers row: a subject id, and a staff id or an empty cell (in nobody's book). */
export function checkManagerRow(plan: ManagerPlan, rec: CsvRecord): RowCheck<ManagerRowInput> {
  const errors: RowError[] = [];
  if (!fieldCount(rec, plan.headers, errors)) return { errors };
  const subject = subjectId(rec, plan.subject, plan.headers[plan.subject] ?? '', errors);
  const raw = (rec.fields[plan.manager] ?? '').trim();
  // The staff id rule of `PUT …/manager` and `POST /v1/subject-managers`.
  const manager = raw ? BankId.safeParse(raw) : undefined;
  if (manager && !manager.success) {
    errors.push({
      line: rec.line,
      column: plan.headers[plan.manager] ?? null,
      message: `"${raw.slice(0, 64)}" is not a staff id (1–64 letters, digits, "_", ".", ":", "-")`,
      code: 'invalid_format',
      params: { format: 'staff_id', value: raw.slice(0, 64) },
    });
  }
  if (errors.length || subject === undefined) return { errors, ...(subject === undefined ? {} : { subject }) };
  return { row: { line: rec.line, subject, manager: manager?.success ? manager.data : null }, errors };
}
