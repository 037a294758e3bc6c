import { createRoute, z } from '@hono/zod-openapi';
import { SUBJECT_KINDS } from '@tierkit/core';
import { findImport, listImportErrors, listImports, type ImportRecord } from '@tierkit/db';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { packOf, type ApiDeps } from '../deps.js';
import { auditDetail } from '../middleware/audit.js';
import { periodOf } from '../periods.js';
import { invalid, ProblemError } from '../problem.js';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';
import { ImportCreatedSchema, ImportDetailSchema, ImportListSchema, ImportPreviewSchema, type ImportSchema } from '../schemas/imports.js';
import { CursorQuery, LimitQuery } from '../schemas/params.js';
import { AMOUNT_UNITS } from '../services/import/amounts.js';
import { ENCODINGS, type Encoding } from '../services/import/csv-records.js';
import { IMPORT_KINDS } from '../services/import/import-plan.js';
import { moveAudit } from '../services/books.js';
import { IMPORT_MODES, ImportRefused, previewImport, runImport, type ImportResult } from '../services/import/run-import.js';
import { spooledUpload } from '../services/import/spooled-upload.js';
import { withoutCellValue } from '../services/import/row-error-values.js';
import { AUDITOR } from '../auth/roles.js';
import { subjectsClosingBounds } from '../services/import/closing-bounds.js';
import { signOffMetrics } from '../services/level-approvals.js';
import { auditActorViews, type AuditActorView } from '../services/audit-actors.js';

/** Largest import upload by default: 256 MiB, about seven million metric rows. */
export const MAX_IMPORT_BYTES = 256 * 1024 * 1024;

const CSV_MEDIA = /^(text\/csv|application\/csv|text\/plain|application\/octet-stream)$/i;
const MAPPING = z.record(z.string().min(1).max(200), z.string().min(1).max(200));

const param = (name: string, description: string) => ({ param: { name, in: 'query' as const }, description });

const ImportQuery = z.object({
  kind: z
    .enum(IMPORT_KINDS)
    .openapi(param('kind', 'What the file holds: subjects, monthly metrics, or managers (subject → staff id; empty: in nobody’s book)')),
  encoding: z
    .enum(ENCODINGS)
    .optional()
    .openapi(param('encoding', 'utf-8 (default; a BOM is dropped), gbk, gb18030 or big5. Also read from the Content-Type charset.')),
  amounts: z
    .enum(AMOUNT_UNITS)
    .optional()
    .openapi(param('amounts', 'Metrics: how money columns are written, yuan (≤ 2 decimals) or fen. Required for metrics.')),
  mode: z
    .enum(IMPORT_MODES)
    .default('all-or-nothing')
    .openapi(param('mode', 'all-or-nothing (default): any row error imports nothing; valid-rows imports the rows without errors')),
  mapping: z
    .string()
    .max(20_000)
    .optional()
    .openapi(
      param('mapping', 'JSON object header → field, e.g. {"客户号":"subject","月份":"period","日均余额":"metric:avg_daily_balance"}'),
    ),
  subjectKind: z
    .enum(SUBJECT_KINDS)
    .optional()
    .openapi(param('subjectKind', 'Subjects: the kind when the file has no kind column (default customer)')),
  fileName: z.string().min(1).max(200).optional().openapi(param('fileName', 'The file name to record with the import')),
  dryRun: z
    .enum(['true', 'false'])
    .optional()
    .openapi(
      param(
        'dryRun',
        'true: check every row as an import would and write nothing (no import is recorded); answers 200 with the errors a real run would report',
      ),
    ),
});

const postRoute = createRoute({
  method: 'post',
  path: '/',
  tags: ['imports'],
  summary: 'Import a CSV file of subjects, monthly metrics or managers',
  description:
    'The body is the CSV file itself (text/csv), streamed: a separate limit from JSON bodies (maxImportBytes, 256 MiB by default). Every row is checked first; errors carry line and column. Metrics are stored, not evaluated: `periods` says which months changed, for a re-tier. A subjects file has `id`, `name`, optionally `kind`, `attr:<name>` columns, and `closedAt` (a time with its zone) / `closedReason` for customers who left the bank; `closedLate` 1 on a row whose `closedAt` falls in a month already final (counted from the end of the last final month, the cell kept as `leftAt`).',
  request: {
    query: ImportQuery,
    body: { required: true, content: { 'text/csv': { schema: z.string().openapi({ format: 'binary' }) } } },
  },
  responses: {
    201: {
      description: 'Imported (status succeeded, or partial in mode valid-rows)',
      content: { 'application/json': { schema: ImportCreatedSchema } },
    },
    200: {
      description: 'dryRun=true: what an import of the file would report; nothing was written',
      content: { 'application/json': { schema: ImportPreviewSchema } },
    },
    ...problemResponses(400, 413, 415, 422),
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['imports'],
  summary: 'List imports, newest first',
  request: { query: z.object({ limit: LimitQuery, cursor: CursorQuery }) },
  responses: {
    200: { description: 'One page of imports', content: { 'application/json': { schema: ImportListSchema } } },
    ...problemResponses(400),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['imports'],
  summary: 'One import: status, counts, and its row errors (paged)',
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .max(64)
        .openapi({ param: { name: 'id', in: 'path' } }),
    }),
    query: z.object({ limit: LimitQuery, cursor: CursorQuery }),
  },
  responses: {
    200: { description: 'The import and one page of its errors', content: { 'application/json': { schema: ImportDetailSchema } } },
    ...problemResponses(400, 404),
  },
});

