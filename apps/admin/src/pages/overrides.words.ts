import type { CheckData, OverrideCheck } from '@tierkit/admin';
import type { ConsoleLocale } from '../words.js';

/** Words of the override request (customer detail) and the overrides page. */
const zh = {
  overrides: '人工调级',
  requestTitle: '申请人工调级',
  requestHint: '提交后须由另一位复核人批准才生效。',
  scheme: '方案',
  level: '等级',
  mode: '方式',
  modes: { fixed: '固定为该等级', floor: '不低于该等级' } as Record<string, string>,
  reason: '理由（必填）',
  reasonCategory: '理由类别（供复核人审阅，客户不可见）',
  reasonCategories: {
    retention: '挽留重要客户',
    'funds-pending': '资金在途',
    'data-error': '行内数据有误',
    complaint: '客户投诉处理',
    management: '管理层决定',
    other: '其他（见申请理由）',
  } as Record<string, string>,
  noCategory: '不选',
  evidence: '凭证（单号或链接，供复核人审阅，客户不可见）',
  reasonColumn: '理由',
  expires: '到期日（留空：直到撤销）',
  /** When the scheme's rule caps the days (`maxDays`): an expiry is required, so no "empty: until revoked". */
  expiresRequired: '到期日',
  expiresHint: (zone: string) => `到期日当天 23:59:59 失效（${zone}）。`,
  /** The chosen scheme's override rule (`overrides.maxDays`, `overrides.maxStep`), said before the request is sent. */
  ruleHint: (maxDays: number | null, maxStep: number | undefined) =>
    [maxDays !== null ? `须设到期日，最长 ${maxDays} 天` : '', maxStep !== undefined ? `较当前等级每次最多调整 ${maxStep} 级` : '']
      .filter(Boolean)
      .join('；') + '。',
  submit: '提交申请',
  saving: '正在提交…',
  requested: '已提交，等待复核。',
  edited: '已修改。',
  withdrawn: '已撤回。',
  revoked: '已撤销。',
  refused: '未能完成',
  /**
   * A request refused because one is already pending in its scheme (by whom and for what level, when the
   * list shows it; `yours` when the caller filed it, who may edit or withdraw it).
   */
  alreadyPending: (p?: { level: string; by: string; yours: boolean }) =>
    p?.yours
      ? `该客户在此方案下已有一笔您本人提出、待复核的申请（${p.level}）：请修改或撤回那一笔，无需再提交。`
      : `该客户在此方案下已有一笔待复核的申请${p ? `（${p.level}，${p.by} 提出）` : ''}：请等待复核结果，或由申请人撤回后再提交。`,
  /**
   * An edit, withdrawal or revocation refused because the override changed meanwhile (its status now, when
   * known); `reread` only when the list was read again after the refusal.
   */
  changedMeanwhile: (status: string | undefined, reread: boolean) =>
    `这笔人工调级的状态已变化${status ? `（现为“${status}”）` : ''}，不能再执行此操作${reread ? '；列表已刷新' : ''}。`,
  /** The same, but the override is still in the state the action needs (edited meanwhile): read it again, then retry. */
  changedRetry: (reread: boolean): string =>
    reread ? '这笔人工调级在此期间已有变动，列表已刷新：请核对后重试。' : '这笔人工调级在此期间已有变动：请重新读取后重试。',
  fix: '请更正标出的字段。',
  /** The kit's own form checks (OVERRIDE_CHECKS), by code. */
  checks: {
    'choose-scheme': () => '请选择方案',
    'choose-level': () => '请选择等级',
    'not-a-level': () => '不是该方案的等级',
    'choose-mode': () => '请选择“固定为该等级”或“不低于该等级”',
    'reason-required': () => '请填写理由',
    'reason-too-long': ({ max }: CheckData) => `理由最多 ${max} 个字符`,
    'not-a-date': () => '不是有效日期',
    'expiry-past': () => '到期日不能早于今天',
    'revoke-note': () => '请说明撤销原因',
    'no-subject': () => '请先打开一位客户',
    'no-change': () => '请至少修改一项',
  } satisfies Record<OverrideCheck, (c: CheckData) => string>,
  none: '暂无人工调级。',
  loading: '正在加载…',
  failed: '加载失败',
  statuses: {
    pending: '待复核',
    approved: '生效中',
    rejected: '已驳回',
    withdrawn: '已撤回',
    revoked: '已撤销',
    expired: '已到期',
  } as Record<string, string>,
  /** An override that ended because its customer's personal data was erased (revoked by ERASURE_ACTOR). */
  erasedEnded: '已终止（客户资料已删除）',
  /** Each step of a request's history (DECISION_ACTIONS). */
  steps: {
    requested: '申请',
    edited: '修改',
    withdrawn: '撤回',
    approved: '批准',
    rejected: '驳回',
    revoked: '撤销',
    superseded: '被新申请取代',
    reviewed: '复核',
  } as Record<string, string>,
  status: '状态',
  allStatuses: '全部状态',
  allSchemes: '全部方案',
  subject: '客户号',
  requestedBy: '申请人',
  requestedAt: '申请时间',
  expiresAt: '到期',
  untilRevoked: '直到撤销',
  withdraw: '撤回',
  revoke: '撤销',
  revokeNote: '撤销理由',
  follow: '详情',
  close: '关闭',
  decisions: '处理记录',
  actions: '操作',
  filter: '筛选',
  loadMore: '加载更多',
  shown: (n: number, more: boolean) => (more ? `已显示 ${n} 条，还有更多` : `共 ${n} 条`),
};

