import { z } from '@hono/zod-openapi';
import {
  APPROVAL_BLOCKS,
  APPROVAL_KINDS,
  ERASURE_ACTOR,
  KEY_PATTERN,
  METRIC_UNITS,
  OVERRIDE_APPROVERS,
  OVERRIDE_MODES,
  OVERRIDE_REASON_CATEGORIES,
  PRODUCT_RISKS,
  RISK_TOLERANCES,
  SUITABILITY_REASONS,
} from '@tierkit/core';
import { DECISION_ACTIONS, LEVEL_APPROVAL_STATUSES, OVERRIDE_STATUSES } from '@tierkit/db';
import { LocalizedTextSchema, staffBehindDescription } from './common.js';
import { StaffGrantChangeSchema, TeamGrantChangeSchema } from './staff.js';

/** One list of kinds, core's (the admin kit reads the same). */
export { APPROVAL_KINDS };

/*
 * Request and response schemas of the four-eyes routes: overrides, level sign-offs, the approvals
 * queue, reviews and the suitability check (packages/api/README.md, "Four eyes").
 */

const key = z.string().min(1).max(64).regex(KEY_PATTERN, 'letters, digits, "_", "-", "." only');

/** An instant in ISO 8601 UTC (`…Z`), stored in its canonical form. */
export const utcInstant = z.iso
  .datetime({ message: 'must be an ISO 8601 UTC instant, e.g. 2026-03-31T16:00:00Z' })
  .refine((s) => !Number.isNaN(Date.parse(s)), {
    message: 'must be a real instant',
    params: { code: 'invalid_format', format: 'datetime' },
  })
  .transform((s) => new Date(s).toISOString());

const reason = z.string().trim().min(1).max(1000);
/** What an override rests on (docs/domain.md §4, "An override's evidence"). */
const reasonCategory = z.enum(OVERRIDE_REASON_CATEGORIES).openapi({
  description:
    'What the request rests on: `retention` (keeping a valued customer), `funds-pending` (funds on their way), `data-error` (the bank’s data is wrong), `complaint`, `management` (a management decision), `other` (the reason says). Shown to the approver; never to the customer',
});
/** A document number or link the filer cites: text only, the bank keeps the document itself. */
const evidence = z.string().trim().min(1).max(500).openapi({
  description:
    'A document number or link the approver can check (审批单号, a DMS link); text, not a file. Bound by the content hash, kept in the audit trail, never shown to the customer',
  example: 'DMS-2026-118734',
});
const note = z.string().trim().max(1000);
const hash = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'must be the contentHash of what you reviewed (sha256:…)')
  .openapi({
    description: 'The `contentHash` of the content you reviewed; an edited or superseded request refuses it (409 content-changed).',
  });

export const OverrideRequestBody = z
  .strictObject({
    scheme: key,
    level: key,
    mode: z.enum(OVERRIDE_MODES).openapi({ description: '`fixed`: exactly this level; `floor`: never below it' }),
    reason,
    reasonCategory: reasonCategory.optional(),
    evidence: evidence.optional(),
    expiresAt: utcInstant.nullable().openapi({ description: 'ISO 8601 UTC; null = until revoked' }),
  })
  .openapi('OverrideRequestBody');

