import { z } from '@hono/zod-openapi';
import { SubjectKindSchema, staffBehindDescription } from './common.js';
import { SimulationSchema } from './policies.js';

const key = z.string().min(1).max(64);

export const RetierFilterSchema = z
  .strictObject({
    kind: SubjectKindSchema.optional(),
    level: z
      .strictObject({ scheme: key, level: key })
      .optional()
      .openapi({ description: 'Only subjects currently at this level of this scheme' }),
    subjects: z
      .array(z.string().min(1).max(64))
      .min(1)
      .max(10_000)
      .readonly()
      .optional()
      .openapi({
        description:
          'Only these subjects (external ids). A customer already erased is refused, 400 `validation` with a field error `erased` at its place (the number is not said back) and nothing queued. In a job read back, `erased customer` stands where a customer since erased stood (docs/operations.md, "Retention and erasure")',
        example: ['C000003'],
      }),
    evaluatedSince: z
      .string()
      .regex(/^\d{4}-\d{2}$/)
      .optional()
      .openapi({
        description: 'Only subjects whose levels already judge this month or a later one (what a policy activation queues)',
        example: '2026-11',
      }),
  })
  .openapi('RetierFilter');

export const CreateJobBody = z
  .strictObject({
    kind: z.literal('retier'),
    schemes: z
      .array(key)
      .min(1)
      .max(64)
      .optional()
      .openapi({
        description:
          'Scheme keys whose assignments and history to write; omitted: every scheme. Every scheme that reads one of their levels (derived and matrix schemes, directly or through another), and every scheme whose level one of those written reads, is added: the job’s `params.schemes` lists them after those asked for, `params.dependents` says which and why (`GET /v1/jobs/dependents` tells beforehand)',
        example: ['retail-tier'],
      }),
    period: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month YYYY-MM')
      .openapi({ description: 'The month to evaluate at (not after the current month)', example: '2025-10' }),
    filter: RetierFilterSchema.optional(),
    reason: z.string().min(1).max(500).optional().openapi({ description: 'Why, for the record' }),
    allowOpenMonth: z.boolean().optional().openapi({
      description:
        'Required (true) for the current month, which has not ended: re-tiering it judges everyone on part of its data, and a downgrade shows in customers’ portals at once. Without it such a month is a 400 `month_open` at `allowOpenMonth`',
    }),
  })
  .openapi('CreateJobRequest');

export const AddedDependentSchema = z
  .union([
    z.object({
      scheme: z.string().openapi({ example: 'value-band' }),
      reads: z
        .array(z.string())
        .readonly()
        .openapi({ description: 'The schemes of the job whose levels it reads directly', example: ['retail-tier'] }),
    }),
    z.object({
      scheme: z.string().openapi({ example: 'risk-band' }),
      readBy: z
        .array(z.string())
        .readonly()
        .openapi({ description: 'The schemes of the job that read its level directly', example: ['risk-value'] }),
    }),
  ])
  .openapi('AddedDependent', {
    description:
      'A scheme a job adds: one that reads a level the job writes (`reads`), or one whose level a scheme the job writes reads (`readBy`)',
  });

export const DependentsQuery = z.object({
  schemes: z
    .string()
    .min(1)
    .max(64 * 65)
    .openapi({ param: { name: 'schemes', in: 'query' }, description: 'Scheme keys, comma-separated', example: 'retail-tier' }),
  period: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month YYYY-MM')
    .optional()
    .openapi({ param: { name: 'period', in: 'query' }, description: 'The month whose pack decides (default: the current month)' }),
});

export const DependentsSchema = z
  .object({
    schemes: z.array(z.string()).readonly().openapi({ description: 'What a job asked for `schemes` writes, in this order' }),
    dependents: z.array(AddedDependentSchema).readonly(),
  })
  .openapi('JobDependents');

const MigrationCellSchema = z
  .object({
    scheme: z.string(),
    from: z.string().nullable().openapi({ description: 'Level before the job; null: none' }),
    to: z.string(),
    count: z.number().int(),
  })
  .openapi('MigrationCell');

