import { createRoute, z } from '@hono/zod-openapi';
import { findJob, listJobs, listPolicyVersions } from '@tierkit/db';
import { unreadablePolicies } from '../services/policy-readers.js';
import { streamSSE } from 'hono/streaming';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { auditDetail, auditRead, auditTarget } from '../middleware/audit.js';
import { filterSubject } from '../services/jobs/record-queued.js';
import { requireReadable, unreadableSchemes } from '../services/audience.js';
import { packOf } from '../deps.js';
import { router } from '../router.js';
import { sleep } from '../sleep.js';
import { problemResponses } from '../schemas/common.js';
import {
  CreateJobBody,
  DependentsQuery,
  DependentsSchema,
  JobIdParams,
  JobListSchema,
  JobSchema,
  QueuedJobSchema,
  ScheduleSchema,
} from '../schemas/jobs.js';
import { CursorQuery, LimitQuery } from '../schemas/params.js';
import {
  cancelJob,
  checkSchemes,
  enqueueRetier,
  JOB_STATUSES,
  jobOr404,
  jobView,
  type QueuedJob,
  readerViewOf,
  resumeJob,
  withDependents,
} from '../services/jobs/jobs.js';
import type { JobReader } from '../services/jobs/reader-cut.js';
import { approvalRequiredLevels } from '../services/level-approvals.js';
import { periodOf } from '../periods.js';
import { LocaleQuery } from '../locale.js';
import { affectedCsv } from '../services/simulation-affected.js';
import { retierAffectedCsv } from '../services/retier-affected.js';
import type { SimulationJobParams } from '../services/jobs/simulation-job.js';
import { monthError } from '../month-errors.js';
import { invalid, ProblemError } from '../problem.js';
import { roleAtLeast } from '../auth/roles.js';
import { booksRead } from '../auth/principal.js';
import type { ApiDeps } from '../deps.js';
import { DEFAULT_OVERDUE_DAYS, DEFAULT_SETTLE_MINUTES, monthlySchedule, correctedMonths } from '../services/jobs/schedule.js';

const json = (schema: typeof JobSchema) => ({ 'application/json': { schema } });

const createJobRoute = createRoute({
  method: 'post',
  path: '/',
  tags: ['jobs'],
  summary: 'Queue a re-tier job (officer or higher: an API key or a tenant-wide staff token)',
  description:
    'Re-evaluates one scheme, several or all at `period` for the whole book or a filter, in chunks that each commit on their own; workers run it. What the window holds decides, so a customer whose data stopped lapses per the policy’s hysteresis — but a month with no data at all (of the metrics the schemes read) is refused with 422 `period-without-data` and nothing is queued: load the month first. A month partly loaded (some by-month metric the tenant loaded in each of the two months before has no data in it — the monthly schedule would wait) is queued: `partlyLoaded` names what it lacks.',
  request: { body: { required: true, content: { 'application/json': { schema: CreateJobBody } } } },
  responses: {
    201: { description: 'The queued job', content: { 'application/json': { schema: QueuedJobSchema } } },
    ...problemResponses(400, 413, 415, 422),
  },
});

const listJobsRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['jobs'],
  summary: 'The tenant’s jobs, newest first',
  request: {
    query: z.object({
      status: z
        .enum(JOB_STATUSES)
        .optional()
        .openapi({ param: { name: 'status', in: 'query' } }),
      limit: LimitQuery,
      cursor: CursorQuery,
    }),
  },
  responses: {
    200: { description: 'One page of jobs', content: { 'application/json': { schema: JobListSchema } } },
    ...problemResponses(400),
  },
});

const scheduleRoute = createRoute({
  method: 'get',
  path: '/schedule',
  tags: ['jobs'],
  summary: 'Whether this server runs the monthly schedule, and what it waits for: the month just ended, its state and since when',
  description:
    '`running` says whether the server that answered runs the schedule — that server only: `false`, this server does not run the monthly schedule (another server on the database may; where none does, start the month by hand, `POST /v1/jobs`); `null`, not known (the embedder did not say). Read by the rules the schedule queues by (nothing is queued here; key lookups only): a month waits for every metric read by month that the tenant loaded in each of the two months before, for its imports to end and for its data to settle, and — its job failed or cancelled — for someone to resume the job; waiting `overdueDays` after it ended it is `overdue`. The reviews overdue meanwhile: `GET /v1/reviews/overdue`.',
  responses: {
    200: { description: 'The schedule’s month', content: { 'application/json': { schema: ScheduleSchema } } },
    ...problemResponses(),
  },
});

