import { createRoute, z } from '@hono/zod-openapi';
import {
  MAX_TOKEN_TTL_SECONDS,
  DEFAULT_TOKEN_TTL_SECONDS,
  mintEmbedToken,
  ORIGIN_PATTERN,
  TOKEN_LIMITS,
  TokenLimitError,
} from '../auth/tokens.js';
import { subjectOr404 } from '../deps.js';
import { auditDetail } from '../middleware/audit.js';
import { isTrustedOrigin } from '../origins.js';
import { invalid, ProblemError, subjectClosed } from '../problem.js';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';

const EmbedTokenBody = z
  .strictObject({
    subject: z
      .string()
      .min(1)
      .max(TOKEN_LIMITS.subjectLength)
      .openapi({ description: "The logged-in customer's external id", example: 'C000003' }),
    origins: z
      .array(z.string().max(TOKEN_LIMITS.originLength).regex(ORIGIN_PATTERN, 'must be an origin: scheme://host[:port]'))
      .max(TOKEN_LIMITS.origins)
      .optional()
      .openapi({
        description: `Browser origins that may present the token. Omitted or empty: only requests without an Origin header. At most ${TOKEN_LIMITS.origins} of at most ${TOKEN_LIMITS.originLength} characters, and together small enough for a ${TOKEN_LIMITS.payloadChars}-character token (else 400).`,
        example: ['https://ebank.example.com'],
      }),
    ttlSeconds: z
      .number()
      .int()
      .min(1)
      .max(MAX_TOKEN_TTL_SECONDS)
      .optional()
      .openapi({ description: `Lifetime, default ${DEFAULT_TOKEN_TTL_SECONDS}` }),
  })
  .openapi('EmbedTokenRequest');

const EmbedTokenSchema = z
  .object({
    token: z.string().openapi({ example: 'tkt_eyJraWQiOi….Qm9n…' }),
    expiresAt: z.string().openapi({ example: '2025-11-15T04:10:00.000Z' }),
  })
  .openapi('EmbedToken');

const mintRoute = createRoute({
  method: 'post',
  path: '/',
  tags: ['auth'],
  summary: 'Mint a short-lived, read-only embed token for one subject (an embedder key, or an API key with role officer or higher)',
  description:
    'Called by the bank’s own backend after it has logged its customer in; the page passes the token to `<tk-provider>`. The token reads only `/v1/subjects/{subject}/tiers|history|entitlements` and `/v1/schemes*`, only from the given origins, for at most 15 minutes. None is issued for a closed subject (a customer who left the bank): 409 `conflict`. Nor for an origin the server’s CORS allow-list leaves out (the app’s `corsOrigins`, `CORS_ORIGINS` for apps/server; default `http://localhost:*`): 422 `origin-not-allowed`, whose `errors` name each such origin (`origins[i]`, code `origin_not_allowed`) — a page there could not read the answers, so the server operator must add the portal’s origin first. Mint it with an `embedder` key, which can do nothing else; an officer key may too.',
  request: { body: { required: true, content: { 'application/json': { schema: EmbedTokenBody } } } },
  responses: {
    201: { description: 'The token (shown once; not stored)', content: { 'application/json': { schema: EmbedTokenSchema } } },
    ...problemResponses(400, 404, 409, 413, 415, 422),
  },
});

/** `POST /v1/embed-tokens`. */
export function embedTokens() {
  return router().openapi(mintRoute, async (c) => {
    const deps = c.var.deps;
    const body = c.req.valid('json');
    // The subject is in the body, not the path: without it the trail cannot say whose data a token
    // reads, or which customers someone tried to mint for.
    auditDetail(c, { subject: body.subject });
    // A token for a page whose origin the CORS allow-list leaves out is minted fine and fails in the
    // browser: the preflight gets no Access-Control-Allow-Origin, and the widget offers a retry that
    // can never work. Said here, to the backend that can tell the operator, before anything is signed.
    const refused = (body.origins ?? []).flatMap((o, i) => (isTrustedOrigin(deps.corsOrigins, o) ? [] : [{ o, i }]));
    if (refused.length)
      throw new ProblemError(
        'origin-not-allowed',
        `This server does not answer browsers at ${refused.map((r) => r.o).join(', ')} (its CORS allow-list: the app's corsOrigins, CORS_ORIGINS for apps/server), so a page there could not use the token. The server operator must add the portal's origin to CORS_ORIGINS.`,
        refused.map((r) => ({
          path: `origins[${r.i}]`,
          message: 'not in the server’s CORS allow-list (CORS_ORIGINS)',
          code: 'origin_not_allowed',
          params: { origin: r.o, setting: 'CORS_ORIGINS' },
        })),
      );
    const subject = await subjectOr404(deps, body.subject);
    // A customer who left the bank has no online banking to show tiers in: refused, not minted for nothing.
    if (subject.closedAt !== null) throw subjectClosed(body.subject, subject, 'subject', 'no token is issued for it');
    const minted = await mintEmbedToken(deps.db, {
      tenantId: deps.tenantId,
      subject: subject.externalId,
      origins: body.origins ?? [],
      ...(body.ttlSeconds !== undefined ? { ttlSeconds: body.ttlSeconds } : {}),
      now: deps.now(),
    }).catch((err: unknown) => {
      // The claims' total size is only known once signed: refused here exactly as the verifier would.
      if (err instanceof TokenLimitError) throw invalid([{ path: err.field, message: err.message, code: err.code, params: err.params }]);
      throw err;
    });
    auditDetail(c, { origins: body.origins ?? [], expiresAt: minted.expiresAt });
    return c.json(minted, 201);
  });
}
