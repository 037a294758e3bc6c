import { createRoute, z } from '@hono/zod-openapi';
import { BIRTH_DATE_ATTRIBUTE, SUBJECT_KINDS } from '@tierkit/core';
import { metricValuesForUpdate, pendingClosingRequestOf, setSubjectClosed, upsertMetrics, upsertSubject } from '@tierkit/db';
import { birthDateError } from '../birth-date.js';
import { packOf, subjectOr404 } from '../deps.js';
import { auditDetail } from '../middleware/audit.js';
import { sortableId } from '../ids.js';
import { invalid, ProblemError, subjectClosed } from '../problem.js';
import { periodOf } from '../periods.js';
import { router } from '../router.js';
import { problemResponses, SubjectRefSchema } from '../schemas/common.js';
import { utcInstant } from '../schemas/four-eyes.js';
import { SubjectIdParams } from '../schemas/params.js';
import { TiersResponseSchema } from '../schemas/tiers.js';
import { checkObservations } from '../services/check-observations.js';
import { closeSubject } from '../services/closing.js';
import { recordLapses } from '../services/closing-lapse.js';
import { moveAudit } from '../services/books.js';
import {
  activityOf,
  checkClosingActivity,
  checkedClosingDate,
  closingAtOnceFrom,
  closingNeedsSecondPerson,
} from '../services/closing-date-checks.js';
import { closingRequestPending, closingRequestView, fileClosingRequest } from '../services/closing-requests.js';
import { ClosingRequestSchema } from '../schemas/closing-requests.js';
import { audienceOf } from '../services/audience.js';
import { reopenLevelApprovals, signOffMetrics } from '../services/level-approvals.js';
import { loweringBlocksOf } from '../services/lowering-figures.js';
import { reevaluateSubject } from '../services/reevaluate.js';
import { subjectRef, tiersView } from '../services/views.js';

/** Most observations one PUT may carry: larger uploads belong to an import job. */
export const MAX_OBSERVATIONS = 1000;

const PutSubjectBody = z
  .strictObject({
    kind: z.enum(SUBJECT_KINDS),
    displayName: z.string().trim().min(1).max(100),
    attributes: z.record(z.string().max(64), z.union([z.string().max(1000), z.number(), z.boolean(), z.null()])).optional(),
  })
  .openapi('PutSubjectBody');

const observation = z.strictObject({
  metric: z.string().min(1).max(64),
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month, YYYY-MM'),
  value: z
    .number()
    .int('must be an integer (money in minor units, booleans 0 or 1)')
    .min(Number.MIN_SAFE_INTEGER)
    .max(Number.MAX_SAFE_INTEGER),
});

const PutMetricsBodySchema = (max: number) =>
  z.strictObject({ metrics: z.array(observation).min(1).max(max, `at most ${max} observations per request`) }).openapi('PutMetricsBody');

const putSubjectRoute = createRoute({
  method: 'put',
  path: '/{id}',
  tags: ['subjects'],
  summary: 'Create a subject or update its name and attributes',
  description:
    'Attributes are free-form, except `birthDate`: a date of birth (YYYY-MM-DD, 1900-01-01 or later, not in the future), from which the suitability check reads a customer’s age.',
  request: { params: SubjectIdParams, body: { required: true, content: { 'application/json': { schema: PutSubjectBody } } } },
  responses: {
    200: { description: 'Updated', content: { 'application/json': { schema: SubjectRefSchema } } },
    201: { description: 'Created', content: { 'application/json': { schema: SubjectRefSchema } } },
    ...problemResponses(400, 409, 413, 415),
  },
});

const putMetricsRoute = (max: number) =>
  createRoute({
    method: 'put',
    path: '/{id}/metrics',
    tags: ['subjects'],
    summary: 'Upsert monthly metric observations and re-evaluate every scheme of the subject',
    description:
      'Values are integers: money in minor units (fen), booleans 0/1. The subject is re-evaluated at its latest month with data; level changes are written as tier events in the same transaction. A level held for a lowering request (`loweringTo`) says beside it whether anyone may approve it now (`loweringBlocked`, as the approvals queue’s `approvalBlocked`): `approvers-wrote-figures` when every person of the role it needs wrote or imported one of its figures, this write included.',
    request: { params: SubjectIdParams, body: { required: true, content: { 'application/json': { schema: PutMetricsBodySchema(max) } } } },
    responses: {
      200: { description: 'The subject’s tiers after re-evaluation', content: { 'application/json': { schema: TiersResponseSchema } } },
      ...problemResponses(400, 404, 413, 415),
    },
  });