export const JobSchema = z
  .object({
    id: z.string().openapi({ example: 'job_0mfz3k2a0000a1b2c3d4e5f6' }),
    kind: z.enum(['retier', 'simulate']).openapi({
      description:
        '`simulate`: a policy simulation (`POST /v1/policies/{scheme}/versions/{version}/simulations`): it writes nothing, `summary` stays empty and `simulation` holds what it found',
    }),
    status: z.enum(['running', 'completed', 'cancelled', 'failed']),
    params: z.object({
      schemes: z
        .array(z.string())
        .readonly()
        .nullable()
        .openapi({ description: 'Schemes it writes (null: every scheme): those asked for, then `dependents`' }),
      dependents: z.array(AddedDependentSchema).readonly().openapi({
        description: 'Schemes added because they read a level of one it writes, in the order they are evaluated; empty when none',
      }),
      period: z.string(),
      filter: RetierFilterSchema,
      reason: z.string().nullable(),
    }),
    requestedBy: z.string(),
    requestedByStaff: z
      .string()
      .nullable()
      .openapi({ description: staffBehindDescription('requestedBy') }),
    scheduleKey: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
    error: z.string().nullable(),
    progress: z.object({
      chunks: z.object({ total: z.number().int(), done: z.number().int() }),
      subjects: z.object({ total: z.number().int(), processed: z.number().int(), skipped: z.number().int() }),
    }),
    summary: z.object({
      changes: z.number().int().openapi({ description: 'Level changes written (tier events), every scheme the job wrote together' }),
      schemes: z
        .array(z.object({ scheme: z.string(), changes: z.number().int() }))
        .readonly()
        .openapi({
          description:
            '`changes` per scheme: the schemes asked for first, then those added because they read them (`params.dependents`), then any other written',
        }),
      approvalRequired: z.number().int().openapi({ description: 'Results whose level needs a second person’s approval' }),
      matrix: z
        .array(MigrationCellSchema)
        .readonly()
        .openapi({ description: 'Subjects per scheme from → to level, unchanged ones included' }),
    }),
    simulation: z
      .object({
        scheme: z.string(),
        version: z.number().int(),
        revision: z.string().openapi({
          description:
            '`sha256:…` of the version’s document when the job was queued: every chunk plans that one, whatever is saved to the draft meanwhile',
        }),
        current: z
          .boolean()
          .openapi({ description: 'False: the draft was edited since the job was queued; `result` is of the earlier revision' }),
        samplesPerCell: z.number().int(),
        result: SimulationSchema.openapi({
          description: 'What `POST …/simulate` answers, over the chunks done so far: the whole book once the job is completed',
        }),
      })
      .optional()
      .openapi({ description: 'Only on `simulate` jobs' }),
  })
  .openapi('Job');

export const VersionSimulationsSchema = z
  .object({
    latest: z
      .union([JobSchema, z.null()])
      .openapi({ description: 'The latest completed simulation job of the version; null: none has completed' }),
    pinned: z
      .array(z.object({ scheme: z.string(), version: z.number().int() }))
      .readonly()
      .openapi({
        description: 'The approved versions `latest` planned under (by scheme), as they were when it was queued; empty with no `latest`',
      }),
    changedSince: z
      .object({
        data: z.boolean().openapi({ description: 'Metrics were written after it was queued' }),
        levels: z.boolean().openapi({ description: 'A re-tier queued after it has completed: the levels it moved from are not today’s' }),
        policies: z.boolean().openapi({
          description: 'The approved versions it planned under (`pinned`) are no longer those in force: one approved or retired since',
        }),
        revision: z.boolean().openapi({ description: 'The version’s document is no longer the one it planned' }),
      })
      .nullable()
      .openapi({ description: 'What changed since `latest` was queued; null with no `latest`' }),
    stale: z.boolean().openapi({ description: 'Any of `changedSince`: run it again for figures of today’s book' }),
    signOffs: z.number().int().nullable().openapi({
      description:
        'Subjects `latest` moves onto a level that needs a second person’s sign-off under the version simulated (its own levels, not those in force); null with no `latest`',
    }),
    running: z.union([JobSchema, z.null()]).openapi({ description: 'The newest simulation of the version still running; null: none' }),
  })
  .openapi('VersionSimulations');

export const QueuedJobSchema = JobSchema.extend({
  partlyLoaded: z
    .object({
      missing: z
        .array(z.string())
        .readonly()
        .openapi({ description: 'By-month metrics loaded in each of the two months before with no data in this one (sorted)' }),
      loaded: z.array(z.string()).readonly().openapi({ description: 'By-month metrics with data in the month (sorted)' }),
    })
    .nullable()
    .openapi({
      description:
        'Queued though the monthly schedule would still wait for the month: what it lacks (a quarterly feed, a correction, a feed stopped — the person asking decides). Null when nothing is missing. Customers are evaluated as if they had none of `missing` for the month.',
    }),
}).openapi('QueuedJob');

