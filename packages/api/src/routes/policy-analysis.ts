import { createRoute, z } from '@hono/zod-openapi';
import { auditDetail } from '../middleware/audit.js';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';
import { JobSchema, VersionSimulationsSchema } from '../schemas/jobs.js';
import { DiffQuery, PolicyDiffSchema, SimulateBody, SimulationSchema, VersionParams } from '../schemas/policies.js';
import { cancelJob, jobOr404, viewOf } from '../services/jobs/jobs.js';
import { enqueueSimulation } from '../services/jobs/simulation-job.js';
import { diffVersion } from '../services/policy-changes.js';
import { versionSimulations } from '../services/policy-approval-impact.js';
import { versionOr404 } from '../services/policy-lifecycle.js';
import { simulateOnBook } from '../services/policy-simulation.js';
import { ProblemError } from '../problem.js';
import { requirePolicyReadable } from '../services/policy-readers.js';

const diffRoute = createRoute({
  method: 'get',
  path: '/{scheme}/versions/{version}/diff',
  tags: ['policies'],
  summary: 'What a version changes against the version in force (or `against`), in words',
  request: { params: VersionParams, query: DiffQuery },
  responses: {
    200: { description: 'The changes', content: { 'application/json': { schema: PolicyDiffSchema } } },
    ...problemResponses(400, 404),
  },
});

const simulateRoute = createRoute({
  method: 'post',
  path: '/{scheme}/versions/{version}/simulate',
  tags: ['policies'],
  summary:
    'What the next re-tier would do were the version in force for it: migration matrix with samples, distributions, who the grace periods hold (small books; a large one: `…/simulations`)',
  description:
    'Every subject of the scheme’s kind is planned as a re-tier job of `period` (default: the month after the latest month the scheme’s levels judge) would plan it, by the same code, with the version in force from that month: from its stored levels and hysteresis state, with its overrides in force. When `period` has no data yet, the figures of `dataPeriod`, the latest month with data, stand in for it. `cells` counts each move from the current level (`from`; `none` when it has none in this scheme) to the level the re-tier would store; `held` counts those below a line whom the grace periods keep, and in how many months they would move if nothing changes. Subjects already judged at a later month, closed ones and those with neither a level nor data are left out, as the job leaves them alone. Nothing is stored. Planned inside the request, so only for a book of at most 10,000 subjects of the kind (the server’s setting): a larger one is a 409 with field code `use_simulation_job` — queue it with `POST …/simulations`.',
  request: { params: VersionParams, body: { required: true, content: { 'application/json': { schema: SimulateBody } } } },
  responses: {
    200: { description: 'The simulation', content: { 'application/json': { schema: SimulationSchema } } },
    ...problemResponses(400, 404, 409, 413, 415, 422),
  },
});

const simulationsRoute = createRoute({
  method: 'post',
  path: '/{scheme}/versions/{version}/simulations',
  tags: ['policies'],
  summary: 'Queue the simulation of a version as a job: any size of book, followed and cancelled as a job',
  description:
    'What `POST …/simulate` answers, planned by the job workers a chunk of the book at a time (read-only: nothing is written but the job’s own rows) instead of inside the request. Checked as `…/simulate` checks before anything is queued (the same 400/404/422). The job (`kind: simulate`) is followed at `GET /v1/jobs/{id}` and `GET /v1/jobs/{id}/events`; its `simulation.result` is `…/simulate`’s answer over the chunks done so far, the whole book once it is completed. `simulation.revision` is the document it plans, taken now: a draft saved meanwhile is not what it simulates (`simulation.current` turns false).',
  request: { params: VersionParams, body: { required: true, content: { 'application/json': { schema: SimulateBody } } } },
  responses: {
    202: { description: 'The queued simulation', content: { 'application/json': { schema: JobSchema } } },
    ...problemResponses(400, 404, 413, 415, 422),
  },
});