const tw: typeof zh = {
  overrides: '人工調級',
  requestTitle: '申請人工調級',
  requestHint: '送出後須由另一位複核人員核准才生效。',
  scheme: '方案',
  level: '等級',
  mode: '方式',
  modes: { fixed: '固定為該等級', floor: '不低於該等級' } as Record<string, string>,
  reason: '理由（必填）',
  reasonCategory: '理由類別（供複核人員審閱，客戶不可見）',
  reasonCategories: {
    retention: '挽留重要客戶',
    'funds-pending': '資金在途',
    'data-error': '行內資料有誤',
    complaint: '客戶投訴處理',
    management: '管理層決定',
    other: '其他（見申請理由）',
  },
  noCategory: '不選',
  evidence: '憑證（單號或連結，供複核人員審閱，客戶不可見）',
  reasonColumn: '理由',
  expires: '到期日（留空：直到撤銷）',
  expiresRequired: '到期日',
  expiresHint: (zone: string) => `到期日當天 23:59:59 失效（${zone}）。`,
  ruleHint: (maxDays: number | null, maxStep: number | undefined) =>
    [maxDays !== null ? `須設到期日，最長 ${maxDays} 天` : '', maxStep !== undefined ? `較目前等級每次最多調整 ${maxStep} 級` : '']
      .filter(Boolean)
      .join('；') + '。',
  submit: '送出申請',
  saving: '正在送出…',
  requested: '已送出，等待複核。',
  edited: '已修改。',
  withdrawn: '已撤回。',
  revoked: '已撤銷。',
  refused: '未能完成',
  alreadyPending: (p?: { level: string; by: string; yours: boolean }) =>
    p?.yours
      ? `該客戶在此方案下已有一筆由您本人提出、待複核的申請（${p.level}）：請修改或撤回該筆，無須再送出。`
      : `該客戶在此方案下已有一筆待複核的申請${p ? `（${p.level}，由 ${p.by} 提出）` : ''}：請等待複核結果，或由申請人撤回後再送出。`,
  changedMeanwhile: (status: string | undefined, reread: boolean) =>
    `這筆人工調級的狀態已變更${status ? `（現為「${status}」）` : ''}，無法再執行此操作${reread ? '；清單已重新整理' : ''}。`,
  changedRetry: (reread: boolean): string =>
    reread ? '這筆人工調級在此期間已有變動，清單已重新整理：請核對後重試。' : '這筆人工調級在此期間已有變動：請重新讀取後重試。',
  fix: '請更正標出的欄位。',
  /** The kit's own form checks (OVERRIDE_CHECKS), by code. */
  checks: {
    'choose-scheme': () => '請選擇方案',
    'choose-level': () => '請選擇等級',
    'not-a-level': () => '不是該方案的等級',
    'choose-mode': () => '請選擇「固定為該等級」或「不低於該等級」',
    'reason-required': () => '請填寫理由',
    'reason-too-long': ({ max }: CheckData) => `理由最多 ${max} 個字元`,
    'not-a-date': () => '不是有效日期',
    'expiry-past': () => '到期日不能早於今天',
    'revoke-note': () => '請說明撤銷原因',
    'no-subject': () => '請先開啟一位客戶',
    'no-change': () => '請至少修改一項',
  } satisfies Record<OverrideCheck, (c: CheckData) => string>,
  none: '目前沒有人工調級。',
  loading: '正在載入…',
  failed: '載入失敗',
  statuses: {
    pending: '待複核',
    approved: '生效中',
    rejected: '已駁回',
    withdrawn: '已撤回',
    revoked: '已撤銷',
    expired: '已到期',
  } as Record<string, string>,
  erasedEnded: '已終止（客戶資料已刪除）',
  /** Each step of a request's history (DECISION_ACTIONS). */
  steps: {
    requested: '申請',
    edited: '修改',
    withdrawn: '撤回',
    approved: '核准',
    rejected: '駁回',
    revoked: '撤銷',
    superseded: '被新申請取代',
    reviewed: '複核',
  } as Record<string, string>,
  status: '狀態',
  allStatuses: '全部狀態',
  allSchemes: '全部方案',
  subject: '客戶編號',
  requestedBy: '申請人',
  requestedAt: '申請時間',
  expiresAt: '到期',
  untilRevoked: '直到撤銷',
  withdraw: '撤回',
  revoke: '撤銷',
  revokeNote: '撤銷理由',
  follow: '詳細資料',
  close: '關閉',
  decisions: '處理紀錄',
  actions: '操作',
  filter: '篩選',
  loadMore: '載入更多',
  shown: (n: number, more: boolean) => (more ? `已顯示 ${n} 筆，還有更多` : `共 ${n} 筆`),
};

