import type { EventReason } from '@tierkit/core';
import type { Translations } from '../common/locale.js';

/** Words of `<tk-tier-timeline>`. */
export interface TimelineTerms {
  readonly title: string;
  readonly year: (year: number) => string;
  readonly reason: Readonly<Record<EventReason, string>>;
  /** Spoken between the two level names (the arrow is hidden from screen readers). */
  readonly to: string;
  readonly up: string;
  readonly down: string;
  /** Said before who approved a change, and before who made it (the host may name them with a template). */
  readonly approvedBy: string;
  readonly by: string;
  readonly automatic: string;
  readonly policy: (version: number) => string;
  /** The data period an event was decided on, the month already formatted ("2025年11月", "Nov 2025"). */
  readonly period: (month: string) => string;
  readonly loadMore: string;
  readonly loadingMore: string;
  readonly moreFailed: string;
  readonly loaded: (formatted: string, n: number) => string;
  readonly empty: string;
}

export const timelineTerms: Translations<TimelineTerms> = {
  'zh-CN': {
    title: '等级变动记录',
    year: (y) => `${y}年`,
    reason: {
      rule: '规则评定',
      override: '人工调整',
      'policy-change': '政策调整',
      'override-expired': '人工调整到期',
      'lowering-approved': '降级已审批',
      initial: '首次评定',
    },
    to: '变为',
    up: '升级',
    down: '降级',
    approvedBy: '审批人：',
    by: '操作人：',
    automatic: '系统自动',
    policy: (v) => `政策第 ${v} 版`,
    period: (m) => `数据期：${m}`,
    loadMore: '加载更早的记录',
    loadingMore: '正在加载更早的记录…',
    moreFailed: '更早的记录加载失败。',
    loaded: (f) => `已加载 ${f} 条记录`,
    empty: '暂无等级变动记录。',
  },
  'zh-TW': {
    title: '等級變動紀錄',
    year: (y) => `${y}年`,
    reason: {
      rule: '規則評定',
      override: '人工調整',
      'policy-change': '政策調整',
      'override-expired': '人工調整到期',
      'lowering-approved': '降級已核准',
      initial: '首次評定',
    },
    to: '變為',
    up: '升級',
    down: '降級',
    approvedBy: '核准人：',
    by: '操作人：',
    automatic: '系統自動',
    policy: (v) => `政策第 ${v} 版`,
    period: (m) => `資料期間：${m}`,
    loadMore: '載入更早的紀錄',
    loadingMore: '正在載入更早的紀錄…',
    moreFailed: '更早的紀錄載入失敗。',
    loaded: (f) => `已載入 ${f} 筆紀錄`,
    empty: '暫無等級變動紀錄。',
  },
  en: {
    title: 'Tier history',
    year: (y) => String(y),
    reason: {
      rule: 'Rule',
      override: 'Manual override',
      'policy-change': 'Policy change',
      'override-expired': 'Override expired',
      'lowering-approved': 'Lowering approved',
      initial: 'First assessment',
    },
    to: 'to',
    up: 'Upgrade',
    down: 'Downgrade',
    approvedBy: 'Approved by ',
    by: 'By ',
    automatic: 'Automatic',
    policy: (v) => `Policy v${v}`,
    period: (m) => `Data for ${m}`,
    loadMore: 'Load earlier changes',
    loadingMore: 'Loading earlier changes…',
    moreFailed: 'Earlier changes could not be loaded.',
    loaded: (f, n) => `${f} ${n === 1 ? 'change' : 'changes'} loaded`,
    empty: 'No tier changes yet.',
  },
};
