import { createRoute, z } from '@hono/zod-openapi';
import { listAuditRecords } from '@tierkit/db';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { auditRead } from '../middleware/audit.js';
import { invalid, ProblemError } from '../problem.js';
import { packOf } from '../deps.js';
import { AuditExportQuery, AuditFilterQuery, auditExportFilterOf, auditFilterOf, DEFAULT_EXPORT_LOCALE } from '../schemas/audit-filter.js';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';
import { CursorQuery, LimitQuery } from '../schemas/params.js';
import { appendAudit, verifyTenantAudit } from '../services/audit.js';
import { auditActorViews } from '../services/audit-actors.js';
import { withPersonal } from '../services/audit-personal.js';
import { auditExportBounds, auditExportEnd, auditRecordView, exportAuditRecords, exportShowsNames } from '../services/audit-export.js';
import { auditExportScope, type AuditExportScope } from '../services/audit-export-readable.js';
import { logError } from '../log.js';

const AuditRecordSchema = z
  .object({
    seq: z.number().int().openapi({ description: 'Position in the tenant’s chain: 1, 2, 3, … without gaps' }),
    at: z.string().openapi({ description: 'UTC time, ISO 8601', example: '2025-11-15T04:00:00.000Z' }),
    requestId: z.string().openapi({ description: 'The `X-Request-Id` of the request (the caller’s, or one the API made up)' }),
    phase: z.enum(['intent', 'result', 'request', 'change']).openapi({
      description:
        '`intent`: a write about to run (written before it could change anything); `result`: how that write ended; `request`: a refused request, a write refused before it ran, or an unmasked read; `change`: what a write changed, committed with it (moves between books: `target` `{ moves: "<count>" }` and `detail` `{ moves: [{ subject, from, to }] }`, `""` for no book; records written before these were one per move, `{ subject, from, to }` in `target`)',
    }),
    actor: z.string().openapi({
      description:
        '`key:<id>`, `token:staff`, `token:embed:<subject>`, …; `unverified:<key prefix>` or `anonymous` for refused credentials; outside HTTP `cli:<OS user>@<host>`, `server:<OS user>@<host>` (start-up), `system:schedule`',
    }),
    credential: z.enum(['key', 'staff-token', 'embed-token', 'none', 'cli', 'config', 'system']).or(z.string()).openapi({
      description:
        'The way in: an API key, a staff or embed token, none (refused); outside HTTP `cli` (a `tierkit` command run by the OS account in `actor`), `config` (the server’s environment at start-up), `system` (the server by itself)',
    }),
    method: z.string().openapi({ description: 'The HTTP method, or `CLI`, `START`, `SCHEDULE` for an action outside HTTP' }),
    route: z
      .string()
      .openapi({ description: 'The route’s path template, or the raw path when no route matched', example: '/v1/subjects/{id}/metrics' }),
    target: z.record(z.string(), z.string()).openapi({ description: 'The path parameters', example: { id: 'C000003' } }),
    status: z.number().int().nullable().openapi({ description: 'HTTP status; null on an intent' }),
    problem: z.string().nullable().openapi({ description: 'The problem kind of an error response', example: 'forbidden' }),
    unmasked: z.boolean().openapi({ description: 'Personal data (display names) was shown in full' }),
    detail: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({
        description:
          'What a write changed, as its route told it (on the `result` record; on a `change` record, its moves between books): the subject an embed token was minted for, the import or job a POST created, a staff member’s role and scope before and after; null when nothing more',
        example: { before: { name: '王芳', role: 'officer', scope: 'tenant' }, after: { name: '王芳', role: 'admin', scope: 'tenant' } },
      }),
    prevHash: z.string(),
    hash: z.string().openapi({
      description:
        '`sha256:` of the canonical JSON of the record with `prevHash` (and `personal.digest`, in place of the personal fields, where it has one)',
    }),
    personal: z
      .object({
        digest: z.string().openapi({
          description: '`sha256:` of the salt with the customer number and typed texts, which the record’s hash covers in their place',
        }),
        salt: z.string().optional().openapi({ description: 'While they are kept; absent once a retention run erased them' }),
      })
      .optional()
      .openapi({
        description:
          'On a record naming a customer, written since the trail split personal fields off: `target` and `detail` show the customer number and the typed texts (a closing’s reason, a decision’s note, a searched name) while they are kept; without `salt` they were erased with the customer and `target`/`detail` hold what names nobody.',
      }),
    listed: z.array(z.string().nullable()).optional().openapi({
      description:
        'On a record whose `detail` lists customer numbers (a list read’s `subjects`, a restricted read’s `restrictedRead.subjects`, a book move’s `moves[].subject`), written since lists were split: per listed number in order, the salt of the digest the record keeps in its place while the number is kept (`detail` shows the number); null once erased with the customer (`detail` shows the digest, `sha256:…`, which names nobody).',
    }),
  })
  .openapi('AuditRecord');

