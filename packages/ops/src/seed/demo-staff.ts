import { assignManagers, upsertStaff, type Executor } from '@tierkit/db';
import { LATE_LEAVER_ID } from './showcase.js';

/**
 * The demo's staff: a maker, a checker, relationship managers with books, one of each other role
 * (analyst, viewer, admin), an internal auditor (tenant-wide, as the role must be) and a team lead
 * who approves (book-scoped), so a bank trying
 * the demo sees every role's console. Names are names only:
 * screens show the role beside them in the reader's language, which a suffix in the name (`（经办）`)
 * would repeat in Chinese on an English screen.
 */
export const DEMO_STAFF = [
  { id: 'MAKER01', name: '赵敏', role: 'officer', scope: 'tenant' },
  { id: 'CHECKER01', name: '钱进', role: 'approver', scope: 'tenant' },
  { id: 'RM001', name: '王芳', role: 'officer', scope: 'book' },
  { id: 'RM002', name: '李强', role: 'officer', scope: 'book' },
  { id: 'RM003', name: '陈静', role: 'officer', scope: 'book' },
  { id: 'RM004', name: '孙磊', role: 'officer', scope: 'book' },
  { id: 'ANALYST01', name: '周婷', role: 'analyst', scope: 'tenant' },
  { id: 'VIEWER01', name: '吴昊', role: 'viewer', scope: 'tenant' },
  { id: 'ADMIN01', name: '郑洁', role: 'admin', scope: 'tenant' },
  { id: 'AUD01', name: '冯岚', role: 'auditor', scope: 'tenant' },
  // A team lead who approves their RMs' override requests (an approver of scope book): the first pair of
  // eyes on the line's own exceptions. Her book (LEAD01) starts empty — the customers are shared out among
  // the RMs only, so each RM's book stays as it was — and no team is named: her queue is empty until an
  // admin names her team (`PUT /v1/teams/{id}`; tests/e2e/admin-lead-approvals.test.ts does).
  { id: 'LEAD01', name: '何静', role: 'approver', scope: 'book' },
] as const;

/** Who each demo sign-in is (`/demo/staff-token?as=…`). */
export const DEMO_SIGN_INS = {
  maker: 'MAKER01',
  checker: 'CHECKER01',
  rm: 'RM001',
  analyst: 'ANALYST01',
  viewer: 'VIEWER01',
  admin: 'ADMIN01',
  auditor: 'AUD01',
  lead: 'LEAD01',
} as const;
export type DemoSignIn = keyof typeof DEMO_SIGN_INS;

/** The relationship managers who carry books: the lead approves, she is shared no customers. */
const RMS = DEMO_STAFF.filter((s) => s.scope === 'book' && s.role === 'officer').map((s) => s.id);

/**
 * Make sure the demo staff exist, and, the first time only, share the tenant's customers out among
 * the RMs in id order (C000001 to RM001, C000002 to RM002, …). Runs at every start, after the seed,
 * so a database seeded before staff existed gets them too; a later reassignment is kept. `created`: the
 * members this call added (a database seeded by an older build gains the ones since), for the start's record.
 */
export async function seedDemoStaff(
  db: Executor,
  tenantId: string,
  now: string,
): Promise<{ readonly assigned: number; readonly created: readonly string[] }> {
  const created: string[] = [];
  for (const s of DEMO_STAFF) if ((await upsertStaff(db, tenantId, s, now)).created) created.push(s.id);
  const anyBook = await db
    .selectFrom('subject_managers')
    .select('subject_id')
    .where('tenant_id', '=', tenantId)
    .limit(1)
    .executeTakeFirst();
  if (anyBook) return { assigned: 0, created };
  const customers = await db
    .selectFrom('subjects')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', 'customer')
    // Gone ten months, their closing not yet recorded: in no relationship manager's book of today.
    .where('external_id', '!=', LATE_LEAVER_ID)
    .orderBy('external_id')
    .execute();
  const rows = customers.map((c, i) => ({ subjectId: c.id, staffId: RMS[i % RMS.length] ?? null }));
  await db.transaction().execute((trx) => assignManagers(trx, tenantId, rows, 'system:demo-seed', () => now));
  return { assigned: rows.length, created };
}
