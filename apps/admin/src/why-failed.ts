import type { KitError } from '@tierkit/admin';
import type { ConsoleLocale } from './words.js';

const WORDS: Record<ConsoleLocale, { unreachable: string; server: (status: number) => string }> = {
  'zh-CN': {
    unreachable: '无法连接服务器（网络中断或服务未运行），请稍后重试。',
    server: (status) => `服务器出错（HTTP ${status}），请稍后重试；如仍失败，请联系技术支持。`,
  },
  'zh-TW': {
    unreachable: '無法連線伺服器（網路中斷或服務未執行），請稍後重試。',
    server: (status) => `伺服器出錯（HTTP ${status}），請稍後重試；如仍失敗，請聯絡技術支援。`,
  },
  en: {
    unreachable: 'Cannot reach the server (the network is down or the service is not running). Try again shortly.',
    server: (status) => `The server failed (HTTP ${status}). Try again shortly; if it keeps failing, contact support.`,
  },
};

/**
 * Why a request failed, in words staff can act on. A request that never reached the API has only the
 * browser's own message (`Failed to fetch`, in English whatever the console's language), and a 5xx
 * only a generic title; the API's 4xx problems say what was wrong in their detail.
 */
export function whyFailed(e: KitError | undefined, locale: ConsoleLocale): string {
  if (!e) return '';
  if (e.status === 0) return WORDS[locale].unreachable;
  if (e.status >= 500) return WORDS[locale].server(e.status);
  return e.detail ?? e.title;
}
