import { z } from '@hono/zod-openapi';
import { KEY_PATTERN } from '@tierkit/core';
import { AllLocalesTextSchema, MetricDefSchema, staffBehindDescription } from './common.js';

/** The catalogue's metrics as the policy reads send them: every label in all three languages. */
const PolicyMetricDefSchema = MetricDefSchema.extend({ label: AllLocalesTextSchema }).openapi('PolicyMetricDef');
import { CursorQuery, LimitQuery } from './params.js';
import { POLICY_VERSION_STATUSES } from '../services/policy-views.js';

/** Request and response schemas of `/v1/policies`. */

const schemeKey = z
  .string()
  .min(1)
  .max(64)
  .regex(KEY_PATTERN, 'letters, digits, "_", "-", "." only')
  .openapi({ param: { name: 'scheme', in: 'path' }, example: 'retail-tier' });

export const SchemeParams = z.object({ scheme: schemeKey });

export const VersionParams = z.object({
  scheme: schemeKey,
  version: z.coerce
    .number()
    .int()
    .min(1)
    .max(2_147_483_647)
    .openapi({ param: { name: 'version', in: 'path' }, example: 2 }),
});

export const VersionsQuery = z.object({ limit: LimitQuery, cursor: CursorQuery });

export const DiffQuery = z.object({
  against: z.coerce
    .number()
    .int()
    .min(1)
    .max(2_147_483_647)
    .optional()
    .openapi({
      param: { name: 'against', in: 'query' },
      description:
        'The version to compare with; default: the last approved one (scheduled, else in force), which the version would replace',
    }),
});

const document = z
  .record(z.string(), z.unknown())
  .openapi({ description: 'A scheme definition (packages/core/README.md); validated when the version is submitted' });
const hash = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be the contentHash of the version, sha256:<64 hex>');
const note = z.string().trim().min(1).max(1000);

export const DraftBody = z
  .strictObject({
    from: z.number().int().min(1).max(2_147_483_647).optional().openapi({ description: 'Copy this version' }),
    document: document.optional(),
    note: note.optional().openapi({
      description:
        'Why the version is made, for the checker: kept as the version’s `draftNote`, shown in the approvals queue and recorded on the trail. Trimmed; 1–1000 characters (else a 400 naming `note`, nothing stored)',
      example: '按2026年四季度零售客户分层复盘，上调金卡门槛',
    }),
  })
  .openapi('PolicyDraftBody', {
    description:
      'Copy `from`, or store `document`; with neither, a copy of the last approved version — the latest scheduled, else the one in force — so a new version does not undo one already scheduled',
  });

export const PutVersionBody = z.strictObject({ document }).openapi('PutPolicyVersionBody');

export const SubmitBody = z
  .strictObject({
    note: note.optional().openapi({
      description:
        'Why it is submitted as it stands, for the checker: kept as the version’s `submitNote` (cleared when the version is edited back to draft), shown in the approvals queue and recorded on the trail. Trimmed; 1–1000 characters (else a 400 naming `note`, nothing submitted)',
      example: '模拟显示约3%客户升级，无降级',
    }),
  })
  .openapi('SubmitPolicyBody');

export const ApproveBody = z
  .strictObject({
    contentHash: hash,
    effectiveFrom: z.string().max(10).optional().openapi({
      description:
        'The first day it decides, YYYY-MM-DD, not before the current month (in the bank’s zone), nor on or before a version of the scheme already scheduled (409 `scheduled_version_later`). Default: the first day of the next month, so the month under way keeps the policy it began under — or of the month after the last scheduled version’s first month. A day in the month under way, a day already past, or one whose month the scheme’s levels already judge needs `confirmRetier: true`: otherwise a 422 with field code `effective_date_needs_confirmation`',
      example: '2027-01-01',
    }),
    confirmRetier: z.boolean().optional().openapi({
      description:
        'True: the approver knows the date re-tiers a month under way or already judged (see `effectiveFrom`), and wants it. Recorded on the trail',
    }),
    simulationJobId: z
      .string()
      .max(64)
      .regex(/^job_[0-9a-z]+$/, 'a job id (job_…)')
      .optional()
      .openapi({
        description:
          'The simulation job of this version the approver was shown (`GET …/simulations`): recorded on the trail with the diff, so an examiner sees what the approval was given. Another job, or one of another version: a 422 with field code `simulation_not_of_version`',
        example: 'job_0mfz3k2a0000a1b2c3d4e5f6',
      }),
    note: note.optional(),
  })
  .openapi('ApprovePolicyBody');

