import { z } from '@hono/zod-openapi';
import { BankId } from './staff.js';

export const TeamIdParams = z.object({
  id: BankId.openapi({ param: { name: 'id', in: 'path' }, example: 'BR-PUDONG-1' }),
});

export const TeamSchema = z
  .object({
    id: z.string().openapi({ example: 'BR-PUDONG-1' }),
    name: z.string().openapi({ example: '浦东支行一组' }),
    lead: z.string().nullable().openapi({
      description:
        'The book-scoped staff member who reads the team’s books besides their own (their staff token and the keys they own); null: none',
    }),
    books: z.array(z.string()).openapi({ description: 'Its books: the staff ids of the relationship managers who hold them, in id order' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Team');

export const TeamListSchema = z.object({ items: z.array(TeamSchema) }).openapi('TeamList');

export const PutTeamBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    lead: BankId.nullable().optional().openapi({ description: 'A book-scoped staff member; null takes the lead away; absent keeps it' }),
  })
  .openapi('PutTeamRequest');

const ids = z.array(BankId).max(200);

export const TeamBooksBody = z
  .strictObject({ add: ids.optional(), remove: ids.optional() })
  .refine((b) => (b.add?.length ?? 0) + (b.remove?.length ?? 0) > 0, {
    message: 'name at least one book to add or remove',
    params: { code: 'no_change', fields: ['add', 'remove'] },
  })
  .openapi('TeamBooksRequest');

const LevelCount = z.object({ level: z.string(), count: z.number().int() });

export const BookLevelsSchema = z
  .object({
    scheme: z.string(),
    period: z
      .string()
      .openapi({ description: 'The bank’s calendar month (`YYYY-MM`, in `timeZone`) the moves were recorded in', example: '2026-12' }),
    timeZone: z.string(),
    from: z.string().openapi({ description: 'The month’s first instant, ISO 8601 UTC' }),
    to: z.string().openapi({ description: 'The next month’s first instant, ISO 8601 UTC' }),
    levels: z.array(z.object({ key: z.string(), rank: z.number() })).openapi({ description: 'The scheme’s levels, highest rank first' }),
    books: z.array(
      z.object({
        manager: z.string().nullable().openapi({ description: 'The RM holding the book (staff id); null: customers in no book' }),
        name: z.string().nullable(),
        counts: z.array(LevelCount).openapi({ description: 'Open customers at each level now, every level listed, zeros included' }),
        total: z.number().int(),
        up: z.number().int().openapi({
          description:
            'Customers this month’s events left at a higher-ranked level than they began it at (each customer once: a drop an override then held is no move)',
        }),
        down: z.number().int().openapi({
          description: 'Customers this month’s events left at a lower-ranked level than they began it at (each customer once)',
        }),
        entered: z.number().int().openapi({ description: 'First levels given this month (a new customer)' }),
      }),
    ),
  })
  .openapi('BookLevels');
