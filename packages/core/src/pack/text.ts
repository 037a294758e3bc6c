import type { LocalizedText } from '../model/locale.js';

/** A label in zh-CN, zh-TW and en, in that order. */
export function t(zhCN: string, zhTW: string, en: string): LocalizedText {
  return { 'zh-CN': zhCN, 'zh-TW': zhTW, en };
}

/** ¥ as fen: policies store integer minor units; defaults are written in yuan for the reader. */
export function yuan(amount: number): number {
  return Math.round(amount * 100);
}
