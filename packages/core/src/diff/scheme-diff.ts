import type { EntitlementDef } from '../model/entitlement.js';
import type { Locale, LocalizedText } from '../model/locale.js';
import type { MetricDef } from '../model/metric.js';
import type { LevelDef } from '../model/scheme.js';
import type { SchemeDefinition } from '../policy/pack-schema.js';
import { canonicalJson } from '../format/canonical-json.js';
import { localize } from '../format/format-value.js';
import { groupDigits, MINUS } from '../format/money.js';
import { compareEntries, diffPolicies, type Entry, type PolicyChange } from './policy-diff.js';

/*
 * The whole scheme document compared, not its policy alone: what a level entitles is what a customer
 * feels first, so a draft that moves `deposit-rate` from +10bp to +15bp must never read "the same as
 * the version in force". Every section is compared whole as well; one that changed without a line
 * saying how gets a line "其他变更" naming the section, so a diff never claims "same" for what it
 * cannot describe.
 */

const t = (zhCN: string, zhTW: string, en: string): LocalizedText => ({ 'zh-CN': zhCN, 'zh-TW': zhTW, en });

/** The sections of a scheme document, each with its name for an "other changes" line. */
const SECTIONS: Readonly<Record<string, LocalizedText>> = {
  key: t('方案代码', '方案代碼', 'scheme key'),
  subjectKind: t('对象类型', '對象類型', 'subject kind'),
  category: t('方案类别', '方案類別', 'scheme category'),
  audience: t('可见范围', '可見範圍', 'audience'),
  name: t('方案名称', '方案名稱', 'scheme name'),
  levels: t('等级定义', '等級定義', 'levels'),
  policy: t('评级规则', '評級規則', 'rules'),
  entitlements: t('等级权益', '等級權益', 'entitlements'),
  matrix: t('矩阵', '矩陣', 'matrix'),
  overrides: t('人工调整规则', '人工調整規則', 'override rule'),
  loweringNeeds: t('降级须审批', '降級須核准', 'lowering approved by'),
  customerBlocks: t('客户端显示受限权益的方式', '客戶端顯示受限權益的方式', 'how customers see blocked benefits'),
  readers: t('可查看等级的员工', '可查看等級的員工', 'staff who read its levels'),
};

/** Which section a change's key describes (`entitlement:gold/deposit-rate` → entitlements). */
function sectionOf(key: string): string {
  const head = key.split(/[:/]/, 1)[0] ?? key;
  if (head === 'entitlement') return 'entitlements';
  if (head === 'level') return 'levels';
  if (head === 'cell' || head === 'matrix') return 'matrix';
  if (head === 'scheme') return key.slice('scheme:'.length);
  if (head === 'overrides' || head === 'customerBlocks' || head === 'loweringNeeds' || head === 'readers') return head;
  return 'policy';
}

/** A document's part as compared: the policy without its id, stored version and free-text note. */
function sectionValue(d: SchemeDefinition, section: string): string {
  const v = (d as unknown as Record<string, unknown>)[section];
  if (section === 'policy') {
    const { id: _id, version: _version, note: _note, ...rest } = d.policy;
    return canonicalJson(rest);
  }
  if (section === 'entitlements') {
    // A level listed with nothing and a level not listed entitle the same; the order of a list is display only.
    const byLevel = Object.entries(d.entitlements ?? {})
      .filter(([, list]) => list.length > 0)
      .map(([level, list]) => [level, [...list].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))] as const);
    return canonicalJson(Object.fromEntries(byLevel));
  }
  return canonicalJson(v ?? null);
}

const SIGNED_BP = (bp: number): string => `${bp < 0 ? MINUS : '+'}${groupDigits(Math.abs(bp))}bp`;

const PERIOD: Readonly<Record<string, LocalizedText>> = {
  month: t('每月', '每月', 'a month'),
  quarter: t('每季', '每季', 'a quarter'),
  year: t('每年', '每年', 'a year'),
};

/** What an entitlement gives, without its name: "+15bp", "每年 6 次", "1.5×", a restriction's reason. */
function entitlementFigure(e: EntitlementDef, l: Locale): string {
  switch (e.kind) {
    case 'rate':
      return SIGNED_BP(e.bp);
    case 'quota': {
      const per = PERIOD[e.period]?.[l] ?? e.period;
      const n = groupDigits(e.amount);
      return l === 'en' ? `${n} ${per}` : `${per} ${n} 次`;
    }
    case 'limit':
      // Per-mille to a multiplier: 1500 → 1.5×; division by 1000 of an integer prints exactly.
      return `${e.multiplierPermille / 1000}×`;
    case 'restriction': {
      const blocks = e.blocks?.length
        ? { 'zh-CN': `，停用 ${e.blocks.join('、')}`, 'zh-TW': `，停用 ${e.blocks.join('、')}`, en: `; blocks ${e.blocks.join(', ')}` }[l]
        : '';
      return `${e.reason[l]}${blocks}`;
    }
    default:
      return '';
  }
}

