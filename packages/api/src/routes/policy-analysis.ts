import { createRoute } from '@hono/zod-openapi';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';
import { DiffQuery, PolicyDiffSchema, SimulateBody, SimulationSchema, VersionParams } from '../schemas/policies.js';
import { diffVersion } from '../services/policy-changes.js';
import { versionOr404 } from '../services/policy-lifecycle.js';
import { simulateOnBook } from '../services/policy-simulation.js';

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
    'What the next re-tier would do were the version in force for it: migration matrix with samples, distributions, who the grace periods hold',
  description:
    'Every subject of the scheme’s kind is planned as a re-tier job of `period` (default: the month after the latest month the scheme’s levels judge) would plan it, by the same code, with the version in force from that month: from its stored levels and hysteresis state, with its overrides in force. When `period` has no data yet, the figures of `dataPeriod`, the latest month with data, stand in for it. `cells` counts each move from the current level (`from`; `none` when it has none in this scheme) to the level the re-tier would store; `held` counts those below a line whom the grace periods keep, and in how many months they would move if nothing changes. Subjects already judged at a later month, closed ones and those with neither a level nor data are left out, as the job leaves them alone. Nothing is stored.',
  request: { params: VersionParams, body: { required: true, content: { 'application/json': { schema: SimulateBody } } } },
  responses: {
    200: { description: 'The simulation', content: { 'application/json': { schema: SimulationSchema } } },
    ...problemResponses(400, 404, 413, 415, 422),
  },
});

/** Diff and simulation of policy versions: read-only, for whoever reviews a draft. */
export function policyAnalysis() {
  return router()
    .openapi(diffRoute, async (c) => {
      const deps = c.var.deps;
      const { scheme, version } = c.req.valid('param');
      const { against } = c.req.valid('query');
      return c.json(await diffVersion(deps, await versionOr404(deps, scheme, version), against), 200);
    })
    .openapi(simulateRoute, async (c) => {
      const deps = c.var.deps;
      const { scheme, version } = c.req.valid('param');
      const { samplesPerCell, period } = c.req.valid('json');
      return c.json(await simulateOnBook(deps, await versionOr404(deps, scheme, version), samplesPerCell ?? 3, period), 200);
    });
}
