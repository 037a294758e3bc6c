import type { CellTone } from '@tierkit/core';
import type { Translations } from '../common/locale.js';

/** Words of `<tk-risk-value-matrix>`; functions take already-formatted numbers. */
export interface MatrixTerms {
  readonly title: string;
  /** Fallback axis names when the row / column scheme is not known. */
  readonly rows: string;
  readonly cols: string;
  readonly tone: Readonly<Record<CellTone, string>>;
  readonly count: (formatted: string, n: number) => string;
  readonly total: (formatted: string, n: number) => string;
  readonly current: string;
  readonly showTable: string;
  readonly level: string;
  readonly action: string;
  readonly toneHeader: string;
  readonly countHeader: string;
  readonly empty: string;
  readonly noPosition: string;
  /** The tenant has no such matrix scheme (404 scheme-not-found): an error, not an empty matrix. */
  readonly unknownScheme: string;
  /** The portfolio may not be read with this credential (403): no customer is involved. */
  readonly portfolioForbidden: string;
  readonly undefinedCell: string;
  readonly caption: (rows: string, cols: string) => string;
}

export const matrixTerms: Translations<MatrixTerms> = {
  'zh-CN': {
    title: '风险—价值矩阵',
    rows: '风险',
    cols: '价值',
    tone: { good: '良好', neutral: '一般', caution: '关注', bad: '警示' },
    count: (f) => `${f} 位客户`,
    total: (f) => `共 ${f} 位客户`,
    current: '当前位置',
    showTable: '以表格显示',
    level: '分层',
    action: '策略',
    toneHeader: '提示',
    countHeader: '客户数',
    empty: '暂无矩阵数据。',
    noPosition: '该客户暂无风险—价值分层。',
    unknownScheme: '未知矩阵方案。',
    portfolioForbidden: '此矩阵无法在此显示。',
    undefinedCell: '未定义',
    caption: (r, c) => `${r}（行）× ${c}（列）`,
  },
  'zh-TW': {
    title: '風險—價值矩陣',
    rows: '風險',
    cols: '價值',
    tone: { good: '良好', neutral: '一般', caution: '關注', bad: '警示' },
    count: (f) => `${f} 位客戶`,
    total: (f) => `共 ${f} 位客戶`,
    current: '目前位置',
    showTable: '以表格顯示',
    level: '分層',
    action: '策略',
    toneHeader: '提示',
    countHeader: '客戶數',
    empty: '暫無矩陣資料。',
    noPosition: '此客戶暫無風險—價值分層。',
    unknownScheme: '未知矩陣方案。',
    portfolioForbidden: '此矩陣無法在此顯示。',
    undefinedCell: '未定義',
    caption: (r, c) => `${r}（列）× ${c}（欄）`,
  },
  en: {
    title: 'Risk-value matrix',
    rows: 'Risk',
    cols: 'Value',
    tone: { good: 'Favourable', neutral: 'Neutral', caution: 'Watch', bad: 'Adverse' },
    count: (f, n) => `${f} ${n === 1 ? 'customer' : 'customers'}`,
    total: (f, n) => `${f} ${n === 1 ? 'customer' : 'customers'} in total`,
    current: 'This customer',
    showTable: 'Show as table',
    level: 'Segment',
    action: 'Action',
    toneHeader: 'Signal',
    countHeader: 'Customers',
    empty: 'No matrix data yet.',
    noPosition: 'This customer has no risk-value segment yet.',
    unknownScheme: 'Unknown matrix scheme.',
    portfolioForbidden: "This matrix can't be shown here.",
    undefinedCell: 'Not defined',
    caption: (r, c) => `${r} (rows) × ${c} (columns)`,
  },
};