const dependentsRoute = createRoute({
  method: 'get',
  path: '/dependents',
  tags: ['jobs'],
  summary: 'Which schemes a job asked for `schemes` would add: those that read one of their levels, and what each reads',
  description:
    'What `POST /v1/jobs` does with `schemes`, told beforehand (the console shows it on its start form): every derived or matrix scheme that reads a level of one of them, directly or through another, is re-tiered too, in the order the engine evaluates them, else it would keep a level worked out from the old one. Unknown schemes are a 400 `unknown_scheme`.',
  request: { query: DependentsQuery },
  responses: {
    200: {
      description: 'The schemes such a job writes, and the ones added',
      content: { 'application/json': { schema: DependentsSchema } },
    },
    ...problemResponses(400),
  },
});

const getJobRoute = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['jobs'],
  summary: 'A job: status, progress and its summary so far (migration matrix, approval-required count)',
  request: { params: JobIdParams },
  responses: { 200: { description: 'The job', content: json(JobSchema) }, ...problemResponses(400, 404) },
});

const affectedRoute = createRoute({
  method: 'get',
  path: '/{id}/affected',
  tags: ['jobs'],
  summary:
    'Every customer a completed simulation job moves or holds in a downgrade grace, or whose level a re-tier job changed, as CSV (a re-tier’s: a book-scoped reader gets those in its reach)',
  description:
    "UTF-8 with a byte order mark, CRLF line ends, every text quoted and a formula-like cell prefixed with `'` (the one CSV writer). Two lines first, as the console’s analytics files: the data status (the month of data read, whether it stands in for the month simulated, and — in a third cell — that metrics were loaded or a re-tier completed since the job, so the rows are today's book rather than the job's counts) and the policy versions (in force → simulated). Then one row per customer whose level the simulated re-tier changes, or who falls below their level’s line and is held by the grace (`Grace ends`: the month whose re-tier drops them): customer id, name (masked unless the credential reads names unmasked), level now, new level (for one held: the level they drop to), the level the version in force gives on the same data (the baseline: a row where it equals the new level is a move today's rule makes too), the reason in words (the deciding rule’s label), grace end. The book is planned again under the job’s own setup, a chunk at a time, and streamed. A simulation not completed is a 422 `simulation_not_completed`; another tenant’s job a 404. Whoever may not read the job gets the answer `GET /v1/jobs/{id}` gives them: a book-scoped credential 403, a viewer 404.\n\nA re-tier job’s file is the customers whose level it changed (its tier events, in any state of the job: a running one’s so far): a first line naming the job and its status, the columns, then one row per change — customer id, name (masked unless the credential reads names unmasked), scheme, level before, new level, data month — without the schemes the reader may not read (`readers`). A tenant-wide reader gets the whole bank’s; a book-scoped one (an RM, a team lead), who may not read the job itself, the customers in its reach now (its book and the books of the teams it leads, as analytics count them). Named `retier-<job id>.csv`.",
  request: {
    params: JobIdParams,
    query: z.object({
      locale: LocaleQuery.openapi({
        description: 'The language of the header lines, columns, level names and reasons; zh-CN when absent.',
      }),
    }),
  },
  responses: {
    200: {
      description: 'The file, as an attachment named `simulation-<scheme>-v<version>-<period>.csv` (a re-tier’s: `retier-<job id>.csv`)',
      content: { 'text/csv': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    ...problemResponses(400, 404, 422),
  },
});

const eventsRoute = createRoute({
  method: 'get',
  path: '/{id}/events',
  tags: ['jobs'],
  summary: 'Progress of a job as Server-Sent Events',
  description:
    'Sends `progress` events (the Job as JSON) whenever it changes, then one `end` event (the same Job again) when it is completed, cancelled or failed, and closes. The job as it ended is always sent as a `progress` event before `end`, so a client connecting to a finished job gets one `progress` and the `end`. Read from the database, so any API server can serve it.',
  request: { params: JobIdParams },
  responses: {
    200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } },
    ...problemResponses(400, 404),
  },
});