/** A record of the list, with who its actor is (services/audit-actors.ts): the stored record's fields, then these. */
const AuditListItemSchema = AuditRecordSchema.extend({
  actorStaff: z.string().nullable().openapi({
    description:
      'The staff member behind `actor`: a staff token’s, or the owner of a key (`keys create --staff`); null for an unowned key, the operator’s CLI, the system. Not part of the hashed record',
    example: 'W001',
  }),
  actorStaffName: z
    .string()
    .nullable()
    .openapi({ description: 'That member’s name on the staff list now (null: none, or no longer on it)', example: '王敏' }),
  actorKeyLabel: z.string().nullable().openapi({
    description:
      'For a key actor (`key:<id>`), the key’s label, so a reader tells a person’s keys apart: 王敏（密钥：月度导入）; null otherwise',
    example: '月度导入',
  }),
}).openapi('AuditListItem');

const AuditPageSchema = z.object({ items: z.array(AuditListItemSchema), nextCursor: z.string().nullable() }).openapi('AuditPage');

const count = () => z.number().int().nonnegative();

const AuditVerifyResultSchema = z
  .object({
    chain: z.string(),
    ok: z.boolean().openapi({ description: 'The chain verifies alone (`chainOk`) and against the server’s anchors (`anchors`)' }),
    chainOk: z
      .boolean()
      .openapi({ description: 'The chain alone verifies: every record matches its hash and follows the one before, up to the head' }),
    records: count(),
    head: z.object({ seq: z.number().int().positive(), hash: z.string() }).nullable(),
    problems: z
      .array(
        z.object({
          seq: z.number().int(),
          kind: z.enum(['missing', 'altered', 'broken-link', 'truncated', 'head-mismatch', 'personal-deleted']),
          message: z.string(),
        }),
      )
      .readonly()
      .openapi({ description: 'What is wrong with the chain alone, by position (empty when only its anchors fail)' }),
    anchors: z
      .object({
        status: z.enum(['checked', 'not-configured', 'unreadable']).openapi({
          description:
            '`checked`: the server’s anchors file was read and this tenant’s anchors checked; `not-configured`: the server keeps no anchors (`TIERKIT_AUDIT_ANCHOR_FILE` unset), so a chain rewritten whole with its head would pass; `unreadable`: the file could not be read (`ok` is false)',
        }),
        anchors: count().openapi({ description: 'This tenant’s anchors checked' }),
        newest: z
          .object({ seq: z.number().int().positive(), at: z.string().openapi({ description: 'UTC time, ISO 8601' }) })
          .nullable()
          .openapi({ description: 'This tenant’s newest anchor: the chain is vouched for through `seq`, as written down at `at`' }),
        malformedLines: count().openapi({
          description:
            'Lines of the anchors file that are not anchors and count against this tenant (naming it, or naming no tenant): any fails the verification',
        }),
        problems: z
          .array(z.object({ seq: z.number().int().positive(), kind: z.enum(['anchor-mismatch', 'anchor-truncated']), message: z.string() }))
          .readonly(),
        message: z.string().openapi({ description: 'What was checked or went wrong, in a sentence; never the file’s path' }),
      })
      .openapi({ description: 'The chain checked against the heads the server writes down outside the database; only this tenant’s' }),
  })
  .openapi('AuditVerifyResult');

const listRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['audit'],
  summary: 'The tenant’s audit trail, newest first (approvers, admins and internal audit)',
  description:
    'Each record says who its actor is (`actorStaff`, `actorStaffName`, `actorKeyLabel`), read once for the page. `person=<staff id>` finds everything a staff member did, with their staff token or any key they own: one index range per credential, merged.',
  request: {
    query: AuditFilterQuery.extend({
      limit: LimitQuery,
      cursor: CursorQuery,
    }),
  },
  responses: {
    200: { description: 'One page of records', content: { 'application/json': { schema: AuditPageSchema } } },
    ...problemResponses(400),
  },
});

const exportRoute = createRoute({
  method: 'get',
  path: '/export',
  tags: ['audit'],
  summary:
    'The tenant’s audit trail as a file to keep, oldest first, with the filters of `GET /v1/audit` (admin key, or an approver’s staff token); the export is itself recorded',
  description:
    '`csv` (default): UTF-8 with a byte order mark (so Excel on Chinese Windows reads it as UTF-8), CRLF line ends, RFC 4180 quoting; header lines first (the tenant, the time zone, the month if asked, and the bounds in the bank’s wall clock and in UTC), an empty line, then the column names in `locale`; the columns of AuditRecord, `target` and `detail` as JSON, and `atLocal` (the bank’s wall clock, with its offset) after `at`, then `actorStaffId` and `actorName` (the staff member behind a key, a staff token or a job, named as they were at the record; a system, schedule or command line in words) and the `schemeName`, `levelName` and `metricNames` the record names, in `locale`. A cell a spreadsheet would take for a formula (starting with `=`, `+`, `-`, `@`, a tab or CR) has a `\'` before it: notes and names are anyone’s input, so the CSV is for reading, not for verifying. `jsonl`: one AuditRecord per line as `GET /v1/audit` sends it, to verify offline (`tierkit audit verify --file … --tenant …`), then, when records of the file had personal fields erased, one line `{"erasure": AuditRecord}` per erasure record naming them that the file does not hold (a month\'s file need not): what lets the offline check tell an erasure from a side row deleted by hand. Streamed, a page of records at a time; the records are those up to the last one when the export began (its own record comes after). A range with no records is the header alone. The export is recorded in the trail (a `request` record, its filters in `detail`), and so is its end once the file is sent or given up (a `result` record with the same request id: `detail.export.ended` `completed`, `aborted` by the client, or `failed`, with the records sent and the last one’s seq and hash); it is an unmasked read when the records it holds are (an unmasked search that kept the name it tested).',
  request: {
    query: AuditExportQuery,
  },
  responses: {
    200: {
      description:
        'The file, as an attachment named for its bounds in the bank’s zone: `audit-<tenant>-<YYYY-MM>-<zone>.<csv|jsonl>` for a `month`, else `audit-<tenant>-<from>-<to>-<zone>.<csv|jsonl>` in the bank’s wall clock with its offset (`start` without `from`, the export’s time without `to`)',
      headers: {
        'X-Audit-Export-Through-Seq': {
          description: 'The chain’s last seq when the export began: records after it (the export’s own) are not in the file',
          schema: { type: 'integer' },
        },
        'X-Audit-Export-Last-Seq': {
          description:
            'The seq of the file’s last record (absent when none matched), also in the export’s audit record: `tierkit audit verify --file … --through`',
          schema: { type: 'integer' },
        },
        'X-Audit-Export-Last-Hash': {
          description: 'The hash of the file’s last record, as above: `tierkit audit verify --file … --head`; a file cut at its end fails',
          schema: { type: 'string' },
        },
        'X-Audit-Export-Limited': {
          description:
            '`true` when `limit` left matching records out: the file stops at `X-Audit-Export-Last-Seq` (a whole, verifiable start of the export); `tierkit audit export` writes them all',
          schema: { type: 'string', enum: ['true'] },
        },
      },
      content: {
        'text/csv': { schema: z.string().openapi({ format: 'binary' }) },
        'application/jsonl': { schema: z.string().openapi({ format: 'binary' }) },
      },
    },
    ...problemResponses(400),
  },
});

