import type { Locale, RetirementRequest } from '@tierkit/core';
import { listPolicyVersionsIn, type PolicyVersion } from '@tierkit/db';
import { packOf, type ApiDeps } from '../deps.js';
import { periodOf } from '../periods.js';
import type { PendingApproval } from './approval-item.js';
import { retirementEffect, retirementNeeds } from './policy-approvals.js';
import { retirementHash, retirementPending } from './policy-retirement.js';
import { statusOf } from './policy-views.js';

/** The words of a retirement's summary, per locale: which version, where it stands, what decides instead, why. */
const WORDS: Readonly<
  Record<
    Locale,
    {
      readonly version: (r: RetirementRequest) => string;
      readonly instead: (v: number | null) => string;
      readonly asked: string;
      readonly reason: string;
    }
  >
> = {
  'zh-CN': {
    version: (r) =>
      `第 ${r.version} 版（${r.status === 'active' ? '现行' : r.status === 'approved' ? '已排期' : '已被取代'}${r.effectiveFrom ? `，自 ${r.effectiveFrom} 起` : ''}）`,
    instead: (v) => (v === null ? '停用后该方案不再生效' : `停用后由第 ${v} 版决定`),
    asked: '申请停用',
    reason: '理由：',
  },
  'zh-TW': {
    version: (r) =>
      `第 ${r.version} 版（${r.status === 'active' ? '現行' : r.status === 'approved' ? '已排程' : '已被取代'}${r.effectiveFrom ? `，自 ${r.effectiveFrom} 起` : ''}）`,
    instead: (v) => (v === null ? '停用後該方案不再生效' : `停用後由第 ${v} 版決定`),
    asked: '申請停用',
    reason: '理由：',
  },
  en: {
    version: (r) =>
      `v${r.version} (${r.status === 'active' ? 'in force' : r.status === 'approved' ? 'scheduled' : 'superseded'}${r.effectiveFrom ? ` from ${r.effectiveFrom}` : ''})`,
    instead: (v) => (v === null ? 'the scheme leaves the pack once retired' : `v${v} decides instead once retired`),
    asked: 'retirement requested',
    reason: 'reason: ',
  },
};

/** One line for the queue: "客户等级 第 3 版（现行，自 2027-01-01 起）申请停用；停用后由第 2 版决定；理由：…". */
export function retirementSummary(schemeName: string, r: RetirementRequest, note: string, locale: Locale): string {
  const w = WORDS[locale];
  const [gap, sep] = locale === 'en' ? [' ', '; '] : ['', '；'];
  return `${schemeName} ${w.version(r)}${gap}${w.asked}${sep}${w.instead(r.instead)}${sep}${w.reason}${note}`;
}

/**
 * The retirements waiting for a second person, as approvals-queue entries (id `scheme@version`), oldest
 * first, with who may approve each (`retirementNeeds`, what the approval checks). Few — a person asks for
 * each — so the queue reads them all and cuts its window in memory, as it does policy versions.
 */
export async function pendingRetirementApprovals(
  deps: Pick<ApiDeps, 'db' | 'tenantId' | 'now' | 'packs' | 'timeZone'>,
  summary: (scheme: string, r: RetirementRequest, note: string) => string,
): Promise<PendingApproval[]> {
  const tp = await packOf(deps);
  const current = periodOf(deps.now(), deps.timeZone);
  const active = await listPolicyVersionsIn(deps.db, deps.tenantId, ['active']);
  return active
    .filter(retirementPending)
    .map((v: PolicyVersion): PendingApproval => {
      const status = statusOf(v, tp);
      const retirement: RetirementRequest = {
        version: v.version,
        status: status === 'approved' || status === 'superseded' ? status : 'active',
        effectiveFrom: v.decidedAt !== null && v.effectiveFrom ? v.effectiveFrom.slice(0, 10) : null,
        instead: retirementEffect(active, v, current).instead?.version ?? null,
      };
      const requestedAt = v.retireRequestedAt ?? '';
      const note = v.retireRequestNote ?? '';
      return {
        kind: 'retirement',
        id: `${v.scheme}@${v.version}`,
        scheme: v.scheme,
        subject: null,
        summary: summary(v.scheme, retirement, note),
        reason: note,
        currentLevel: null,
        fromLevel: null,
        level: null,
        mode: null,
        expiresAt: null,
        period: null,
        requestedBy: v.retireRequestedBy ?? '',
        requestedAt,
        ageSeconds: 0,
        contentHash: retirementHash(v) ?? '',
        approvalNeeds: retirementNeeds(active, v, current).role,
        retirement,
        requesters: [v.retireRequestedBy ?? ''],
      };
    })
    .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
}
