import type { Translations } from './locale.js';
import { stateTerms, type StateTerms } from './terms.js';

/** The block widgets' states: the shared ones, and what they say when the session has ended. */
export interface BlockStateTerms extends StateTerms {
  /** The credential was refused (401): an expired or revoked token, which trying again cannot mend. */
  readonly 'signed-out': string;
  /**
   * The credential may not read this (403): a token bound to another customer or origin, a role too
   * low, another RM's book. The widget cannot tell which, so the words blame no one.
   */
  readonly forbidden: string;
  /**
   * A scheme the tenant does not have (404 scheme-not-found): only the matrix reads one by name, and
   * says it in its own words; a widget without them says `unavailable`, the shared terms' neutral word.
   */
  readonly 'scheme-not-found'?: string;
  /**
   * The retry button's name, for what it loads again (the widget's heading): a page of widgets that
   * all failed holds several buttons, which a screen reader's list of buttons must tell apart. It
   * begins with the button's visible word (WCAG 2.5.3).
   */
  readonly retryWhat: (heading: string) => string;
}

/**
 * Apart from `stateTerms` so that the inline badge, which has no room for the sentence (nor bytes to
 * spare in its 10 KB), does not carry it: on a 401 it shows its error pill without a retry button.
 */
export const blockStateTerms: Translations<BlockStateTerms> = {
  'zh-CN': {
    ...stateTerms['zh-CN'],
    'signed-out': '登录已过期，请重新登录。',
    forbidden: '此内容无法在此显示。',
    retryWhat: (h) => `重试加载${h}`,
  },
  'zh-TW': {
    ...stateTerms['zh-TW'],
    'signed-out': '登入已逾時，請重新登入。',
    forbidden: '此內容無法在此顯示。',
    retryWhat: (h) => `重試載入${h}`,
  },
  en: {
    ...stateTerms.en,
    'signed-out': 'Your session has ended. Please sign in again.',
    forbidden: "This can't be shown here.",
    retryWhat: (h) => `Try again: ${h}`,
  },
};