export const RejectBody = z.strictObject({ contentHash: hash.optional(), note }).openapi('RejectPolicyBody');

export const RetireBody = z.strictObject({ note }).openapi('RetirePolicyBody');

/** A decision on a pending retirement names the request it reviewed (`retireRequestHash`). */
export const ApproveRetirementBody = z
  .strictObject({
    contentHash: hash.openapi({
      description: 'The version’s `retireRequestHash`: a request withdrawn and asked again since is a 409 content-changed',
    }),
    note: note.optional(),
  })
  .openapi('ApproveRetirementBody');

export const RejectRetirementBody = z.strictObject({ contentHash: hash.optional(), note }).openapi('RejectRetirementBody');

export const WithdrawRetirementBody = z.strictObject({ note: note.optional() }).openapi('WithdrawRetirementBody');

export const SimulateBody = z
  .strictObject({
    samplesPerCell: z.number().int().min(0).max(10).optional().openapi({ description: 'Default 3' }),
    period: z.string().max(7).optional().openapi({
      description:
        'The month whose re-tier to simulate (YYYY-MM); default: the next one, the month after the latest month the scheme’s levels judge. From the latest month judged to the next re-tier’s, and never after the month after the current one: otherwise a 422 with field code `period_out_of_range` (params `minimum`, `maximum`); not a month: a 400 (`invalid_format`)',
      example: '2026-12',
    }),
  })
  .openapi('SimulatePolicyBody');

export const PolicyVersionSummarySchema = z
  .object({
    scheme: z.string(),
    version: z.number().int(),
    status: z.enum(POLICY_VERSION_STATUSES),
    effectiveFrom: z.string().nullable(),
    contentHash: z.string().nullable(),
    authors: z.array(z.string()).readonly(),
    authorsStaff: z
      .array(z.string().nullable())
      .readonly()
      .openapi({ description: `For each of \`authors\`, in order: ${staffBehindDescription('authors[i]')}` }),
    createdAt: z.string(),
    submittedBy: z.string().nullable(),
    submittedByStaff: z
      .string()
      .nullable()
      .openapi({ description: staffBehindDescription('submittedBy') }),
    submittedAt: z.string().nullable(),
    decidedBy: z.string().nullable(),
    decidedByStaff: z
      .string()
      .nullable()
      .openapi({ description: staffBehindDescription('decidedBy') }),
    decidedAt: z.string().nullable(),
    note: z.string().nullable(),
    retiredBy: z.string().nullable(),
    retiredByStaff: z
      .string()
      .nullable()
      .openapi({ description: staffBehindDescription('retiredBy') }),
    retiredAt: z.string().nullable(),
    retireNote: z.string().nullable().openapi({ description: 'Why it was retired: the reason its retirement was asked with' }),
    retireRequestedBy: z.string().nullable().openapi({
      description: 'Who asked for its retirement: while it waits for a second person (`retireRequestHash` set), and kept once approved',
    }),
    retireRequestedByStaff: z
      .string()
      .nullable()
      .openapi({ description: staffBehindDescription('retireRequestedBy') }),
    retireRequestedAt: z.string().nullable(),
    retireRequestNote: z.string().nullable(),
    retireRequestHash: z.string().nullable().openapi({
      description: 'While a retirement waits: what its approval names (`contentHash`); null when none waits',
    }),
    draftNote: z
      .string()
      .nullable()
      .openapi({ description: 'The maker’s word on why the version was drafted (`note` of the draft); null when none was given' }),
    submitNote: z
      .string()
      .nullable()
      .openapi({ description: 'The submitter’s word on why it was submitted (`note` of the submission); null when none was given' }),
  })
  .openapi('PolicyVersionSummary');

