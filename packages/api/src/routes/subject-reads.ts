import { createRoute, z } from '@hono/zod-openapi';
import type { AudienceView, HistoryResponse, Locale } from '@tierkit/core';
import { listTierEvents, type StoredAssignmentJson, type Subject, type SubjectVersion } from '@tierkit/db';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { packOf, subjectOr404 } from '../deps.js';
import type { ApiDeps } from '../deps.js';
import { localize, LocaleQuery } from '../locale.js';
import { ProblemError } from '../problem.js';
import { type BuiltRead, fingerprintOf, ReadCache } from '../read-cache.js';
import { audienceOf, requireReadable } from '../services/audience.js';
import { recordRestrictedRead } from '../services/restricted-reads.js';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';
import { EntitlementsResponseSchema } from '../schemas/entitlements.js';
import { CursorQuery, LimitQuery, SubjectIdParams } from '../schemas/params.js';
import { HistoryResponseSchema, TiersResponseSchema } from '../schemas/tiers.js';
import { entitlementsView } from '../services/entitlements.js';
import { readSettled } from '../services/override-expiry.js';
import type { TenantPack } from '../services/tenant-pack.js';
import { schemesInView, SchemesQuery, subjectRef, tiersJson } from '../services/views.js';

const notModified = { 304: { description: 'Not modified: the If-None-Match ETag is current' } } as const;

const tiersRoute = createRoute({
  method: 'get',
  path: '/{id}/tiers',
  tags: ['subjects'],
  summary: "A subject's current level in every scheme, with explanation and progress",
  request: { params: SubjectIdParams, query: z.object({ locale: LocaleQuery, scheme: SchemesQuery }) },
  responses: {
    200: { description: 'Current tiers (ETag)', content: { 'application/json': { schema: TiersResponseSchema } } },
    ...notModified,
    ...problemResponses(400, 404),
  },
});

const historyRoute = createRoute({
  method: 'get',
  path: '/{id}/history',
  tags: ['subjects'],
  summary: "A subject's tier events, newest first, cursor-paginated",
  request: {
    params: SubjectIdParams,
    query: z.object({
      scheme: z
        .string()
        .min(1)
        .max(64)
        .optional()
        .openapi({ param: { name: 'scheme', in: 'query' }, example: 'retail-tier' }),
      limit: LimitQuery,
      cursor: CursorQuery,
      locale: LocaleQuery,
    }),
  },
  responses: {
    200: { description: 'One page of history (ETag)', content: { 'application/json': { schema: HistoryResponseSchema } } },
    ...notModified,
    ...problemResponses(400, 404),
  },
});

const entitlementsRoute = createRoute({
  method: 'get',
  path: '/{id}/entitlements',
  tags: ['subjects'],
  summary: 'What the subject’s levels entitle, what restricts them, and what the next levels add',
  request: { params: SubjectIdParams, query: z.object({ locale: LocaleQuery }) },
  responses: {
    200: { description: 'Resolved entitlements (ETag)', content: { 'application/json': { schema: EntitlementsResponseSchema } } },
    ...notModified,
    ...problemResponses(400, 404),
  },
});

/**
 * The cache key part every subject read shares: who the subject is in which stored version, the
 * tenant's pack, and the caller's view of it — the credential kind (which audience it sees), the
 * locale and the route's own query.
 */
export function readKey(
  route: SubjectRead,
  deps: Pick<ApiDeps, 'tenantId' | 'principal' | 'unmaskNames'>,
  subject: SubjectVersion,
  packId: string,
  audience: AudienceView,
  view: readonly unknown[],
): string {
  // The audience is part of every key: a customer is never served a body cut for staff.
  return JSON.stringify([
    route,
    deps.tenantId,
    subject.id,
    subject.version,
    subject.updatedAt,
    packId,
    audience.audience,
    // The schemes this reader reads (`readers`): a viewer is never served a body cut for a compliance officer.
    audience.schemes.map((s) => s.key).join(','),
    deps.principal.via,
    // Names masked or not (`?unmask=true`, middleware/unmask.ts): a masked reader never gets an unmasked body.
    deps.unmaskNames,
    ...view,
  ]);
}

/** The subject reads, as their keys name them. */
export type SubjectRead = 'tiers' | 'history' | 'entitlements';

/** The page size of a history read that names none. */
export const DEFAULT_HISTORY_LIMIT: number = LimitQuery.parse(undefined);

/**
 * The part of each read's key its query makes: one definition for the routes and the fast path
 * (middleware/fast-reads.ts), so a body kept by one is found by the other.
 */
export const queryKey = {
  tiers: (locale: Locale | undefined, shown: ReadonlySet<string> | undefined) => [locale ?? null, shown ? [...shown] : null],
  history: (locale: Locale | undefined, scheme: string | undefined, limit: number, cursor: string | undefined) => [
    locale ?? null,
    scheme ?? null,
    limit,
    cursor ?? null,
  ],
  entitlements: (locale: Locale | undefined) => [locale ?? null],
} as const;

/** The pack a read was built from, the same in every process: its definitions and the month it is in force for. */
export const packPrint = (tp: TenantPack) => `${fingerprintOf(tp.pack)}@${tp.period}`;

// What builds each read's body once its subject, pack and view are known: one definition for the
// routes and the fast path (middleware/fast-reads.ts). `hasApprovedOverride`, when the subject was
// read with it (findSubjectForRead), lets a read of a customer without one skip the overrides query
// (readSettled).