const actionRoute = (action: 'cancel' | 'resume', summary: string) =>
  createRoute({
    method: 'post',
    path: `/{id}/${action}`,
    tags: ['jobs'],
    summary,
    request: { params: JobIdParams },
    responses: { 200: { description: 'The job', content: json(JobSchema) }, ...problemResponses(400, 404, 409, 415) },
  });

/**
 * Whether the caller may see policy simulations: whoever may simulate (analyst or higher, as
 * `POST …/simulate`). A viewer reads re-tiers, but a simulation is a draft's outcome with sample
 * customers — the synchronous one is refused to a viewer, so its job is too.
 */
function maySimulate(deps: ApiDeps): boolean {
  return roleAtLeast(deps.principal.role, 'analyst');
}

/**
 * The job, or the same 404 as a missing one when it is a simulation the caller may not see: anyone
 * below analyst, or a simulation of a scheme whose levels they may not read (`readers`: its sample
 * customers are named with their AML grade now and after).
 */
async function seen<J extends { readonly id: string; readonly kind: string; readonly simulation?: { readonly scheme: string } }>(
  deps: ApiDeps,
  job: J,
): Promise<J> {
  if (job.kind === 'simulate' && !(maySimulate(deps) && (await readsSimulation(deps, job))))
    throw new ProblemError('not-found', `No job "${job.id}" in this tenant.`);
  return job;
}

/**
 * The caller as a job's reader: the schemes whose levels they may not read are cut from its figures, and
 * a job about those alone is a 404 (services/jobs/reader-cut.ts).
 */
async function readerOf(deps: ApiDeps): Promise<JobReader> {
  const tp = await packOf(deps);
  return { hidden: new Set(unreadableSchemes(deps.principal, tp)), approvalLevels: approvalRequiredLevels(tp) };
}

/** The job as the caller may read it, or the 404 of a job that does not exist. */
async function readJob(deps: ApiDeps, id: string) {
  return seen(deps, await jobOr404(deps.db, deps.tenantId, id, await readerOf(deps)));
}

