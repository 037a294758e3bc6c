import type { Assignment } from '../model/api.js';
import type { LevelRef, NextLevelGain, ResolvedEntitlement } from '../model/entitlement.js';
import type { Explanation } from '../model/explanation.js';
import type { TierEvent } from '../model/history.js';
import type { LocalizedText } from '../model/locale.js';
import type { SchemeDefinition } from '../policy/pack-schema.js';
import { UNAVAILABLE_NOTICE, type AudienceView } from './audience-view.js';

/**
 * Staff's view of a pack cut to the schemes a staff member may read (`SchemeDefinition.readers`): a
 * scheme they may not read is absent from every multi-scheme read, as if the pack had none, so a viewer's
 * console keeps working without an AML grade (docs/domain.md §4, "Who reads a grade"). What it leaves:
 * - a derived scheme's `levelsRead` entry naming the hidden scheme's level (a risk band read from AML);
 * - a benefit the hidden scheme blocks is listed with the notice a customer would get, never why — staff
 *   must not offer what the bank will refuse, nor learn which classification refuses it;
 * - the hidden scheme's own restrictions.
 * `view` must be a staff view; `readable` says which of its schemes stay.
 */
export function readerView(view: AudienceView, readable: (s: SchemeDefinition) => boolean): AudienceView {
  if (view.audience !== 'staff' || view.schemes.every(readable)) return view;
  const schemes = view.schemes.filter(readable);
  const keys = new Set(schemes.map((s) => s.key));
  const seen = (k: string) => keys.has(k);
  const explanation = (e: Explanation): Explanation => {
    if (!e.levelsRead || Object.keys(e.levelsRead).every(seen)) return e;
    return { ...e, levelsRead: Object.fromEntries(Object.entries(e.levelsRead).filter(([k]) => seen(k))) };
  };
  const assignment = (a: Assignment): Assignment => ({ ...a, explanation: explanation(a.explanation) });
  return {
    audience: 'staff',
    schemes,
    sees: seen,
    assignment,
    assignments: (list) => ({ audience: 'staff', assignments: list.filter((a) => seen(a.scheme)).map(assignment) }),
    entitlements(r) {
      const entitlements: ResolvedEntitlement[] = [];
      for (const e of r.entitlements) {
        if (!seen(e.grantedBy.scheme)) continue;
        if (e.blockedBy && !seen(e.blockedBy.scheme)) {
          const { blockedBy: _hidden, ...kept } = e;
          entitlements.push({ ...kept, notice: UNAVAILABLE_NOTICE });
        } else entitlements.push(e);
      }
      const next: NextLevelGain[] = [];
      for (const n of r.next) {
        if (!seen(n.scheme)) continue;
        if (!n.blockedBy || Object.values(n.blockedBy).every((b) => seen(b.scheme))) {
          next.push(n);
          continue;
        }
        const kept: Record<string, LevelRef & { restriction: string }> = {};
        const notices: Record<string, LocalizedText> = {};
        for (const [k, by] of Object.entries(n.blockedBy)) {
          if (seen(by.scheme)) kept[k] = by;
          else notices[k] = UNAVAILABLE_NOTICE;
        }
        const { blockedBy: _hidden, ...gain } = n;
        next.push({ ...gain, ...(Object.keys(kept).length ? { blockedBy: kept } : {}), notices: { ...(n.notices ?? {}), ...notices } });
      }
      return { entitlements, next };
    },
    event: (e: TierEvent) => e,
    items: (events) => ({ audience: 'staff', items: events.filter((e) => seen(e.scheme)) }),
  };
}