const versionSimulationsRoute = createRoute({
  method: 'get',
  path: '/{scheme}/versions/{version}/simulations',
  tags: ['policies'],
  summary: 'The latest completed simulation of a version, what changed since it was queued, and one still running',
  description:
    'What an approver of the version is shown of its impact (the console’s approvals page): the newest completed `simulate` job of this version with the approved versions it planned under (`pinned`), whether metrics were written, a re-tier completed, a policy decided or the document edited since it was queued (`changedSince`, `stale`), and the newest one still running. Read from the tenant’s 200 newest simulation jobs.',
  request: { params: VersionParams },
  responses: {
    200: { description: 'The version’s simulations', content: { 'application/json': { schema: VersionSimulationsSchema } } },
    ...problemResponses(400, 404),
  },
});

const SimulationJobParams = VersionParams.extend({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^job_[0-9a-z]+$/, 'a job id (job_…)')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'job_0mfz3k2a0000a1b2c3d4e5f6' }),
});

const cancelSimulationRoute = createRoute({
  method: 'post',
  path: '/{scheme}/versions/{version}/simulations/{id}/cancel',
  tags: ['policies'],
  summary: 'Cancel a running simulation job (whoever may simulate; `POST /v1/jobs/{id}/cancel` needs an officer)',
  request: { params: SimulationJobParams },
  responses: {
    200: { description: 'The job', content: { 'application/json': { schema: JobSchema } } },
    ...problemResponses(400, 404, 409, 415),
  },
});

/** The app's settings for simulations (createApp's options of these names). */
export interface SimulationSettings {
  readonly syncSimulationMaxSubjects?: number | undefined;
  readonly simulationChunkSubjects?: number | undefined;
}

/** Diff and simulation of policy versions: read-only, for whoever reviews a draft. */
export function policyAnalysis({ syncSimulationMaxSubjects, simulationChunkSubjects }: SimulationSettings = {}) {
  return router()
    .openapi(diffRoute, async (c) => {
      const deps = c.var.deps;
      const { scheme, version } = c.req.valid('param');
      await requirePolicyReadable(deps, scheme);
      const { against } = c.req.valid('query');
      return c.json(await diffVersion(deps, await versionOr404(deps, scheme, version), against), 200);
    })
    .openapi(simulateRoute, async (c) => {
      const deps = c.var.deps;
      const { scheme, version } = c.req.valid('param');
      await requirePolicyReadable(deps, scheme);
      const { samplesPerCell, period } = c.req.valid('json');
      const v = await versionOr404(deps, scheme, version);
      return c.json(await simulateOnBook(deps, v, samplesPerCell ?? 3, period, syncSimulationMaxSubjects), 200);
    })
    .openapi(simulationsRoute, async (c) => {
      const deps = c.var.deps;
      const { scheme, version } = c.req.valid('param');
      await requirePolicyReadable(deps, scheme);
      const { samplesPerCell, period } = c.req.valid('json');
      const v = await versionOr404(deps, scheme, version);
      const row = await enqueueSimulation(
        { ...deps, requestedBy: deps.principal.actor },
        v,
        samplesPerCell ?? 3,
        period,
        simulationChunkSubjects,
      );
      const job = await viewOf(deps.db, row);
      // The job's id is made here: without it the trail cannot link this POST to the job it started.
      auditDetail(c, { job: job.id, period: job.params.period, revision: job.simulation?.revision ?? null });
      return c.json(job, 202);
    })
    .openapi(versionSimulationsRoute, async (c) => {
      const deps = c.var.deps;
      const { scheme, version } = c.req.valid('param');
      await requirePolicyReadable(deps, scheme);
      return c.json(await versionSimulations(deps, await versionOr404(deps, scheme, version)), 200);
    })
    .openapi(cancelSimulationRoute, async (c) => {
      const deps = c.var.deps;
      const { scheme, version, id } = c.req.valid('param');
      await requirePolicyReadable(deps, scheme);
      const job = await jobOr404(deps.db, deps.tenantId, id);
      // Only a simulation of this version: an analyst may not stop a re-tier by naming it here.
      if (job.kind !== 'simulate' || job.simulation?.scheme !== scheme || job.simulation.version !== version)
        throw new ProblemError('not-found', `No simulation job "${id}" of version ${version} of "${scheme}" in this tenant.`);
      return c.json(await cancelJob(deps.db, deps.tenantId, id, deps.now()), 200);
    });
}