const en: typeof zh = {
  overrides: 'Manual levels (overrides)',
  requestTitle: 'Request an override',
  requestHint: 'It takes effect only once another person, an approver, approves it.',
  scheme: 'Scheme',
  level: 'Level',
  mode: 'Mode',
  modes: { fixed: 'Exactly this level', floor: 'Never below this level' },
  reason: 'Reason (required)',
  reasonCategory: 'Grounds (for the checker; never shown to the customer)',
  reasonCategories: {
    retention: 'Keeping a valued customer',
    'funds-pending': 'Funds on their way',
    'data-error': 'An error in the bank’s data',
    complaint: 'Settling a complaint',
    management: 'A management decision',
    other: 'Other (see the reason)',
  },
  noCategory: 'None',
  evidence: 'Evidence (document number or link; for the checker, never shown to the customer)',
  reasonColumn: 'Reason',
  expires: 'Expires on (empty: until revoked)',
  expiresRequired: 'Expires on',
  expiresHint: (zone: string) => `Ends at 23:59:59 that day (${zone}).`,
  ruleHint: (maxDays: number | null, maxStep: number | undefined) =>
    [
      maxDays !== null ? `An expiry is required, at most ${maxDays} days ahead` : '',
      maxStep !== undefined ? `at most ${maxStep} ${maxStep === 1 ? 'level' : 'levels'} from the level now` : '',
    ]
      .filter(Boolean)
      .join('; ') + '.',
  submit: 'Submit request',
  saving: 'Submitting…',
  requested: 'Submitted; waiting for an approver.',
  edited: 'Changed.',
  withdrawn: 'Withdrawn.',
  revoked: 'Revoked.',
  refused: 'Not done',
  alreadyPending: (p?: { level: string; by: string; yours: boolean }) =>
    p?.yours
      ? `You already have a request pending for this customer in this scheme (${p.level}): edit or withdraw that one instead of submitting another.`
      : `A request for this customer in this scheme is already pending${p ? ` (${p.level}, requested by ${p.by})` : ''}: wait for its decision, or have its requester withdraw it, then submit again.`,
  changedMeanwhile: (status: string | undefined, reread: boolean) =>
    `This override has changed meanwhile${status ? ` (it is now “${status}”)` : ''}, so this cannot be done${reread ? '; the list has been read again' : ''}.`,
  changedRetry: (reread: boolean): string =>
    reread
      ? 'This override changed meanwhile and the list has been read again: check it and retry.'
      : 'This override changed meanwhile: read it again and retry.',
  fix: 'Correct the marked fields.',
  checks: {
    'choose-scheme': () => 'Choose a scheme',
    'choose-level': () => 'Choose a level',
    'not-a-level': () => 'Not a level of this scheme',
    'choose-mode': () => 'Choose fixed or floor',
    'reason-required': () => 'A reason is required',
    'reason-too-long': ({ max }: CheckData) => `At most ${max} characters`,
    'not-a-date': () => 'Not a date',
    'expiry-past': () => 'The expiry date cannot be before today',
    'revoke-note': () => 'Say why it is revoked',
    'no-subject': () => 'Open a customer first',
    'no-change': () => 'Change at least one field',
  } satisfies Record<OverrideCheck, (c: CheckData) => string>,
  none: 'No overrides.',
  loading: 'Loading…',
  failed: 'Could not load',
  statuses: {
    pending: 'Pending',
    approved: 'In force',
    rejected: 'Rejected',
    withdrawn: 'Withdrawn',
    revoked: 'Revoked',
    expired: 'Expired',
  },
  erasedEnded: 'Ended (customer’s data erased)',
  steps: {
    requested: 'Requested',
    edited: 'Edited',
    withdrawn: 'Withdrawn',
    approved: 'Approved',
    rejected: 'Rejected',
    revoked: 'Revoked',
    superseded: 'Superseded by a newer request',
    reviewed: 'Reviewed',
  },
  status: 'Status',
  allStatuses: 'All statuses',
  allSchemes: 'All schemes',
  subject: 'Customer id',
  requestedBy: 'Requested by',
  requestedAt: 'Requested',
  expiresAt: 'Expires',
  untilRevoked: 'Until revoked',
  withdraw: 'Withdraw',
  revoke: 'Revoke',
  revokeNote: 'Why revoke',
  follow: 'Details',
  close: 'Close',
  decisions: 'Decisions',
  actions: 'Actions',
  filter: 'Filter',
  loadMore: 'Load more',
  shown: (n: number, more: boolean) => (more ? `${n} shown, more to load` : `${n} in all`),
};

export const OVERRIDE_WORDS: Record<ConsoleLocale, typeof zh> = { 'zh-CN': zh, 'zh-TW': tw, en };
