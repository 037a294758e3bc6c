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
  summary: 'Run a version over the whole current book: migration matrix with samples, distributions before and after',
  description:
    'Each evaluated subject of the scheme’s kind is judged at the month of its current levels, from its stored hysteresis state, by the version; `from` is its current level (`none` when it has none in this scheme). Overrides are not applied. Nothing is stored.',
  request: { params: VersionParams, body: { required: true, content: { 'application/json': { schema: SimulateBody } } } },
  responses: {
    200: { description: 'The simulation', content: { 'application/json': { schema: SimulationSchema } } },
    ...problemResponses(400, 404, 413, 415),
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
      const { samplesPerCell } = c.req.valid('json');
      return c.json(await simulateOnBook(deps, await versionOr404(deps, scheme, version), samplesPerCell ?? 3), 200);
    });
}
