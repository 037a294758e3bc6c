import { groupDigits as g } from '@tierkit/core/money';
import type { ConsoleLocale } from '../words.js';

/** A migration's totals: the parts (up, down, same, held by an override, not comparable) add up to `both`. */
type MigrationTotals = {
  readonly up: number;
  readonly down: number;
  readonly same: number;
  readonly heldByOverride: number;
  readonly unranked: number;
  readonly entered: number;
  readonly both: number;
};

/** A cause's moves in a migration (the API's `policy.totals` / `override.totals`). */
type ByCause = { readonly up: number; readonly down: number; readonly same: number };

/** The analytics page's words, zh-CN, zh-TW and en; counts grouped by thousands (10,000 customers, not 10000). */
const zh = {
  title: '分级分析',
  pickers: '方案与期间',
  scheme: '分级方案',
  from: '起始月份',
  to: '截止月份',
  show: '显示',
  zone: (z: string) => `月份按银行时区（${z}）`,
  bookReach: '这些数字只统计您名下现在的客户（按今天的归属，含其转入前的历史）。效果评估需与全行可比客户比较，仅全行范围的员工可用。',
  teamReach:
    '这些数字只统计您团队的客户：您本人和您带领的团队各客户经理名下现在的客户（按今天的归属，含其转入前的历史）。效果评估需与全行可比客户比较，仅全行范围的员工可用。',
  loading: '正在加载…',
  failed: '加载失败',
  noData: '该期间没有可显示的数据。',
  chartLoading: '正在加载图表…',
  chartFailed: '图表无法加载，下表为全部数据。',
  distribution: '各等级人数（按月）',
  distributionSummary: (n: number, months: number) => `${months} 个月的各等级人数堆叠柱状图，最近一个月共 ${g(n)} 位。数据见下表。`,
  month: '月份',
  monthStatus: '数据状态',
  policyVersion: '生效策略版本',
  total: '合计',
  migration: (from: string, to: string) => `等级迁移：${from} → ${to}`,
  migrationSummary: (up: number, down: number, same: number, held: number) =>
    `热力图：升级 ${g(up)}、降级 ${g(down)}、不变 ${g(same)}${held > 0 ? `，另有经人工调整保级 ${g(held)} 位（计入所在格：多在对角线上，不计入不变）` : ''}。数据见下表。`,
  fromLevel: (from: string) => `${from} 的等级`,
  toLevel: (to: string) => `${to} 的等级`,
  entered: '期间新进入',
  migrationTotals: (t: MigrationTotals) =>
    `两月均有等级 ${g(t.both)} 位：升级 ${g(t.up)}，降级 ${g(t.down)}，不变 ${g(t.same)}，经人工调整保级 ${g(t.heldByOverride)}，无法比较 ${g(t.unranked)}；期间新进入 ${g(t.entered)} 位。`,
  rates: '升级率与降级率（按月）',
  ratesSummary: '折线图：每月升级率与降级率，分母为上月已分级人数。数据见下表。',
  base: '上月已分级',
  policyUpgrades: '政策升级',
  policyDowngrades: '政策降级',
  policyUpgradeRate: '政策升级率',
  policyDowngradeRate: '政策降级率',
  overrideUpgrades: '人工调整升级',
  overrideDowngrades: '人工调整降级',
  ratesNote: '政策升降级是分级规则的结果；人工调整（经复核批准、撤销或到期的人工等级）单列，不计入政策升降级率。',
  notEvaluated: '未评估',
  provisional: '暂定',
  provisionalNote: (months: readonly string[], through: string | null) =>
    `${months.join('、')} 的数字为暂定：要到其下一个月结束才定案，在此之前批准的人工调整仍可能撤回该月的调级，数字会随之变化。${through ? `${through} 及以前的月份已定案。` : ''}`,
  migrationProvisional: (to: string) =>
    `${to} 的数字为暂定：要到其下一个月结束才定案，在此之前批准的人工调整仍可能撤回该月的调级，下列数字会随之变化。`,
  effectProvisional: (period: string) =>
    `${period} 的数字为暂定：要到其下一个月结束才定案（在此之前批准的人工调整仍可能撤回该月的调级），跟踪月份的指标也可能尚未全部载入，下列数字仍可能变化。`,
  // The API leaves out follow-up months that have not begun (packages/api README, "Effect evaluation").
  effectMonthsAvailable: (available: number, asked: number) =>
    `只显示 ${available} 个跟踪月份（所选 ${asked} 个）：其余月份尚未开始，还没有数据。`,
  notEvaluatedNote: (months: readonly string[], through: string | null) =>
    `${months.join('、')} 尚未完成月度重新分级：所示等级沿用${through ? ` ${through} ` : '此前'}的结果（及当月已批准的人工调整），不是该月的评估结果，升降级率在重新分级后才有。`,
  migrationByCause: (p: ByCause, o: ByCause, held: number, from: string) =>
    `按原因：政策升级 ${g(p.up)}、降级 ${g(p.down)}；人工调整升级 ${g(o.up)}、降级 ${g(o.down)}、调整后回到原级 ${g(o.same)}；经人工调整保级 ${g(held)} 位（规则调级后被人工调整撤回，或自 ${from} 之前起一直由人工调整维持；不计入不变）。`,
  heldByOverride: (n: number) => `另有 ${g(n)} 位经人工调整保级（规则调级后被人工调整撤回，或此前起一直由人工调整维持），未计入比较。`,
  migrationNotEvaluated: (to: string, through: string | null) =>
    `${to} 尚未完成月度重新分级：其等级沿用${through ? ` ${through} ` : '此前'}的结果；该月本身的升降级只有人工调整（此前各月的政策升降级仍计入）。`,
  effectNotEvaluated: (period: string) => `${period} 尚未完成月度重新分级：还没有政策调级的客户。`,
  overrides: '人工调整的客户',
  overridesExclude: '不计入调级客户',
  overridesInclude: '计入调级客户',
  overrideMoved: (n: number, included: boolean) => (included ? '调级客户含人工调整的客户。' : `另有 ${g(n)} 位由人工调整，未计入比较。`),
  effect: '效果评估：调级客户与可比未调级客户',
  effectForm: '评估条件',
  period: '调级月份',
  direction: '方向',
  up: '升级',
  down: '降级',
  months: '跟踪月数',
  metric: '指标',
  evaluate: '评估',
  effectSummary: (moved: number, stayed: number) =>
    `折线图：调级客户（${g(moved)} 位）与匹配的未调级客户（${g(stayed)} 位）相对调级当月的平均变化。数据见下表。`,
  monthsAfter: '调级后第几月',
  movedN: '调级客户数',
  movedChange: '调级客户平均变化',
  stayedN: '未调级客户数',
  stayedChange: '未调级客户平均变化（按调级客户分层加权）',
  effectCol: '差异（效果）',
  movedLegend: '调级客户',
  stayedLegend: '可比未调级客户',
  effectNote: (metric: string) =>
    `观察性比较，不是实验：调级前同等级、调级当月“${metric}”同档位的未调级客户是账簿中最接近的对照。先看人数再看差异。`,
  cohorts: (moved: number, stayed: number) => `调级 ${g(moved)} 位，未调级 ${g(stayed)} 位。`,
  fewMark: '※',
  fewNote: (n: number) => `※ 该月调级客户或未调级客户少于 ${g(n)} 位：差异仅供参考，不足以下结论。`,
  // Bands of the evaluated metric at the month of the move (the API's strata), whichever metric it is.
  strata: (all: number, matched: number, metric: string) =>
    `按调级前等级与调级当月“${metric}”档位分为 ${all} 层，其中 ${matched} 层同时有调级与未调级客户，只有这些层参与比较。`,
  noComparable: (moved: number) => `调级 ${g(moved)} 位，但没有可比的未调级客户：没有一层同时有调级与未调级客户，无法比较。`,
  uncompared: (left: number, moved: number, shown: number) =>
    `调级 ${g(moved)} 位中有 ${g(left)} 位所在层没有未调级客户（或调级当月没有该指标），未参与比较；下表的调级客户为其余 ${g(shown)} 位。`,
  strataTitle: '分层明细',
  strataCaption: (metric: string) => `各层：调级前等级 × 调级当月“${metric}”档位（下限含，上限不含）`,
  startLevel: '调级前等级',
  bandFrom: '档位下限（含）',
  bandTo: '档位上限（不含）',
  compared: '参与比较',
  yes: '是',
  no: '否',
  csv: '导出 CSV',
  // A button's accessible name holds its visible words first (WCAG 2.5.3, label in name), then the table's.
  csvOf: (what: string) => `导出 CSV：${what}`,
  legend: '图例',
  legendUp: '升级（对角线右上）',
  legendDown: '降级（对角线左下）',
  legendSame: '不变（对角线）',
  none: '—',
};

