import type { CheckData, ClosingCheck, NoClosing } from '@tierkit/admin';
import { WALL_TIME_WORDS } from '../time.words.js';
import type { ConsoleLocale } from '../words.js';

/** Words of closing (销户) and reopening a customer, on the customer's detail. */
const zh = {
  close: '办理销户',
  reopen: '撤销销户',
  closeTitle: (id: string) => `为客户 ${id} 办理销户`,
  reopenTitle: (id: string) => `撤销客户 ${id} 的销户`,
  reason: '销户原因（必填）',
  reasonHint: (max: number) => `最多 ${max} 字。`,
  at: '销户时间（选填）',
  atHint: (zone: string) => `留空为现在。按银行所在时区（${zone}）填写，不能晚于现在，也不能早于已定稿月份的月末（补录的销户除外，见下）。`,
  late: '补录：客户实际在已定稿的月份销户',
  lateHint:
    '勾选后，如上面的时间所在月份已定稿，该时间记为实际销户时间，统计从允许的最早时间（最后一个定稿月份的月末）起计，已定稿各月的数据不变；如该月尚未定稿，则与普通销户相同。须填写销户时间。',
  lateSummary:
    '补录：如所填时间所在月份已定稿，统计从允许的最早时间起计，已定稿各月的数据不变，客户详情和审计记录同时显示实际销户时间；如该月尚未定稿，则与普通销户相同，统计从所填时间起计。',
  lateSuggest: '如客户确实在此时销户、只是现在才获知，请勾选“补录”。',
  note: '说明（选填）',
  next: '下一步',
  cancel: '取消',
  back: '返回修改',
  closeDialog: '关闭',
  confirmTitle: '确认销户',
  /** What closing does, said before it is done. */
  effects: [
    '不再参与分级：重新分级和指标上传都会跳过该客户，等级停留在销户时的等级；',
    '不计入风险—价值矩阵、在册客户列表和销户当月起的各项统计报表；',
    '客户端组件（网银页面等）不再显示该客户的等级，也不再为其签发令牌。',
  ],
  keeps: '等级、历史和审计记录都会保留；误操作可随时撤销销户。',
  summary: (at: string, reason: string) => `销户时间：${at}；原因：${reason}`,
  now: '现在',
  confirmClose: '确认销户',
  reopenHint:
    '撤销后客户重新计入客户列表和统计，暂沿用销户时的等级，下一次指标上传或重新分级时恢复分级；客户离开期间已定稿各月的数据不变。',
  confirmReopen: '确认撤销销户',
  saving: '正在提交…',
  closedDone: '已销户。',
  reopenedDone: '已撤销销户，客户恢复为在册客户。',
  refused: '未能完成',
  alreadyClosed: '该客户已由他人办理销户，页面已刷新。',
  alreadyOpen: '该客户的销户已由他人撤销，页面已刷新。',
  fixFields: '请更正标出的内容。',
  unavailable: {
    'book-scoped': '销户须由全行范围的员工办理：客户经理不能为本人名下客户办理销户或撤销。',
    role: '销户须由经办及以上角色办理；您的角色只能查看。',
    'no-session': '请先登录。',
  } satisfies Record<NoClosing, string>,
  checks: {
    'reason-required': () => '请填写销户原因',
    'reason-too-long': ({ max }: CheckData) => `最多 ${max} 字`,
    ...WALL_TIME_WORDS['zh-CN'],
    'in-future': () => '不能晚于现在',
    'before-2000': () => '须为 2000 年或之后',
    'late-needs-time': () => '补录须填写实际销户时间',
  } satisfies Record<ClosingCheck, (data: CheckData) => string>,
};

type ClosingWords = typeof zh;

