import { IMPORT_KINDS, type ImportKind, type MetricDef } from '@tierkit/core';
import type { FieldCode } from '../../problem.js';

/**
 * What an import loads: subjects (id, kind, name, attributes), monthly metric observations, or
 * managers (whose book each subject is in).
 */
export { IMPORT_KINDS };
export type { ImportKind };

/** Fields a column can map to (besides `metric:<key>` and `attr:<name>`); `ignore` skips a column. */
export const FIELDS: Record<ImportKind, readonly string[]> = {
  subjects: ['id', 'kind', 'name', 'closedAt', 'closedReason', 'closedLate', 'ignore'],
  metrics: ['subject', 'period', 'metric', 'value', 'ignore'],
  managers: ['subject', 'manager', 'ignore'],
};

/** Where each field is in the file (column indexes), decided from the header and the mapping. */
export interface SubjectPlan {
  readonly kind: 'subjects';
  readonly headers: readonly string[];
  readonly id: number;
  readonly name: number;
  readonly subjectKind: number | undefined;
  /** When the customer left the bank, and why (optional columns; an empty cell leaves the subject as it is). */
  readonly closedAt: number | undefined;
  readonly closedReason: number | undefined;
  /**
   * A row's acknowledgement (`1`) that its closedAt falls in a month already final: the closing then
   * counts from the first instant allowed and keeps closedAt as when the customer really left.
   */
  readonly closedLate: number | undefined;
  readonly attributes: readonly { readonly col: number; readonly key: string }[];
}

export interface MetricPlan {
  readonly kind: 'metrics';
  readonly headers: readonly string[];
  readonly subject: number;
  readonly period: number;
  /** Long form: one observation per row, its metric and value in two columns. */
  readonly long: { readonly metric: number; readonly value: number } | undefined;
  /** Wide form: one column per metric. */
  readonly wide: readonly { readonly col: number; readonly metric: string }[];
}

export interface ManagerPlan {
  readonly kind: 'managers';
  readonly headers: readonly string[];
  readonly subject: number;
  /** Staff id; an empty cell takes the subject out of every book. */
  readonly manager: number;
}

export type ImportPlan = SubjectPlan | MetricPlan | ManagerPlan;

/** A header problem: the file cannot be imported as mapped. `column` names the header, if one. */
export class PlanError extends Error {
  readonly column: string | null;
  readonly why: FieldCode;
  constructor(message: string, column: string | null, why: FieldCode) {
    super(message);
    this.name = 'PlanError';
    this.column = column;
    this.why = why;
  }
}

const MAX_COLUMNS = 500;

/** The header of column `col`, for an error that names it. */
function headerOf(headers: readonly string[], col: number | undefined): string | null {
  return col === undefined ? null : (headers[col] ?? null);
}

/**
 * Decide which column holds which field. A column maps through `mapping[header]` if given, else to
 * the field its header names (`subject`, `period`, … or, in a metrics file, a metric key of the
 * catalogue, which makes it a wide column). A header that maps to nothing is an error rather than
 * silently dropped data; map it to `ignore` to skip it.
 */
export function planImport(
  kind: ImportKind,
  header: readonly string[],
  mapping: Readonly<Record<string, string>>,
  catalogue: ReadonlyMap<string, MetricDef>,
): ImportPlan {
  if (header.length > MAX_COLUMNS)
    throw new PlanError(`the header has ${header.length} columns; at most ${MAX_COLUMNS}`, null, {
      code: 'too_big',
      params: { maximum: MAX_COLUMNS, inclusive: true, origin: 'columns', actual: header.length },
    });
  const headers = header.map((h) => h.trim());
  // What the file's header has, said beside a column it lacks: a mapping typed for another export, or a
  // file whose header is not its first line, is seen at once.
  const has = `; the file's columns are: ${headers.map((h) => `"${h}"`).join(', ')}`;
  for (const key of Object.keys(mapping)) {
    if (!headers.includes(key))
      throw new PlanError(`the mapping names column "${key}", which the header does not have${has}`, key, {
        code: 'unknown_column',
        params: { column: key, headers },
      });
  }
  const at = new Map<string, number>();
  const wide: { col: number; metric: string }[] = [];
  const attributes: { col: number; key: string }[] = [];
  headers.forEach((h, col) => {
    let field = mapping[h] ?? h;
    if (kind === 'metrics' && mapping[h] === undefined && catalogue.has(h)) field = `metric:${h}`;
    if (field === 'ignore') return;
    if (kind === 'metrics' && field.startsWith('metric:')) {
      const metric = field.slice('metric:'.length);
      if (!catalogue.has(metric))
        throw new PlanError(`column "${h}" maps to unknown metric "${metric}"; known: ${[...catalogue.keys()].join(', ')}`, h, {
          code: 'unknown_metric',
          params: { metric, known: [...catalogue.keys()] },
        });
      if (wide.some((w) => w.metric === metric))
        throw new PlanError(`metric "${metric}" is mapped from two columns`, h, {
          code: 'mapped_twice',
          params: { field: `metric:${metric}` },
        });
      wide.push({ col, metric });
      return;
    }
    if (kind === 'subjects' && field.startsWith('attr:') && field.length > 'attr:'.length) {
      attributes.push({ col, key: field.slice('attr:'.length) });
      return;
    }
    if (!FIELDS[kind].includes(field)) {
      const extra = kind === 'metrics' ? ', metric:<key>' : kind === 'subjects' ? ', attr:<name>' : '';
      throw new PlanError(`column "${h}" is not a field of a ${kind} import; map it to one of ${FIELDS[kind].join(', ')}${extra}`, h, {
        code: 'unknown_field',
        params: { column: h, kind, fields: [...FIELDS[kind]] },
      });
    }
    if (at.has(field)) throw new PlanError(`two columns map to "${field}"`, h, { code: 'mapped_twice', params: { field } });
    at.set(field, col);
  });
  const need = (field: string): number => {
    const col = at.get(field);
    if (col === undefined)
      throw new PlanError(`no column maps to "${field}"${has}`, null, { code: 'unmapped', params: { field, headers } });
    return col;
  };
  if (kind === 'subjects') {
    if (at.has('closedReason') && !at.has('closedAt'))
      throw new PlanError('a closedReason column needs a closedAt column', headerOf(headers, at.get('closedReason')), {
        code: 'requires',
        params: { field: 'closedAt' },
      });
    if (at.has('closedLate') && !at.has('closedAt'))
      throw new PlanError('a closedLate column needs a closedAt column', headerOf(headers, at.get('closedLate')), {
        code: 'requires',
        params: { field: 'closedAt' },
      });
    return {
      kind,
      headers,
      id: need('id'),
      name: need('name'),
      subjectKind: at.get('kind'),
      closedAt: at.get('closedAt'),
      closedReason: at.get('closedReason'),
      closedLate: at.get('closedLate'),
      attributes,
    };
  }
  if (kind === 'managers') return { kind, headers, subject: need('subject'), manager: need('manager') };
  const subject = need('subject');
  const period = need('period');
  const hasLong = at.has('metric') || at.has('value');
  if (hasLong && wide.length)
    throw new PlanError('use either metric and value columns, or one column per metric, not both', null, { code: 'mixed_layout' });
  if (!hasLong && !wide.length)
    throw new PlanError('no metric column: map metric and value, or name metric columns by their keys', null, {
      code: 'unmapped',
      params: { field: 'metric' },
    });
  return { kind, headers, subject, period, long: hasLong ? { metric: need('metric'), value: need('value') } : undefined, wide };
}
