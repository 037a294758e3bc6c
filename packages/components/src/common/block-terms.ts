import type { Translations } from './locale.js';
import { stateTerms, type StateTerms } from './terms.js';

/** The block widgets' states: the shared ones, and what they say when the session has ended. */
export interface BlockStateTerms extends StateTerms {
  /** The credential was refused (401): an expired or revoked token, which trying again cannot mend. */
  readonly 'signed-out': string;
  /** The credential may not read this subject (403): an embed token bound to another customer. */
  readonly forbidden: string;
}

/**
 * Apart from `stateTerms` so that the inline badge, which has no room for the sentence (nor bytes to
 * spare in its 10 KB), does not carry it: on a 401 it shows its error pill without a retry button.
 */
export const blockStateTerms: Translations<BlockStateTerms> = {
  'zh-CN': { ...stateTerms['zh-CN'], 'signed-out': '登录已过期，请重新登录。', forbidden: '无权查看该客户的信息。' },
  'zh-TW': { ...stateTerms['zh-TW'], 'signed-out': '登入已逾時，請重新登入。', forbidden: '無權查看此客戶的資料。' },
  en: { ...stateTerms.en, 'signed-out': 'Your session has ended. Please sign in again.', forbidden: 'You may not see this customer.' },
};
