import { z } from '@hono/zod-openapi';
import { issueCode, LOCALES, periodEnd, type Locale } from '@tierkit/core';
import { AUDIT_METHODS, AUDIT_PHASES } from '@tierkit/core/wire';
import { notMonth } from '../month-errors.js';
import { addMonths, isPeriod } from '../periods.js';
import { fieldPath, type FieldError } from '../problem.js';
import { BankId } from './staff.js';
import { AUDIT_EXPORT_FORMATS, type AuditExportFilter, type AuditExportFormat } from '../services/audit-export.js';

/*
 * The filters of the audit trail, in one place: `GET /v1/audit` and `GET /v1/audit/export` validate
 * their query with these schemas, and `tierkit audit export` parses its flags with the same ones
 * (`parseAuditExportQuery`), so a value one refuses the other refuses too, with the same code
 * (packages/api/README.md, "Audit export"; the CLI once took `+08:00` where the API asked for `Z`: both
 * now take an offset, since an examiner types the bank's hours, and store the instant in UTC).
 */

const text = (name: string, description: string, max = 256) =>
  z
    .string()
    .min(1)
    .max(max)
    .optional()
    .openapi({ param: { name, in: 'query' }, description });
const instant = (name: string, description: string) =>
  z
    .string()
    .datetime({ offset: true, message: 'must be an ISO 8601 time with its zone, 2025-11-15T04:00:00Z or 2025-11-15T12:00:00+08:00' })
    .optional()
    .openapi({ param: { name, in: 'query' }, description, example: '2025-11-01T00:00:00+08:00' });

/** The filters of `GET /v1/audit`, which its export takes too. */
export const AuditFilterQuery = z.object({
  actor: text('actor', 'Exactly this actor (`key:key_…`, `staff:W001`); with `person`, that one of their credentials'),
  person: BankId.optional().openapi({
    param: { name: 'person', in: 'query' },
    example: 'W001',
    description:
      'A staff member’s id: everything they did, by any credential of theirs — their staff token (`staff:<id>`) and every key they own, revoked ones too (`actor` alone finds one credential). Records of the operator’s CLI, the system or an unowned key are nobody’s',
  }),
  method: z
    .enum(AUDIT_METHODS)
    .optional()
    .openapi({
      param: { name: 'method', in: 'query' },
      description:
        'An HTTP method, or how an action outside HTTP came: `CLI` a `tierkit` command, `START` the server’s start-up (keys and demo data it provisions), `SCHEDULE` the server by itself (the monthly re-tier it queues)',
    }),
  route: text('route', 'Exactly this path template, `/v1/subjects/{id}/metrics`'),
  target: text(
    'target',
    'A path parameter value: a subject’s id, an override’s id, …; or a subject or staff id a `change` record’s moves name',
  ),
  phase: z
    .enum(AUDIT_PHASES)
    .optional()
    .openapi({
      param: { name: 'phase', in: 'query' },
      description:
        'Only records of this phase: `intent` (a write about to run), `result` (how it ended, and where an export stopped), `request` (a refusal, a recorded read such as an export), `change` (what a write changed). An export filtered by phase skips seqs: verify it with `--filtered`',
    }),
  status: z.coerce
    .number()
    .int()
    .min(100)
    .max(599)
    .optional()
    .openapi({ param: { name: 'status', in: 'query' }, description: 'HTTP status of the result' }),
  from: instant('from', 'At or after this time (`Z`, or an offset such as `+08:00`)'),
  to: instant('to', 'Before this time (`Z`, or an offset such as `+08:00`)'),
});

/** Most records an export with `limit` holds: a browser keeping the file in memory asks for far fewer. */
export const MAX_EXPORT_LIMIT = 1_000_000;

/** The query of `GET /v1/audit/export`: the filters, the format, and an optional cap on the records. */
export const AuditExportQuery = AuditFilterQuery.extend({
  format: z
    .enum(AUDIT_EXPORT_FORMATS)
    .default('csv')
    .openapi({ param: { name: 'format', in: 'query' }, description: '`csv` for a spreadsheet, `jsonl` to verify offline' }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_EXPORT_LIMIT)
    .optional()
    .openapi({
      param: { name: 'limit', in: 'query' },
      description:
        'At most this many records, the oldest first: the file is then the start of the whole export, ending at `X-Audit-Export-Last-Seq`, and `X-Audit-Export-Limited: true` says records were left out (the console asks for this when it must hold the file in memory)',
    }),
  month: z
    .string()
    .optional()
    .openapi({
      param: { name: 'month', in: 'query' },
      example: '2026-12',
      description:
        'A calendar month (`YYYY-MM`) in the bank’s time zone (`TIERKIT_TIME_ZONE`): from its first instant to the next month’s, as `from`/`to` would say it (not with them). December in Shanghai is `2026-11-30T16:00:00Z` up to `2026-12-31T16:00:00Z`',
    }),
  locale: z
    .enum(LOCALES)
    .optional()
    .openapi({
      param: { name: 'locale', in: 'query' },
      example: 'zh-CN',
      description: 'The CSV’s language: its header lines, column names, actors in words and scheme, level and metric names (default zh-CN)',
    }),
});

