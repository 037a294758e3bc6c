import { formatPeriod } from '@tierkit/core/period';
import { MINUS } from '@tierkit/core/money';
import type { ConsoleLocale } from '../words.js';
import { count } from './analytics-format.js';

/** A change in a count, signed: +312, −5, 0 (the typographic minus the console's figures use). */
export function signedCount(n: number): string {
  return n > 0 ? `+${count(n)}` : n < 0 ? `${MINUS}${count(-n)}` : '0';
}

/** The words of a simulation compared with the version in force (policy editor and approval card alike). */
const zh = {
  title: '与生效版本比较',
  against: (v: number) => `同一数据、同一月份下，与生效版本 v${v} 计算的结果比较（不是与当前存储的等级比较）。`,
  versus: (higher: number, lower: number, same: number) =>
    `比生效版本高 ${count(higher)} 人，低 ${count(lower)} 人，相同 ${count(same)} 人`,
  noBaseline: '没有可比较的生效版本（新方案，或此模拟早于比较功能）：以下人数是与当前存储的等级比较。',
  level: '等级',
  inForce: '生效版本',
  simulated: '本版本',
  change: '差异',
  afterGrace: '宽限期结束后',
  caption: '各等级人数：生效版本与本版本',
  grace: (downs: number, held: number) =>
    held === 0
      ? `本次重评下调 ${count(downs)} 人，无人处于降级宽限期。`
      : `本次重评下调 ${count(downs)} 人；另有 ${count(held)} 人低于新标准，因降级宽限期暂时保留，宽限期结束后下调：`,
  drop: (month: string, n: number, moves: string) => `${formatPeriod(month, 'zh-CN')}重评：${count(n)} 人（${moves}）`,
  download: '下载受影响客户名单（CSV）',
  downloading: '正在准备受影响客户名单…',
  downloaded: (file: string) => `已下载 ${file}`,
  downloadFailed: (why: string) => `未能下载受影响客户名单：${why}`,
};

const tw: typeof zh = {
  title: '與生效版本比較',
  against: (v: number) => `同一資料、同一月份下，與生效版本 v${v} 計算的結果比較（不是與目前儲存的等級比較）。`,
  versus: (higher: number, lower: number, same: number) =>
    `比生效版本高 ${count(higher)} 人，低 ${count(lower)} 人，相同 ${count(same)} 人`,
  noBaseline: '沒有可比較的生效版本（新方案，或此模擬早於比較功能）：以下人數是與目前儲存的等級比較。',
  level: '等級',
  inForce: '生效版本',
  simulated: '本版本',
  change: '差異',
  afterGrace: '寬限期結束後',
  caption: '各等級人數：生效版本與本版本',
  grace: (downs: number, held: number) =>
    held === 0
      ? `本次重評下調 ${count(downs)} 人，無人處於降級寬限期。`
      : `本次重評下調 ${count(downs)} 人；另有 ${count(held)} 人低於新標準，因降級寬限期暫時保留，寬限期結束後下調：`,
  drop: (month: string, n: number, moves: string) => `${formatPeriod(month, 'zh-TW')}重評：${count(n)} 人（${moves}）`,
  download: '下載受影響客戶名單（CSV）',
  downloading: '正在準備受影響客戶名單…',
  downloaded: (file: string) => `已下載 ${file}`,
  downloadFailed: (why: string) => `未能下載受影響客戶名單：${why}`,
};

const en: typeof zh = {
  title: 'Compared with the version in force',
  against: (v: number) =>
    `Against what version ${v}, in force, computes on the same data for the same month (not against the levels stored).`,
  versus: (higher: number, lower: number, same: number) =>
    `${count(higher)} higher than under the version in force, ${count(lower)} lower, ${count(same)} the same`,
  noBaseline:
    'No version in force to compare with (a new scheme, or a simulation from before comparisons): the counts below are against the levels stored.',
  level: 'Level',
  inForce: 'In force',
  simulated: 'This version',
  change: 'Change',
  afterGrace: 'Once the grace ends',
  caption: 'Customers per level: the version in force and this one',
  grace: (downs: number, held: number) =>
    held === 0
      ? `${count(downs)} go down at this re-tier; nobody is in a downgrade grace.`
      : `${count(downs)} go down at this re-tier; ${count(held)} more fall below the new line but keep their level in the downgrade grace, and go down when it ends:`,
  drop: (month: string, n: number, moves: string) => `${formatPeriod(month, 'en')} re-tier: ${count(n)} (${moves})`,
  download: 'Download the affected customers (CSV)',
  downloading: 'Preparing the list of affected customers…',
  downloaded: (file: string) => `Downloaded ${file}`,
  downloadFailed: (why: string) => `The list of affected customers could not be downloaded: ${why}`,
};

export const COMPARISON_WORDS: Record<ConsoleLocale, typeof zh> = { 'zh-CN': zh, 'zh-TW': tw, en };
