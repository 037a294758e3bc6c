import { z } from '@hono/zod-openapi';

/** The bank's external id of a subject: what the path carries. */
export const SubjectIdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'letters, digits, "_", ".", ":", "-" only')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'C000003' }),
});

/** Page size of list endpoints. */
export const LimitQuery = z.coerce
  .number()
  .int()
  .min(1)
  .max(100)
  .default(20)
  .openapi({ param: { name: 'limit', in: 'query' }, example: 20 });

export const CursorQuery = z
  .string()
  .min(1)
  .max(512)
  .optional()
  .openapi({ param: { name: 'cursor', in: 'query' }, description: 'nextCursor of the previous page, unchanged' });

/** Whose book a list or matrix is cut to: `me` (the staff member signed in) or a staff id. */
export const ManagerQuery = z
  .string()
  .min(1)
  .max(64)
  .optional()
  .openapi({
    param: { name: 'manager', in: 'query' },
    description: 'Only subjects this staff member manages: `me` or a staff id. Book-scoped staff always get their own book.',
    example: 'me',
  });
