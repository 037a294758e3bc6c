import type { CheckData, WallTimeCheck } from '@tierkit/admin';
import type { ConsoleLocale } from './words.js';

/**
 * Why a typed time in the bank's zone is refused (the kit's `WALL_TIME_CHECKS`), in one set of words
 * for every form that takes one: a closing's time, the audit trail's range.
 */
export const WALL_TIME_WORDS = {
  'zh-CN': {
    'not-a-time': () => '不是有效的日期和时间',
    'time-skipped': () => '该时间因夏令时调整而不存在（时钟跳过了这一段），请改填其他时间',
  },
  'zh-TW': {
    'not-a-time': () => '不是有效的日期和時間',
    'time-skipped': () => '該時間因夏令時調整而不存在（時鐘跳過了這一段），請改填其他時間',
  },
  en: {
    'not-a-time': () => 'not a date and time',
    'time-skipped': () => 'the clocks skip this time (daylight saving): it never happened — enter another',
  },
} satisfies Record<ConsoleLocale, Record<WallTimeCheck, (data: CheckData) => string>>;