function levelNameOf(levels: readonly LevelDef[], key: string): LocalizedText {
  return levels.find((v) => v.key === key)?.name ?? localize(() => key);
}

function entitlementEntries(d: SchemeDefinition, names: readonly LevelDef[]): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const [level, list] of Object.entries(d.entitlements ?? {})) {
    const owner = levelNameOf(names, level);
    for (const e of list) {
      out.set(`entitlement:${level}/${e.key}`, {
        value: canonicalJson(e),
        label: localize((l) => {
          const figure = entitlementFigure(e, l);
          const what = { 'zh-CN': '权益', 'zh-TW': '權益', en: 'benefit' }[l];
          return `${owner[l]} ${what} ${e.label[l]}${figure ? (l === 'en' ? ` (${figure})` : `（${figure}）`) : ''}`;
        }),
      });
    }
  }
  return out;
}

const YES_NO = (b: boolean | undefined, l: Locale): string =>
  b ? { 'zh-CN': '是', 'zh-TW': '是', en: 'yes' }[l] : { 'zh-CN': '否', 'zh-TW': '否', en: 'no' }[l];

function levelEntries(d: SchemeDefinition): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const v of d.levels) {
    out.set(`level:${v.key}`, {
      value: canonicalJson(v),
      label: localize((l) => {
        const parts = [
          `${{ 'zh-CN': '排序', 'zh-TW': '排序', en: 'rank' }[l]} ${v.rank}`,
          `${{ 'zh-CN': '颜色', 'zh-TW': '顏色', en: 'colour' }[l]} ${v.color}`,
          `${{ 'zh-CN': '需复核', 'zh-TW': '需複核', en: 'needs sign-off' }[l]} ${YES_NO(v.approvalRequired, l)}`,
        ];
        if (v.reviewMonths !== undefined)
          parts.push(
            {
              'zh-CN': `每 ${v.reviewMonths} 个月复评`,
              'zh-TW': `每 ${v.reviewMonths} 個月複評`,
              en: `reviewed every ${v.reviewMonths} months`,
            }[l],
          );
        if (v.whilePending !== undefined)
          parts.push(
            v.whilePending === 'previous'
              ? { 'zh-CN': '待复核期间按原等级', 'zh-TW': '待複核期間按原等級', en: 'previous level while pending' }[l]
              : { 'zh-CN': '待复核期间即生效', 'zh-TW': '待複核期間即生效', en: 'applies while pending' }[l],
          );
        // A customer face is what customers read of the level: an approver adopting one must see it.
        if (v.customer)
          parts.push(
            `${{ 'zh-CN': '客户看到', 'zh-TW': '客戶看到', en: 'customers read' }[l]} ${v.customer.name[l]}${l === 'en' ? ' ' : ''}${
              l === 'en' ? `(${v.customer.color})` : `（${v.customer.color}）`
            }`,
          );
        const what = { 'zh-CN': '等级', 'zh-TW': '等級', en: 'level' }[l];
        return `${what} ${v.name[l]}${l === 'en' ? ` (${parts.join(', ')})` : `（${parts.join('，')}）`}`;
      }),
    });
  }
  return out;
}

function matrixEntries(d: SchemeDefinition, names: readonly LevelDef[]): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const m = d.matrix;
  if (!m) return out;
  out.set('matrix:axes', {
    value: canonicalJson([m.rowScheme, m.colScheme, m.rows, m.cols]),
    label: localize((l) => `${SECTIONS.matrix?.[l]}: ${m.rowScheme} [${m.rows.join(', ')}] × ${m.colScheme} [${m.cols.join(', ')}]`),
  });
  for (const c of m.cells) {
    const level = levelNameOf(names, c.level);
    out.set(`cell:${c.row}/${c.col}`, {
      value: canonicalJson(c),
      label: localize((l) => `${c.row} × ${c.col} → ${level[l]}: ${c.action[l]} (${c.tone})`),
    });
  }
  return out;
}