const verifyRoute = createRoute({
  method: 'get',
  path: '/verify',
  tags: ['audit'],
  summary:
    'Check the tenant’s audit chain end to end: an edited, deleted, reordered or cut record is reported at its position; on a server that keeps anchors (`TIERKIT_AUDIT_ANCHOR_FILE`), a chain rewritten whole with its head, or cut back, is caught against them (`anchors`)',
  responses: {
    200: {
      description: 'The verification: when `ok` is false, `problems` (the chain) or `anchors` says why',
      content: { 'application/json': { schema: AuditVerifyResultSchema } },
    },
    ...problemResponses(),
  },
});

/** A bank's wall-clock time as a file name may hold it on any system (no colons): `20261201T000000+0800`. */
function fileTime(zoned: string): string {
  return zoned
    .replace(/\.\d+(?=[Z+-]|$)/, '')
    .replace(/(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/, '$1$2$3T$4$5$6')
    .replace(/([+-]\d{2}):(\d{2})$/, '$1$2');
}

/**
 * The export's file name, of characters every file system and browser keeps, stating its zone: a
 * month's `audit-<tenant>-<YYYY-MM>-<zone>.<format>`, else `audit-<tenant>-<from>-<to>-<zone>.<format>`
 * in the bank's wall clock with its offset (`start` without `from`, the export's time without `to`).
 */
export function exportFileName(scope: AuditExportScope, format: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._+-]/g, '_');
  const range = scope.month ?? `${scope.from === undefined ? 'start' : fileTime(scope.from.local)}-${fileTime(scope.to.local)}`;
  return `audit-${safe(scope.tenant)}-${range}-${safe(scope.timeZone)}.${format}`;
}

const EXPORT_MEDIA = { csv: 'text/csv; charset=utf-8', jsonl: 'application/jsonl; charset=utf-8' } as const;

