import type { PolicyPack } from './pack-schema.js';
import type { PolicyError } from './policy-errors.js';
import { PRODUCT_RISKS, RISK_TOLERANCES } from '../suitability/suitability.js';

/** The level keys suitability reads, by the kind of subject a suitability scheme tiers (docs/domain.md §2). */
const READ: Readonly<Record<string, readonly string[]>> = { customer: RISK_TOLERANCES, product: PRODUCT_RISKS };

/**
 * Suitability reads one `category: 'suitability'` scheme per side — the customer's tolerance (C1–C5) and
 * the product's risk (R1–R5) — by those keys (packages/api/src/services/suitability.ts). A second scheme of
 * a side was accepted and silently ignored, and a level named otherwise read as "no assessment": both are
 * refused. A scheme's lowest level may be named freely, for "not rated" (product-risk's `unrated`), which
 * suitability answers as no level; the others must be the side's keys, in their order of rank.
 */
export function checkSuitabilitySchemes(pack: PolicyPack, errors: PolicyError[]): void {
  const first = new Map<string, string>();
  pack.schemes.forEach((s, i) => {
    const keys = READ[s.subjectKind];
    if (s.category !== 'suitability' || !keys) return;
    const other = first.get(s.subjectKind);
    if (other !== undefined)
      errors.push({
        path: `schemes[${i}].category`,
        message: `suitability reads one ${s.subjectKind} scheme, and "${other}" is it: a second would be ignored`,
        code: 'suitability_taken',
        params: { scheme: other, subjectKind: s.subjectKind },
      });
    else first.set(s.subjectKind, s.key);
    let last = -1;
    s.levels.forEach((l, j) => {
      const at = keys.indexOf(l.key);
      if (at < 0 && j === 0) return;
      if (at < 0 || at < last)
        errors.push({
          path: `schemes[${i}].levels[${j}].key`,
          message:
            at < 0
              ? `suitability reads the levels ${keys.join(', ')} (and a lowest level for "not rated"): "${l.key}" would read as no level`
              : `suitability levels must rank in the order ${keys.join(', ')}`,
          code: 'suitability_level',
          params: { level: l.key, values: [...keys] },
        });
      last = Math.max(last, at);
    });
  });
}
