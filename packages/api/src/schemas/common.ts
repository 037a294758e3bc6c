import { z } from '@hono/zod-openapi';
import {
  LEVEL_COLORS,
  OVERRIDE_APPROVERS,
  OVERRIDE_REQUESTERS,
  METRIC_UNITS,
  MISSING_RULES,
  SCHEME_AUDIENCES,
  SCHEME_CATEGORIES,
  SUBJECT_KINDS,
  WHILE_PENDING,
  WINDOW_FUNCTIONS,
} from '@tierkit/core';

/*
 * OpenAPI schemas of the shared wire types in `@tierkit/core` (model/*.ts). They document the
 * responses; requests are validated by the schemas in the route files.
 */

/** A text in all three languages: what the policy reads send, which take no `?locale=`. */
export const AllLocalesTextSchema = z.object({ 'zh-CN': z.string(), 'zh-TW': z.string(), en: z.string() }).openapi('AllLocalesText');

/**
 * A label in the three languages, or in the one a read asked for: the subject reads' `?locale=` cut
 * every label to that key alone, so a client reading those must not require all three.
 */
export const LocalizedTextSchema = z
  .object({ 'zh-CN': z.string().optional(), 'zh-TW': z.string().optional(), en: z.string().optional() })
  .openapi('LocalizedText', {
    minProperties: 1,
    description: 'All three of zh-CN, zh-TW and en, except in a read that asked for one with `?locale=`: then that one alone',
  });

export const SubjectKindSchema = z.enum(SUBJECT_KINDS).openapi('SubjectKind');

export const WindowSpecSchema = z
  .object({ fn: z.enum(WINDOW_FUNCTIONS), months: z.number().int(), missing: z.enum(MISSING_RULES) })
  .openapi('WindowSpec');

export const MetricDefSchema = z
  .object({
    key: z.string(),
    unit: z.enum(METRIC_UNITS),
    currency: z.string().optional(),
    label: LocalizedTextSchema,
    subjectKinds: z
      .array(z.enum(SUBJECT_KINDS))
      .readonly()
      .optional()
      .openapi({ description: 'The kinds of subject it is measured on; only schemes of these kinds may read it. Absent: any kind.' }),
    actionable: z.boolean().optional().openapi({
      description:
        "Whether the customer can move it (balances: yes; declared income: no). A customer's nearest path prefers these. Absent = true.",
    }),
  })
  .openapi('MetricDef');

export const LevelDefSchema = z
  .object({
    key: z.string(),
    rank: z.number().int(),
    name: LocalizedTextSchema,
    color: z.enum(LEVEL_COLORS),
    approvalRequired: z.boolean().optional(),
    reviewMonths: z.number().int().optional(),
    whilePending: z.enum(WHILE_PENDING).optional(),
    customer: z
      .object({ name: LocalizedTextSchema, color: z.enum(LEVEL_COLORS) })
      .optional()
      .openapi({
        description:
          'How a customer scheme’s level reads to customers when not as staff read it (the savings grade’s 风险 reads 基础, neutral). Staff reads only: a customer’s credential receives the level with this name and colour in place of its own, and without this field.',
      }),
  })
  .openapi('LevelDef');

export const SchemeSummarySchema = z
  .object({
    key: z.string(),
    subjectKind: SubjectKindSchema,
    category: z.enum(SCHEME_CATEGORIES),
    audience: z
      .enum(SCHEME_AUDIENCES)
      .optional()
      .openapi({ description: 'Who may see it: `customer` or `staff`. A customer credential only ever receives customer schemes.' }),
    name: LocalizedTextSchema,
    levels: z.array(LevelDefSchema).readonly(),
    overrides: z
      .object({
        requestedBy: z.enum(OVERRIDE_REQUESTERS),
        approvedBy: z.enum(OVERRIDE_APPROVERS),
        maxDays: z.number().int().nullable(),
        order: z.array(z.string()).readonly().optional(),
        loosenNeeds: z.enum(OVERRIDE_APPROVERS).optional(),
        maxStep: z.number().int().optional(),
      })
      .optional()
      .openapi({
        description:
          'The policy’s rule for overrides of this scheme, when it has one (absent: any officer may file one, a relationship manager for their book too; any approver approves; no expiry needed). `requestedBy`: `book` (officers, relationship managers too), `tenant` (staff who see the whole bank only), `none`; `approvedBy`: the weakest role that approves; `maxDays`: an expiry at most this many days ahead is required (null: none needed); `order`: the levels from the strictest for the bank’s controls to the loosest (not the ranks: credit’s `NR` ranks lowest yet is loose); `loosenNeeds`: the role that must approve an override able to hold the subject on the looser side (a `fixed` one at any level but the first of `order`; a `floor` above a level that is stricter than it), whatever the rules give now, or whose approval ends one in force and leaves a looser level, and that must revoke one when the level after revocation is looser than the one held; `maxStep`: the most levels (by rank) an override may set away from the level the subject holds when it is filed (absent: no bound; beyond it, 422 `override_jump_too_far`)',
        example: {
          requestedBy: 'tenant',
          approvedBy: 'approver',
          maxDays: 180,
          order: ['high', 'medium-high', 'medium', 'low', 'unassessed'],
          loosenNeeds: 'admin',
        },
      }),
  })
  .openapi('SchemeSummary');

