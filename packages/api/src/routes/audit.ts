import { createRoute, z } from '@hono/zod-openapi';
import { AUDIT_METHODS } from '@tierkit/core/wire';
import { listAuditRecords, type AuditRecordRow } from '@tierkit/db';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { ProblemError } from '../problem.js';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';
import { CursorQuery, LimitQuery } from '../schemas/params.js';
import { verifyTenantAudit } from '../services/audit.js';

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
    hash: z.string().openapi({ description: '`sha256:` of the canonical JSON of the record with `prevHash`' }),
  })
  .openapi('AuditRecord');

const AuditPageSchema = z.object({ items: z.array(AuditRecordSchema), nextCursor: z.string().nullable() }).openapi('AuditPage');

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
          kind: z.enum(['missing', 'altered', 'broken-link', 'truncated', 'head-mismatch']),
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
    .datetime({ offset: false, message: 'must be an ISO 8601 UTC time, 2025-11-15T04:00:00Z' })
    .optional()
    .openapi({ param: { name, in: 'query' }, description, example: '2025-11-01T00:00:00Z' });

const listRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['audit'],
  summary: 'The tenant’s audit trail, newest first (admin key, or an approver’s staff token)',
  request: {
    query: z.object({
      actor: text('actor', 'Exactly this actor (`key:key_…`)'),
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
      status: z.coerce
        .number()
        .int()
        .min(100)
        .max(599)
        .optional()
        .openapi({ param: { name: 'status', in: 'query' }, description: 'HTTP status of the result' }),
      from: instant('from', 'At or after this UTC time'),
      to: instant('to', 'Before this UTC time'),
      limit: LimitQuery,
      cursor: CursorQuery,
    }),
  },
  responses: {
    200: { description: 'One page of records', content: { 'application/json': { schema: AuditPageSchema } } },
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

function view(row: AuditRecordRow) {
  return {
    seq: row.seq,
    at: row.at,
    requestId: row.request_id,
    phase: row.phase as 'intent' | 'result' | 'request' | 'change',
    actor: row.actor,
    credential: row.credential,
    method: row.method,
    route: row.route,
    target: JSON.parse(row.target) as Record<string, string>,
    status: row.status,
    problem: row.problem,
    unmasked: row.unmasked === 1,
    detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** `GET /v1/audit` and `GET /v1/audit/verify`: the tenant's own chain, never another's. */
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
        {
          ...(q.actor !== undefined ? { actor: q.actor } : {}),
          ...(q.method !== undefined ? { method: q.method } : {}),
          ...(q.route !== undefined ? { route: q.route } : {}),
          ...(q.target !== undefined ? { target: q.target } : {}),
          ...(q.status !== undefined ? { status: q.status } : {}),
          ...(q.from !== undefined ? { from: new Date(q.from).toISOString() } : {}),
          ...(q.to !== undefined ? { to: new Date(q.to).toISOString() } : {}),
          ...(before !== undefined ? { beforeSeq: before } : {}),
        },
        q.limit + 1,
      );
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return c.json(
        { items: page.map(view), nextCursor: rows.length > q.limit && last ? encodeCursor('audit', { before: String(last.seq) }) : null },
        200,
      );
    })
    .openapi(verifyRoute, async (c) => {
      const deps = c.var.deps;
      const log = deps.log ?? ((err: unknown) => console.error('tierkit api: audit anchors', err));
      return c.json(await verifyTenantAudit(deps.db, deps.tenantId, deps.auditAnchors, log), 200);
    });
}
