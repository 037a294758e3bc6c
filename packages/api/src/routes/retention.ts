import { createRoute, z } from '@hono/zod-openapi';
import { MIN_RETENTION_YEARS, retentionYearsOf, setRetentionYears } from '@tierkit/db';
import { auditDetail } from '../middleware/audit.js';
import { ProblemError } from '../problem.js';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';
import { checkRetentionYears, retentionAuditDetail, runRetention } from '../services/retention.js';

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } });

const WHY =
  'Customer identification and transaction records are kept at least five years after the relationship ends (PRC AML rules); past the period, PIPL art. 47 asks for their deletion (docs/operations.md, "Retention and erasure").';

const SettingSchema = z
  .object({
    years: z.number().int().openapi({ description: 'Whole years a closed customer’s personal data is kept after they left', example: 5 }),
    minimum: z.number().int().openapi({ example: MIN_RETENTION_YEARS }),
  })
  .openapi('RetentionSetting');

const RunSchema = z
  .object({
    tenant: z.string(),
    retentionYears: z.number().int(),
    cutoff: z.string().openapi({
      description:
        'Customers whose relationship ended before this instant (ISO UTC) are past their retention: the later of their closing’s date (`leftAt` of a closing learnt late) and their last recorded activity',
    }),
    dryRun: z.boolean(),
    erasable: z.number().int().openapi({ description: 'Past retention and free to erase when the run began' }),
    erased: z.number().int().openapi({ description: 'Erased by this run (0 on a dry run)' }),
    heldByActivity: z.number().int().openapi({
      description:
        'Kept: closed before the cutoff by their closing’s date, but the book records activity of theirs since the cutoff — metrics of a month from the cutoff’s month up to the month the closing was recorded in (when it was entered, not the date it gives; a feed’s later months do not count), or a person’s decision about them (an override or sign-off approved, rejected or revoked, a review, an override request filed) — or first recorded them after the cutoff (a closing may be dated before the customer was recorded; the record’s own age then counts). Retention runs from the latest of these.',
    }),
    heldByRequest: z.number().int().openapi({ description: 'Kept: a pending override request, sign-off or lowering request' }),
    heldByLegalHold: z.number().int().openapi({ description: 'Kept: a legal hold (`tierkit retention hold`)' }),
    erasedBefore: z.number().int().openapi({ description: 'Erased by earlier runs' }),
    chunks: z.number().int().openapi({ description: 'Transactions the erasure took' }),
    auditFieldsErased: z.number().int().openapi({
      description:
        'Audit records of the customers erased whose customer number and typed texts were deleted with them (their digests stay; the chain verifies), and of records naming a customer erased before (a write refused `erased`), deleted by every run — in the tenant’s chain and in the chain of requests refused for their credential — and of list searches by name older than the retention period. Records written before the trail split personal fields off keep theirs.',
    }),
    auditEntriesErased: z.number().int().openapi({
      description:
        'Customer numbers deleted from the lists audit records keep (the customers a list read returned, a restricted read’s, a book move’s), entry by entry: each entry’s digest stays, the chain verifies. Lists written before the trail split them keep theirs.',
    }),
  })
  .openapi('RetentionRun');

const getRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['retention'],
  summary: 'The tenant’s retention of closed customers’ personal data, in years (admin)',
  description: WHY,
  responses: { 200: { description: 'The setting', ...json(SettingSchema) }, ...problemResponses() },
});

const putRoute = createRoute({
  method: 'put',
  path: '/',
  tags: ['retention'],
  summary: 'Set the tenant’s retention in whole years, 5 to 100 (admin)',
  description: `${WHY} Below 5 is a 400 (\`too_small\`), changing nothing.`,
  request: { body: { required: true, ...json(z.object({ years: z.number() }).strict()) } },
  responses: { 200: { description: 'The setting as it now is', ...json(SettingSchema) }, ...problemResponses(400, 413, 415) },
});

const runRoute = createRoute({
  method: 'post',
  path: '/run',
  tags: ['retention'],
  summary: 'Erase the personal data of customers closed longer than the retention period (admin)',
  description: `${WHY} Erased: the name, attributes and closing reason, metric values, the relationship manager and book moves, the free-text notes of tier events and requests, an assignment's inputs and progress. Kept under the customer's internal id: the row (marked erased), closings' dates, tier history (levels, reasons, months), requests' decisions, and the audit trail's records (they still verify; the customer number and what staff typed about them, kept beside each record since the trail's switch point, are deleted with them, and each chunk's record names the records it deleted them from, \`erasedAuditSeqs\`: docs/operations.md). The period runs from the later of the customer’s closing date (\`leftAt\` of a closing learnt late) and their last recorded activity: a closing dated back before metrics or a person’s decision the book holds does not start it (\`heldByActivity\`). A customer with a pending override request, sign-off or lowering request, or a legal hold, is kept and counted. Runs a chunk of 500 customers per transaction, each with its own audit record; a second run erases nothing more. \`dryRun\`: counts only, changes nothing. Reads of an erased customer answer 404 \`subject-erased\`.`,
  request: { body: { required: false, ...json(z.object({ dryRun: z.boolean().optional() }).strict()) } },
  responses: { 200: { description: 'What the run found and did (counts only)', ...json(RunSchema) }, ...problemResponses(400, 413, 415) },
});

/** `/v1/retention`: the tenant's retention setting and its erasure run (docs/operations.md, "Retention and erasure"). */
export function retention() {
  return router()
    .openapi(getRoute, async (c) => {
      const deps = c.var.deps;
      const years = await retentionYearsOf(deps.db, deps.tenantId);
      if (years === undefined) throw new ProblemError('not-found', `Tenant "${deps.tenantId}" does not exist.`);
      return c.json({ years, minimum: MIN_RETENTION_YEARS }, 200);
    })
    .openapi(putRoute, async (c) => {
      const deps = c.var.deps;
      const years = checkRetentionYears(c.req.valid('json').years);
      const before = await retentionYearsOf(deps.db, deps.tenantId);
      await setRetentionYears(deps.db, deps.tenantId, years);
      auditDetail(c, { retentionYears: years, was: before ?? null });
      return c.json({ years, minimum: MIN_RETENTION_YEARS }, 200);
    })
    .openapi(runRoute, async (c) => {
      const deps = c.var.deps;
      // No body at all is a run, as `{}` is.
      const dryRun = (c.req.valid('json') as { dryRun?: boolean } | undefined)?.dryRun === true;
      const { requestId, described } = c.var.audit;
      if (!described) throw new Error('a retention run outside an audited write request');
      const run = await runRetention(deps.db, deps.tenantId, {
        now: deps.now(),
        timeZone: deps.timeZone,
        dryRun,
        action: { requestId, ...described },
      });
      auditDetail(c, retentionAuditDetail(run));
      deps.matrices.invalidate(deps.tenantId);
      return c.json(run, 200);
    });
}