const REQUESTERS: Readonly<Record<string, LocalizedText>> = {
  book: t('客户经理及以上可申请', '客戶經理及以上可申請', 'filed by relationship managers and above'),
  tenant: t('仅全行员工可申请', '僅全行員工可申請', 'filed by bank-wide staff only'),
  none: t('不可人工调整', '不可人工調整', 'no overrides'),
};
const APPROVERS: Readonly<Record<string, LocalizedText>> = {
  approver: t('审批人审批', '審批人審批', 'approved by an approver'),
  admin: t('须管理员审批', '須管理員審批', 'approved by an admin'),
};

function overrideEntries(d: SchemeDefinition): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const r = d.overrides;
  if (!r) return out;
  out.set('overrides', {
    value: canonicalJson(r),
    label: localize((l) => {
      const parts = [REQUESTERS[r.requestedBy]?.[l] ?? r.requestedBy, APPROVERS[r.approvedBy]?.[l] ?? r.approvedBy];
      parts.push(
        r.maxDays === null
          ? { 'zh-CN': '不限期限', 'zh-TW': '不限期限', en: 'no time limit' }[l]
          : { 'zh-CN': `最长 ${r.maxDays} 天`, 'zh-TW': `最長 ${r.maxDays} 天`, en: `at most ${r.maxDays} days` }[l],
      );
      if (r.maxStep !== undefined)
        parts.push(
          { 'zh-CN': `最多调整 ${r.maxStep} 级`, 'zh-TW': `最多調整 ${r.maxStep} 級`, en: `at most ${r.maxStep} level(s) away` }[l],
        );
      if (r.loosenNeeds !== undefined)
        parts.push(
          `${{ 'zh-CN': '放宽须', 'zh-TW': '放寬須', en: 'loosening needs' }[l]} ${APPROVERS[r.loosenNeeds]?.[l] ?? r.loosenNeeds}`,
        );
      if (r.order) parts.push(`${{ 'zh-CN': '从严到宽', 'zh-TW': '從嚴到寬', en: 'strictest first' }[l]} ${r.order.join(' > ')}`);
      return `${SECTIONS.overrides?.[l]}: ${parts.join(l === 'en' ? ', ' : '，')}`;
    }),
  });
  return out;
}

function headerEntries(d: SchemeDefinition): Map<string, Entry> {
  const out = new Map<string, Entry>();
  out.set('scheme:name', { value: canonicalJson(d.name), label: localize((l) => `${SECTIONS.name?.[l]}: ${d.name[l]}`) });
  for (const section of ['subjectKind', 'category', 'audience', 'customerBlocks', 'loweringNeeds'] as const) {
    const v = d[section];
    if (v !== undefined)
      out.set(section === 'customerBlocks' || section === 'loweringNeeds' ? section : `scheme:${section}`, {
        value: v,
        label: localize((l) => `${SECTIONS[section]?.[l]}: ${v}`),
      });
  }
  if (d.readers !== undefined) {
    const r = d.readers;
    out.set('readers', {
      value: canonicalJson({ roles: [...r.roles].sort(), books: r.books === true }),
      label: localize((l) => `${SECTIONS.readers?.[l]}: ${r.roles.join(', ')}${r.books === true ? ' +book' : ''}`),
    });
  }
  return out;
}

/**
 * Every change from `before` to `after` (two versions of one scheme's document) an approver must see:
 * the policy's (`diffPolicies`), what each level entitles, the levels themselves, the matrix, the
 * override rule and the scheme's header; and "其他变更" for a changed section nothing else describes.
 */
export function diffSchemes(before: SchemeDefinition, after: SchemeDefinition, metrics: readonly MetricDef[]): PolicyChange[] {
  const names = after.levels;
  const out = [...diffPolicies(before.policy, after.policy, after, metrics)];
  const describe = (d: SchemeDefinition): Map<string, Entry> =>
    new Map([...headerEntries(d), ...levelEntries(d), ...entitlementEntries(d, names), ...matrixEntries(d, names), ...overrideEntries(d)]);
  out.push(...compareEntries(describe(before), describe(after)));
  for (const [section, name] of Object.entries(SECTIONS)) {
    if (section === 'key') continue;
    if (sectionValue(before, section) === sectionValue(after, section)) continue;
    if (out.some((c) => sectionOf(c.key) === section)) continue;
    out.push({
      key: `other:${section}`,
      change: 'changed',
      text: localize((l) => `${{ 'zh-CN': '其他变更', 'zh-TW': '其他變更', en: 'other changes' }[l]}: ${name[l]}`),
    });
  }
  return out;
}