export const OverrideEditBody = z
  .strictObject({
    level: key.optional(),
    mode: z.enum(OVERRIDE_MODES).optional(),
    reason: reason.optional(),
    reasonCategory: reasonCategory.nullable().optional(),
    evidence: evidence.nullable().optional(),
    expiresAt: utcInstant.nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, {
    message: 'change at least one of level, mode, reason, reasonCategory, evidence, expiresAt',
    params: { code: 'no_change', fields: ['level', 'mode', 'reason', 'reasonCategory', 'evidence', 'expiresAt'] },
  })
  .openapi('OverrideEditBody');

export const DecisionBody = z.strictObject({ contentHash: hash, note: note.optional() }).openapi('DecisionBody');
export const RejectBody = z.strictObject({ contentHash: hash, note: note.min(1) }).openapi('RejectBody');
export const NoteBody = z.strictObject({ note: note.min(1) }).openapi('NoteBody');
export const OptionalNoteBody = z.strictObject({ note: note.optional() }).openapi('OptionalNoteBody');

const instant = z.string().openapi({ description: 'ISO 8601 UTC' });

export const DecisionSchema = z
  .object({
    action: z.enum(DECISION_ACTIONS),
    actor: z.string(),
    at: instant,
    note: z.string().nullable(),
    contentHash: z.string().nullable(),
  })
  .openapi('Decision');

export const OverrideSchema = z
  .object({
    id: z.string(),
    subject: z.string(),
    subjectName: z.string().optional().openapi({
      description: 'The customer’s display name, masked as elsewhere (張*明) unless the caller may see names in full (docs/domain.md §8)',
    }),
    scheme: z.string(),
    level: z.string(),
    mode: z.enum(OVERRIDE_MODES),
    reason: z.string(),
    reasonCategory: reasonCategory.optional(),
    evidence: z.string().optional().openapi({ description: 'The document number or link the filer cited; absent: none' }),
    expiresAt: instant.nullable(),
    status: z.enum([...OVERRIDE_STATUSES, 'expired']),
    inForce: z.boolean(),
    contentHash: z.string(),
    requestedBy: z.string(),
    requestedByStaff: z
      .string()
      .nullable()
      .openapi({ description: staffBehindDescription('requestedBy'), example: 'RM001' }),
    requestedByYou: z.boolean().openapi({
      description:
        'Whether the caller filed it, by person as four eyes compares (their staff token or an API key they own): theirs to edit or withdraw while pending, never to approve or reject (403 four-eyes).',
    }),
    mayEdit: z.boolean().openapi({
      description:
        'Whether the caller may edit it now (`PATCH /v1/overrides/{id}`): pending, not past its expiry, filed by them, with a credential that may edit. Offer the edit only when true.',
    }),
    mayWithdraw: z.boolean().openapi({
      description:
        'Whether the caller may withdraw it now (`POST /v1/overrides/{id}/withdraw`): pending, and filed by them — or, when a relationship manager filed it, the caller is the relationship manager whose book the customer is in now. Offer the withdrawal only when true.',
    }),
    approvalNeeds: z.enum(OVERRIDE_APPROVERS).optional().openapi({
      description: 'Only on the answer of filing or editing a request: the weakest role that may approve it, as the approvals queue says',
    }),
    approvalBlocked: z.enum(APPROVAL_BLOCKS).nullable().optional().openapi({
      description:
        'Only on the answer of filing or editing a request: null when someone on staff other than the requester may approve it; else why nobody can (as the approvals queue’s `approvalBlocked`): the request is filed and waits until someone is promoted',
    }),
    requestedAt: instant,
    updatedAt: instant,
    decidedBy: z.string().nullable(),
    decidedByStaff: z
      .string()
      .nullable()
      .openapi({ description: staffBehindDescription('decidedBy') }),
    decidedAt: instant.nullable(),
    decisionNote: z.string().nullable(),
    revokedBy: z
      .string()
      .nullable()
      .openapi({
        description: `Who revoked it; \`${ERASURE_ACTOR}\` when it ended because the customer's personal data was erased (a retention run), no one having revoked it`,
      }),
    revokedAt: instant.nullable(),
    revokeNote: z.string().nullable(),
  })
  .openapi('Override');

export const OverrideWithDecisionsSchema = OverrideSchema.extend({ decisions: z.array(DecisionSchema) }).openapi('OverrideWithDecisions');

export const OverrideListSchema = z.object({ items: z.array(OverrideSchema), nextCursor: z.string().nullable() }).openapi('OverrideList');

export const LevelApprovalSchema = z
  .object({
    id: z.string(),
    subject: z.string(),
    scheme: z.string(),
    level: z.string(),
    from: z.string().nullable(),
    period: z.string(),
    policyVersion: z.number().int(),
    status: z.enum(LEVEL_APPROVAL_STATUSES),
    contentHash: z.string(),
    requestedBy: z.string(),
    requestedAt: instant,
    decidedBy: z.string().nullable(),
    decidedAt: instant.nullable(),
    decisionNote: z.string().nullable(),
    proposedLevel: z.string().optional().openapi({
      description:
        'A lowering request only: the looser level data proposed; `level` is the one held, in force until an approver lets this one take effect (docs/domain.md §4, "Lowering a sign-off level")',
    }),
  })
  .openapi('LevelApproval');

export const ApprovalItemSchema = z
  .object({
    kind: z.enum(APPROVAL_KINDS).openapi({
      description:
        '`staff`: a grant of staff power (`PUT /v1/staff/{id}` answered 202), decided at `/v1/staff-grants/{id}/approve|reject`; `retirement`: a policy version asked to be retired (id `scheme@version`), decided at `/v1/policies/{scheme}/versions/{version}/retirement/approve|reject`, withdrawn by its requester at `…/retirement/withdraw`; `metric-audience`: a metric made visible to more eyes (`PUT /v1/metrics/{key}` answered 202), decided at `/v1/metric-audience-requests/{id}/approve|reject`; `closing`: a closing dated more than three months back (`POST /v1/subjects/{id}/close` answered 202), decided at `/v1/closing-requests/{id}/approve|reject`, withdrawn by its requester at `…/withdraw`',
    }),
    id: z.string(),
    scheme: z.string().openapi({ description: 'The scheme it is about; empty for a staff grant' }),
    subject: z.string().nullable(),
    subjectName: z.string().nullable().optional().openapi({
      description:
        'The subject’s display name for an override, masked as elsewhere unless the caller may see names in full; null for other kinds',
    }),
    summary: z.string(),
    reason: z.string().nullable().openapi({
      description:
        'The maker’s reason: an override request’s, or a metric audience request’s (null on one filed before reasons were asked); null for a level sign-off and a policy version',
    }),
    reasonCategory: reasonCategory.optional(),
    evidence: z.string().optional().openapi({ description: 'An override request’s cited document number or link; absent: none' }),
    draftNote: z.string().nullable().optional().openapi({
      description: 'A policy version’s: why its maker drafted it (the draft’s `note`); null when none was given; absent for other kinds',
    }),
    submitNote: z.string().nullable().optional().openapi({
      description: 'A policy version’s: why it was submitted (the submission’s `note`); null when none was given; absent for other kinds',
    }),
    currentLevel: z.string().nullable().openapi({
      description:
        'The subject’s level in the scheme when the page was read (key); null for a policy version or a subject with no level yet',
    }),
    fromLevel: z.string().nullable().openapi({
      description:
        'The level before the change (key): for a sign-off the level it moves from; for an override the subject’s current level when the override would move it, null when it would not (a floor at or below it, the level it already has: currentLevel still says the level now) or the subject has no level yet; null for a policy version',
    }),
    level: z.string().nullable().openapi({ description: 'The level asked for (key); null for a policy version' }),
    mode: z.enum(['fixed', 'floor']).nullable().openapi({ description: 'An override’s mode; null for other kinds' }),
    expiresAt: instant.nullable().openapi({
      description: 'An override’s expiry (null: until revoked); a staff grant’s lapse (approve before it); null for other kinds',
    }),
    period: z.string().nullable().openapi({
      description: 'A level sign-off’s month (YYYY-MM): the month judged, in which the level was reached; null for other kinds',
    }),
    requestedBy: z.string(),
    requestedByStaff: z.string().nullable().openapi({
      description:
        'The staff member behind `requestedBy` when it is their staff token (`staff:<id>`) or a key they own (`key:<id>`): their id, so a console names the person, not the key; null for an unowned key, a re-tier job or the system',
      example: 'RM001',
    }),
    requestedAt: instant.openapi({
      description:
        'When the request was filed. A level sign-off is filed by the write that found the level needing one (a metric write, a re-tier job, a reopening that restored it): its month judged is `period`, usually earlier',
    }),
    ageSeconds: z.number().int().openapi({ description: 'Seconds since `requestedAt` (filed), not since the month judged' }),
    contentHash: z.string(),
    requestedByYou: z.boolean().openapi({
      description:
        'Whether the caller filed it, by person as four eyes compares: any credential of theirs (their staff token, an API key they own) as the requester, or for a policy version as an author or its submitter; for a level whose requestedBy is job:<id>, whoever started that re-tier job. The caller may not approve or reject such an item (403 four-eyes); offer them neither.',
    }),
    approvalNeeds: z.enum(OVERRIDE_APPROVERS).openapi({
      description:
        'The weakest role that may approve it: `admin` when an override’s scheme asks an admin for it (`overrides.approvedBy: admin`, or `overrides.loosenNeeds: admin` for an override that can hold the subject on the looser side of the grade), `approver` otherwise (level sign-offs and policy versions are any approver’s). Computed when the page is read, by the same rule the approval checks; the approval checks again with the policy in force then, and also whether ending an override in force leaves a looser level (known only once the rules re-run), so an `approver` item may still be refused with a 403 naming `overrides.loosenNeeds`. Rejecting needs only an approver. Offer Approve only to a role at least this.',
    }),
    why: z
      .object({
        period: z.string().openapi({ description: 'The month evaluated (YYYY-MM)' }),
        rule: z.string().openapi({ description: 'The rule, band or trigger that decided, in the language asked (`locale`)' }),
        ruleId: z.string(),
        figures: z
          .array(
            z.object({
              metric: z.string(),
              label: z.string().openapi({ description: 'The metric’s name with its window, in the language asked' }),
              value: z.number().openapi({ description: 'As stored: money in minor units of `currency`, booleans 0/1' }),
              unit: z.enum(METRIC_UNITS),
              currency: z.string().optional(),
              threshold: z
                .number()
                .nullable()
                .openapi({ description: 'The line the level holds by on this metric (the tiers read’s retention line); null when none' }),
            }),
          )
          .readonly(),
      })
      .nullable()
      .optional()
      .openapi({
        description:
          'A level sign-off’s only: why the customer has the level it asks to approve, as the staff tiers read explains it — the rule that decided, the figures it read and the line the level holds by. A pending sign-off is always of the customer’s level now (one of a level they left is superseded). Null when no explanation is stored',
      }),
    staff: StaffGrantChangeSchema.optional().openapi({
      description: 'A staff grant’s: the member, what they held (null: new) and what they are to hold; absent for other kinds',
    }),
    retirement: z
      .object({
        version: z.number().int(),
        status: z.enum(['active', 'approved', 'superseded']).openapi({
          description: '`active`: in force this month; `approved`: scheduled for a later day; `superseded`: a later version is in force',
        }),
        effectiveFrom: z.string().nullable().openapi({ description: 'Its first day; null: in force from the beginning' }),
        instead: z
          .number()
          .int()
          .nullable()
          .openapi({ description: 'The version that decides instead once it is retired; null: the scheme leaves the pack' }),
      })
      .optional()
      .openapi({ description: 'A retirement’s (`kind: retirement`): what it retires and what decides instead; absent for other kinds' }),
    closing: z
      .object({
        at: z.string().openapi({ description: 'The date the closing gives (ISO 8601 UTC)' }),
        late: z.boolean().openapi({ description: 'Said to be learnt late (`late: true`)' }),
      })
      .optional()
      .openapi({
        description: 'A closing request’s (`kind: closing`): the date asked and whether it was learnt late; absent for other kinds',
      }),
    team: TeamGrantChangeSchema.optional().openapi({
      description:
        'A team grant’s (`kind: staff`, a lead named or books added to a led team): what the team was and is to become; `staff` is then its lead, whose powers do not change. Absent for other items',
    }),
    approvalBlocked: z.enum(APPROVAL_BLOCKS).nullable().openapi({
      description:
        'Null when a staff member other than its requester may approve it now. Else why nobody on staff can: four eyes bars the requester (every credential of theirs) and no other tenant-wide staff member holds `approvalNeeds` or above — `no-other-admin` (say, an admin-level override filed by the tenant’s only admin), `no-other-approver`. It waits until someone is promoted (`PUT /v1/staff/{id}`; with no admin credential, the operator’s `tierkit staff role`), or is rejected or withdrawn; the requester may never approve it. An unrevoked key nobody owns, of the role needed and not itself a requester, counts as one who may decide (it can). For a staff grant (`kind: staff`) the member it promotes is barred as its maker is. `approvers-wrote-figures` (a lowering request): others hold the role, but each of them wrote or imported one of the values the request rests on, which bars them as its maker is (docs/operations.md, "Four eyes and monthly loads"). Read when the page is.',
    }),
    ruleProblems: z
      .array(
        z.union([
          z.object({
            code: z.literal('override_jump_too_far'),
            params: z.object({ from: z.string(), steps: z.number().int(), maxStep: z.number().int() }),
          }),
          z.object({
            code: z.enum(['expiry_required', 'expiry_too_late']),
            params: z.object({ maxDays: z.number().int(), latest: instant }),
          }),
          z.object({ code: z.literal('scheme_not_in_force'), params: z.object({ scheme: z.string() }) }),
        ]),
      )
      .readonly()
      .optional()
      .openapi({
        description:
          'For an override: what the scheme’s override rule in force would refuse if it were approved now, by the codes a request is refused with (`override_jump_too_far`: more levels from the level now than `overrides.maxStep`, params `from`, `steps`, `maxStep`; `expiry_required` / `expiry_too_late`: `overrides.maxDays`, params `maxDays`, `latest`; `scheme_not_in_force`: the scheme was retired from the policy in force since, param `scheme` — only a tenant-wide approver sees it, and may only reject it). A request filed before the rule, or before the subject’s level moved; approving it is refused (422), rejecting it is not. Empty when none; absent for other kinds',
      }),
    proposedLevel: z.string().optional().openapi({
      description:
        'A lowering request (a level sign-off) only: the looser level data proposed while `level`, the one held, stays in force; approving lets it take effect (the scheme’s `loweringNeeds` is `approvalNeeds`), rejecting keeps `level` and the same proposal does not ask again. `why` then explains the proposed level. Absent for every other item',
    }),
  })
  .openapi('ApprovalItem');

export const ApprovalsResponseSchema = z
  .object({ items: z.array(ApprovalItemSchema), nextCursor: z.string().nullable() })
  .openapi('ApprovalsResponse');

export const ReviewBody = z.strictObject({ scheme: key, note: note.min(1) }).openapi('ReviewBody');

export const ReviewSchema = z
  .object({
    subject: z.string(),
    scheme: z.string(),
    level: z.string(),
    reviewedBy: z.string(),
    reviewedAt: instant,
    note: z.string(),
    nextDueAt: instant.nullable(),
  })
  .openapi('Review');

export const OverdueReviewsSchema = z
  .object({
    items: z.array(
      z.object({
        subject: z.string(),
        scheme: z.string(),
        level: z.string(),
        reviewMonths: z.number().int(),
        lastReviewedAt: instant.nullable(),
        dueAt: instant.nullable(),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .openapi('OverdueReviews');

export const SuitabilitySchema = z
  .object({
    subject: z.string(),
    product: z.enum(PRODUCT_RISKS),
    productId: z.string().nullable(),
    tolerance: z.enum(RISK_TOLERANCES).nullable(),
    assessedAt: instant.nullable(),
    at: instant,
    age: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Full years today in the bank’s calendar, from the `birthDate` attribute; null without one' }),
    suitable: z.boolean(),
    reasons: z.array(z.object({ code: z.enum(SUITABILITY_REASONS), blocking: z.boolean(), text: LocalizedTextSchema })).readonly(),
    assessmentExpiresAt: instant.nullable(),
  })
  .openapi('Suitability');