export const PolicyVersionSchema = PolicyVersionSummarySchema.extend({ document: z.unknown() }).openapi('PolicyVersion');

export const PolicyVersionsResponseSchema = z
  .object({ items: z.array(PolicyVersionSummarySchema).readonly(), nextCursor: z.string().nullable() })
  .openapi('PolicyVersionsResponse');

export const PoliciesResponseSchema = z
  .object({
    items: z
      .array(
        z.object({
          scheme: z.string(),
          name: z.union([AllLocalesTextSchema, z.null()]),
          active: PolicyVersionSummarySchema.nullable(),
          scheduled: z.array(PolicyVersionSummarySchema).readonly(),
          pending: z.array(PolicyVersionSummarySchema).readonly(),
          drafts: z.array(PolicyVersionSummarySchema).readonly(),
        }),
      )
      .readonly(),
    metrics: z.array(PolicyMetricDefSchema).readonly().openapi({
      description:
        'The tenant’s metric catalogue: what a client needs to validate a draft with the engine (and to show thresholds in their units)',
    }),
  })
  .openapi('PoliciesResponse');

const ReevaluationSchema = z
  .object({
    status: z.enum(['done', 'deferred', 'scheduled']),
    fromPeriod: z.string(),
    subjects: z.number().int().optional(),
    changes: z.number().int().optional(),
    jobId: z
      .string()
      .optional()
      .openapi({ description: 'When `deferred`: the re-tier job queued for it (GET /v1/jobs/{id}); the workers run it by themselves' }),
    missing: z.array(z.string()).readonly().optional().openapi({
      description:
        'When `scheduled` for the month under way: the metrics read by month that have no data in it yet. Nothing was judged now (a balance not loaded would count as zero); the monthly schedule judges the month under this version once they are loaded',
    }),
  })
  .openapi('PolicyReevaluation');

export const ApprovalResponseSchema = z
  .object({
    version: PolicyVersionSchema,
    reevaluation: ReevaluationSchema,
  })
  .openapi('PolicyApprovalResponse');

export const RetirementResponseSchema = PolicyVersionSchema.extend({
  reevaluation: ReevaluationSchema.optional().openapi({
    description: 'When the version was in force: the current month evaluated again without it (as after an approval)',
  }),
}).openapi('PolicyRetirementResponse');

export const PolicyDiffSchema = z
  .object({
    scheme: z.string(),
    version: z.number().int(),
    against: z.number().int().openapi({
      description:
        'The version compared with: `?against=`, else — for a version not yet approved — the last approved version of the scheme (the latest scheduled, else the one in force), which it would replace, as no approval may be dated before a version already scheduled; for a scheduled version the approved one before it; for one in force or past, the version in force',
    }),
    againstFrom: z.string().nullable().optional().openapi({ description: 'The first day `against` decides; null: from the beginning' }),
    inForce: z
      .number()
      .int()
      .nullable()
      .optional()
      .openapi({ description: 'The version in force today; when it is not `against`, a scheduled version lies between' }),
    approveFrom: z.string().optional().openapi({
      description:
        'The day an approval takes by default: the next month’s first, or the first of the month after the last scheduled version’s first month',
      example: '2027-02-01',
    }),
    changes: z.array(z.object({ key: z.string(), change: z.enum(['added', 'removed', 'changed']), text: AllLocalesTextSchema })).readonly(),
  })
  .openapi('PolicyDiff');

const levelCount = z.object({ level: z.string(), count: z.number().int() });

