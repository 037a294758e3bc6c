import type { LocalizedText } from '../model/locale.js';
import type { OverrideInfo } from '../model/override.js';

/** Why hysteresis kept a level: above the retention line, or inside the grace periods. */
export function holdLabel(why: 'retained' | 'grace', below: number, allowed: number): LocalizedText {
  if (why === 'retained') {
    return {
      'zh-CN': '仍在保级线以上，保留原等级',
      'zh-TW': '仍在保級線以上，保留原等級',
      en: 'still above the retention line: level kept',
    };
  }
  return {
    'zh-CN': `已连续 ${below} 期低于标准（第 ${allowed} 期起降级），保留原等级`,
    'zh-TW': `已連續 ${below} 期低於標準（第 ${allowed} 期起降級），保留原等級`,
    en: `below the line for ${below} consecutive period${below === 1 ? '' : 's'} (downgrade at ${allowed}): level kept`,
  };
}

/**
 * "人工调整（固定为该等级）" — the mode is always spelled out, never implied, in the words the console's
 * request form and approvals queue use for it (one term per mode in each language). Alone, it is what an
 * erased customer's stored level keeps: that an override decided, not the reason typed about them.
 */
export function overrideKindLabel(mode: OverrideInfo['mode']): LocalizedText {
  const fixed = mode === 'fixed';
  return {
    'zh-CN': `人工调整（${fixed ? '固定为该等级' : '不低于该等级'}）`,
    'zh-TW': `人工調整（${fixed ? '固定為該等級' : '不低於該等級'}）`,
    en: `manual override (${fixed ? 'exactly this level' : 'never below this level'})`,
  };
}

/** "人工调整（固定为该等级）：reason": the kind, then the reason staff gave (never shown to a customer). */
export function overrideLabel(o: OverrideInfo): LocalizedText {
  const kind = overrideKindLabel(o.mode);
  return {
    'zh-CN': `${kind['zh-CN']}：${o.reason}`,
    'zh-TW': `${kind['zh-TW']}：${o.reason}`,
    en: `${kind.en}: ${o.reason}`,
  };
}