export async function buildTiers(
  deps: ApiDeps,
  subject: Subject,
  tp: TenantPack,
  audience: AudienceView,
  now: Date,
  shown: ReadonlySet<string> | undefined,
  locale: Locale | undefined,
  hasApprovedOverride?: boolean,
  /** The assignments read with the subject (findSubjectForTiers), when they were. */
  stored?: readonly StoredAssignmentJson[],
): Promise<BuiltRead> {
  return readSettled(
    deps,
    subject,
    tp,
    now,
    // Only of a subject without an approved override: then nothing else is read, and the body is of
    // that one statement's instant. With one, its overrides are read by a later statement, after which
    // a settling (this read's, the sweep's, another server's) or an approval may have rewritten the
    // assignment: read before them, it would show a lapsed override's level as the rules'.
    (d, { inForce }) =>
      tiersJson(
        d.db,
        tp,
        audience,
        subject,
        d.unmaskNames,
        now,
        shown,
        locale,
        inForce,
        hasApprovedOverride === false ? stored : undefined,
      ),
    'reevaluated',
    hasApprovedOverride,
  );
}

export async function buildHistory(
  deps: ApiDeps,
  subject: Subject,
  tp: TenantPack,
  audience: AudienceView,
  scheme: string | undefined,
  limit: number,
  before: { at: string; id: string } | undefined,
  locale: Locale | undefined,
  hasApprovedOverride?: boolean,
): Promise<BuiltRead> {
  // An override expired since the last evaluation adds its event first; a settling that cannot be
  // recorded adds none ('stored'): history shows only events that are saved.
  return readSettled(
    deps,
    subject,
    tp,
    deps.now(),
    async (d) => {
      const rows = await listTierEvents(d.db, deps.tenantId, subject.id, {
        ...(scheme ? { scheme } : {}),
        // Staff who may read every scheme read the events of schemes the pack no longer has too.
        ...(audience.audience === 'staff' && audience.schemes.length === tp.pack.schemes.length
          ? {}
          : { schemes: audience.schemes.map((s) => s.key) }),
        limit: limit + 1,
        ...(before ? { before } : {}),
      });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      const body: HistoryResponse = {
        subject: subjectRef(subject, deps.unmaskNames),
        ...audience.items(items),
        nextCursor: rows.length > limit && last ? encodeCursor('history', { at: last.at, id: last.id }) : null,
      };
      return { body: locale ? localize(body, locale) : body };
    },
    'stored',
    hasApprovedOverride,
  );
}

export async function buildEntitlements(
  deps: ApiDeps,
  subject: Subject,
  tp: TenantPack,
  audience: AudienceView,
  locale: Locale | undefined,
  hasApprovedOverride?: boolean,
): Promise<BuiltRead> {
  // What an override grants holds until it expires; one expired since the last evaluation grants nothing.
  return readSettled(
    deps,
    subject,
    tp,
    deps.now(),
    async (d) => {
      const body = await entitlementsView(d.db, tp, audience, subject, d.unmaskNames);
      return { body: locale ? localize(body, locale) : body };
    },
    'reevaluated',
    hasApprovedOverride,
  );
}

/**
 * Reads of one subject: tiers, history, entitlements. All carry ETags. Each costs the subject-row
 * lookup (and the pack check); the body is built once per subject version and view, then served as
 * stored (see ReadCache).
 */
export function subjectReads(cache = new ReadCache()) {
  return router()
    .openapi(tiersRoute, async (c) => {
      const deps = c.var.deps;
      const { id } = c.req.valid('param');
      const { locale, scheme } = c.req.valid('query');
      const subject = await subjectOr404(deps, id);
      const tp = await packOf(deps);
      const audience = audienceOf(deps.principal, tp);
      for (const key of scheme?.split(',') ?? []) requireReadable(deps.principal, tp, key, 'query.scheme');
      const shown = schemesInView(audience, scheme);
      recordRestrictedRead(c, audience, subject, shown);
      const now = deps.now();
      const key = readKey('tiers', deps, subject, packPrint(tp), audience, queryKey.tiers(locale, shown));
      return cache.respond(c, key, now.getTime(), () => buildTiers(deps, subject, tp, audience, now, shown, locale));
    })
    .openapi(historyRoute, async (c) => {
      const deps = c.var.deps;
      const { id } = c.req.valid('param');
      const { scheme, limit, cursor, locale } = c.req.valid('query');
      const subject = await subjectOr404(deps, id);
      const tp = await packOf(deps);
      const audience = audienceOf(deps.principal, tp);
      if (scheme) requireReadable(deps.principal, tp, scheme, 'query.scheme');
      recordRestrictedRead(c, audience, subject, scheme === undefined ? undefined : new Set([scheme]));
      // A scheme the reader may not see answers exactly like one that does not exist.
      if (scheme && audience.audience !== 'staff' && !audience.sees(scheme)) {
        throw new ProblemError('scheme-not-found', `No scheme "${scheme}" in this tenant.`);
      }
      const before = cursor === undefined ? undefined : decodeCursor('history', cursor, ['at', 'id'] as const);
      const key = readKey('history', deps, subject, packPrint(tp), audience, queryKey.history(locale, scheme, limit, cursor));
      return cache.respond(c, key, deps.now().getTime(), () => buildHistory(deps, subject, tp, audience, scheme, limit, before, locale));
    })
    .openapi(entitlementsRoute, async (c) => {
      const deps = c.var.deps;
      const { id } = c.req.valid('param');
      const { locale } = c.req.valid('query');
      const subject = await subjectOr404(deps, id);
      const tp = await packOf(deps);
      const audience = audienceOf(deps.principal, tp);
      // A restriction's reason names its scheme and level (反洗钱风险高): a read of them, as /tiers is.
      recordRestrictedRead(c, audience, subject, undefined);
      const key = readKey('entitlements', deps, subject, packPrint(tp), audience, queryKey.entitlements(locale));
      return cache.respond(c, key, deps.now().getTime(), () => buildEntitlements(deps, subject, tp, audience, locale));
    });
}