const heldCells = z
  .object({
    total: z.number().int(),
    cells: z
      .array(
        z.object({
          level: z.string(),
          to: z.string(),
          monthsLeft: z
            .number()
            .int()
            .openapi({ description: 'Further re-tiers below the line before the level drops to `to` (1: the next month’s)' }),
          dropsIn: z.string().openapi({
            description: 'The month (YYYY-MM) whose re-tier drops them when the grace ends, if nothing changes: `period` plus `monthsLeft`',
            example: '2027-02',
          }),
          count: z.number().int(),
          samples: z.array(z.string()).readonly(),
        }),
      )
      .readonly(),
  })
  .openapi({
    description:
      'Subjects below their level’s line at that re-tier but kept at it by the hysteresis grace periods, by level, the level they would drop to and the months left; they are in `cells` at their unchanged level',
  });

const SimulationBaselineSchema = z
  .object({
    version: z.number().int().openapi({ description: 'The version of the scheme in force that the baseline planned under' }),
    cells: z
      .array(z.object({ from: z.string(), to: z.string(), count: z.number().int() }))
      .readonly()
      .openapi({ description: 'Stored level → the level the version in force would store at the same re-tier' }),
    after: z.array(levelCount).readonly(),
    afterGrace: z.array(levelCount).readonly().openapi({ description: '`after` once the baseline’s own grace periods end' }),
    upgraded: z.number().int(),
    downgraded: z.number().int(),
    held: heldCells,
    compared: z
      .array(z.object({ from: z.string(), to: z.string(), count: z.number().int(), samples: z.array(z.string()).readonly() }))
      .readonly()
      .openapi({
        description: 'Subject by subject: the level under the version in force (`from`) → the level under the version simulated (`to`)',
      }),
    higher: z.number().int(),
    lower: z.number().int(),
    same: z.number().int(),
    levels: z
      .array(
        z.object({
          level: z.string(),
          baseline: z.number().int(),
          simulated: z.number().int(),
          change: z.number().int(),
          baselineAfterGrace: z.number().int(),
          simulatedAfterGrace: z.number().int(),
          changeAfterGrace: z.number().int(),
        }),
      )
      .readonly()
      .openapi({
        description:
          'Each level’s count under the version in force and the version simulated, now and once the grace periods end ("+312 白金卡")',
      }),
  })
  .openapi('SimulationBaseline');

export const SimulationSchema = z
  .object({
    scheme: z.string(),
    version: z.number().int(),
    against: z.number().int().nullable(),
    levels: z.array(z.string()).readonly(),
    cells: z
      .array(z.object({ from: z.string(), to: z.string(), count: z.number().int(), samples: z.array(z.string()).readonly() }))
      .readonly(),
    total: z.number().int(),
    upgraded: z.number().int(),
    downgraded: z.number().int(),
    assigned: z.number().int().openapi({
      description: 'Subjects given their first level (from `none`: a new scheme, or one that never tiered them); not in `unchanged`',
    }),
    unchanged: z.number().int(),
    before: z.array(levelCount).readonly(),
    after: z.array(levelCount).readonly(),
    period: z.string().openapi({ description: 'The month (YYYY-MM) the simulated re-tier judges', example: '2026-12' }),
    dataPeriod: z.string().nullable().openapi({
      description:
        'The latest month of data read (null: none). Before `period`, its figures stand in for the months after it up to `period` (“if nothing changes”)',
      example: '2026-11',
    }),
    held: heldCells,
    kept: z.number().int().openapi({
      description:
        'Subjects below their level’s line but inside its retention band (hysteresis `retentionPermille`): kept at their level without counting towards a drop; in `cells` at their unchanged level',
    }),
    afterGrace: z
      .array(levelCount)
      .readonly()
      .openapi({ description: '`after` once every grace period counted in `held` has ended: each held subject at the level it drops to' }),
    baseline: SimulationBaselineSchema.nullable().openapi({
      description:
        'The same re-tier planned under the version in force, on the same data (null: a new scheme, or a job stored before baselines were kept): what the version simulated changes against today’s rule, not against the levels stored',
    }),
  })
  .openapi('PolicySimulation');
