// CPU per page of the approvals queue (`approvalsPage`, no HTTP) with 50,000 pending level sign-offs —
// what one monthly re-tier of a large book leaves — first page and a middle page (a cursor half way),
// for the page read from SQL (this code), the queue merged in memory (the code before, kept here only),
// and a raw `SELECT … ORDER BY … LIMIT` of the same rows as the floor; the new page also without its
// read of the items' current levels (one query of the page's subjects), to show what that read costs. Old and new alternate in each
// round; CPU time of the process tree (the embedded PostgreSQL server too), so a loaded machine's scheduler does not count. Asserts nothing.
// Run: node --import tsx bench/api/approvals-queue.bench.ts [--pending 50000] [--rounds 3] [--postgres]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPolicyPack, type Locale } from '@tierkit/core';
import { chunks, connect, listPendingLevelApprovals, listPendingOverrides, migrateToLatest, type Db } from '@tierkit/db';
import { sql } from 'kysely';
import { provisionTenant } from '@tierkit/api';
import { packOf, type ApiDeps } from '../../packages/api/src/deps.js';
import { encodeCursor } from '../../packages/api/src/cursor.js';
import {
  APPROVAL_SOURCES,
  type ApprovalSource,
  approvalNeedsOf,
  approvalsPage,
  DEFAULT_SUMMARY_LOCALE,
} from '../../packages/api/src/services/approvals-queue.js';
import type { ApprovalItem, PendingApproval } from '../../packages/api/src/services/approval-item.js';
import { approvalsBlocked } from '../../packages/api/src/services/approvers-left.js';
import { requestedByCaller } from '../../packages/api/src/services/four-eyes.js';
import { TenantResultCache } from '../../packages/api/src/services/matrix-cache.js';
import { overrideHash } from '../../packages/api/src/services/override-requests.js';
import { pendingPolicyApprovals } from '../../packages/api/src/services/policy-approvals.js';
import { TenantPacks } from '../../packages/api/src/services/tenant-pack.js';
import { startPostgres } from '../../tests/support/postgres.js';
import { treeCpu } from '../batch/proc-cpu.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const PENDING = arg('pending', 50_000);
const ROUNDS = arg('rounds', 3);
const POSTGRES = process.argv.includes('--postgres');
const LIMIT = 50;
const TENANT = 'bench';
const NOW = new Date('2025-11-15T04:00:00.000Z');

/** The queue as it was: every source lists everything pending, merged, filtered, sorted, sliced. */
async function inMemoryPage(deps: ApiDeps, q: { limit: number; cursor?: { at: string; kind: string; id: string } }) {
  const locale: Locale = DEFAULT_SUMMARY_LOCALE;
  const tp = await packOf(deps);
  const name = (scheme: string) => tp.schemes.get(scheme)?.name[locale] ?? scheme;
  const level = (scheme: string, key: string | null) =>
    key === null ? '—' : (tp.schemes.get(scheme)?.levels.find((l) => l.key === key)?.name[locale] ?? key);
  const overrides = (await listPendingOverrides(deps.db, deps.tenantId)).map(
    (r): PendingApproval => ({
      kind: 'override',
      id: r.override.id,
      scheme: r.override.scheme,
      subject: r.subject,
      summary: `${name(r.override.scheme)}: ${level(r.override.scheme, r.override.level)} (${r.override.mode})`,
      reason: r.override.reason,
      currentLevel: null,
      fromLevel: null,
      level: r.override.level,
      mode: r.override.mode,
      expiresAt: r.override.expiresAt,
      period: null,
      requestedBy: r.override.requestedBy,
      requestedAt: r.createdAt,
      ageSeconds: 0,
      contentHash: overrideHash(r),
      approvalNeeds: approvalNeedsOf(tp, r.override),
      requesters: [r.override.requestedBy],
    }),
  );
  const levels = (await listPendingLevelApprovals(deps.db, deps.tenantId)).map(
    (a): PendingApproval => ({
      kind: 'level',
      id: `${a.subject}:${a.scheme}`,
      scheme: a.scheme,
      subject: a.subject,
      summary: `${name(a.scheme)}: ${level(a.scheme, a.fromLevel)} → ${level(a.scheme, a.level)} (${a.period})`,
      reason: null,
      currentLevel: null,
      fromLevel: a.fromLevel,
      level: a.level,
      mode: null,
      expiresAt: null,
      period: a.period,
      requestedBy: a.requestedBy,
      requestedAt: a.requestedAt,
      ageSeconds: 0,
      contentHash: a.contentHash,
      approvalNeeds: 'approver',
      requesters: [a.requestedBy],
    }),
  );
  const all = [...overrides, ...levels, ...(await pendingPolicyApprovals(deps))];
  const nowMs = deps.now().getTime();
  const key = (i: PendingApproval) => [i.requestedAt, i.kind, i.id] as const;
  const before = (a: readonly string[], b: readonly string[]) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? '') < (b[i] ?? '');
    return false;
  };
  const after = q.cursor;
  const items = all
    .map((i) => ({ ...i, ageSeconds: Math.max(0, Math.floor((nowMs - Date.parse(i.requestedAt)) / 1000)) }))
    .filter((i) => after === undefined || before([after.at, after.kind, after.id], key(i)))
    .sort((a, b) => (before(key(a), key(b)) ? -1 : before(key(b), key(a)) ? 1 : 0));
  const mine = requestedByCaller(deps.db, deps.tenantId, deps.principal.actor);
  const blocked = approvalsBlocked(deps.db, deps.tenantId);
  return Promise.all(
    items.slice(0, q.limit).map(
      async ({ requesters, ...i }): Promise<ApprovalItem> => ({
        ...i,
        // The read before owners were resolved (its seed's sign-offs are the system's: no person behind them).
        requestedByStaff: null,
        requestedByYou: await mine(requesters),
        approvalBlocked: await blocked(i.approvalNeeds, requesters),
      }),
    ),
  );
}

