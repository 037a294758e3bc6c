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

/**
 * A day of the bank's calendar, `YYYY-MM-DD`, that exists (no 2026-02-30): which instants it covers is
 * the route's to say, in the bank's zone.
 */
export const bankDay = (name: string, description: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day, YYYY-MM-DD')
    .refine(
      (s) => {
        const [y = 0, m = 0, d = 0] = s.split('-').map(Number);
        const day = new Date(Date.UTC(y, m - 1, d));
        return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
      },
      { message: 'must be a day of the calendar', params: { code: 'invalid_format', format: 'date' } },
    )
    .openapi({ param: { name, in: 'query' }, description, example: '2026-12-31' });