const tw: ClosingWords = {
  close: '辦理銷戶',
  reopen: '撤銷銷戶',
  closeTitle: (id) => `為客戶 ${id} 辦理銷戶`,
  reopenTitle: (id) => `撤銷客戶 ${id} 的銷戶`,
  reason: '銷戶原因（必填）',
  reasonHint: (max) => `最多 ${max} 字。`,
  at: '銷戶時間（選填）',
  atHint: (zone) => `留空為現在。按銀行所在時區（${zone}）填寫，不能晚於現在，也不能早於已定稿月份的月底（補錄的銷戶除外，見下）。`,
  late: '補錄：客戶實際在已定稿的月份銷戶',
  lateHint:
    '勾選後，如上面的時間所在月份已定稿，該時間記為實際銷戶時間，統計從允許的最早時間（最後一個定稿月份的月底）起計，已定稿各月的資料不變；如該月尚未定稿，則與一般銷戶相同。須填寫銷戶時間。',
  lateSummary:
    '補錄：如所填時間所在月份已定稿，統計從允許的最早時間起計，已定稿各月的資料不變，客戶詳情和稽核紀錄同時顯示實際銷戶時間；如該月尚未定稿，則與一般銷戶相同，統計從所填時間起計。',
  lateSuggest: '如客戶確實在此時銷戶、只是現在才得知，請勾選「補錄」。',
  note: '說明（選填）',
  next: '下一步',
  cancel: '取消',
  back: '返回修改',
  closeDialog: '關閉',
  confirmTitle: '確認銷戶',
  effects: [
    '不再參與分級：重新分級和指標上傳都會略過該客戶，等級停留在銷戶時的等級；',
    '不計入風險—價值矩陣、現有客戶列表和銷戶當月起的各項統計報表；',
    '客戶端元件（網銀頁面等）不再顯示該客戶的等級，也不再為其簽發權杖。',
  ],
  keeps: '等級、歷史和稽核紀錄都會保留；誤操作可隨時撤銷銷戶。',
  summary: (at, reason) => `銷戶時間：${at}；原因：${reason}`,
  now: '現在',
  confirmClose: '確認銷戶',
  reopenHint:
    '撤銷後客戶重新計入客戶列表和統計，暫沿用銷戶時的等級，下一次指標上傳或重新分級時恢復分級；客戶離開期間已定稿各月的資料不變。',
  confirmReopen: '確認撤銷銷戶',
  saving: '正在送出…',
  closedDone: '已銷戶。',
  reopenedDone: '已撤銷銷戶，客戶恢復為現有客戶。',
  refused: '未能完成',
  alreadyClosed: '該客戶已由他人辦理銷戶，頁面已重新整理。',
  alreadyOpen: '該客戶的銷戶已由他人撤銷，頁面已重新整理。',
  fixFields: '請更正標出的內容。',
  unavailable: {
    'book-scoped': '銷戶須由全行範圍的員工辦理：理財專員不能為本人名下客戶辦理銷戶或撤銷。',
    role: '銷戶須由經辦及以上角色辦理；您的角色只能檢視。',
    'no-session': '請先登入。',
  },
  checks: {
    'reason-required': () => '請填寫銷戶原因',
    'reason-too-long': ({ max }) => `最多 ${max} 字`,
    ...WALL_TIME_WORDS['zh-TW'],
    'in-future': () => '不能晚於現在',
    'before-2000': () => '須為 2000 年或之後',
    'late-needs-time': () => '補錄須填寫實際銷戶時間',
  },
};

const en: ClosingWords = {
  close: 'Close customer',
  reopen: 'Reopen customer',
  closeTitle: (id) => `Close customer ${id}`,
  reopenTitle: (id) => `Reopen customer ${id}`,
  reason: 'Reason (required)',
  reasonHint: (max) => `At most ${max} characters.`,
  at: 'Closed at (optional)',
  atHint: (zone) =>
    `Empty: now. In the bank’s time zone (${zone}); not later than now, nor before the end of the last month whose figures are final (unless recorded late, below).`,
  late: 'Recorded late: the customer really left in a month whose figures are final',
  lateHint:
    'Ticked, and the time above in a month whose figures are final: that time is kept as when the customer really left and the figures count the closing from the first instant allowed (the end of the last final month), so final months stay as they are. In a month not final yet, it is an ordinary closing. Needs the time.',
  lateSummary:
    'Recorded late: if the month of the time above is final, the figures count the closing from the first instant allowed, final months stay as they are, and the customer’s detail and the audit trail show the real date too; if that month is not final yet, it is an ordinary closing, counted from the time above.',
  lateSuggest: 'If the customer really left then and the bank learnt of it only now, tick “Recorded late”.',
  note: 'Note (optional)',
  next: 'Next',
  cancel: 'Cancel',
  back: 'Back',
  closeDialog: 'Dismiss',
  confirmTitle: 'Confirm closing',
  effects: [
    'No more tiering: re-tiers and metric uploads skip the customer; their levels stay as they were at closing;',
    'Left out of the risk–value matrix, the list of current customers and every report from the month of closing on;',
    'Customer-facing widgets (online banking) stop showing the customer’s levels, and no token is issued for them.',
  ],
  keeps: 'Levels, history and the audit trail are kept; a closing made in error can be reopened at any time.',
  summary: (at, reason) => `Closed at: ${at}; reason: ${reason}`,
  now: 'now',
  confirmClose: 'Close the customer',
  reopenHint:
    'Reopened, the customer is counted again at once, with the levels they left with until the next metric upload or re-tier tiers them again; the final months they were gone stay as they are.',
  confirmReopen: 'Reopen the customer',
  saving: 'Sending…',
  closedDone: 'Customer closed.',
  reopenedDone: 'Customer reopened.',
  refused: 'Not done',
  alreadyClosed: 'Someone else closed this customer meanwhile; the page has been refreshed.',
  alreadyOpen: 'Someone else reopened this customer meanwhile; the page has been refreshed.',
  fixFields: 'Please correct the marked fields.',
  unavailable: {
    'book-scoped': 'Closing is recorded by tenant-wide staff: a relationship manager cannot close or reopen a customer of their book.',
    role: 'Closing needs an officer or a higher role; your role may only read.',
    'no-session': 'Sign in first.',
  },
  checks: {
    'reason-required': () => 'a reason is required',
    'reason-too-long': ({ max }) => `at most ${max} characters`,
    ...WALL_TIME_WORDS.en,
    'in-future': () => 'must not be later than now',
    'before-2000': () => 'must be in 2000 or later',
    'late-needs-time': () => 'a closing recorded late needs the time the customer left',
  },
};

export const CLOSING_WORDS: Readonly<Record<ConsoleLocale, ClosingWords>> = { 'zh-CN': zh, 'zh-TW': tw, en };
