import type {
  Assignment,
  CustomerAssignment,
  CustomerHistoryResponse,
  CustomerTiersResponse,
  StaffHistoryResponse,
  StaffTiersResponse,
} from '../model/api.js';
import type { LevelRef, NextLevelGain, ResolvedEntitlement } from '../model/entitlement.js';
import type { CustomerExplanation, Explanation, ProgressPath } from '../model/explanation.js';
import {
  CUSTOMER_EVENT_REASONS,
  type CustomerEventReason,
  type CustomerTierEvent,
  type EventReason,
  type HistoryEvent,
  type TierEvent,
} from '../model/history.js';
import type { LocalizedText } from '../model/locale.js';
import type { LevelDef, SchemeAudience } from '../model/scheme.js';
import type { PolicyPack, SchemeDefinition } from '../policy/pack-schema.js';
import type { Condition } from '../policy/policy-schema.js';
import { schemeMetrics } from '../policy/dependencies.js';
import { t } from '../pack/text.js';
import { metricIsStaffOnly } from '../pack/metrics.js';
import { SCORE_METRIC } from '../engine/score-decider.js';
import { derivedLabel } from '../engine/level-deciders.js';
import { alternatives, customerKeep, measureName } from './customer-keep.js';
import { levelDrop } from './level-drop.js';

/**
 * Why a customer holds a score level whose total they may not see (it counts a staff metric): the
 * level's name says the rest.
 */
export const SCORE_WITHHELD: LocalizedText = t(
  '按综合评分评定，评分计入本行不公开的其他因素',
  '依綜合評分評定，評分計入本行不公開的其他因素',
  'rated on the overall score, which counts other factors the bank does not disclose',
);
/**
 * Why a customer holds a level of a customer scheme that a rule on a staff metric decided (the savings
 * grade's bad-loan trigger). Not "please contact your branch": beside a lowered grade that reads as
 * "something is wrong, ask why", a reason implied where none may be given.
 */
export const UNDISCLOSED: LocalizedText = t(
  '按本行综合评定，计入本行不公开的其他因素',
  '依本行綜合評定，計入本行不公開的其他因素',
  'rated by the bank, counting other factors it does not disclose',
);
/**
 * Said after the rule a customer is shown when the scheme also reads a staff metric elsewhere (the
 * savings grade's bands, beside the bad-loan trigger): the inputs listed are not all that counts.
 */
export const ALSO_UNDISCLOSED: LocalizedText = t(
  '本行不公开的其他因素亦计入评定',
  '本行不公開的其他因素亦計入評定',
  'other factors the bank does not disclose also count',
);
const JOIN: LocalizedText = t('；', '；', '; ');
const joined = (a: LocalizedText, b: LocalizedText): LocalizedText =>
  t(`${a['zh-CN']}${JOIN['zh-CN']}${b['zh-CN']}`, `${a['zh-TW']}${JOIN['zh-TW']}${b['zh-TW']}`, `${a.en}${JOIN.en}${b.en}`);

/** A level as a customer reads it: its customer face's name and colour when it has one (LevelDef.customer). */
function customerFace({ customer, ...level }: LevelDef): LevelDef {
  return customer ? { ...level, name: customer.name, color: customer.color } : level;
}

/**
 * A customer scheme's levels as its customers read them: by their faces, and a faced level (a staff
 * judgement shown under a neutral name: the savings grade's 风险 as 基础) not placed on the scale. Its
 * rank 0 and first place would still say "the bottom, below 普通" — the very classification the face
 * hides. It takes the rank of the nearest level above it without a face and is listed after that level,
 * so it reads as an entry grade beside it; levels without a face (card tiers, stars) keep their order,
 * which a badge's progress and "what the next level adds" need. With no unfaced level above, the
 * nearest one below.
 */
export function customerLevels(levels: readonly LevelDef[]): LevelDef[] {
  const plain = levels.filter((l) => !l.customer);
  const beside = (l: LevelDef) => plain.find((p) => p.rank > l.rank) ?? plain.findLast((p) => p.rank < l.rank);
  const out: LevelDef[] = [];
  for (const p of plain) {
    out.push(customerFace(p));
    for (const l of levels) if (l.customer && beside(l) === p) out.push({ ...customerFace(l), rank: p.rank });
  }
  // A scheme of faced levels only has no scale to hide them on: their own order.
  return plain.length ? out : levels.map(customerFace);
}
/** What a customer is told where the reason lies in a staff scheme: never why. */
export const CONTACT_BRANCH: LocalizedText = t('请联系您的开户网点', '請聯絡您的開戶分行', 'please contact your branch');
/** A benefit a staff-scheme restriction blocks, as the customer reads it. */
export const UNAVAILABLE_NOTICE: LocalizedText = t(
  '暂不可用，请联系您的开户网点',
  '暫不可用，請聯絡您的開戶分行',
  'unavailable: please contact your branch',
);