/** The CSV's language when none is asked for: the banks tierkit serves first (the README's, "Audit export"). */
export const DEFAULT_EXPORT_LOCALE: Locale = 'zh-CN';

export type AuditFilterQueryValue = z.infer<typeof AuditFilterQuery>;

/** The validated query as the repository's filter, times as `toISOString` writes them. */
export function auditFilterOf(q: AuditFilterQueryValue): AuditExportFilter {
  return {
    ...(q.actor !== undefined ? { actor: q.actor } : {}),
    ...(q.person !== undefined ? { person: q.person } : {}),
    ...(q.method !== undefined ? { method: q.method } : {}),
    ...(q.route !== undefined ? { route: q.route } : {}),
    ...(q.target !== undefined ? { target: q.target } : {}),
    ...(q.phase !== undefined ? { phase: q.phase } : {}),
    ...(q.status !== undefined ? { status: q.status } : {}),
    ...(q.from !== undefined ? { from: new Date(q.from).toISOString() } : {}),
    ...(q.to !== undefined ? { to: new Date(q.to).toISOString() } : {}),
  };
}

/** What is wrong with a filter's range beyond each bound alone: a `to` before its `from`. */
export function auditRangeErrors(filter: AuditExportFilter): FieldError[] {
  if (filter.from === undefined || filter.to === undefined || filter.to >= filter.from) return [];
  return [
    {
      path: 'query.to',
      message: `must not be before from (${filter.from})`,
      code: 'too_small',
      params: { minimum: filter.from, inclusive: true, origin: 'instant' },
    },
  ];
}

/** An export's query, read: its filter, format, cap, language and month; or every field's problem, as the API's 400 lists them. */
export type ParsedAuditExportQuery =
  | {
      readonly ok: true;
      readonly filter: AuditExportFilter;
      readonly format: AuditExportFormat;
      readonly limit: number | undefined;
      readonly locale: Locale;
      readonly month: string | undefined;
    }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

/**
 * A validated export query's filter in `timeZone`: `month` made into its bounds there (the first
 * instant of the month to the next's), or `from`/`to` as given; a bad month, a month with a range, or
 * a `to` before `from` as field errors.
 */
export function auditExportFilterOf(
  q: AuditFilterQueryValue & { readonly month?: string | undefined },
  timeZone: string,
): { readonly filter: AuditExportFilter; readonly errors: readonly FieldError[] } {
  const { month, ...rest } = q;
  const filter = auditFilterOf(rest);
  if (month === undefined) return { filter, errors: auditRangeErrors(filter) };
  if (!isPeriod(month)) return { filter, errors: [notMonth('query.month', month)] };
  if (rest.from !== undefined || rest.to !== undefined)
    return {
      filter,
      errors: [
        {
          path: 'query.month',
          message: 'give a month, or from/to, not both: a month is its own from and to',
          code: 'month_with_range',
          params: { month },
        },
      ],
    };
  return { filter: { ...filter, from: periodEnd(addMonths(month, -1), timeZone), to: periodEnd(month, timeZone) }, errors: [] };
}

/**
 * An export's query as given (a URL's parameters, a command's flags), checked as `GET /v1/audit/export`
 * checks it: field paths `query.<name>`, codes as the API's problem `errors[].code`.
 */
export function parseAuditExportQuery(raw: Readonly<Record<string, string | undefined>>, timeZone: string): ParsedAuditExportQuery {
  const given = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  const parsed = AuditExportQuery.safeParse(given);
  if (!parsed.success)
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => ({ path: fieldPath('query', issue.path), message: issue.message, ...issueCode(issue) })),
    };
  const { format, limit, locale, ...q } = parsed.data;
  const { filter, errors } = auditExportFilterOf(q, timeZone);
  return errors.length
    ? { ok: false, errors }
    : { ok: true, filter, format, limit, locale: locale ?? DEFAULT_EXPORT_LOCALE, month: q.month };
}
