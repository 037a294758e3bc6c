import type { Assignment } from '../model/api.js';
import type { LevelRef, NextLevelGain, ResolvedEntitlement } from '../model/entitlement.js';
import type { Explanation } from '../model/explanation.js';
import type { TierEvent } from '../model/history.js';
import type { LocalizedText } from '../model/locale.js';
import type { SchemeDefinition } from '../policy/pack-schema.js';
import { derivedSources } from '../policy/dependencies.js';
import { t } from '../pack/text.js';
import { STAFF_UNAVAILABLE_NOTICE, type AudienceView } from './audience-view.js';

/** What a derived level's reason says to a reader who may not read the grade it was read from. */
const READ_FROM_HIDDEN = t('由您无权查看的等级得出', '由您無權查看的等級得出', 'read from a grade you may not read');

/**
 * Staff's view of a pack cut to the schemes a staff member may read (`SchemeDefinition.readers`): a
 * scheme they may not read is absent from every multi-scheme read, as if the pack had none, so a viewer's
 * console keeps working without an AML grade (docs/domain.md §4, "Who reads a grade"). What it leaves:
 * - a derived scheme's `levelsRead` entry naming the hidden scheme's level (a risk band read from AML),
 *   and the rule that decided it when that rule is the hidden scheme's (`map.aml-risk.high`, labelled
 *   "反洗钱风险等级：高 → 高风险"): the band stays, the grade it was read from does not;
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
  // Whether rule `id` of derived scheme `key` maps a level of a scheme the reader may not read: a single
  // source's ids are `map.<level>`, several sources' `map.<scheme>.<level>` (engine/level-deciders.ts).
  const fromHidden = (key: string, id: string | null): boolean => {
    const def = schemes.find((s) => s.key === key);
    if (def?.policy.kind !== 'derived' || id === null || !id.startsWith('map.')) return false;
    const sources = derivedSources(def.policy);
    const source = sources.length === 1 ? sources[0]?.from : sources.find((src) => id.startsWith(`map.${src.from}.`))?.from;
    return source !== undefined && !seen(source);
  };
  const explanation = (scheme: string, e: Explanation): Explanation => {
    const hidden = fromHidden(scheme, e.decidedBy.id);
    if (!hidden && (!e.levelsRead || Object.keys(e.levelsRead).every(seen))) return e;
    return {
      ...e,
      ...(e.levelsRead ? { levelsRead: Object.fromEntries(Object.entries(e.levelsRead).filter(([k]) => seen(k))) } : {}),
      ...(hidden ? { decidedBy: { kind: e.decidedBy.kind, id: 'map', label: READ_FROM_HIDDEN } } : {}),
    };
  };
  const assignment = (a: Assignment): Assignment => ({ ...a, explanation: explanation(a.scheme, a.explanation) });
  const cutEvent = (e: TierEvent): TierEvent => (fromHidden(e.scheme, e.ruleId) ? { ...e, ruleId: 'map' } : e);
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
          entitlements.push({ ...kept, notice: STAFF_UNAVAILABLE_NOTICE });
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
          else notices[k] = STAFF_UNAVAILABLE_NOTICE;
        }
        const { blockedBy: _hidden, ...gain } = n;
        next.push({ ...gain, ...(Object.keys(kept).length ? { blockedBy: kept } : {}), notices: { ...(n.notices ?? {}), ...notices } });
      }
      return { entitlements, next };
    },
    // Through the staff view first: it adds a rules drop's `because`, which a book-scoped RM needs as
    // much as any staff member (the cut below only hides a rule id, never the customer's reason).
    event: (e: TierEvent) => cutEvent(view.event(e) as TierEvent),
    items: (events) => ({
      audience: 'staff',
      items: events.filter((e) => seen(e.scheme)).map((e) => cutEvent(view.event(e) as TierEvent)),
    }),
  };
}