/**
 * A benefit blocked by a staff scheme the staff reader may not read (an RM and the AML grade), as that
 * reader reads it: the customer's "contact your branch" told an RM — who is the branch — nothing to do;
 * they refer it to compliance, and are told not to give the customer a reason (the grade behind it is
 * the one kept from customers: docs/domain.md §4).
 */
export const STAFF_UNAVAILABLE_NOTICE: LocalizedText = t(
  '受限于您无权查看的分级而暂停：请转合规部门核实，勿向客户透露原因',
  '受限於您無權檢視的分級而暫停：請轉法遵部門確認，勿向客戶透露原因',
  'suspended by a grade you may not read: refer it to compliance, and do not tell the customer why',
);

/**
 * What one reader may see of a tenant's pack, and the functions that cut every response down to it.
 * The one place the audience rule lives: services build their views through it, so no route can
 * forget a check. For `staff` everything passes unchanged.
 */
export interface AudienceView {
  readonly audience: SchemeAudience;
  /**
   * The schemes this reader may see, in pack order. A customer's come without their override rule
   * (`overrides`): who may file and approve an exception is the bank's internal governance, and every
   * scheme summary a customer receives (/schemes, /tiers' schemeInfo) is made from these definitions.
   */
  readonly schemes: readonly SchemeDefinition[];
  /** Whether scheme `key` exists for this reader (false for a staff scheme read by a customer). */
  sees(scheme: string): boolean;
  /**
   * An assignment of a visible scheme: whole for staff; for a customer without the staff metrics, scores
   * or rules it mentions, without the policy's id and version or the deciding rule's id, and with an
   * override's scheme, level, mode and expiry only (no id, reason, requester or approver).
   */
  assignment(a: Assignment): Assignment | CustomerAssignment;
  /** A tiers answer's assignments with the audience they were cut for, so its `audience` names their shape. */
  assignments(
    list: readonly Assignment[],
  ): Pick<CustomerTiersResponse, 'audience' | 'assignments'> | Required<Pick<StaffTiersResponse, 'audience' | 'assignments'>>;
  /**
   * Entitlements granted by visible schemes; one a hidden scheme blocks is left out, or becomes a notice
   * when that scheme says so (`customerBlocks: 'notice'`). `next` is cut by the same rule: an add a hidden
   * scheme would block is left out (a gain left with none goes), or listed with a `notices` entry.
   */
  entitlements(resolved: { entitlements: readonly ResolvedEntitlement[]; next: readonly NextLevelGain[] }): {
    entitlements: ResolvedEntitlement[];
    next: NextLevelGain[];
  };
  /**
   * A history entry of a visible scheme: whole for staff; for a customer its `CustomerTierEvent` fields
   * only, with "rated by the bank, counting other factors it does not disclose" (`notice`) on a level a
   * rule on a staff metric decided.
   */
  event(e: TierEvent): HistoryEvent;
  /** A page's events with the audience they were cut for, so the page's `audience` names its items' shape. */
  items(
    events: readonly TierEvent[],
  ): Pick<CustomerHistoryResponse, 'audience' | 'items'> | Required<Pick<StaffHistoryResponse, 'audience' | 'items'>>;
}

/**
 * Node id → metrics read under it, for every condition node: its own `id`, else the id the engine gives
 * it, its path (`high`, `high.0`: compileCondition). Only named nodes were listed once, and a bank's rule
 * written without ids (`pep ≥ 1`) reached customers as 「政治公众人物」.
 */
function metricsById(cond: Condition, path: string, out: Map<string, Set<string>>): Set<string> {
  const here = new Set<string>();
  if (cond.kind === 'threshold') here.add(cond.metric);
  else
    cond.of.forEach((c, i) => {
      for (const m of metricsById(c, `${cond.id ?? path}.${i}`, out)) here.add(m);
    });
  out.set(cond.id ?? path, here);
  return here;
}