/**
 * Who made each of `records`, as the audit trail names them (audit-actors.ts): an import by an
 * integration key the reader does not own read as `key:key_…`, which nobody can tell apart.
 */
async function makersOf(deps: ApiDeps, records: readonly ImportRecord[]): Promise<Map<string, AuditActorView>> {
  return auditActorViews(
    deps.db,
    deps.tenantId,
    records.map((r) => r.createdBy),
  );
}

/** The wire shape of an import (options are JSON the import itself wrote). */
function view(r: ImportRecord, makers: ReadonlyMap<string, AuditActorView>): z.infer<typeof ImportSchema> {
  const { tenantId: _tenant, errors, ...rest } = r;
  const maker = makers.get(r.createdBy);
  return {
    ...rest,
    createdByStaff: maker?.actorStaff ?? null,
    createdByKeyLabel: maker?.actorKeyLabel ?? null,
    kind: r.kind as z.infer<typeof ImportSchema>['kind'],
    options: r.options as z.infer<typeof ImportSchema>['options'],
    periods: [...r.periods],
    retiered: r.retiered.map((m) => ({ ...m, job: { ...m.job } })),
    errorCount: errors,
  };
}

/** A page of errors a client can point to: `line 3, column "金额"`. */
function errorPath(line: number | null, column: string | null): string {
  return (
    [line === null ? undefined : `line ${line}`, column === null ? undefined : `column "${column}"`].filter(Boolean).join(', ') || '(body)'
  );
}