/** `GET /v1/audit`, `GET /v1/audit/export` and `GET /v1/audit/verify`: the tenant's own chain, never another's. */
export function audit() {
  return router()
    .openapi(listRoute, async (c) => {
      const deps = c.var.deps;
      const q = c.req.valid('query');
      const before = q.cursor === undefined ? undefined : Number(decodeCursor('audit', q.cursor, ['before'] as const).before);
      // Dropped, a bad position would answer the newest page again: a client paging on would never end.
      if (before !== undefined && !Number.isSafeInteger(before))
        throw new ProblemError('bad-cursor', 'Pass back the nextCursor of a previous page unchanged.');
      const rows = await listAuditRecords(
        deps.db,
        deps.tenantId,
        { ...auditFilterOf(q), ...(before !== undefined ? { beforeSeq: before } : {}) },
        q.limit + 1,
      );
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      const actors = await auditActorViews(
        deps.db,
        deps.tenantId,
        page.map((r) => r.actor),
      );
      return c.json(
        {
          items: (await withPersonal(deps.db, deps.tenantId, page)).map((read) => ({
            ...auditRecordView(read),
            ...(actors.get(read.row.actor) ?? { actorStaff: null, actorStaffName: null, actorKeyLabel: null }),
          })),
          nextCursor: rows.length > q.limit && last ? encodeCursor('audit', { before: String(last.seq) }) : null,
        },
        200,
      );
    })
    .openapi(exportRoute, async (c) => {
      const deps = c.var.deps;
      const { format, limit, locale, ...q } = c.req.valid('query');
      const { filter, errors } = auditExportFilterOf(q, deps.timeZone);
      if (errors.length) throw invalid(errors);
      const scope = auditExportScope(deps.tenantId, filter, deps.timeZone, deps.now(), q.month);
      const pack = await packOf(deps);
      const throughSeq = await auditExportEnd(deps.db, deps.tenantId);
      const bounds = await auditExportBounds(deps.db, deps.tenantId, filter, throughSeq, limit);
      // The export's record says who took which records: its filters, the format, where the chain ended
      // then, and the file's last record (seq, hash), which a reader checks the file's end against.
      auditRead(c, {
        export: {
          format,
          ...filter,
          ...(q.month !== undefined ? { month: q.month, timeZone: deps.timeZone } : {}),
          ...(locale !== undefined ? { locale } : {}),
          ...(limit !== undefined ? { limit } : {}),
          throughSeq,
          ...bounds,
        },
      });
      // Records that kept a name read unmasked make their export an unmasked read too (the trail says so).
      if (await exportShowsNames(deps.db, deps.tenantId, filter, throughSeq)) c.set('deps', { ...deps, unmaskNames: true });
      const log = deps.log ?? ((e: unknown) => logError('tierkit api: audit export', e));
      // What was read, and what of it was handed to the stream: a client gone while a page was being
      // read never got that page, and an `aborted` end counts only what it could have (the README's "Its end is recorded").
      type Progress = { records: number; last: { seq: number; hash: string } | null };
      let read: Progress = { records: 0, last: null };
      let sent: Progress = read;
      const chunks = exportAuditRecords(deps.db, deps.tenantId, filter, {
        format,
        timeZone: deps.timeZone,
        locale: locale ?? DEFAULT_EXPORT_LOCALE,
        labels: { schemes: pack.schemes, metrics: pack.metrics },
        scope,
        throughSeq,
        ...(limit !== undefined ? { limit } : {}),
        onPage: (records, last) => {
          read = { records, last };
        },
      });
      const state = c.var.audit;
      let ended = false;
      // An examiner asks whether an export ran to its end or was cut off (packages/api/README.md, "Audit
      // export"): its end is a record of its own, written once the stream is over, in a transaction of
      // its own (`appendAudit`), never one held open while the file is sent.
      // An export whose own record could not be written was answered with a 500, its body cancelled
      // (src/middleware/audit.ts): it has no end, and a record of one would describe a read never served.
      const recordEnd = async (how: 'completed' | 'aborted' | 'failed') => {
        if (ended || state.written === undefined) return;
        ended = true;
        try {
          await appendAudit(deps.db, deps.tenantId, {
            at: deps.now().toISOString(),
            request_id: state.requestId,
            phase: 'result',
            actor: deps.principal.actor,
            credential: deps.principal.via,
            method: 'GET',
            route: '/v1/audit/export',
            target: '{}',
            status: 200,
            problem: how === 'completed' ? null : `export-${how}`,
            unmasked: 0,
            detail: JSON.stringify({
              export: {
                ended: how,
                completed: how === 'completed',
                records: sent.records,
                lastSeq: sent.last?.seq ?? null,
                lastHash: sent.last?.hash ?? null,
              },
            }),
          });
        } catch (err) {
          // The file is sent or gone by now: the log is what is left to tell the end was not recorded.
          log(err);
        }
      };
      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            let next: IteratorResult<string>;
            try {
              next = await chunks.next();
            } catch (err) {
              // Headers are gone and the file ends after a whole page: the end record says it failed, and where.
              log(err);
              await recordEnd('failed');
              controller.error(err);
              return;
            }
            if (next.done) {
              // Recorded before the stream closes: once a client has read the whole file, its end is in the trail.
              await recordEnd('completed');
              controller.close();
            } else {
              // Throws once the client has cancelled: that page was never handed over.
              controller.enqueue(encoder.encode(next.value));
              sent = read;
            }
          },
          async cancel() {
            await chunks.return(undefined);
            await recordEnd('aborted');
          },
        },
        // One page read ahead at most: memory stays at a page or two whatever the range.
        { highWaterMark: 0 },
      );
      const name = exportFileName(scope, format);
      return c.body(body, 200, {
        'Content-Type': EXPORT_MEDIA[format],
        'Content-Disposition': `attachment; filename="${name}"`,
        'X-Audit-Export-Through-Seq': String(throughSeq),
        ...(bounds.lastSeq !== null && bounds.lastHash !== null
          ? { 'X-Audit-Export-Last-Seq': String(bounds.lastSeq), 'X-Audit-Export-Last-Hash': bounds.lastHash }
          : {}),
        ...(bounds.limited ? { 'X-Audit-Export-Limited': 'true' } : {}),
      }) as never;
    })
    .openapi(verifyRoute, async (c) => {
      const deps = c.var.deps;
      const log = deps.log ?? ((err: unknown) => logError('tierkit api: audit anchors', err));
      return c.json(await verifyTenantAudit(deps.db, deps.tenantId, deps.auditAnchors, log), 200);
    });
}