export const MatrixDefSchema = z
  .object({
    scheme: z.string(),
    rowScheme: z.string(),
    colScheme: z.string(),
    rows: z.array(z.string()).readonly(),
    cols: z.array(z.string()).readonly(),
    cells: z
      .array(
        z.object({
          row: z.string(),
          col: z.string(),
          level: z.string(),
          action: LocalizedTextSchema,
          tone: z.enum(['good', 'neutral', 'caution', 'bad']),
        }),
      )
      .readonly(),
  })
  .openapi('MatrixDef');

export const SubjectRefSchema = z
  .object({
    id: z.string().openapi({ description: "The bank's external id", example: 'C000003' }),
    kind: SubjectKindSchema,
    displayName: z.string().openapi({ description: 'Masked by default (张* / 王*国)', example: '张*明' }),
    closedAt: z.string().optional().openapi({
      format: 'date-time',
      description: 'Only on a customer who left the bank: when they were closed (ISO UTC)',
      example: '2026-11-30T16:00:00.000Z',
    }),
    closedReason: z.string().optional().openapi({
      description: 'Only on a closed customer: why, as staff gave it (none when a subjects import closed them without a reason)',
      example: '客户主动销户',
    }),
    leftAt: z.string().optional().openapi({
      format: 'date-time',
      description:
        'Only on a closing recorded after the month the customer left in was final: when they really left (ISO UTC), earlier than `closedAt`, which is when the closing counts from (the end of the last final month)',
      example: '2026-10-28T02:00:00.000Z',
    }),
  })
  .openapi('SubjectRef');

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'https://tierkit.dev/problems/validation' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z
      .array(
        z.object({
          path: z.string(),
          message: z.string(),
          code: z.string().optional().openapi({
            description:
              'Stable for programs, for a host to word the error in its own language. A schema check: invalid_type, too_small, too_big, invalid_format, invalid_value, unrecognized_keys, not_multiple_of, repeated. The API’s own checks: the same where one fits, and required, requires, unknown_scheme, unknown_level, unknown_metric, unknown_subject, unknown_staff, not_matrix, month_not_begun, month_open, no_data, expired, duplicate, immutable, not_both, exactly_one, nothing_in_force, me_needs_staff_token, unsafe_text, invalid_encoding, invalid_csv, empty_file, unknown_column, unknown_field, mapped_twice, unmapped, mixed_layout, no_change; a policy document’s: out_of_order, lowest_level, weights_sum, wrong_subject_kind, staff_scheme, staff_only, customer_only, no_cell, cycle (packages/api README, "Errors"). An import’s row errors (422 import-rejected, GET /v1/imports/{id}) carry the same codes, but for one stored before row errors had codes.',
            example: 'too_big',
          }),
          params: z
            .record(z.string(), z.unknown())
            .optional()
            .openapi({
              description:
                'What the code’s words need (expected, minimum, maximum, inclusive, origin, actual, format, value, values, keys, divisor, scheme, level, metric, month, current, subject, staff, field, fields, column, encoding, problem, in, of, other, at, higher, elsewhere, inForce, inScheme …; field and fields name fields as path does, query. included)',
              example: { maximum: 500, origin: 'string', inclusive: true },
            }),
        }),
      )
      .readonly()
      .optional(),
  })
  .openapi('Problem');

/**
 * The problem+json responses a route may return, by status. Every `/v1` route needs a credential,
 * so 401 (none, or a bad one; with `WWW-Authenticate`), 403 (not allowed) and 429 (rate limited)
 * are always included; so are 500 and 503, which any route that reaches the database may answer, and
 * which a client generated from the document should expect as problem+json like the rest.
 */
export function problemResponses<const S extends readonly number[]>(...given: S) {
  const statuses = [...given, 401, 403, 429, 500, 503] as const;
  const descriptions: Record<number, string> = {
    400: 'Invalid request (problem+json with field paths)',
    401: 'No credential, or an unknown, revoked, expired or tampered one (`WWW-Authenticate: Bearer error="invalid_token"`)',
    403: 'The credential does not allow this: role too low, an embed token outside its subject, an origin the token does not name, or an API key sent from a browser page (`key-in-browser`: keys belong on servers), or an embedder key on any route but minting embed tokens (`embedder-key`)',
    404: 'Not found',
    413: 'Body too large',
    415: 'Body is not JSON',
    422: 'Request cannot be processed',
    429: 'Too many requests from this credential, or too many bad credentials from this address (`Retry-After` seconds)',
    500: 'An unexpected error (logged on the server with the request id)',
    503: 'The database is busy with another writer (`database-busy`) or cannot be reached (`database-unavailable`); on SQLite, a read whose cost grows with the book ran past the server’s limit (`heavy-read-timeout`), too many such reads are running (`heavy-reads-busy`), or the process running it ended (`heavy-read-failed`). Nothing was changed; try again after `Retry-After` seconds',
  };
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: descriptions[s] ?? 'Problem', content: { 'application/problem+json': { schema: ProblemSchema } } },
    ]),
  ) as {
    [K in S[number] | 401 | 403 | 429 | 500 | 503]: {
      description: string;
      content: { 'application/problem+json': { schema: typeof ProblemSchema } };
    };
  };
}

/**
 * What a `…ByStaff` field says, for `field` (the actor it stands beside): one wording for the approvals
 * queue's, policy versions', jobs' and overrides' (services/staff-behind.ts).
 */
export function staffBehindDescription(field: string): string {
  return `The staff member behind \`${field}\` when it is their staff token (\`staff:<id>\`) or a key they own (\`key:<id>\`): their id, so a console names the person, not the key; null for an unowned key, a re-tier job, the schedule or the system`;
}
