import type { ConsoleLocale } from '../words.js';

const zh = {
  title: '各客户经理',
  heading: '各客户经理的客户数',
  scheme: '方案',
  loading: '正在加载…',
  failed: '加载失败',
  empty: '没有可显示的客户经理。',
  rm: '客户经理',
  noBook: '未分配客户经理',
  total: '合计',
  up: '本月升级',
  down: '本月降级',
  entered: '本月新评',
  caption: (scheme: string, month: string) => `${scheme}：各等级现有客户数；升降级按客户计，${month}（本行时区）`,
  countLink: (n: string, rm: string, level: string) => `${rm} 的 ${level} 客户：${n} 位`,
};

const tw: typeof zh = {
  title: '各客戶經理',
  heading: '各客戶經理的客戶數',
  scheme: '方案',
  loading: '正在載入…',
  failed: '載入失敗',
  empty: '沒有可顯示的客戶經理。',
  rm: '客戶經理',
  noBook: '未分配客戶經理',
  total: '合計',
  up: '本月升級',
  down: '本月降級',
  entered: '本月新評',
  caption: (scheme: string, month: string) => `${scheme}：各等級現有客戶數；升降級按客戶計，${month}（本行時區）`,
  countLink: (n: string, rm: string, level: string) => `${rm} 的 ${level} 客戶：${n} 位`,
};

const en: typeof zh = {
  title: 'Books',
  heading: 'Customers per relationship manager',
  scheme: 'Scheme',
  loading: 'Loading…',
  failed: 'Could not load',
  empty: 'No book to show.',
  rm: 'Relationship manager',
  noBook: 'In no book',
  total: 'Total',
  up: 'Up this month',
  down: 'Down this month',
  entered: 'New this month',
  caption: (scheme: string, month: string) =>
    `${scheme}: customers at each level now; moves count each customer once, ${month} (the bank’s time zone)`,
  countLink: (n: string, rm: string, level: string) => `${n} ${level} customers of ${rm}`,
};

export const BOOKS_WORDS: Record<ConsoleLocale, typeof zh> = { 'zh-CN': zh, 'zh-TW': tw, en };