async function seed(db: Db) {
  await provisionTenant(db.db, { id: TENANT, name: TENANT, pack: defaultPolicyPack, now: NOW });
  // A re-tier stamps its sign-offs chunk by chunk: a few thousand share each instant.
  const at = (i: number) => new Date(NOW.getTime() - 86_400_000 + Math.floor(i / 2_500) * 60_000).toISOString();
  const ids = Array.from({ length: PENDING }, (_, i) => i);
  for (const part of chunks(ids, 500)) {
    await db.db
      .insertInto('subjects')
      .values(
        part.map((i) => ({
          id: `s${i}`,
          tenant_id: TENANT,
          external_id: `C${String((i * 7919) % PENDING).padStart(7, '0')}`,
          kind: 'customer',
          display_name: 'x',
          attributes: '{}',
          created_at: NOW.toISOString(),
          updated_at: NOW.toISOString(),
          closed_at: null,
          closed_reason: null,
          left_at: null,
        })),
      )
      .execute();
    await db.db
      .insertInto('level_approvals')
      .values(
        part.map((i) => ({
          id: `lvl${i}`,
          tenant_id: TENANT,
          subject_id: `s${i}`,
          scheme: 'aml-risk',
          level: 'high',
          from_level: 'medium-high',
          period: '2025-10',
          policy_version: 1,
          requested_by: 'system',
          requested_at: at(i),
          status: 'pending',
          content_hash: 'sha256:x',
          decided_by: null,
          decided_at: null,
          decision_note: null,
        })),
      )
      .execute();
    // Every customer has its level now (the one the sign-off moves from): what a page reads for its items.
    await db.db
      .insertInto('assignments')
      .values(
        part.map((i) => ({
          tenant_id: TENANT,
          subject_id: `s${i}`,
          scheme: 'aml-risk',
          level: 'high',
          rank: 3,
          periods_below: 0,
          base_level: 'medium-high',
          base_periods_below: 0,
          previous_level: 'medium-high',
          explanation: '{}',
          progress: null,
          retention: null,
          approval_required: 1,
          policy_version: 1,
          period: '2025-10',
          evaluated_at: NOW.toISOString(),
        })),
      )
      .execute();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tierkit-bench-approvals-'));
const pg = POSTGRES ? await startPostgres() : undefined;
try {
  const url = pg ? await pg.createDatabase('bench_approvals') : join(dir, 'tierkit.db');
  const db = connect({ url });
  await migrateToLatest(db.db);
  await seed(db);
  const timeZone = 'Asia/Shanghai';
  const deps: ApiDeps = {
    db: db.db,
    packs: new TenantPacks(undefined, undefined, timeZone),
    unmaskNames: false,
    maxObservations: 1000,
    timeZone,
    now: () => NOW,
    matrices: new TenantResultCache(5000),
    tenantId: TENANT,
    principal: { tenantId: TENANT, via: 'key', role: 'viewer', subject: null, origins: null, actor: 'key:bench' },
  };
  // The middle page's position: the item half way down the queue, as its cursor names it.
  const c = pg ? sql`COLLATE "C"` : sql``;
  const middleRow = await sql<{ at: string; id: string }>`
    SELECT l.requested_at AS at, s.external_id || ':' || l.scheme AS id FROM level_approvals l JOIN subjects s ON s.id = l.subject_id
    WHERE l.tenant_id = ${TENANT} AND l.status = 'pending' ORDER BY l.requested_at ${c}, (s.external_id || ':' || l.scheme) ${c}
    LIMIT 1 OFFSET ${Math.floor(PENDING / 2)}`.execute(db.db);
  const middle = { at: middleRow.rows[0]?.at ?? '', kind: 'level', id: middleRow.rows[0]?.id ?? '' };
  const raw = (after?: { at: string; id: string }) =>
    sql`SELECT l.*, s.external_id FROM level_approvals l JOIN subjects s ON s.id = l.subject_id AND s.tenant_id = l.tenant_id
      WHERE l.tenant_id = ${TENANT} AND l.status = 'pending' AND s.closed_at IS NULL
      ${after ? sql`AND l.requested_at ${c} >= ${after.at} AND (l.requested_at ${c} > ${after.at} OR (s.external_id || ':' || l.scheme) ${c} > ${after.id})` : sql``}
      ORDER BY l.requested_at ${c}, (s.external_id || ':' || l.scheme) ${c} LIMIT ${LIMIT + 1}`.execute(db.db);

  // The same sources with no subject to read a level of: the page without its current-level query.
  const noLevels: ApprovalSource[] = APPROVAL_SOURCES.map((src) => ({
    ...src,
    window: async (...args) => (await src.window(...args)).map(({ subjectId: _, ...e }) => e),
  }));
  const cases: [string, () => Promise<unknown>][] = [
    ['raw SELECT … LIMIT, first page', () => raw()],
    ['raw SELECT … LIMIT, middle page', () => raw(middle)],
    ['page from SQL (new), first page', () => approvalsPage(deps, { limit: LIMIT })],
    ['page from SQL (new), middle page', () => approvalsPage(deps, { limit: LIMIT, cursor: encodeCursor('approvals', middle) })],
    ['  … without current levels, first page', () => approvalsPage(deps, { limit: LIMIT }, noLevels)],
    [
      '  … without current levels, middle page',
      () => approvalsPage(deps, { limit: LIMIT, cursor: encodeCursor('approvals', middle) }, noLevels),
    ],
    ['merged in memory (old), first page', () => inMemoryPage(deps, { limit: LIMIT })],
    ['merged in memory (old), middle page', () => inMemoryPage(deps, { limit: LIMIT, cursor: middle })],
  ];
  // The same page from old and new, once, so the figures compare like with like.
  const a = await approvalsPage(deps, { limit: LIMIT, cursor: encodeCursor('approvals', middle) });
  const b = await inMemoryPage(deps, { limit: LIMIT, cursor: middle });
  // The old queue read no current level: compare without it.
  const noCurrent = (items: readonly ApprovalItem[]) => items.map((i) => ({ ...i, currentLevel: null }));
  if (a.items.some((i) => i.currentLevel !== 'high')) throw new Error('the page reads its items’ current levels');
  if (JSON.stringify(noCurrent(a.items)) !== JSON.stringify(b)) throw new Error('old and new pages differ');
  const cpu: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of round % 2 === 0 ? cases : [...cases].reverse()) {
      // The old one costs a whole queue a call: fewer calls, same per-call figure.
      const n = name.includes('old') ? 3 : 100;
      await run();
      // This process and its children: the embedded PostgreSQL server's backends do a query's work.
      const start = treeCpu(process.pid);
      for (let i = 0; i < n; i++) await run();
      (cpu[name] ??= []).push(((treeCpu(process.pid) - start) * 1000) / n);
    }
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
  const floor = {
    first: median(cpu['raw SELECT … LIMIT, first page'] ?? []),
    middle: median(cpu['raw SELECT … LIMIT, middle page'] ?? []),
  };
  console.log(
    `${pg ? 'PostgreSQL' : 'SQLite'}, ${PENDING} pending sign-offs, limit ${LIMIT}, ${ROUNDS} rounds; CPU ms per page (this process and its children)`,
  );
  for (const [name, xs] of Object.entries(cpu)) {
    const m = median(xs);
    const base = name.includes('middle') ? floor.middle : floor.first;
    console.log(`${name.padEnd(38)} ${m.toFixed(2).padStart(9)} ms  ×${(m / base).toFixed(1)} raw`);
  }
  await db.close();
} finally {
  if (pg) await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
