import { z } from '@hono/zod-openapi';
import { APPROVAL_BLOCKS } from '@tierkit/core';
import { AUDITOR, STAFF_ROLES } from '../auth/roles.js';

/**
 * Why an auditor is never book-scoped: a trail read for one book is a partial trail, and a trail is whole
 * or it is not audited. The words of every refusal of one (HTTP, the CLI, a credential of one made before).
 */
export const AUDITOR_TENANT_WIDE =
  'an auditor is tenant-wide (scope "tenant"): internal audit examines the whole bank, and a trail read for one book is no audit';

/** Scopes of a staff member: the whole tenant, or only the subjects they manage. */
export const STAFF_SCOPES = ['tenant', 'book'] as const;

/** A staff id or a subject id as a path or body carries it: the bank's own id. */
export const BankId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'letters, digits, "_", ".", ":", "-" only');

export const StaffIdParams = z.object({
  id: BankId.openapi({ param: { name: 'id', in: 'path' }, example: 'RM001' }),
});

export const StaffSchema = z
  .object({
    id: z.string().openapi({ example: 'RM001' }),
    name: z.string().openapi({ example: '王经理' }),
    role: z.enum(STAFF_ROLES),
    scope: z.enum(STAFF_SCOPES).openapi({ description: '`book`: reads only the subjects they manage (a relationship manager)' }),
    createdAt: z.string(),
    updatedAt: z.string(),
    disabledAt: z.string().nullable().openapi({
      description:
        'When they were disabled (`tierkit staff disable`, someone leaving): their tokens and keys authenticate nothing and none can be issued to them. Null while they work; `PUT /v1/staff/{id}` gives them a role back and clears it',
    }),
  })
  .openapi('Staff');

export const PutStaffBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    role: z.enum(STAFF_ROLES),
    scope: z.enum(STAFF_SCOPES).default('tenant'),
  })
  // Internal audit examines the whole bank: an auditor cut to one book would read a partial trail.
  // Checked again where every staff change is made, the CLI's too (services/staff-changes.ts).
  .refine((b) => b.role !== AUDITOR || b.scope === 'tenant', {
    path: ['scope'],
    message: AUDITOR_TENANT_WIDE,
    params: { code: 'invalid_value', values: ['tenant'] },
  })
  .openapi('PutStaffRequest');

export const StaffListSchema = z.object({ items: z.array(StaffSchema), nextCursor: z.string().nullable() }).openapi('StaffList');

export const SessionSchema = z
  .object({
    tenantId: z.string(),
    via: z.enum(['key', 'staff-token', 'embed-token']),
    role: z.enum(STAFF_ROLES),
    actor: z.string().openapi({
      description: 'Stable per credential, as records name it: `staff:<id>` (a staff token), `key:<id>`, `token:…`',
    }),
    // A union, not `.nullable()`: on a named schema the generator wrote `allOf: [Staff, {type: [object, null]}]`,
    // which no null can match, so clients generated from the document could not take a key's session.
    staff: z.union([StaffSchema, z.null()]).openapi({
      description: 'The staff member a staff token was minted for, or who owns the key; four eyes counts them as one person',
    }),
    book: z.string().nullable().openapi({ description: 'Book-scoped credentials: their own book (their staff id)' }),
    books: z.array(z.string()).nullable().openapi({
      description:
        'Book-scoped credentials: every book they read — their own first, then those of the teams they lead (`/v1/teams`). Null: the whole tenant',
    }),
    timeZone: z.string().openapi({
      description:
        "The bank's calendar (IANA zone, the server's `TIERKIT_TIME_ZONE`): where its days and months end, for a console to show times in",
      example: 'Asia/Shanghai',
    }),
    can: z
      .object({
        readSubjects: z.boolean(),
        writeSubjects: z.boolean(),
        assignManagers: z.boolean(),
        manageStaff: z.boolean(),
      })
      .openapi({ description: 'What the access table lets this credential do, for a console to show or hide actions' }),
  })
  .openapi('Session');

export const ManagerBody = z
  .strictObject({
    manager: BankId.nullable().openapi({ description: 'Staff id; null takes the subject out of every book', example: 'RM001' }),
  })
  .openapi('PutManagerRequest');

export const ManagerSchema = z.object({ subject: z.string(), manager: z.string().nullable() }).openapi('SubjectManager');

export const BookMoveSchema = z
  .object({
    from: z.string().nullable().openapi({ description: 'The book it left (a staff id); null: it was in none', example: 'RM001' }),
    to: z.string().nullable().openapi({ description: 'The book it joined; null: taken out of every book', example: 'RM002' }),
    at: z.string().openapi({ description: 'When (UTC)', example: '2026-11-03T02:15:00.000Z' }),
    actor: z.string().openapi({ description: 'Who moved it', example: 'staff:OPS1' }),
    recorded: z.boolean().openapi({
      description:
        'false for the assignment found when moves began to be kept (upgrade to this release): who held the subject before it is not known',
    }),
  })
  .openapi('BookMove');