export const JobListSchema = z.object({ items: z.array(JobSchema).readonly(), nextCursor: z.string().nullable() }).openapi('JobList');

export const JobIdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^job_[0-9a-z]+$/, 'a job id (job_…)')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'job_0mfz3k2a0000a1b2c3d4e5f6' }),
});

const metricList = z.array(z.string()).readonly();

export const ScheduleMonthSchema = z
  .object({
    period: z.string().openapi({
      example: '2026-11',
      description:
        'The month just ended (the first of `months`), or an earlier month of the look-back whose data changed after its re-tier (those follow, newest first)',
    }),
    state: z
      .enum([
        'waiting-for-data',
        'settling',
        'import-running',
        'job-failed',
        'job-cancelled',
        'overdue',
        'queued',
        'done',
        'stale',
        'needs-decision',
      ])
      .openapi({
        description:
          '`waiting-for-data`: metrics missing (`metrics.missing`); `settling`: data still arriving, queued at `quietAt` if nothing more does; `import-running`: `importId` has not ended; `job-failed`, `job-cancelled`: its job (`job`) failed or was cancelled, and waits for someone to resume it; `overdue`: still waiting (`waitingFor` says for what) `overdueDays` after the month ended; `queued`: its job (`job`) is running; `done`: the job completed (`lastWrittenAt`: the month’s last metric write); `stale`: data changed after its job (`job`) began — corrections — and the month is re-tiered again once quiet at `quietAt` (`waitingFor` `import`: once `importId` has ended); `needs-decision`: an earlier month’s data changed after its job, and a later month (`later`) was re-tiered since: nothing is queued, an operator decides (`command`)',
      }),
    waitingFor: z.enum(['data', 'settling', 'import', 'job', 'operator']).nullable().openapi({
      description:
        'Why it waits, overdue or not (`job`: its job failed or was cancelled; `operator`: needs-decision); null while queued or done',
    }),
    endedAt: z
      .string()
      .openapi({ description: 'When the month ended in the bank’s calendar: it has waited since', example: '2026-11-30T16:00:00.000Z' }),
    overdueAt: z.string().openapi({ description: 'When a month still waiting is overdue' }),
    metrics: z
      .object({
        required: metricList.openapi({
          description:
            'By-month metrics loaded (one row is enough) in each of the two months before: the schedule waits for each; none in a tenant’s first two months; sorted',
        }),
        loaded: metricList.openapi({ description: 'By-month metrics with data for the month' }),
        missing: metricList.openapi({ description: 'What it waits for: every by-month metric read when none has data' }),
      })
      .nullable(),
    lastWrittenAt: z.string().nullable(),
    quietAt: z
      .string()
      .nullable()
      .openapi({ description: 'Settling: queued at the schedule’s first look after this if nothing more arrives' }),
    importId: z.string().nullable(),
    job: z.object({ id: z.string(), status: z.string() }).nullable(),
    later: z
      .object({ period: z.string(), job: z.object({ id: z.string(), status: z.string() }), readsCorrections: z.boolean() })
      .nullable()
      .openapi({
        description:
          '`needs-decision`: the latest month re-tiered since, its job, and whether the corrected month is within the months that month’s policy reads; else null',
      }),
    command: z.string().nullable().openapi({
      description: '`needs-decision`: what an operator can run (`tierkit retier --period …`, or POST /v1/jobs with that period); else null',
    }),
  })
  .openapi('ScheduleMonth');

export const ScheduleSchema = z
  .object({
    running: z.boolean().nullable().openapi({
      description:
        'Whether the server that answered runs the monthly schedule (`TIERKIT_SCHEDULE` on the server; `createApp({ schedule: { running } })`) — that process only, not the deployment. `false`: this server does not run the monthly schedule — `state` still says what the month waits for, as the schedule would see it; another server on the same database with the schedule on may queue it, and where none has it on, start monthly jobs by hand (`POST /v1/jobs`, `tierkit retier`). With several servers, the schedule runs in each that has it on, and queues each month once. `null`: not known (the embedder of `createApp` did not say).',
    }),
    timeZone: z.string(),
    settleMinutes: z.number().int(),
    overdueDays: z.number().int(),
    months: z.array(ScheduleMonthSchema).readonly().openapi({ description: 'The month the schedule looks at: the one just ended' }),
  })
  .openapi('Schedule');