function policyIds(s: SchemeDefinition): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const p = s.policy;
  if (p.kind === 'rules') for (const l of p.levels) metricsById(l.when, l.level, out);
  if (p.kind === 'rules' || p.kind === 'score') {
    for (const tr of p.triggers ?? []) out.set(tr.id, metricsById(tr.when, `trigger.${tr.id}`, out));
  }
  return out;
}

const isCustomerReason = (r: EventReason): r is CustomerEventReason => (CUSTOMER_EVENT_REASONS as readonly EventReason[]).includes(r);

const intersects = (a: ReadonlySet<string> | undefined, b: ReadonlySet<string>) => [...(a ?? [])].some((m) => b.has(m));

/**
 * The view of `pack` for `audience`. For a customer: only customer schemes; inside them, nothing read
 * from a metric that any staff scheme reads (a star rating's credit-record factor, a savings grade's
 * bad-loan trigger) — the level stays, by its customer face (LevelDef.customer), and the staff reason
 * reads "rated by the bank, counting other factors it does not disclose" (UNDISCLOSED).
 */
export function audienceView(pack: PolicyPack, audience: SchemeAudience): AudienceView {
  const keys = new Set(pack.schemes.map((s) => s.key));
  if (audience === 'staff') {
    // Staff read why a level was lowered as the customer was told it, and with every metric's line:
    // an RM who could not say what the customer's own app says had nothing to tell them.
    const schemes = new Map(pack.schemes.map((s) => [s.key, s]));
    const withDrop = (e: TierEvent): TierEvent => {
      const s = schemes.get(e.scheme);
      const because = s && levelDrop(s, e, pack.metrics, () => true);
      return because ? { ...e, because } : e;
    };
    return {
      audience,
      schemes: pack.schemes,
      sees: (k) => keys.has(k),
      assignment: (a) => a,
      assignments: (list) => ({ audience: 'staff', assignments: [...list] }),
      entitlements: (r) => ({ entitlements: [...r.entitlements], next: [...r.next] }),
      event: withDrop,
      items: (events) => ({ audience: 'staff', items: events.map(withDrop) }),
    };
  }
  const visible: SchemeDefinition[] = pack.schemes
    .filter((s) => s.audience === 'customer')
    // Levels by the names and tones customers read: staff's 风险 in red is a credit classification.
    .map(({ overrides: _staffOnly, loweringNeeds: _staffRule, ...s }) => ({ ...s, levels: customerLevels(s.levels) }));
  const byKey = new Map(visible.map((s) => [s.key, s]));
  const staffMetrics = new Set<string>();
  for (const s of pack.schemes) if (s.audience !== 'customer') for (const m of schemeMetrics(s)) staffMetrics.add(m);
  // And what the catalogue keeps from customers, read by no staff scheme or not (validation refuses a
  // customer rule on one; a version stored before that check may still hold one).
  for (const m of pack.metrics) if (metricIsStaffOnly(m)) staffMetrics.add(m.key);
  const ids = new Map(visible.map((s) => [s.key, policyIds(s)]));
  // A rule id the scheme's version in the pack does not hold (an assignment of another version): its
  // metrics are unknown, so its words go whenever the explanation read a staff metric at all.
  const withheld = (scheme: string, id: string | null, inputs?: readonly { metric: string }[]) => {
    if (id === null) return false;
    const read = ids.get(scheme)?.get(id);
    if (read) return intersects(read, staffMetrics);
    return inputs?.some((i) => staffMetrics.has(i.metric)) ?? false;
  };
  // Score schemes with a factor on a staff metric (the star rating's credit record). Their total is
  // withheld as well as the factor points: next to the factors a customer sees (transactions, card
  // spending, balance) and the pack's weights, the total gives the staff factor away by subtraction —
  // with the default pack, the credit score to the point.
  const staffScored = new Set(
    visible.filter((s) => s.policy.kind === 'score' && s.policy.factors.some((f) => staffMetrics.has(f.metric))).map((s) => s.key),
  );
  // Customer schemes that read a staff metric anywhere (a trigger, a factor): what their explanation lists
  // is not all that counts, and the customer is told so without naming it.
  const staffRead = new Set(visible.filter((s) => [...schemeMetrics(s)].some((m) => staffMetrics.has(m))).map((s) => s.key));
  const open = (scheme: string) => (p: ProgressPath) =>
    !staffMetrics.has(p.metric) && !(p.metric === SCORE_METRIC && staffScored.has(scheme));

  // A derived level's label names the levels it read by staff's names (derivedLabel): a customer reads
  // them by the faces, worked out again from what it read, so a label stored under any version says the same.
  const derivedFace = (scheme: string, level: string, e: Explanation): LocalizedText | undefined => {
    const s = byKey.get(scheme);
    if (s?.policy.kind !== 'derived' || e.decidedBy.kind !== 'matrix' || !e.levelsRead) return undefined;
    const read = Object.entries(e.levelsRead);
    const hit = read.find(([k, v]) => e.decidedBy.id === `map.${k}.${v}` || (read.length === 1 && e.decidedBy.id === `map.${v}`));
    // A source that is no customer scheme of this pack (a staff one, which validation refuses): name nothing.
    if (!hit || !byKey.has(hit[0])) return hit ? UNDISCLOSED : undefined;
    return derivedLabel(byKey.get(hit[0]), hit[0], hit[1], s.levels, level);
  };

  const explanation = (scheme: string, level: string, e: Explanation): CustomerExplanation => {
    const hideScore = staffScored.has(scheme);
    // Picked, not copied: the policy's id and version and the deciding rule's id are how the bank runs its
    // policies, which no customer widget shows; a field added to Explanation later stays staff's until named here.
    const { kind, label } = e.decidedBy;
    const out: { -readonly [K in keyof CustomerExplanation]: CustomerExplanation[K] } = {
      // An override's label carries its reason, the bank's internal note, as the override itself does.
      decidedBy: {
        kind,
        label:
          kind === 'override'
            ? CONTACT_BRANCH
            : withheld(scheme, e.decidedBy.id, kind === 'threshold' || kind === 'trigger' ? e.inputs : undefined)
              ? UNDISCLOSED
              : hideScore && kind === 'band'
                ? SCORE_WITHHELD
                : staffRead.has(scheme)
                  ? joined(label, ALSO_UNDISCLOSED)
                  : (derivedFace(scheme, level, e) ?? label),
      },
      inputs: e.inputs.filter((i) => !staffMetrics.has(i.metric)),
    };
    if (e.score && !hideScore) out.score = e.score;
    if (e.asOf !== undefined) out.asOf = e.asOf;
    if (e.prior) out.prior = e.prior;
    // The override's id is the bank's request record; its level and mode are what the customer holds.
    if (e.override) out.override = { level: e.override.level, mode: e.override.mode };
    if (e.levelsRead) out.levelsRead = Object.fromEntries(Object.entries(e.levelsRead).filter(([k]) => byKey.has(k)));
    return out;
  };

  return {
    audience,
    schemes: visible,
    sees: (k) => byKey.has(k),
    assignment: customerAssignment,
    assignments(list) {
      return { audience: 'customer', assignments: list.map(customerAssignment) };
    },
    entitlements(r) {
      const entitlements: ResolvedEntitlement[] = [];
      const staffBlocks = new Map(pack.schemes.map((s) => [s.key, s.customerBlocks ?? 'omit']));
      for (const e of r.entitlements) {
        if (!byKey.has(e.grantedBy.scheme)) continue;
        if (e.blockedBy && !byKey.has(e.blockedBy.scheme)) {
          // Unless the blocking scheme opts in to the notice, the benefit is left out, as if the level
          // did not include it: a notice only the customers a staff scheme restricts get (AML 高) would
          // tell them that classification (SchemeDefinition.customerBlocks).
          if (staffBlocks.get(e.blockedBy.scheme) !== 'notice') continue;
          const { blockedBy: _hidden, ...kept } = e;
          entitlements.push({ ...kept, notice: UNAVAILABLE_NOTICE });
        } else entitlements.push(e);
      }
      // What an upgrade adds is cut by the same rule: listing "upgrade for a higher transfer limit" that
      // AML 高 keeps blocked would promise what the level will not give, the very benefit omitted above.
      const next: NextLevelGain[] = [];
      for (const n of r.next) {
        if (!byKey.has(n.scheme)) continue;
        if (!n.blockedBy) {
          next.push(n);
          continue;
        }
        const seen: Record<string, LevelRef & { restriction: string }> = {};
        const notices: Record<string, LocalizedText> = {};
        const adds = n.adds.filter((d) => {
          const by = n.blockedBy?.[d.key];
          if (!by) return true;
          if (byKey.has(by.scheme)) seen[d.key] = by;
          else if (staffBlocks.get(by.scheme) === 'notice') notices[d.key] = UNAVAILABLE_NOTICE;
          else return false;
          return true;
        });
        if (!adds.length) continue;
        const { blockedBy: _hidden, ...gain } = n;
        next.push({
          ...gain,
          adds,
          ...(Object.keys(seen).length ? { blockedBy: seen } : {}),
          ...(Object.keys(notices).length ? { notices } : {}),
        });
      }
      return { entitlements, next };
    },
    items(events) {
      return { audience: 'customer', items: events.map(customerEvent) };
    },
    event: customerEvent,
  };
  function customerAssignment(a: Assignment): CustomerAssignment {
    const paths = a.progress?.paths.filter(open(a.scheme)).map((p) => ({ ...p, name: measureName(p, pack.metrics) })) ?? [];
    const nearestPath = a.progress?.paths[a.progress.nearest];
    const lines = a.retention?.lines.filter(open(a.scheme)) ?? [];
    // A pending lowering request is the bank's four-eyes record: the customer sees the level in force.
    const { override, loweringTo: _staffOnly, loweringBlocked: _staffBlock, because: _staffWords, ...rest } = a;
    const scale = byKey.get(a.scheme)?.levels;
    const customerRank = (k: string) => scale?.find((l) => l.key === k)?.rank ?? -1;
    // A drop only to a level below on the customer's own scale: a faced level stands beside the one above
    // it there (customerLevels), so 普通's line "score ≥ 0, else 风险" — a line no score falls under, to a
    // level only a staff trigger gives — told the customer the very classification the face hides.
    const down = a.retention !== null && customerRank(a.retention.toLevel) < customerRank(a.level);
    const retention = a.retention && down && lines.length ? { ...a.retention, lines } : null;
    // Under an override the level is the override's, not the rules': no grace to keep it in.
    // A score level's one line, or a rule's `any` of lines, is what "any one of these keeps it" can say.
    const policy = byKey.get(a.scheme)?.policy;
    const anyOne =
      policy?.kind === 'score' || (policy?.kind === 'rules' && alternatives(policy.levels.find((l) => l.level === a.level)?.when));
    const keep = override ? null : customerKeep(retention, a.period, pack.metrics, anyOne);
    return {
      ...rest,
      // The rank the customer's scale gives the level (customerLevels): a faced level's own says "the bottom".
      rank: byKey.get(a.scheme)?.levels.find((l) => l.key === a.level)?.rank ?? a.rank,
      ...(keep ? { keep } : {}),
      explanation: explanation(a.scheme, a.level, a.explanation),
      progress:
        a.progress && paths.length
          ? {
              ...a.progress,
              paths,
              nearest: Math.max(
                0,
                nearestPath ? paths.findIndex((p) => p.metric === nearestPath.metric && p.required === nearestPath.required) : 0,
              ),
            }
          : null,
      retention,
      // The level an override holds, how and until when are the customer's; its id, reason, requester and
      // approver are the bank's record. Picked, not blanked: a field added to OverrideInfo later stays
      // staff's until it is named here.
      override: override && { scheme: override.scheme, level: override.level, mode: override.mode, expiresAt: override.expiresAt },
    };
  }
  function customerEvent(e: TierEvent): CustomerTierEvent {
    // Picked, not copied and blanked: a field added to TierEvent later stays staff's until it is named here.
    const out: { -readonly [K in keyof CustomerTierEvent]: CustomerTierEvent[K] } = {
      id: e.id,
      scheme: e.scheme,
      from: e.from,
      to: e.to,
      at: e.at,
    };
    // The first assessment and a change of the bank's criteria are the customer's to know; a rule's or an
    // override's reason says how the bank decided or who stepped in.
    if (isCustomerReason(e.reason)) out.reason = e.reason;
    const period = e.period === undefined ? {} : { period: e.period };
    // A staff rule's level reads as /tiers reads it: the level, and no reason but that some are not disclosed.
    if (withheld(e.scheme, e.ruleId)) return { ...out, ...period, notice: UNDISCLOSED };
    // A level the rules lowered says why in the published criteria of the level lost — the drop the
    // grace period warned of (customer-keep.ts). An override's, its expiry's or a trigger's move stays unexplained.
    const s = byKey.get(e.scheme);
    const because = s && levelDrop(s, e, pack.metrics, (m) => !staffMetrics.has(m));
    if (because) out.because = because;
    return { ...out, ...period };
  }
}