/** `POST /v1/imports`, `GET /v1/imports`, `GET /v1/imports/{id}`. */
export function imports(maxImportBytes: number = MAX_IMPORT_BYTES) {
  return router()
    .openapi(postRoute, async (c) => {
      const deps = c.var.deps;
      const query = c.req.valid('query');
      const contentType = c.req.header('Content-Type') ?? '';
      const media = contentType.split(';')[0]?.trim() ?? '';
      if (!CSV_MEDIA.test(media)) {
        throw new ProblemError('unsupported-media-type', `Send the file as text/csv (got ${media ? `"${media}"` : 'no Content-Type'}).`);
      }
      const charset = /;\s*charset="?([\w-]+)"?/i.exec(contentType)?.[1]?.toLowerCase();
      const encoding = query.encoding ?? (charset === 'utf8' ? 'utf-8' : charset);
      if (encoding !== undefined && !(ENCODINGS as readonly string[]).includes(encoding)) {
        throw invalid([
          {
            path: 'headers.content-type',
            message: `charset "${charset}" is not one of ${ENCODINGS.join(', ')}`,
            code: 'invalid_value',
            params: { values: [...ENCODINGS] },
          },
        ]);
      }
      if (query.kind === 'metrics' && query.amounts === undefined) {
        throw invalid([
          {
            path: 'query.amounts',
            message: 'a metrics import must declare how money is written: yuan or fen',
            code: 'required',
            params: { values: ['yuan', 'fen'] },
          },
        ]);
      }
      let mapping: Record<string, string> = {};
      if (query.mapping !== undefined) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(query.mapping);
        } catch {
          throw invalid([
            {
              path: 'query.mapping',
              message: 'is not JSON; send an object of header → field',
              code: 'invalid_format',
              params: { format: 'mapping' },
            },
          ]);
        }
        const checked = MAPPING.safeParse(parsed);
        if (!checked.success)
          throw invalid([
            {
              path: 'query.mapping',
              message: 'must be a JSON object of header → field (strings)',
              code: 'invalid_format',
              params: { format: 'mapping' },
            },
          ]);
        mapping = checked.data;
      }
      const length = Number(c.req.header('Content-Length') ?? '0');
      if (length > maxImportBytes) {
        throw new ProblemError(
          'payload-too-large',
          `Import files are limited to ${maxImportBytes} bytes (the maxImportBytes option); split the file.`,
        );
      }
      const tp = await packOf(deps);
      const upload = await spooledUpload(c.req.raw.body, maxImportBytes);
      const options = {
        kind: query.kind,
        encoding: (encoding ?? 'utf-8') as Encoding,
        mode: query.mode,
        mapping,
        ...(query.amounts ? { amounts: query.amounts } : {}),
        ...(query.subjectKind ? { subjectKind: query.subjectKind } : {}),
      };
      const ctx = {
        tenantId: deps.tenantId,
        catalogue: tp.metrics,
        currentPeriod: periodOf(deps.now(), deps.timeZone),
        timeZone: deps.timeZone,
        actor: deps.principal.actor,
        now: deps.now,
        fileName: query.fileName ?? null,
        audit: moveAudit(c),
        ...(query.kind === 'metrics' ? { signOffMetrics: signOffMetrics(tp) } : {}),
        ...(deps.log ? { log: deps.log } : {}),
        ...(query.kind === 'subjects' ? await subjectsClosingBounds(deps.db, deps.tenantId, tp.schemes.keys(), deps) : {}),
      };
      // What file, of which kind, in which mode: the trail names the import so a reviewer can open it.
      auditDetail(c, { kind: options.kind, mode: options.mode, fileName: ctx.fileName, dryRun: query.dryRun === 'true' });
      let result: ImportResult;
      try {
        if (query.dryRun === 'true') {
          const preview = await previewImport(deps.db, options, ctx, upload.source);
          return c.json({ ...preview, errors: [...preview.errors] }, 200);
        }
        result = await runImport(deps.db, options, ctx, upload.source);
      } catch (err) {
        if (err instanceof ImportRefused)
          throw invalid(
            [{ path: errorPath(err.line, err.column), message: err.message, ...err.why }],
            `The file cannot be imported: ${err.message}`,
          );
        throw err;
      } finally {
        await upload.dispose();
      }
      auditDetail(c, {
        import: result.id,
        status: result.status,
        sha256: result.sha256,
        rows: result.rows,
        rejectedRows: result.rejectedRows,
        written: result.written,
        // Risk inputs it changed (docs/domain.md §4): per metric feeding a scheme with sign-off levels
        // that the file carried, how many stored values it replaced — counts, never values.
        ...(Object.keys(result.replaced).length ? { replacedSignOffInputs: result.replaced } : {}),
        // What its closings withdrew, as a closing's own record says (counts, and the first ids of each).
        ...(result.withdrawn.overrides || result.withdrawn.signOffs ? { withdrawn: result.withdrawn } : {}),
        // Closings dated far back it filed for a second person rather than applied (closing-requests.ts).
        ...(result.withdrawn.closingRequests ? { closingRequests: result.withdrawn.closingRequests } : {}),
        // And those not taken because one waits for the customer already: counted, never dropped unsaid.
        ...(result.withdrawn.closingRequestsWaiting ? { closingRequestsWaiting: result.withdrawn.closingRequestsWaiting } : {}),
      });
      // As after `POST /v1/subject-managers`: cached results cut by book are stale once books change,
      // and the matrix counts once a subjects file has closed a customer.
      if (result.kind !== 'metrics' && result.written > 0) deps.matrices.invalidate(deps.tenantId);
      const location = `/v1/imports/${result.id}`;
      if (result.status === 'failed') {
        const first = await listImportErrors(deps.db, result.id, 20);
        throw new ProblemError(
          'import-rejected',
          `${result.detail ?? 'nothing was imported'}. Every error: GET ${location}`,
          first.map(({ seq: _seq, line, column, ...e }) => ({ path: errorPath(line, column), ...e })),
          { Location: location },
        );
      }
      c.header('Location', location);
      // Corrections to a month already re-tiered (`retiered`) were worked out in the import's transaction.
      return c.json(view(result, await makersOf(deps, [result])), 201);
    })
    .openapi(listRoute, async (c) => {
      const deps = c.var.deps;
      const query = c.req.valid('query');
      const before = query.cursor === undefined ? undefined : decodeCursor('imports', query.cursor, ['before'] as const).before;
      const rows = await listImports(deps.db, deps.tenantId, query.limit + 1, before);
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      const makers = await makersOf(deps, page);
      return c.json(
        {
          items: page.map((r) => view(r, makers)),
          nextCursor: rows.length > query.limit && last ? encodeCursor('imports', { before: last.id }) : null,
        },
        200,
      );
    })
    .openapi(getRoute, async (c) => {
      const deps = c.var.deps;
      const { id } = c.req.valid('param');
      const query = c.req.valid('query');
      const found = await findImport(deps.db, deps.tenantId, id);
      if (!found) throw new ProblemError('not-found', `No import "${id}" in this tenant.`);
      const after = query.cursor === undefined ? undefined : decodeCursor('import-errors', query.cursor, ['after'] as const).after;
      const afterSeq = after === undefined ? undefined : Number(after);
      if (afterSeq !== undefined && !Number.isSafeInteger(afterSeq))
        throw new ProblemError('bad-cursor', 'Pass back the nextCursor of a previous page unchanged.');
      const rows = await listImportErrors(deps.db, found.id, query.limit + 1, afterSeq);
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return c.json(
        {
          ...view(found, await makersOf(deps, [found])),
          errors: {
            // Internal audit reads how an import went, not the customers' figures a refused cell held.
            items: page.map(({ seq: _seq, ...e }) => (deps.principal.role === AUDITOR ? withoutCellValue(e) : e)),
            nextCursor: rows.length > query.limit && last ? encodeCursor('import-errors', { after: String(last.seq) }) : null,
          },
        },
        200,
      );
    });
}