const tw: typeof zh = {
  title: '分級分析',
  pickers: '方案與期間',
  scheme: '方案',
  from: '起始月份',
  to: '截止月份',
  show: '顯示',
  zone: (z: string) => `月份依銀行時區（${z}）`,
  bookReach: '這些數字只統計您名下現在的客戶（按今天的歸屬，含其轉入前的歷史）。效果評估須與全行可比客戶比較，僅全行範圍的員工可用。',
  teamReach:
    '這些數字只統計您團隊的客戶：您本人和您帶領的團隊各理財專員名下現在的客戶（按今天的歸屬，含其轉入前的歷史）。效果評估須與全行可比客戶比較，僅全行範圍的員工可用。',
  loading: '正在載入…',
  failed: '載入失敗',
  noData: '該期間沒有可顯示的資料。',
  chartLoading: '正在載入圖表…',
  chartFailed: '圖表無法載入，下表為全部資料。',
  distribution: '各等級人數（逐月）',
  distributionSummary: (n: number, months: number) => `${months} 個月的各等級人數堆疊長條圖，最近一個月共 ${g(n)} 位。資料見下表。`,
  month: '月份',
  monthStatus: '資料狀態',
  policyVersion: '生效策略版本',
  total: '合計',
  migration: (from: string, to: string) => `等級遷移：${from} → ${to}`,
  migrationSummary: (up: number, down: number, same: number, held: number) =>
    `熱度圖：升級 ${g(up)}、降級 ${g(down)}、不變 ${g(same)}${held > 0 ? `，另有經人工調整保級 ${g(held)} 位（計入所在格：多在對角線上，不計入不變）` : ''}。資料見下表。`,
  fromLevel: (from: string) => `${from} 的等級`,
  toLevel: (to: string) => `${to} 的等級`,
  entered: '期間新進入',
  migrationTotals: (t: MigrationTotals) =>
    `兩月均有等級 ${g(t.both)} 位：升級 ${g(t.up)}，降級 ${g(t.down)}，不變 ${g(t.same)}，經人工調整保級 ${g(t.heldByOverride)}，無法比較 ${g(t.unranked)}；期間新進入 ${g(t.entered)} 位。`,
  rates: '升級率與降級率（逐月）',
  ratesSummary: '折線圖：每月升級率與降級率，分母為上月已分級人數。資料見下表。',
  base: '上月已分級',
  policyUpgrades: '政策升級',
  policyDowngrades: '政策降級',
  policyUpgradeRate: '政策升級率',
  policyDowngradeRate: '政策降級率',
  overrideUpgrades: '人工調整升級',
  overrideDowngrades: '人工調整降級',
  ratesNote: '政策升降級是分級規則的結果；人工調整（經複核核准、撤銷或到期的人工等級）另列，不計入政策升降級率。',
  notEvaluated: '未評估',
  provisional: '暫定',
  provisionalNote: (months: readonly string[], through: string | null) =>
    `${months.join('、')} 的數字為暫定：要到其下一個月結束才定案，在此之前核准的人工調整仍可能撤回該月的調級，數字會隨之變動。${through ? `${through} 及以前的月份已定案。` : ''}`,
  migrationProvisional: (to: string) =>
    `${to} 的數字為暫定：要到其下一個月結束才定案，在此之前核准的人工調整仍可能撤回該月的調級，下列數字會隨之變動。`,
  effectProvisional: (period: string) =>
    `${period} 的數字為暫定：要到其下一個月結束才定案（在此之前核准的人工調整仍可能撤回該月的調級），追蹤月份的指標也可能尚未全部載入，下列數字仍可能變動。`,
  effectMonthsAvailable: (available: number, asked: number) =>
    `只顯示 ${available} 個追蹤月份（所選 ${asked} 個）：其餘月份尚未開始，還沒有資料。`,
  notEvaluatedNote: (months: readonly string[], through: string | null) =>
    `${months.join('、')} 尚未完成月度重新分級：所示等級沿用${through ? ` ${through} ` : '先前'}的結果（及當月已核准的人工調整），不是該月的評估結果，升降級率在重新分級後才有。`,
  migrationByCause: (p: ByCause, o: ByCause, held: number, from: string) =>
    `按原因：政策升級 ${g(p.up)}、降級 ${g(p.down)}；人工調整升級 ${g(o.up)}、降級 ${g(o.down)}、調整後回到原級 ${g(o.same)}；經人工調整保級 ${g(held)} 位（規則調級後被人工調整撤回，或自 ${from} 之前起一直由人工調整維持；不計入不變）。`,
  heldByOverride: (n: number) => `另有 ${g(n)} 位經人工調整保級（規則調級後被人工調整撤回，或先前起一直由人工調整維持），未計入比較。`,
  migrationNotEvaluated: (to: string, through: string | null) =>
    `${to} 尚未完成月度重新分級：其等級沿用${through ? ` ${through} ` : '先前'}的結果；該月本身的升降級只有人工調整（此前各月的政策升降級仍計入）。`,
  effectNotEvaluated: (period: string) => `${period} 尚未完成月度重新分級：還沒有政策調級的客戶。`,
  overrides: '人工調整的客戶',
  overridesExclude: '不計入調級客戶',
  overridesInclude: '計入調級客戶',
  overrideMoved: (n: number, included: boolean) => (included ? '調級客戶含人工調整的客戶。' : `另有 ${g(n)} 位由人工調整，未計入比較。`),
  effect: '效果評估：調級客戶與可比未調級客戶',
  effectForm: '評估條件',
  period: '調級月份',
  direction: '方向',
  up: '升級',
  down: '降級',
  months: '追蹤月數',
  metric: '指標',
  evaluate: '評估',
  effectSummary: (moved: number, stayed: number) =>
    `折線圖：調級客戶（${g(moved)} 位）與配對的未調級客戶（${g(stayed)} 位）相對調級當月的平均變化。資料見下表。`,
  monthsAfter: '調級後第幾月',
  movedN: '調級客戶數',
  movedChange: '調級客戶平均變化',
  stayedN: '未調級客戶數',
  stayedChange: '未調級客戶平均變化（依調級客戶分層加權）',
  effectCol: '差異（效果）',
  movedLegend: '調級客戶',
  stayedLegend: '可比未調級客戶',
  effectNote: (metric: string) =>
    `觀察性比較，不是實驗：調級前同等級、調級當月「${metric}」同級距的未調級客戶是帳簿中最接近的對照。先看人數再看差異。`,
  cohorts: (moved: number, stayed: number) => `調級 ${g(moved)} 位，未調級 ${g(stayed)} 位。`,
  fewMark: '※',
  fewNote: (n: number) => `※ 該月調級客戶或未調級客戶少於 ${g(n)} 位：差異僅供參考，不足以下結論。`,
  // Bands of the evaluated metric at the month of the move (the API's strata), whichever metric it is.
  strata: (all: number, matched: number, metric: string) =>
    `依調級前等級與調級當月「${metric}」級距分為 ${all} 層，其中 ${matched} 層同時有調級與未調級客戶，只有這些層參與比較。`,
  noComparable: (moved: number) => `調級 ${g(moved)} 位，但沒有可比的未調級客戶：沒有一層同時有調級與未調級客戶，無法比較。`,
  uncompared: (left: number, moved: number, shown: number) =>
    `調級 ${g(moved)} 位中有 ${g(left)} 位所在層沒有未調級客戶（或調級當月沒有該指標），未參與比較；下表的調級客戶為其餘 ${g(shown)} 位。`,
  strataTitle: '分層明細',
  strataCaption: (metric: string) => `各層：調級前等級 × 調級當月「${metric}」級距（下限含，上限不含）`,
  startLevel: '調級前等級',
  bandFrom: '級距下限（含）',
  bandTo: '級距上限（不含）',
  compared: '參與比較',
  yes: '是',
  no: '否',
  csv: '匯出 CSV',
  csvOf: (what: string) => `匯出 CSV：${what}`,
  legend: '圖例',
  legendUp: '升級（對角線右上）',
  legendDown: '降級（對角線左下）',
  legendSame: '不變（對角線）',
  none: '—',
};