const CloseSubjectBody = z
  .strictObject({
    at: utcInstant.optional().openapi({ description: 'When the customer left (ISO 8601 UTC); default now, never in the future' }),
    reason: z.string().trim().min(1).max(200).openapi({ description: 'Why, in a few words', example: '客户主动销户' }),
    late: z.boolean().optional().openapi({
      description:
        "true: the bank learnt of the closing after the month it happened in was final, and says so: an `at` before the end of the last final month is then kept as `leftAt` (when the customer really left) and the closing counts from the end of that month (`closedAt`). Without it (absent or false, the same: a form's unticked box) such an `at` is refused (400), so a mistyped date is never moved silently. Changes nothing for an `at` in an open month.",
    }),
  })
  .openapi('CloseSubjectBody');

const ReopenSubjectBody = z.strictObject({ note: z.string().trim().max(200).optional() }).openapi('ReopenSubjectBody');

const closeRoute = createRoute({
  method: 'post',
  path: '/{id}/close',
  tags: ['subjects'],
  summary: 'Record that a customer left the bank (销户): they stop being tiered and counted',
  description:
    'From then on re-tier jobs and metric uploads skip the subject, the portfolio matrix and the subject list leave it out (the list shows it with `closed=include|only`), analytics leave it out of every month ending after `closedAt` (its `at`, or for a closing learnt late the end of the last final month), no embed token is issued for it (409) and its own token reads it as unknown (404). Its levels, events and metrics stay as they were: the record of a past customer. An `at` before the last recorded activity of the customer for a closing learnt late is refused (422 `left_before_activity`), as is one more than the retention period back (422 `left_beyond_retention`); nothing is changed. An `at` before the bank first recorded the customer (a book loaded into tierkit after they left) is accepted: the retention run keeps them until the record itself is the retention period old. Staff reads show `closedAt` and `closedReason`, and `leftAt` for a closing learnt late (`late`). Its pending override requests and level sign-offs are withdrawn in the same transaction (status `withdrawn`, note "customer closed"), leave the approvals queue, and can no longer be decided (409 `conflict`, code `subject_closed`). A subject already closed is a 409 `conflict`; reopen it first. A closing dated more than three months back is not applied: it is filed as a closing request (202) a second person decides; while one waits for the customer, another closing of them is a 409 `closing_request_pending`.',
  request: { params: SubjectIdParams, body: { required: true, content: { 'application/json': { schema: CloseSubjectBody } } } },
  responses: {
    200: { description: 'Closed', content: { 'application/json': { schema: SubjectRefSchema } } },
    202: {
      description:
        'Dated more than three months back (before the first day of the month three months before this one, in the bank’s calendar): not applied, filed as a closing request for a tenant-wide approver or admin other than its maker (`POST /v1/closing-requests/{id}/approve|reject`, shown in `GET /v1/approvals` as kind `closing`); the customer stays open meanwhile and no retention run erases them while it waits',
      content: { 'application/json': { schema: ClosingRequestSchema } },
    },
    ...problemResponses(400, 404, 409, 413, 415, 422),
  },
});

const reopenRoute = createRoute({
  method: 'post',
  path: '/{id}/reopen',
  tags: ['subjects'],
  summary: 'Take back a closing: the customer is tiered and counted again from the next evaluation',
  description:
    'The stored levels were kept, so the customer shows them again at once; the next metric upload or re-tier brings them up to date. A subject that is not closed is a 409 `conflict`. The audit trail keeps both the closing and the reopening. Override requests the closing withdrew stay withdrawn (file again); every level that needs a sign-off no approver gave is pending one again in the same transaction — the one the closing withdrew restored with its content and requester (its trail step notes `restores <id>`). A lowering request the closing withdrew is restored only while the policy in force still guards that move (`loweringNeeds`) and the customer’s figures today still propose that level; otherwise it stays withdrawn, the held level’s own sign-off is settled as for any level, and the audit record’s `detail.notRestored` says which and why (`rule_dropped`, or `data_moved` with the level computed).',
  request: { params: SubjectIdParams, body: { required: true, content: { 'application/json': { schema: ReopenSubjectBody } } } },
  responses: {
    200: { description: 'Reopened', content: { 'application/json': { schema: SubjectRefSchema } } },
    ...problemResponses(400, 404, 409, 413, 415),
  },
});

