import { z } from '@hono/zod-openapi';
import { KEY_ROLES } from '../auth/roles.js';
import { BankId } from './staff.js';

/** Longest label of a key: a line in a list, not a document. */
export const MAX_KEY_LABEL = 100;

/** What a key is now: usable, revoked, or owned by someone no longer on staff (it authenticates nothing). */
export const KEY_STATES = ['active', 'revoked', 'owner-gone'] as const;

export const KeyIdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_", "-" only')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'key_3f9a1c2b7d' }),
});

export const ApiKeySchema = z
  .object({
    id: z.string().openapi({ example: 'key_3f9a1c2b7d' }),
    role: z.enum(KEY_ROLES).openapi({ description: '`embedder`: may only mint embed tokens (`POST /v1/embed-tokens`); never owned' }),
    label: z.string().openapi({ example: 'core banking nightly sync' }),
    prefix: z.string().openapi({ description: 'The first characters of the secret, to tell keys apart', example: 'tk_8Hq2xYz' }),
    staff: z.string().nullable().openapi({
      description: 'The staff member who holds the key (it acts with the lower of its role and theirs); null: nobody owns it',
      example: 'OPS1',
    }),
    state: z.enum(KEY_STATES).openapi({
      description: '`owner-gone`: its owner is no longer on staff, so it authenticates nothing (as a revoked key)',
    }),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi('ApiKey');

export const ApiKeyListSchema = z.object({ items: z.array(ApiKeySchema), nextCursor: z.string().nullable() }).openapi('ApiKeyList');

export const CreateKeyBody = z
  .strictObject({
    role: z.enum(KEY_ROLES).openapi({
      description:
        'A staff role (viewer < analyst < officer < approver < admin), or `embedder`: a key that may only mint embed tokens, for the portal backend; it has no owner',
    }),
    label: z.string().trim().min(1).max(MAX_KEY_LABEL).openapi({ example: 'core banking nightly sync' }),
    staff: BankId.optional().openapi({
      description:
        'The staff member of this tenant who will hold the key; required for officer, approver and admin keys, and then the caller’s own staff id; refused for an embedder key',
      example: 'OPS1',
    }),
  })
  .openapi('CreateApiKeyRequest');

export const CreatedKeySchema = z
  .object({
    key: ApiKeySchema,
    secret: z.string().openapi({
      description: 'The key itself (`tk_…`), shown this once: only its hash is kept, and no later read returns it',
      example: 'tk_8Hq2xYz…',
    }),
  })
  .openapi('CreatedApiKey');