/** A file's lines as a response body, a chunk of the book read ahead at most: memory stays flat however large the book. */
function streamed(lines: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await lines.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      async cancel() {
        await lines.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

/** Whether the caller reads the policy of the scheme simulation `job` simulated (no simulation: true). */
async function readsSimulation(deps: ApiDeps, job: { readonly simulation?: { readonly scheme: string } }): Promise<boolean> {
  return job.simulation === undefined || !(await unreadableSimulations(deps)).includes(job.simulation.scheme);
}

/**
 * The schemes whose simulations the caller may not see: those whose policy they may not read, a scheme
 * not in force (a new grade's first version simulated before its approval) by its stored versions too.
 */
async function unreadableSimulations(deps: ApiDeps): Promise<string[]> {
  return [...unreadablePolicies(deps, await packOf(deps), await listPolicyVersions(deps.db, deps.tenantId))];
}

/** How often an event stream looks at its job. */
export const JOB_EVENTS_POLL_MS = 500;

/** `/v1/jobs`: queue, list, read, follow, cancel and resume re-tier jobs, and the monthly schedule's state. */
export function jobs(
  pollMs = JOB_EVENTS_POLL_MS,
  schedule: { readonly running?: boolean; readonly settleMinutes?: number; readonly overdueDays?: number } = {},
  closing?: AbortSignal,
) {
  // createApp never starts the schedule, but its embedder may (startMonthlySchedule): unsaid is unknown, not off.
  const running = schedule.running ?? null;
  const settleMinutes = schedule.settleMinutes ?? DEFAULT_SETTLE_MINUTES;
  const overdueDays = schedule.overdueDays ?? DEFAULT_OVERDUE_DAYS;
  return (
    router()
      .openapi(createJobRoute, async (c) => {
        const deps = c.var.deps;
        const body = c.req.valid('json');
        const job = await enqueueRetier(deps.db, {
          tenantId: deps.tenantId,
          schemes: body.schemes ?? null,
          period: body.period,
          ...(body.filter ? { filter: body.filter } : {}),
          reason: body.reason ?? null,
          requestedBy: deps.principal.actor,
          now: deps.now(),
          timeZone: deps.timeZone,
          pack: await packOf(deps),
          requireData: true,
          confirmOpenMonth: { confirmed: body.allowOpenMonth === true },
        });
        if (!job) throw new Error('a job without a schedule key was not stored');
        // The job's id is made here: without it the trail cannot link this POST to the job it started.
        // Why and over whom, as `tierkit retier` records them: a re-tier of a few customers is a decision
        // about them, and the examiner reads the maker's reason beside it.
        auditDetail(c, {
          job: job.id,
          period: body.period,
          schemes: body.schemes ?? null,
          dependents: job.params.dependents,
          filter: body.filter ?? null,
          reason: body.reason ?? null,
          ...(body.allowOpenMonth ? { allowOpenMonth: true } : {}),
        });
        const subject = filterSubject(body.filter);
        if (subject) auditTarget(c, { subject });
        // requireData set: the month was looked at, so undefined cannot happen; null is "nothing missing".
        const queued: QueuedJob = { ...job, partlyLoaded: job.partlyLoaded ?? null };
        return c.json(queued, 201);
      })
      .openapi(listJobsRoute, async (c) => {
        const deps = c.var.deps;
        const query = c.req.valid('query');
        const before = query.cursor === undefined ? undefined : decodeCursor('jobs', query.cursor, ['createdAt', 'id'] as const);
        // Simulations are hidden from those who may not simulate (a draft's outcome, sample customers),
        // and those of a grade the caller may not read (`readers`) from them — in the query: left out
        // after it, a page held fewer than `limit` while more remained, or none with a cursor.
        const hidden = maySimulate(deps) ? await unreadableSimulations(deps) : undefined;
        const rows = await listJobs(deps.db, deps.tenantId, {
          limit: query.limit + 1,
          ...(query.status ? { status: query.status } : {}),
          ...(before ? { before } : {}),
          ...(hidden === undefined ? { notKind: 'simulate' } : hidden.length > 0 ? { hiddenSimulations: hidden } : {}),
        });
        const page = rows.slice(0, query.limit);
        const last = page[page.length - 1];
        const items = [];
        // A re-tier of grades the caller may not read, alone, is left out after the query (its schemes sit in
        // params, not a column), so such a page may hold fewer than `limit`; the rest come without their figures.
        const reader = await readerOf(deps);
        for (const row of page) {
          const view = await readerViewOf(deps.db, row, reader);
          if (view) items.push(view);
        }
        return c.json(
          {
            items,
            nextCursor: rows.length > query.limit && last ? encodeCursor('jobs', { createdAt: last.created_at, id: last.id }) : null,
          },
          200,
        );
      })
      // Before `/{id}`: `schedule` is no job id.
      .openapi(scheduleRoute, async (c) => {
        const deps = c.var.deps;
        const timing = { settleMinutes, overdueDays, packs: deps.packs };
        const month = await monthlySchedule(deps.db, deps.tenantId, deps.now(), deps.timeZone, timing);
        // Then the earlier months with corrections after their re-tier, newest first.
        const earlier = await correctedMonths(deps.db, deps.tenantId, deps.now(), deps.timeZone, timing);
        return c.json({ running, timeZone: deps.timeZone, settleMinutes, overdueDays, months: [month, ...earlier] }, 200);
      })
      .openapi(dependentsRoute, async (c) => {
        const deps = c.var.deps;
        const query = c.req.valid('query');
        const tp = await packOf(deps);
        const current = periodOf(deps.now(), deps.timeZone);
        const period = query.period ?? current;
        // As POST /v1/jobs judges its month: a preview for a month no job could run would mislead.
        const bad = monthError('period', period, current);
        if (bad) throw invalid([bad]);
        // Not trimmed: POST takes keys as sent, so " retail-tier" must be unknown here too.
        const asked = query.schemes.split(',');
        checkSchemes(tp, asked);
        const { schemes, dependents } = withDependents(tp, period, asked);
        return c.json({ schemes: schemes ?? asked, dependents }, 200);
      })
      .openapi(affectedRoute, async (c) => {
        const deps = c.var.deps;
        const id = c.req.valid('param').id;
        const locale = c.req.valid('query').locale ?? 'zh-CN';
        // A book-scoped reader (an RM, a team lead) is let in for a re-tier's changes in their reach only
        // (auth/access.ts). Anything else — a simulation, a re-tier of schemes they may not read, a job that
        // does not exist — is the 403 the job's own read gives them, the same whichever it is.
        if (booksRead(deps.principal) !== undefined) {
          const job = await findJob(deps.db, deps.tenantId, id);
          const readable =
            job?.kind === 'retier' &&
            (await readJob(deps, id).then(
              () => true,
              // Refused (a 403 or 404 of the job's own read) is the same 403 here; a failing database is not a refusal.
              (e: unknown) => {
                if (e instanceof ProblemError) return false;
                throw e;
              },
            ));
          if (!readable) throw new ProblemError('forbidden', 'A book-scoped staff credential may not do this: it reaches beyond its book.');
        } else await readJob(deps, id);
        const row = await findJob(deps.db, deps.tenantId, id);
        if (!row) throw new ProblemError('not-found', `No job "${id}" in this tenant.`);
        if (row.kind === 'retier') {
          const changed = await retierAffectedCsv(deps, row, locale);
          // Levels of a scheme with named readers, for named customers: recorded as any such read (the file
          // is unbounded, so the record names the job, whose changes say whom it held).
          if (changed.restricted.length > 0) auditRead(c, { restrictedRead: { schemes: changed.restricted, job: id } });
          return c.body(streamed(changed.lines), 200, {
            'Content-Type': 'text/csv; charset=utf-8',
            'Content-Disposition': `attachment; filename="retier-${row.id}.csv"`,
          });
        }
        // Each affected customer's level now and after, in the simulated scheme: its readers' only, and
        // recorded (the file is unbounded, so the record names the job, whose run says whom it read).
        if (row.kind === 'simulate') {
          const simulated = (JSON.parse(row.params) as SimulationJobParams).simulation.scheme;
          const tp = await packOf(deps);
          requireReadable(deps.principal, tp, simulated, 'id');
          if (tp.schemes.get(simulated)?.readers !== undefined) auditRead(c, { restrictedRead: { schemes: [simulated], job: id } });
        }
        const lines = await affectedCsv(deps, row, locale);
        const { simulation: s } = JSON.parse(row.params) as SimulationJobParams;
        return c.body(streamed(lines), 200, {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename="simulation-${s.scheme}-v${s.version}-${s.period}.csv"`,
        });
      })
      .openapi(getJobRoute, async (c) => {
        const deps = c.var.deps;
        return c.json(await readJob(deps, c.req.valid('param').id), 200);
      })
      .openapi(actionRoute('cancel', 'Cancel a running job: chunks done stay done, none starts after (officer)'), async (c) => {
        const deps = c.var.deps;
        const id = c.req.valid('param').id;
        await readJob(deps, id);
        await cancelJob(deps.db, deps.tenantId, id, deps.now());
        return c.json(await readJob(deps, id), 200);
      })
      .openapi(actionRoute('resume', 'Resume a cancelled or failed job from its last committed chunk (officer)'), async (c) => {
        const deps = c.var.deps;
        const id = c.req.valid('param').id;
        await readJob(deps, id);
        await resumeJob(deps.db, deps.tenantId, id, deps.now());
        return c.json(await readJob(deps, id), 200);
      })
      .openapi(eventsRoute, async (c) => {
        const deps = c.var.deps;
        const id = c.req.valid('param').id;
        // A missing job is a 404 problem before the stream opens.
        const reader = await readerOf(deps);
        let job = await seen(deps, await jobOr404(deps.db, deps.tenantId, id, reader));
        return streamSSE(c, async (stream) => {
          let sent = '';
          let n = 0;
          for (;;) {
            const data = JSON.stringify(job);
            const finished = job.status !== 'running';
            // The final counts go out as a `progress` like any other change, then `end`: a client that
            // connects late, or again, to a finished job learns them from the progress it already reads.
            if (data !== sent) {
              await stream.writeSSE({ event: 'progress', data, id: String(n++) });
              sent = data;
            }
            if (finished) await stream.writeSSE({ event: 'end', data, id: String(n++) });
            // A stopping server ends its streams rather than make its stop wait for them: the client
            // reads the job and connects again (to another instance), and every event carries the whole job.
            if (finished || stream.aborted || closing?.aborted) return;
            await sleep(pollMs, closing);
            if (stream.aborted || closing?.aborted) return;
            const next = await jobView(deps.db, deps.tenantId, id, reader);
            if (!next) return;
            job = next;
          }
        }) as never;
      })
  );
}
