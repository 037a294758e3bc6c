import type { Translations } from './locale.js';

/** Words every widget's loading / empty / error states share. */
export interface StateTerms {
  readonly loading: string;
  readonly error: string;
  readonly retry: string;
  readonly noSubject: string;
  /** The API knows no such subject (404): retrying cannot help, so no button goes with it. */
  readonly 'not-found': string;
  /** Refused for good for a reason the widget cannot name (403, a 404 of no customer): nothing to retry. */
  readonly unavailable: string;
}

export const stateTerms: Translations<StateTerms> = {
  'zh-CN': {
    loading: '正在加载…',
    error: '暂时无法加载，请稍后再试。',
    retry: '重试',
    noSubject: '未指定客户。',
    'not-found': '未找到该客户。',
    unavailable: '无法加载',
  },
  'zh-TW': {
    loading: '正在載入…',
    error: '暫時無法載入，請稍後再試。',
    retry: '重試',
    noSubject: '未指定客戶。',
    'not-found': '查無此客戶。',
    unavailable: '無法載入',
  },
  en: {
    loading: 'Loading…',
    error: 'This could not be loaded right now.',
    retry: 'Try again',
    noSubject: 'No customer selected.',
    'not-found': 'Customer not found.',
    unavailable: 'Unavailable',
  },
};
