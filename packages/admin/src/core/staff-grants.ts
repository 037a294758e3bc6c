import type { ApprovalBlock, StaffGrantChange, TeamGrantChange } from '@tierkit/core';
import type { HttpTierkitClient } from '@tierkit/client';

/** A grant of staff power waiting for a second admin (`GET /v1/staff-grants`), as the API sends it. */
export interface StaffGrant {
  readonly id: string;
  readonly staff: StaffGrantChange;
  /** A team grant's team (a lead named, books added to a led team); null: a grant of staff powers. */
  readonly team: TeamGrantChange | null;
  readonly status: 'pending' | 'approved' | 'rejected' | 'withdrawn' | 'expired' | 'superseded';
  readonly contentHash: string;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly expiresAt: string;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly decisionNote: string | null;
  readonly requestedByYou: boolean;
  /** Whether the caller may withdraw it now: its maker. Offer Withdraw only then. */
  readonly mayWithdraw: boolean;
  readonly mayDecide: boolean;
  readonly approvalBlocked: ApprovalBlock | null;
}

const GRANTS = '/v1/staff-grants';

/**
 * The grants of staff power waiting for a second admin (the tenant's admins only). A team grant leaves
 * the lead's powers as they are, so the staff page's "holds now → to be granted" would say nothing of
 * it: it is left to the approvals page, which names the team, the lead and the books.
 */
export async function readPendingStaffGrants(
  client: Pick<HttpTierkitClient, 'http'>,
  signal?: AbortSignal,
): Promise<readonly StaffGrant[]> {
  const page = await client.http.get<{ items: StaffGrant[] }>(GRANTS, signal ? { signal } : {});
  return page.items.filter((g) => g.team === null || g.team === undefined);
}

/** Take back a grant its caller asked for (`mayWithdraw`). */
export function withdrawStaffGrant(client: Pick<HttpTierkitClient, 'http'>, id: string, signal?: AbortSignal): Promise<StaffGrant> {
  return client.http.send<StaffGrant>(
    'POST',
    `${GRANTS}/${encodeURIComponent(id)}/withdraw`,
    {},
    {
      forget: [GRANTS, '/v1/approvals'],
      ...(signal ? { signal } : {}),
    },
  );
}