/** Writes to one subject: create/update it, upload metrics (which re-tiers it), close and reopen it. */
export function subjectWrites(maxObservations: number = MAX_OBSERVATIONS) {
  return router()
    .openapi(putSubjectRoute, async (c) => {
      const deps = c.var.deps;
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const now = deps.now();
      const birth =
        body.attributes && BIRTH_DATE_ATTRIBUTE in body.attributes ? birthDateError(body.attributes[BIRTH_DATE_ATTRIBUTE], now) : undefined;
      if (birth) throw invalid([{ path: `attributes.${BIRTH_DATE_ATTRIBUTE}`, ...birth }]);
      const result = await deps.db.transaction().execute((trx) =>
        upsertSubject(
          trx,
          deps.tenantId,
          { id: sortableId(now), externalId: id, kind: body.kind, displayName: body.displayName, attributes: body.attributes ?? {} },
          now.toISOString(),
          (existing) => {
            // Erased after its retention period: writing a name back would undo the erasure under the old number.
            if (existing.erasedAt !== null)
              throw new ProblemError('conflict', `Subject "${id}" was erased after its retention period; it cannot be written again.`, [
                { path: 'params.id', message: 'was erased', code: 'erased', params: { at: existing.erasedAt } },
              ]);
            if (existing.kind === body.kind) return;
            throw new ProblemError('conflict', `Subject "${id}" is a ${existing.kind}; its kind cannot change to ${body.kind}.`, [
              { path: 'kind', message: `must stay "${existing.kind}"`, code: 'immutable', params: { value: existing.kind } },
            ]);
          },
        ),
      );
      deps.matrices.invalidate(deps.tenantId);
      const ref = subjectRef(result.subject, deps.unmaskNames);
      return result.created ? c.json(ref, 201) : c.json(ref, 200);
    })
    .openapi(putMetricsRoute(maxObservations), async (c) => {
      const deps = c.var.deps;
      const { id } = c.req.valid('param');
      const { metrics } = c.req.valid('json');
      const now = deps.now();
      const tp = await packOf(deps);
      const subject = await subjectOr404(deps, id);
      const errors = checkObservations(metrics, tp.metrics, periodOf(now, deps.timeZone));
      if (errors.length) throw invalid(errors);
      // No book to hold to the commit: a book-scoped credential never gets here (auth/access.ts, notBookScoped).
      const body = await deps.db.transaction().execute(async (trx) => {
        // An overwritten month keeps no trace but this: a reviewer asking who raised a balance just
        // before a re-tier needs the value it replaced.
        const replaced = await metricValuesForUpdate(trx, deps.tenantId, subject.id, metrics);
        // Whoever wrote a risk input may not approve the lowering it proposes, whoever re-tiers it
        // (docs/domain.md §4): the values it changes of them are recorded as the caller's.
        const written = await upsertMetrics(trx, deps.tenantId, subject.id, metrics, now.toISOString(), {
          actor: deps.principal.actor,
          metrics: signOffMetrics(tp),
        });
        // What the upsert changed, not what the read above saw: two first writes of the same value at
        // once on PostgreSQL both read no row, and only the first inserts it (the second changes nothing).
        const wrote = new Set(written.map((w) => `${w.metric} ${w.period}`));
        const changed = [];
        for (const o of metrics) {
          if (!wrote.has(`${o.metric} ${o.period}`)) continue;
          const before = replaced.get(`${o.metric} ${o.period}`) ?? null;
          // The unit the catalogue gave the value when it was written: the stored integer (fen, 0/1)
          // reads as money or yes/no only with it, and a later catalogue may say otherwise.
          const def = tp.metrics.get(o.metric);
          changed.push({
            metric: o.metric,
            period: o.period,
            before,
            after: o.value,
            ...(def && { unit: def.unit }),
            ...(def?.currency && { currency: def.currency }),
          });
        }
        auditDetail(c, { changed });
        const { stored } = await reevaluateSubject(trx, tp, subject, now, deps.principal.actor);
        const view = await tiersView(trx, tp, audienceOf(deps.principal, tp), subject, deps.unmaskNames, now, stored);
        if (view.audience !== 'staff' || !view.assignments.some((a) => a.loweringTo !== undefined)) return view;
        // The writer (often the lowering's maker) hears here whether anyone may approve it, not only from the queue.
        const blocks = await loweringBlocksOf(trx, deps, tp, subject.id);
        return {
          ...view,
          assignments: view.assignments.map((a) =>
            a.loweringTo === undefined ? a : { ...a, loweringBlocked: blocks.get(a.scheme) ?? null },
          ),
        };
      });
      deps.matrices.invalidate(deps.tenantId);
      return c.json(body, 200);
    })
    .openapi(closeRoute, async (c) => {
      const deps = c.var.deps;
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const now = deps.now();
      const at = body.at ?? now.toISOString();
      const late = body.late === true;
      const { at: counted, leftAt } = await checkedClosingDate(deps, id, at, late, now);
      const done = await deps.db.transaction().execute(async (trx) => {
        const subject = await subjectOr404(deps, id, trx);
        if (subject.closedAt !== null) throw subjectClosed(id, subject, 'params.id', 'reopen it first');
        // Read in the closing's transaction: on PostgreSQL after the customer's row is held by no one
        // else's closing, on SQLite under the one writer. A decision or metric write committed after
        // this read and before the commit is one the closing raced, as any write a closing races.
        await checkClosingActivity(trx, deps, id, subject.id, at, late);
        // A request of theirs that lapsed frees its place: written lapsed (and recorded) here, first.
        await recordLapses(trx, deps.tenantId, now, moveAudit(c), subject.id);
        // Starting the retention clock more than three months back, it waits for a second person
        // (closing-requests.ts); read here, so the activity it goes by is what the closing races.
        const atOnceFrom = closingAtOnceFrom(now, deps.timeZone);
        const asRequest =
          at < atOnceFrom &&
          closingNeedsSecondPerson(at, subject.createdAt, await activityOf(trx, deps.tenantId, subject.id), atOnceFrom, deps.timeZone);
        if (asRequest)
          return {
            filed: await fileClosingRequest(trx, deps.tenantId, deps.principal.actor, subject, { at, late, reason: body.reason }, now),
          } as const;
        // A closing of today would make the date a checker is yet to judge moot: they decide it first.
        const waiting = await pendingClosingRequestOf(trx, deps.tenantId, subject.id);
        if (waiting) throw closingRequestPending(id, waiting);
        const nowIso = now.toISOString();
        const closing = { at: counted, reason: body.reason, leftAt };
        const withdrawn = await closeSubject(trx, deps.tenantId, subject.id, closing, deps.principal.actor, nowIso);
        // Closed by someone else since the read above: say since when, as for a closing read first.
        if (!withdrawn) throw subjectClosed(id, await subjectOr404(deps, id, trx), 'params.id', 'reopen it first');
        return {
          filed: undefined,
          subject: { ...subject, closedAt: counted, closedReason: body.reason, leftAt, updatedAt: nowIso },
          withdrawn,
        };
      });
      if (done.filed) {
        auditDetail(c, { closingRequest: done.filed.id, at, late, reason: body.reason });
        return c.json(await closingRequestView(deps, done.filed), 202);
      }
      const { subject, withdrawn } = done;
      auditDetail(c, {
        closedAt: counted,
        ...(leftAt !== null ? { leftAt } : {}),
        reason: body.reason,
        ...(withdrawn.overrides.length ? { withdrawnOverrides: withdrawn.overrides } : {}),
        ...(withdrawn.signOffs.length ? { withdrawnSignOffs: withdrawn.signOffs } : {}),
      });
      deps.matrices.invalidate(deps.tenantId);
      return c.json(subjectRef(subject, deps.unmaskNames), 200);
    })
    .openapi(reopenRoute, async (c) => {
      const deps = c.var.deps;
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const now = deps.now().toISOString();
      const tp = await packOf(deps);
      const { subject, was, signOffs, notRestored } = await deps.db.transaction().execute(async (trx) => {
        const subject = await subjectOr404(deps, id, trx);
        if (subject.closedAt === null || !(await setSubjectClosed(trx, deps.tenantId, subject.id, null, now))) {
          throw new ProblemError('conflict', `Subject "${id}" is not closed.`, [
            { path: 'params.id', message: 'is not closed', code: 'not_closed' },
          ]);
        }
        // What the closing withdrew waits again: a closing and a reopening never end a sign-off — but a
        // lowering request only while the policy in force and today's figures still ask for it.
        const { opened: signOffs, notRestored } = await reopenLevelApprovals(trx, tp, subject, deps.principal.actor, now);
        return {
          subject: { ...subject, closedAt: null, closedReason: null, leftAt: null, updatedAt: now },
          was: subject,
          signOffs,
          notRestored,
        };
      });
      // What was taken back: the trail then says when the customer had left and why, not only that they came back.
      auditDetail(c, {
        closedAt: was.closedAt,
        ...(was.leftAt !== null ? { leftAt: was.leftAt } : {}),
        reason: was.closedReason,
        ...(body.note ? { note: body.note } : {}),
        ...(signOffs.length ? { reopenedSignOffs: signOffs } : {}),
        // Why a lowering request the closing withdrew is not waiting again (NotRestoredLowering).
        ...(notRestored.length ? { notRestored } : {}),
      });
      deps.matrices.invalidate(deps.tenantId);
      return c.json(subjectRef(subject, deps.unmaskNames), 200);
    });
}