const en: typeof zh = {
  title: 'Tier analytics',
  pickers: 'Scheme and period',
  scheme: 'Scheme',
  from: 'From month',
  to: 'To month',
  show: 'Show',
  zone: (z: string) => `Months in the bank’s time zone (${z})`,
  bookReach:
    'These figures count only the customers in your book today (as assigned now, with their history from before they came). The effect evaluation compares with customers across the bank: tenant-wide staff only.',
  teamReach:
    'These figures count only your team’s customers: those in your book and in the books of the team you lead today (as assigned now, with their history from before they came). The effect evaluation compares with customers across the bank: tenant-wide staff only.',
  loading: 'Loading…',
  failed: 'Could not load',
  noData: 'Nothing to show for this period.',
  chartLoading: 'Loading the chart…',
  chartFailed: 'The chart could not be loaded; the table below has all the figures.',
  distribution: 'Subjects per level, by month',
  distributionSummary: (n: number, months: number) =>
    `Stacked bars of subjects per level over ${months} months; ${g(n)} in the latest month. Figures in the table below.`,
  month: 'Month',
  monthStatus: 'Data status',
  policyVersion: 'Policy version in force',
  total: 'Total',
  migration: (from: string, to: string) => `Migration: ${from} → ${to}`,
  migrationSummary: (up: number, down: number, same: number, held: number) =>
    `Heat map: ${g(up)} moved up, ${g(down)} down, ${g(same)} stayed${held > 0 ? `, and ${g(held)} held at their level by an override (in their cells, mostly on the diagonal, but not among those who stayed)` : ''}. Figures in the table below.`,
  fromLevel: (from: string) => `Level in ${from}`,
  toLevel: (to: string) => `Level in ${to}`,
  entered: 'Entered since',
  migrationTotals: (t) =>
    `${g(t.both)} with a level in both months: ${g(t.up)} up, ${g(t.down)} down, ${g(t.same)} the same, ${g(t.heldByOverride)} held by an override, ${g(t.unranked)} not comparable; ${g(t.entered)} entered since.`,
  rates: 'Upgrade and downgrade rates, by month',
  ratesSummary: 'Lines of the monthly upgrade and downgrade rates over those tiered the month before. Figures in the table below.',
  base: 'Tiered the month before',
  policyUpgrades: 'Upgrades by the policy',
  policyDowngrades: 'Downgrades by the policy',
  policyUpgradeRate: 'Policy upgrade rate',
  policyDowngradeRate: 'Policy downgrade rate',
  overrideUpgrades: 'Overrides up',
  overrideDowngrades: 'Overrides down',
  ratesNote:
    'Policy moves are what the tiering rules decided; overrides (manual levels approved, revoked or expired) are listed apart and are in no policy rate.',
  notEvaluated: 'not evaluated',
  provisional: 'provisional',
  provisionalNote: (months: readonly string[], through: string | null) =>
    `${months.join(', ')} provisional: a month’s figures are final only once the month after it has ended; until then an override approved may still set back a move of the month, and the figures change with it.${through ? ` Final through ${through}.` : ''}`,
  migrationProvisional: (to: string) =>
    `${to} provisional: its figures are final only once the month after it has ended; until then an override approved may still set back a move of the month, and the figures below change with it.`,
  effectProvisional: (period: string) =>
    `${period} provisional: its figures are final only once the month after it has ended (until then an override approved may still set back a move of the month), and the follow-up months’ metrics may not all be loaded yet: the figures below may still change.`,
  effectMonthsAvailable: (available: number, asked: number) =>
    `${available} of the ${asked} follow-up months shown: the others have not begun yet, so they have no data.`,
  notEvaluatedNote: (months: readonly string[], through: string | null) =>
    `${months.join(', ')} not re-tiered yet: the levels shown are carried over from ${through ?? 'before'} (with any override approved since), not that month’s result, and its rates come only after its re-tier.`,
  migrationByCause: (p, o, held, from) =>
    `By cause: the policy moved ${g(p.up)} up and ${g(p.down)} down; overrides moved ${g(o.up)} up and ${g(o.down)} down, and ${g(o.same)} back to their level; ${g(held)} held at their level by an override (the rules’ move set back, or held by one since before ${from}; not counted as the same).`,
  heldByOverride: (n) =>
    `${g(n)} more held at their level by an override (the rules’ move set back, or held by one since before), left out of the comparison.`,
  migrationNotEvaluated: (to: string, through: string | null) =>
    `${to} not re-tiered yet: its levels are carried over from ${through ?? 'before'}, and its own moves are only the overrides approved in it (moves of the months before it, by the policy too, are still counted).`,
  effectNotEvaluated: (period: string) => `${period} not re-tiered yet: nobody has moved by the policy in it so far.`,
  overrides: 'Customers moved by an override',
  overridesExclude: 'Not counted as movers',
  overridesInclude: 'Counted as movers',
  overrideMoved: (n: number, included: boolean) =>
    included ? 'Movers include customers moved by an override.' : `${g(n)} more moved by an override, left out of the comparison.`,
  effect: 'Effect evaluation: movers against comparable stayers',
  effectForm: 'What to evaluate',
  period: 'Month of the move',
  direction: 'Direction',
  up: 'Up',
  down: 'Down',
  months: 'Months of follow-up',
  metric: 'Metric',
  evaluate: 'Evaluate',
  effectSummary: (moved: number, stayed: number) =>
    `Lines of the mean change since the month of the move: movers (${g(moved)}) and matched stayers (${g(stayed)}). Figures in the table below.`,
  monthsAfter: 'Months after the move',
  movedN: 'Movers',
  movedChange: 'Movers’ mean change',
  stayedN: 'Stayers',
  stayedChange: 'Stayers’ mean change (weighted to the movers’ strata)',
  effectCol: 'Difference (effect)',
  movedLegend: 'Movers',
  stayedLegend: 'Comparable stayers',
  effectNote: (metric: string) =>
    `An observational comparison, not an experiment: stayers of the same level before the move and the same band of “${metric}” in its month are the closest comparison the book holds. Read the counts before the effect.`,
  cohorts: (moved: number, stayed: number) => `${g(moved)} moved, ${g(stayed)} stayed.`,
  fewMark: '※',
  fewNote: (n: number) =>
    `※ Fewer than ${g(n)} movers or stayers that month: the difference is indicative only, not enough to conclude from.`,
  strata: (all: number, matched: number, metric: string) =>
    `${all} strata of level before the move × band of “${metric}” in its month; ${matched} hold both movers and stayers, and only those are compared.`,
  noComparable: (moved: number) =>
    `${g(moved)} moved, but no comparable stayers: no stratum holds both movers and stayers, so there is nothing to compare.`,
  uncompared: (left: number, moved: number, shown: number) =>
    `${g(left)} of the ${g(moved)} movers are in a stratum without stayers (or lack the metric in the month of the move) and are not compared; the table’s movers are the other ${g(shown)}.`,
  strataTitle: 'Strata',
  strataCaption: (metric: string) =>
    `Strata: level before the move × band of “${metric}” in its month (lower limit included, upper excluded)`,
  startLevel: 'Level before the move',
  bandFrom: 'Band from (included)',
  bandTo: 'Band to (excluded)',
  compared: 'Compared',
  yes: 'Yes',
  no: 'No',
  csv: 'Export CSV',
  csvOf: (what: string) => `Export CSV: ${what}`,
  legend: 'Legend',
  legendUp: 'Up (above the diagonal)',
  legendDown: 'Down (below the diagonal)',
  legendSame: 'Same (the diagonal)',
  none: '—',
};

export const ANALYTICS_WORDS: Readonly<Record<ConsoleLocale, typeof zh>> = { 'zh-CN': zh, 'zh-TW': tw, en };