export const BookMovesSchema = z
  .object({ subject: z.string(), moves: z.array(BookMoveSchema).openapi({ description: 'Newest first' }) })
  .openapi('BookMoves');

/** Most assignments in one bulk request: a branch's book moves in one go, a bank's in several. */
export const MAX_BULK_ASSIGNMENTS = 1000;

export const BulkManagersBody = z
  .strictObject({
    assignments: z
      .array(z.strictObject({ subject: BankId, manager: BankId.nullable() }))
      .min(1)
      .max(MAX_BULK_ASSIGNMENTS),
  })
  .openapi('BulkManagersRequest');

export const BulkManagersSchema = z.object({ assigned: z.number().int() }).openapi('BulkManagersResult');

const powers = z.object({ role: z.enum(STAFF_ROLES), scope: z.enum(STAFF_SCOPES) });

/** What a staff grant changes: the approvals queue's `staff` and a grant's `staff`. */
export const StaffGrantChangeSchema = z
  .object({
    id: z.string().openapi({ description: 'The staff member it gives power to', example: 'E002' }),
    name: z.string().openapi({ description: 'Their name as it is to be' }),
    from: powers
      .extend({ disabled: z.boolean().openapi({ description: 'They were disabled: the grant gives them access back' }) })
      .nullable()
      .openapi({ description: 'What they held when it was asked; null: a new staff member' }),
    to: powers.openapi({ description: 'What they are to hold' }),
  })
  .openapi('StaffGrantChange');

/** What a team grant changes (four eyes on teams): the approvals queue's `team` and a grant's `team`. */
export const TeamGrantChangeSchema = z
  .object({
    id: z.string().openapi({ description: 'The team', example: 'T1' }),
    from: z
      .object({ lead: z.string().nullable() })
      .nullable()
      .openapi({ description: 'The team when it was asked (its lead); null: the grant creates it' }),
    to: z
      .union([
        z.object({ name: z.string(), lead: z.string() }).openapi({ description: 'Its lead named, with the name it is to have' }),
        z.object({ add: z.array(z.string()) }).openapi({ description: 'Books (RMs’ staff ids) added to a team with a lead' }),
      ])
      .openapi({ description: 'What the team is to become' }),
  })
  .openapi('TeamGrantChange');

export const StaffGrantIdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'stg_0mbxq1c2k0000a1b2c3d4e5f6' }),
});

export const StaffGrantSchema = z
  .object({
    id: z.string(),
    staff: StaffGrantChangeSchema,
    team: TeamGrantChangeSchema.nullable().openapi({
      description:
        'A team grant (four eyes on teams, `PUT /v1/teams/{id}` or `POST /v1/teams/{id}/books` answered 202): what the team was and is to become; `staff` is then its lead, whose powers do not change. Null: a grant of staff powers',
    }),
    status: z.enum(['pending', 'approved', 'rejected', 'withdrawn', 'expired', 'superseded']).openapi({
      description:
        '`expired`: it waited its days (7) undecided and can no longer be approved; its maker may withdraw it, an admin reject it. `superseded`: the operator changed the member directly (`tierkit staff`, break-glass) while it waited, or — a team grant — the team’s lead was taken away, a book it adds taken out, the lead’s own powers changed, or the operator changed the team (`tierkit teams`)',
    }),
    contentHash: z.string().openapi({ description: 'What an approval sends back' }),
    requestedBy: z.string(),
    requestedAt: z.string().openapi({ description: 'ISO 8601 UTC' }),
    expiresAt: z.string().openapi({ description: 'ISO 8601 UTC: approved after this, it is refused (409 conflict)' }),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    decisionNote: z.string().nullable(),
    requestedByYou: z.boolean().openapi({ description: 'Whether the caller asked for it, by person as four eyes compares' }),
    mayWithdraw: z
      .boolean()
      .openapi({ description: 'Whether the caller may withdraw it now: its maker, while it waits or after it lapsed' }),
    mayDecide: z.boolean().openapi({
      description: 'Whether four eyes lets the caller approve or reject it: pending, neither asked by them nor giving them power',
    }),
    approvalBlocked: z.enum(APPROVAL_BLOCKS).nullable().openapi({
      description:
        'While pending: `no-other-admin` when no admin but its maker and the member it promotes could decide it (the operator’s `tierkit staff role` is the way out, audited `breakGlass: true`); else null',
    }),
  })
  .openapi('StaffGrant');

export const StaffGrantListSchema = z.object({ items: z.array(StaffGrantSchema) }).openapi('StaffGrantList');
