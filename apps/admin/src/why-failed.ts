import { CLOSING_FLOOR, type CheckData, type FieldCheck, type KitError } from '@tierkit/admin';
import type { ProblemFieldError, ProblemParam } from '@tierkit/core';
import { formatInstant } from './time.js';
import type { ConsoleLocale } from './words.js';

/** The problem kinds the console words itself, by the last segment of the problem's `type` URI. */
type Kind =
  | 'validation'
  | 'malformed-json'
  | 'bad-cursor'
  | 'unauthorized'
  | 'invalid-token'
  | 'forbidden'
  | 'not-found'
  | 'subject-not-found'
  | 'subject-erased'
  | 'scheme-not-found'
  | 'conflict'
  | 'four-eyes'
  | 'content-changed'
  | 'idempotency-key-reused'
  | 'idempotency-key-erased'
  | 'unprocessable'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'rate-limited'
  | 'database-unavailable'
  | 'database-busy'
  | 'heavy-read-timeout'
  | 'heavy-reads-busy'
  | 'heavy-read-failed'
  | 'import-rejected';

interface Words {
  unreachable: string;
  /** A 409 `subject_closed`: the customer left the bank, and what waited for them was withdrawn. */
  subjectClosed: string;
  /** A 409 `erased`: the customer's personal data was erased after the retention period; nothing is written for them again. */
  subjectErased: string;
  /** A scheme the reader's role may not read (an AML grade: `readers`, 403 `scheme_not_readable`). */
  schemeNotReadable: string;
  /** A 409 `sign_off_superseded`: the level a sign-off was about is no longer the customer's. */
  signOffSuperseded: string;
  /** A 409 `lowering_data_moved`: the figures behind a lowering request moved before it was approved. */
  loweringDataMoved: string;
  /** A 409 `already_decided`: another admin settled the staff grant first. */
  grantAlreadyDecided: string;
  /** A 409 `already_decided` on an override, a level's sign-off or lowering, or a retirement: another checker decided it first. */
  requestAlreadyDecided: string;
  server: (status: number) => string;
  kinds: Record<Kind, string>;
  list: (items: readonly string[]) => string;
  /** A field's name, by the path the API reports it at (the body's fields have no prefix). */
  fields: Record<string, string>;
  says: FieldSays;
}

/** What is wrong with a field, worded from what the validator found. */
interface FieldSays {
  required: string;
  type: (expected: string) => string;
  types: Record<string, string>;
  min: (n: string, inclusive: boolean) => string;
  max: (n: string, inclusive: boolean) => string;
  minLength: (n: string) => string;
  maxLength: (n: string) => string;
  minItems: (n: string) => string;
  maxItems: (n: string) => string;
  oneOf: (values: string) => string;
  format: string;
  unknownKeys: (keys: string) => string;
  once: string;
  future: string;
  /** An override of a scheme whose policy bounds overrides: the expiry is required, at most `maxDays` ahead. */
  expiryRequired: (maxDays: string) => string;
  expiryTooLate: (maxDays: string) => string;
  /** An override more levels from the subject's level now than the scheme's rule allows (`overrides.maxStep`). */
  jumpTooFar: (maxStep: string, steps: string) => string;
  needsConfirmation: (day: string, suggested: string) => string;
  /** A 409 `scheduled_version_later`: a version already scheduled after the day asked would undo this one on its date. */
  scheduledLater: (version: string, day: string) => string;
  /** A 409 `retirement_pending`: a retirement of the version already waits for a second person. */
  retirementPending: string;
  /** An override request of a scheme retired since it was filed: nobody may approve it. */
  schemeNotInForce: string;
  /** A 409 `no_retirement_pending`: no retirement of the version waits (decided or withdrawn meanwhile). */
  noRetirementPending: string;
  notThisSimulation: string;
  simulationNotCompleted: string;
  simulationRequired: string;
  governanceWeakened: (needs: string) => string;
  /** A metric's audience lowered by someone below admin (`governance_weakened` with `metric`). */
  audienceNeedsAdmin: (metric: string) => string;
  /** A metric read by approved or submitted versions (`metric_in_use`): kept as it is, not removed. */
  metricInUse: (metric: string, schemes: string) => string;
  /** The schemes of a `metric_in_use` as said to the caller: those they read by name, the rest counted (`unreadable`). */
  readBy: (names: string, unreadable: number) => string;
  /** A metric change a submitted version would then fail (`metric_in_pending_version`). */
  metricInPendingVersion: (metric: string, scheme: string, version: string, unreadable: number) => string;
  metricExists: (metric: string) => string;
  /** A metric's audience already asked to be lowered (`audience_request_pending`). */
  audienceRequestPending: (metric: string) => string;
  /** A default metric kept from customers, lowered below its default (`audience_fixed`); `values` already worded. */
  audienceFixed: (values: string) => string;
  audiences: Record<string, string>;
  day: string;
  unknownScheme: (key: string) => string;
  unknownMetric: (key: string) => string;
  /** A metric measured on another kind of subject than the scheme's (`metric_subject_kind`); kinds already worded. */
  metricSubjectKind: (key: string, metricKinds: string, schemeKind: string) => string;
  thresholdOrder: string;
  /** A higher level's threshold above a lower one's, for a condition that asks for at most a value. */
  thresholdOrderAbove: string;
  /** Both levels named (the engine's `level` and `otherLevel`): `above` for a condition that asks for at most a value. */
  thresholdPair: (level: string, otherLevel: string, above: boolean) => string;
  /** Levels, score bands or the levels bands name, out of order (the policy's `out_of_order` but thresholds). */
  outOfOrder: Record<'rank' | 'band' | 'band_level', string>;
  lowestLevel: (level: string) => string;
  weightsSum: (actual: string) => string;
  /** What a scheme tiers, in a sentence: `customers`. */
  subjectKinds: Record<string, string>;
  wrongSubjectKind: (scheme: string, kind: string, expected: string) => string;
  staffScheme: (scheme: string) => string;
  staffOnly: (field: string) => string;
  /** A customer scheme deciding on a metric kept from customers (`staff_metric`); `weight` for a score's share. */
  staffMetric: (metric: string, weight?: string) => string;
  /** A rules level the rule of a higher one always takes (`unreachable_level`). */
  unreachableLevel: (level: string, otherLevel: string) => string;
  /** A band level only a hidden grade's sign-off levels lead to (`grade_disclosed`): it would tell that grade. */
  gradeDisclosed: (level: string, scheme: string, from: string) => string;
  /** Readers that leave out every role deciding the scheme's versions (`readers_without_decider`): nobody could change it again. */
  readersWithoutDecider: (scheme: string, needsAdmin: boolean) => string;
  /** A second suitability scheme of a side (`suitability_taken`): the one suitability reads. */
  suitabilityTaken: (scheme: string) => string;
  /** A suitability level suitability cannot read (`suitability_level`); `keys` already joined. */
  suitabilityLevel: (level: string, keys: string) => string;
  noCell: (row: string, col: string) => string;
  cycle: (schemes: string) => string;
  levelUnmapped: (level: string, scheme: string) => string;
  twiceLevel: (level: string) => string;
  twoRules: (level: string) => string;
  twoCells: (row: string, col: string) => string;
  twiceKey: (key: string) => string;
  /** An error a policy document causes in another scheme of the pack (by its key). */
  elsewhere: (scheme: string, said: string) => string;
  /** An approval or retirement that would leave the policies in force for `month` invalid (in `scheme`, when one). */
  inForce: (month: string, scheme: string | undefined, said: string) => string;
  mapping: string;
  notA: (value: string, what: string) => string;
  /** `month`: where only YYYY-MM is accepted (jobs, metric writes, analytics); `importMonth`: an import's cell, which takes YYYYMM too. */
  what: Record<'subject' | 'month' | 'importMonth' | 'yuan' | 'integer' | 'staff', string>;
  notLevel: (level: string) => string;
  noSubject: (id: string) => string;
  /** An import row or bulk entry naming a customer whose personal data was erased (code `erased`). */
  erasedSubject: (id: string | undefined) => string;
  /** A closing dated before the customer's last recorded activity (code `left_before_activity`). */
  leftBeforeActivity: (when: string) => string;
  /** A closing dated past the retention period: it would make the customer erasable at once (code `left_beyond_retention`). */
  leftBeyondRetention: (from: string) => string;
  noStaff: (id: string) => string;
  fieldCount: (row: string, header: string) => string;
  /** Where in a file (the API's `line 3, column "x"` path of a file it could not read). */
  at: (line: string | undefined, column: string | undefined) => string;
  /** An import file that is not UTF-8 (it may be GBK or Big5). */
  notUtf8: string;
  /** A path segment or query parameter whose %-escapes are not UTF-8. */
  notUtf8Url: string;
  /** A JSON request body that is not UTF-8. */
  notUtf8Json: string;
  /** An import file that is not CSV, by the API's `problem` (`other` and any newer one: `notCsv`). */
  notCsv: string;
  csvProblems: Record<'stray_quote' | 'after_closing_quote' | 'quote_not_closed', string>;
  csvTooLong: (max: string) => string;
  emptyFile: string;
  noSuchColumn: (column: string) => string;
  noColumnFor: (field: string) => string;
  notBefore: (from: string) => string;
  /** A re-tier's `filter.evaluatedSince` after the job's own month (`too_big`, origin `month`). */
  notAfterJobMonth: (month: string) => string;
  /** A month before the first the API accepts (2000-01). */
  fromMonth: (month: string) => string;
  maxMonths: (max: string, asked: string) => string;
  notBegun: (month: string, current: string) => string;
  /** A re-tier of the month not yet ended without saying so (`month_open`). */
  monthOpen: (month: string) => string;
  requires: (field: string) => string;
  notMatrix: (scheme: string) => string;
  requiredOf: (values: string) => string;
  notBeforeDay: (day: string) => string;
  maxColumns: (max: string, actual: string) => string;
  tokenTooLarge: string;
  zeroOrOne: string;
  /** A closing's time (`origin: 'instant'`): before 2000, before the end of a final month, or ahead of now. */
  /** The API's floor of 2000 (UTC), as the bank's clock reads it: in Shanghai 2000-01-01 05:00 is still before it. */
  instantFrom: (at: string) => string;
  notBeforeInstant: (at: string) => string;
  notAfterNow: (now: string) => string;
  /** `line`: an import's row that gave the value first (PUT …/metrics gives none). */
  twiceMetric: (metric: string, month: string, line?: string) => string;
  twiceSubject: (id: string) => string;
  activeFrom: (day: string, version: string) => string;
  immutable: (value: string) => string;
  /** Field names, listed in the console's language. */
  or: (names: readonly string[]) => string;
  notBoth: (fields: string) => string;
  exactlyOne: (fields: string) => string;
  nothingInForce: (scheme: string) => string;
  meNeedsStaff: string;
  unsafeText: string;
  notEncoding: (encoding: string) => string;
  unknownField: (column: string) => string;
  /** A field a scheme document does not take (`unknown_field` with `field`), with the name it likely means. */
  unknownSchemeField: (field: string, suggestion?: string) => string;
  mappedTwice: (field: string) => string;
  mixedLayout: string;
  noChange: (fields: string) => string;
  /** A re-tier job's month with no data at all (`no_data`, 422 `period-without-data`). */
  noData: (month: string) => string;
}

export const FAILURE_WORDS: Record<ConsoleLocale, Words> = {
  'zh-CN': {
    unreachable: '无法连接服务器（网络中断或服务未运行），请稍后重试。',
    schemeNotReadable: '您的角色无权查看该评级（如反洗钱风险等级），请联系合规部门',
    subjectClosed: '该客户已销户，其待审批事项已随销户撤回，不能再为其办理；如需继续，请先撤销销户',
    subjectErased: '该客户销户已超过保存期限，个人信息已删除，不能再为其写入任何资料',
    signOffSuperseded: '该签核已失效：客户的等级已变为其他等级，无法再审批此等级。请刷新，按客户当前等级处理',
    loweringDataMoved:
      '未批准：降级申请提交后数据已变化，按现有数据已不再降到该等级。该申请已失效，等级未变；请刷新，重新跑批后如仍需降级会生成新的申请',
    grantAlreadyDecided: '该授权已由其他管理员处理（或已撤回、已失效），本次操作未生效。请刷新查看结果',
    requestAlreadyDecided: '这项申请已由其他复核人员处理（或已撤回），本次操作未生效。请刷新查看结果',
    server: (status) => `服务器出错（HTTP ${status}），请稍后重试；如仍失败，请联系技术支持。`,
    kinds: {
      validation: '请求未通过校验',
      'malformed-json': '请求内容格式有误',
      'bad-cursor': '列表已变化，请刷新后重试',
      unauthorized: '需要登录，请重新登录',
      'invalid-token': '登录已失效，请重新登录',
      forbidden: '您的角色无权执行此操作',
      'not-found': '没有找到该记录',
      'subject-not-found': '没有这位客户，或不在您的权限范围内',
      'subject-erased': '该客户销户已超过保存期限，个人信息已删除',
      'scheme-not-found': '没有这个等级方案',
      conflict: '与当前状态冲突',
      'four-eyes': '审批人须与申请人不同',
      'content-changed': '提交审批后内容已被修改，请刷新后重新审阅',
      'idempotency-key-reused': '重复提交了不同的请求，请刷新后重试',
      'idempotency-key-erased': '该请求已执行过，不会再执行；其结果涉及的客户资料已删除，请刷新查看结果',
      unprocessable: '无法执行',
      'payload-too-large': '内容过大',
      'unsupported-media-type': '不支持的文件类型',
      'rate-limited': '请求过于频繁，请稍后重试',
      'database-unavailable': '暂时无法连接数据库，请稍后重试',
      'database-busy': '数据库正忙（另有导入或重评正在写入），本次未作任何更改，请稍后重试',
      'heavy-read-timeout': '查询全行范围耗时过长，已被停止，未作任何更改；请按客户经理或等级缩小范围，或稍后重试',
      'heavy-reads-busy': '服务器正在处理其他全行范围的查询，本次未开始；请稍后重试，或按客户经理缩小范围',
      'heavy-read-failed': '执行查询的进程意外结束，未作任何更改，请重试',
      'import-rejected': '文件中有错误行，未导入任何数据',
    },
    list: (items) => items.join('；'),
    fields: {
      key: '代码',
      unit: '单位',
      currency: '币种',
      audience: '可见范围',
      subjectKinds: '适用对象',
      'label.zh-CN': '名称（简体中文）',
      'label.zh-TW': '名称（繁体中文）',
      'label.en': '名称（英文）',
      label: '用途说明',
      role: '角色',
      staff: '持有人',
      reason: '理由',
      note: '备注',
      level: '等级',
      scheme: '方案',
      schemes: '方案',
      mode: '方式',
      expiresAt: '到期日',
      effectiveFrom: '生效日',
      period: '月份',
      manager: '客户经理',
      document: '策略文档',
      from: '复制自版本',
      'query.product': '产品风险等级',
      'query.productId': '产品编号',
      '(json)': '请求内容',
      'query.from': '起始',
      'query.to': '截止',
      'query.scheme': '方案',
      'query.metric': '指标',
      'query.mapping': '列映射',
      'query.amounts': '金额单位',
      'query.encoding': '编码',
      'headers.content-type': '文件编码',
      '(body)': '文件',
      // A re-tier job's filter (POST /v1/jobs).
      'filter.level.scheme': '按等级筛选的方案',
      'filter.level.level': '按等级筛选的等级',
      'filter.evaluatedSince': '已评估起始月份',
      allowOpenMonth: '重评尚未结束的月份',
      'filter.subjects': '客户',
    },
    says: {
      required: '必填',
      type: (t) => `应为${t}`,
      types: { number: '数字', int: '整数', string: '文字', boolean: '是或否', array: '列表', object: '对象', date: '日期' },
      min: (n, inc) => (inc ? `不能小于 ${n}` : `须大于 ${n}`),
      max: (n, inc) => (inc ? `不能大于 ${n}` : `须小于 ${n}`),
      minLength: (n) => `至少 ${n} 个字符`,
      maxLength: (n) => `最多 ${n} 个字符`,
      minItems: (n) => `至少 ${n} 项`,
      maxItems: (n) => `最多 ${n} 项`,
      oneOf: (v) => `须为以下之一：${v}`,
      format: '格式不正确',
      unknownKeys: (k) => `不认识的字段：${k}`,
      once: '只能给出一次',
      future: '须晚于现在',
      expiryRequired: (n) => `该方案的人工调级须设到期日，最长 ${n} 天`,
      expiryTooLate: (n) => `该方案的人工调级最长 ${n} 天`,
      jumpTooFar: (max, steps) => `较当前等级跨 ${steps} 级，该方案的人工调级每次最多调整 ${max} 级`,
      needsConfirmation: (day, next) => `生效日期 ${day} 会重评本月或已评过的月份：请勾选确认，或改为 ${next}`,
      scheduledLater: (v, day) => `第 ${v} 版已排期自 ${day} 起生效，会在当天撤销本版本的改动：请选 ${day} 之后的日期，或先停用第 ${v} 版`,
      retirementPending: '该版本已有停用申请待审批：待其审批或撤回后才能再次申请',
      schemeNotInForce: '方案已停用：无法批准，可由全行审批人驳回，或由申请人撤回',
      noRetirementPending: '该版本没有待审批的停用申请（可能已被处理或撤回），请刷新',
      notThisSimulation: '所示模拟不是本版本的，请刷新后再审批',
      simulationNotCompleted: '所示模拟尚未完成（或已取消、失败）：请待其完成或重新运行后再审批',
      simulationRequired: '本方案含须复核的等级：请先完成本版本的模拟并查看结果，再审批',
      governanceWeakened: (needs) => `本版本放宽了现行版本的审批管控，须由${needs === 'admin' ? '管理员' : '审批人'}审批`,
      audienceNeedsAdmin: (m) => `降低指标“${m}”的可见范围须由管理员申请，再由另一位管理员审批`,
      metricInUse: (m, schemes) => `指标“${m}”正被${schemes}使用：不能删除，单位、币种和适用对象也不能更改，除非先让这些方案不再读取它`,
      readBy: (names, n) => (names ? `方案 ${names}${n ? ` 及另外 ${n} 个您无权查看的方案` : ' '}` : `${n} 个您无权查看的方案`),
      metricInPendingVersion: (m, scheme, v, n) =>
        scheme
          ? `方案“${scheme}”第 ${v} 版正在等待审批，且读取指标“${m}”${n ? `（另有 ${n} 个您无权查看的方案的待审批版本也读取它）` : ''}；这项修改会使该版本不再成立。请先驳回或修改该版本`
          : `${n} 个您无权查看的方案有待审批的版本读取指标“${m}”；这项修改会使其不再成立。请由能查看这些方案的同事先驳回或修改`,
      metricExists: (m) => `目录中已有指标“${m}”：请修改它，或换一个代码`,
      audienceRequestPending: (m) => `指标“${m}”已有一项可见范围申请在等待审批：由申请人撤回或另一位管理员审批后才能再提`,
      audienceFixed: (values) => `这是不得向客户透露的内置指标，可见范围只能是：${values}`,
      audiences: { customer: '客户可见', staff: '仅限员工', compliance: '仅限合规' },
      day: '须为日期（YYYY-MM-DD）',
      unknownScheme: (k) => `没有方案“${k}”`,
      unknownMetric: (k) => `没有指标“${k}”`,
      metricSubjectKind: (k, m, sk) => `指标“${k}”衡量的是${m}，不能用于${sk}的方案`,
      thresholdOrder: '门槛顺序不对：较高等级的门槛低于较低等级的门槛',
      thresholdOrderAbove: '门槛顺序不对：较高等级的门槛高于较低等级的门槛',
      thresholdPair: (l, o, above) => `门槛顺序不对：较高等级“${l}”的门槛${above ? '高于' : '低于'}较低等级“${o}”的门槛`,
      outOfOrder: {
        rank: '等级须按级别从低到高排列，级别严格递增',
        band: '分数段重叠：每段的下限须高于上一段',
        band_level: '分数段须按等级从低到高排列',
      },
      lowestLevel: (l) => `“${l}”是最低等级：不满足任何规则时即为该等级，不能为它设规则`,
      weightsSum: (n) => `因子权重合计为 ${n}，须为 100`,
      subjectKinds: { customer: '个人客户', corporate: '企业客户', product: '产品', employee: '员工' },
      wrongSubjectKind: (k, kind, expected) => `方案“${k}”评定的是${kind}，不是${expected}`,
      staffScheme: (k) => `面向客户的方案不能读取内部方案“${k}”`,
      staffOnly: (f) => `“${f}”只能设在内部方案上：面向客户的方案的限制会原样显示给客户`,
      staffMetric: (m, w) =>
        w === undefined
          ? `面向客户的方案不能按“${m}”评定等级：该指标不得向客户透露，等级本身就会透露它`
          : `面向客户的方案中，不得向客户透露的指标（如“${m}”）合计权重为 ${w}，须低于 50`,
      unreachableLevel: (l, o) => `等级“${l}”永远评不到：满足它的规则的对象都满足更高等级“${o}”的规则`,
      gradeDisclosed: (l, sc, f) =>
        `等级“${l}”只由 ${sc} 的复核等级（${f}）得出：无权查看 ${sc} 的员工会由此得知该等级；请再映射该方案的其他等级或这些员工同样无权查看的来源，或给本方案与 ${sc} 相同的可查看员工`,
      readersWithoutDecider: (sc, admin) =>
        `可查看 ${sc} 的员工须包括${admin ? '管理员' : '审批人或管理员'}：否则再无人能审批该方案的新版本，包括放宽可查看范围的版本`,
      suitabilityTaken: (k) => `适当性管理只读取一个此类方案，即“${k}”：再加一个会被忽略`,
      suitabilityLevel: (l, keys) => `适当性管理读取的等级为 ${keys}（最低等级可表示“未评级”），且须按此顺序排列：“${l}”不符合`,
      noCell: (r, c) => `矩阵缺少行“${r}”、列“${c}”的格子`,
      cycle: (list) => `方案之间循环引用：${list}`,
      levelUnmapped: (l, k) => `方案“${k}”的等级“${l}”没有对应项`,
      twiceLevel: (l) => `等级“${l}”出现了两次`,
      twoRules: (l) => `等级“${l}”有两条规则`,
      twoCells: (r, c) => `行“${r}”、列“${c}”的格子出现了两次`,
      twiceKey: (k) => `“${k}”出现了两次`,
      elsewhere: (k, said) => `此版本使方案“${k}”出错：${said}`,
      inForce: (month, k, said) => `此变更会使 ${month} 生效的策略出错${k ? `（方案“${k}”）` : ''}：${said}`,
      mapping: '列映射格式不正确',
      notA: (v, what) => `“${v}”不是${what}`,
      what: {
        subject: '有效的客户号（1–64 位字母、数字或 _ . : -）',
        month: '月份（YYYY-MM）',
        importMonth: '月份（YYYY-MM 或 YYYYMM）',
        yuan: '以元填写的金额（数字，最多两位小数，不带千位分隔符）',
        integer: '整数',
        staff: '有效的员工号（1–64 位字母、数字或 _ . : -）',
      },
      notLevel: (l) => `“${l}”不是该方案的等级`,
      noSubject: (id) => `本机构没有客户“${id}”，请先导入客户`,
      erasedSubject: (id) => `${id ? `客户“${id}”` : '该行的客户'}的个人信息已于保存期满后删除，不能再写入`,
      leftBeforeActivity: (when) => `销户时间早于该客户最近一次记录的业务（${when}），请从该时间起填写`,
      leftBeyondRetention: (from) => `销户时间早于保存期限（会使客户立即可删除），请填写 ${from} 之后的时间，实际日期写在原因中`,
      noStaff: (id) => `本机构没有员工“${id}”`,
      fieldCount: (row, header) => `本行有 ${row} 列，表头有 ${header} 列`,
      at: (line, column) => [line && `第 ${line} 行`, column && `“${column}”列`].filter(Boolean).join('，'),
      notUtf8: '文件不是有效的 UTF-8：核心系统导出的文件常为 GBK（台湾、香港为 Big5），请选择 GBK、GB18030 或 Big5 编码',
      notUtf8Url: '不是有效的 UTF-8 百分号编码',
      notUtf8Json: '请求内容不是有效的 UTF-8',
      notCsv: '文件不是有效的 CSV',
      csvProblems: {
        stray_quote: '文件不是有效的 CSV：字段中间出现了引号；请给整个字段加引号，并把其中的引号写成两个（"a""b"）',
        after_closing_quote: '文件不是有效的 CSV：加引号的字段在右引号之后还有内容；引号内的引号须写成两个（"a""b"）',
        quote_not_closed: '文件不是有效的 CSV：有引号未闭合',
      },
      csvTooLong: (max) => `文件不是有效的 CSV：有一条记录超过 ${max} 个字符（可能有引号未闭合）`,
      emptyFile: '文件是空的：至少需要表头行',
      noSuchColumn: (c) => `映射中的列“${c}”不在文件表头中`,
      noColumnFor: (f) => `没有列映射到“${f}”`,
      notBefore: (from) => `不能早于起始月份（${from}）`,
      notAfterJobMonth: (m) => `不能晚于任务的评估月份（${m}）：否则没有客户会被重评`,
      fromMonth: (m) => `须为 ${m} 或之后的月份`,
      maxMonths: (max, asked) => `最多 ${max} 个月，现为 ${asked} 个月`,
      notBegun: (month, current) => `${month} 尚未开始（本月为 ${current}）`,
      monthOpen: (month) => `${month} 尚未结束：须确认按部分数据重评`,
      requires: (f) => `须同时给出${f}`,
      notMatrix: (k) => `方案“${k}”不是矩阵方案`,
      requiredOf: (v) => `必填（${v} 之一）`,
      notBeforeDay: (d) => `不能早于 ${d}：已评定的月份沿用评定时的策略`,
      maxColumns: (max, n) => `最多 ${max} 列，现为 ${n} 列`,
      tokenTooLarge: '令牌过大：请减少来源或缩短来源',
      zeroOrOne: '须为 0 或 1',
      instantFrom: (t) => `不能早于 ${t}`,
      notBeforeInstant: (t) => `不能早于 ${t}：此前各月的统计已定稿`,
      notAfterNow: (t) => `不能晚于当前时间（${t}）`,
      twiceMetric: (m, month, line) => (line ? `${m} 的 ${month} 数据在第 ${line} 行已给出另一个值` : `${m} 的 ${month} 数据出现了两次`),
      twiceSubject: (id) => `客户“${id}”出现了两次`,
      activeFrom: (d, v) => `版本 ${v} 已自 ${d} 起生效，请先停用它`,
      immutable: (v) => `不能更改（现为“${v}”）`,
      or: (names) => names.join('、'),
      notBoth: (f) => `${f}只能给出其一`,
      exactlyOne: (f) => `${f}须给出且只给出其一`,
      nothingInForce: (k) => `方案“${k}”没有生效中的版本可复制，请提供策略文档`,
      meNeedsStaff: '“我的客户”需要员工本人登录；请填写员工号',
      unsafeText: '含有无法保存的字符（NUL 或不成对的代理项）',
      notEncoding: (e) => `文件含有不属于 ${e} 编码的字节，请检查所选编码`,
      unknownField: (c) => `“${c}”列未对应任何字段：请为它选择字段，或选择忽略`,
      unknownSchemeField: (f, near) => `方案文档没有“${f}”这个字段${near === undefined ? '' : `：是否指“${near}”？`}`,
      mappedTwice: (f) => `有两列都映射到“${f}”`,
      mixedLayout: '请二选一：指标列加数值列，或每个指标一列',
      noChange: (f) => `请至少修改一项：${f}`,
      noData: (m) => `${m} 的数据尚未导入，未创建任务：此时重评会把每位客户都按无余额评级。请先导入 ${m} 的数据再重评。`,
    },
  },
  'zh-TW': {
    unreachable: '無法連線伺服器（網路中斷或服務未執行），請稍後重試。',
    schemeNotReadable: '您的角色無權查看該評級（如反洗錢風險等級），請聯絡法令遵循部門',
    subjectClosed: '該客戶已銷戶，其待審核事項已隨銷戶撤回，無法再為其辦理；如需繼續，請先撤銷銷戶',
    subjectErased: '該客戶銷戶已超過保留期限，個人資料已刪除，無法再為其寫入任何資料',
    signOffSuperseded: '該簽核已失效：客戶的等級已變為其他等級，無法再審核此等級。請重新整理，依客戶目前等級處理',
    loweringDataMoved:
      '未核准：降級申請提交後資料已變動，依現有資料已不再降至該等級。該申請已失效，等級未變；請重新整理，重新批次評級後如仍需降級會產生新的申請',
    grantAlreadyDecided: '該授權已由其他管理員處理（或已撤回、已失效），本次操作未生效。請重新整理查看結果',
    requestAlreadyDecided: '這項申請已由其他複核人員處理（或已撤回），本次操作未生效。請重新整理查看結果',
    server: (status) => `伺服器出錯（HTTP ${status}），請稍後重試；如仍失敗，請聯絡技術支援。`,
    kinds: {
      validation: '請求未通過驗證',
      'malformed-json': '請求內容格式有誤',
      'bad-cursor': '清單已變更，請重新整理後重試',
      unauthorized: '需要登入，請重新登入',
      'invalid-token': '登入已失效，請重新登入',
      forbidden: '您的角色無權執行此操作',
      'not-found': '找不到該筆紀錄',
      'subject-not-found': '沒有這位客戶，或不在您的權限範圍內',
      'subject-erased': '該客戶銷戶已超過保留期限，個人資料已刪除',
      'scheme-not-found': '沒有這個等級方案',
      conflict: '與目前狀態衝突',
      'four-eyes': '核准人須與申請人不同',
      'content-changed': '送出審核後內容已被修改，請重新整理後重新審閱',
      'idempotency-key-reused': '重複送出了不同的請求，請重新整理後重試',
      'idempotency-key-erased': '該請求已執行過，不會再執行；其結果涉及的客戶資料已刪除，請重新整理查看結果',
      unprocessable: '無法執行',
      'payload-too-large': '內容過大',
      'unsupported-media-type': '不支援的檔案類型',
      'rate-limited': '請求過於頻繁，請稍後重試',
      'database-unavailable': '暫時無法連線資料庫，請稍後重試',
      'database-busy': '資料庫忙碌中（另有匯入或重評正在寫入），本次未做任何變更，請稍後重試',
      'heavy-read-timeout': '查詢全行範圍耗時過長，已被停止，未做任何變更；請依理財專員或等級縮小範圍，或稍後重試',
      'heavy-reads-busy': '伺服器正在處理其他全行範圍的查詢，本次未開始；請稍後重試，或依理財專員縮小範圍',
      'heavy-read-failed': '執行查詢的程式意外結束，未做任何變更，請重試',
      'import-rejected': '檔案中有錯誤列，未匯入任何資料',
    },
    list: (items) => items.join('；'),
    fields: {
      key: '代碼',
      unit: '單位',
      currency: '幣別',
      audience: '可見範圍',
      subjectKinds: '適用對象',
      'label.zh-CN': '名稱（簡體中文）',
      'label.zh-TW': '名稱（繁體中文）',
      'label.en': '名稱（英文）',
      label: '用途說明',
      role: '角色',
      staff: '持有人',
      reason: '理由',
      note: '備註',
      level: '等級',
      scheme: '方案',
      schemes: '方案',
      mode: '方式',
      expiresAt: '到期日',
      effectiveFrom: '生效日',
      period: '月份',
      manager: '理財專員',
      document: '策略文件',
      from: '複製自版本',
      'query.product': '產品風險等級',
      'query.productId': '產品編號',
      '(json)': '請求內容',
      'query.from': '起始',
      'query.to': '截止',
      'query.scheme': '方案',
      'query.metric': '指標',
      'query.mapping': '欄位對應',
      'query.amounts': '金額單位',
      'query.encoding': '編碼',
      'headers.content-type': '檔案編碼',
      '(body)': '檔案',
      // A re-tier job's filter (POST /v1/jobs).
      'filter.level.scheme': '依等級篩選的方案',
      'filter.level.level': '依等級篩選的等級',
      'filter.evaluatedSince': '已評估起始月份',
      allowOpenMonth: '重評尚未結束的月份',
      'filter.subjects': '客戶',
    },
    says: {
      required: '必填',
      type: (t) => `應為${t}`,
      types: { number: '數字', int: '整數', string: '文字', boolean: '是或否', array: '清單', object: '物件', date: '日期' },
      min: (n, inc) => (inc ? `不能小於 ${n}` : `須大於 ${n}`),
      max: (n, inc) => (inc ? `不能大於 ${n}` : `須小於 ${n}`),
      minLength: (n) => `至少 ${n} 個字元`,
      maxLength: (n) => `最多 ${n} 個字元`,
      minItems: (n) => `至少 ${n} 項`,
      maxItems: (n) => `最多 ${n} 項`,
      oneOf: (v) => `須為以下之一：${v}`,
      format: '格式不正確',
      unknownKeys: (k) => `無法辨識的欄位：${k}`,
      once: '只能提供一次',
      future: '須晚於現在',
      expiryRequired: (n) => `此方案的人工調級須設到期日，最長 ${n} 天`,
      expiryTooLate: (n) => `此方案的人工調級最長 ${n} 天`,
      jumpTooFar: (max, steps) => `較目前等級跨 ${steps} 級，此方案的人工調級每次最多調整 ${max} 級`,
      needsConfirmation: (day, next) => `生效日期 ${day} 會重評本月或已評過的月份：請勾選確認，或改為 ${next}`,
      scheduledLater: (v, day) => `第 ${v} 版已排定自 ${day} 起生效，會在當天撤銷本版本的變更：請選 ${day} 之後的日期，或先停用第 ${v} 版`,
      retirementPending: '該版本已有停用申請待核准：待其核准或撤回後才能再次申請',
      schemeNotInForce: '方案已停用：無法核准，可由全行核准人駁回，或由申請人撤回',
      noRetirementPending: '該版本沒有待核准的停用申請（可能已被處理或撤回），請重新整理',
      notThisSimulation: '所示模擬不是本版本的，請重新整理後再核准',
      simulationNotCompleted: '所示模擬尚未完成（或已取消、失敗）：請待其完成或重新執行後再核准',
      simulationRequired: '本方案含須複核的等級：請先完成本版本的模擬並檢視結果，再核准',
      governanceWeakened: (needs) => `本版本放寬了現行版本的核准管控，須由${needs === 'admin' ? '管理員' : '核准人'}核准`,
      audienceNeedsAdmin: (m) => `降低指標「${m}」的可見範圍須由管理員申請，再由另一位管理員核准`,
      metricInUse: (m, schemes) => `指標「${m}」正被${schemes}使用：不能刪除，單位、幣別和適用對象也不能變更，除非先讓這些方案不再讀取它`,
      readBy: (names, n) => (names ? `方案 ${names}${n ? ` 及另外 ${n} 個您無權檢視的方案` : ' '}` : `${n} 個您無權檢視的方案`),
      metricInPendingVersion: (m, scheme, v, n) =>
        scheme
          ? `方案「${scheme}」第 ${v} 版正在等待核准，且讀取指標「${m}」${n ? `（另有 ${n} 個您無權檢視的方案的待核准版本也讀取它）` : ''}；這項修改會使該版本不再成立。請先退回或修改該版本`
          : `${n} 個您無權檢視的方案有待核准的版本讀取指標「${m}」；這項修改會使其不再成立。請由能檢視這些方案的同事先退回或修改`,
      metricExists: (m) => `目錄中已有指標「${m}」：請修改它，或換一個代碼`,
      audienceRequestPending: (m) => `指標「${m}」已有一項可見範圍申請在等待核准：由申請人撤回或另一位管理員核准後才能再提`,
      audienceFixed: (values) => `這是不得向客戶透露的內建指標，可見範圍只能是：${values}`,
      audiences: { customer: '客戶可見', staff: '僅限員工', compliance: '僅限法遵' },
      day: '須為日期（YYYY-MM-DD）',
      unknownScheme: (k) => `沒有方案「${k}」`,
      unknownMetric: (k) => `沒有指標「${k}」`,
      metricSubjectKind: (k, m, sk) => `指標「${k}」衡量的是${m}，不能用於${sk}的方案`,
      thresholdOrder: '門檻順序不對：較高等級的門檻低於較低等級的門檻',
      thresholdOrderAbove: '門檻順序不對：較高等級的門檻高於較低等級的門檻',
      thresholdPair: (l, o, above) => `門檻順序不對：較高等級「${l}」的門檻${above ? '高於' : '低於'}較低等級「${o}」的門檻`,
      outOfOrder: {
        rank: '等級須依級別由低到高排列，級別嚴格遞增',
        band: '分數區間重疊：每段的下限須高於上一段',
        band_level: '分數區間須依等級由低到高排列',
      },
      lowestLevel: (l) => `「${l}」是最低等級：不符合任何規則時即為該等級，不能為它設定規則`,
      weightsSum: (n) => `因子權重合計為 ${n}，須為 100`,
      subjectKinds: { customer: '個人客戶', corporate: '企業客戶', product: '產品', employee: '員工' },
      wrongSubjectKind: (k, kind, expected) => `方案「${k}」評定的是${kind}，不是${expected}`,
      staffScheme: (k) => `對客戶顯示的方案不能讀取內部方案「${k}」`,
      staffOnly: (f) => `「${f}」只能設在內部方案上：對客戶顯示的方案的限制會原樣顯示給客戶`,
      staffMetric: (m, w) =>
        w === undefined
          ? `對客戶顯示的方案不能依「${m}」評定等級：該指標不得向客戶透露，等級本身就會透露它`
          : `對客戶顯示的方案中，不得向客戶透露的指標（如「${m}」）合計權重為 ${w}，須低於 50`,
      unreachableLevel: (l, o) => `等級「${l}」永遠評不到：符合它的規則的對象都符合更高等級「${o}」的規則`,
      gradeDisclosed: (l, sc, f) =>
        `等級「${l}」只由 ${sc} 的複核等級（${f}）得出：無權查看 ${sc} 的員工會由此得知該等級；請再對應該方案的其他等級或這些員工同樣無權查看的來源，或給本方案與 ${sc} 相同的可查看員工`,
      readersWithoutDecider: (sc, admin) =>
        `可查看 ${sc} 的員工須包括${admin ? '管理員' : '核准人或管理員'}：否則再無人能核准該方案的新版本，包括放寬可查看範圍的版本`,
      suitabilityTaken: (k) => `適合度管理只讀取一個此類方案，即「${k}」：再加一個會被忽略`,
      suitabilityLevel: (l, keys) => `適合度管理讀取的等級為 ${keys}（最低等級可表示「未評級」），且須依此順序排列：「${l}」不符合`,
      noCell: (r, c) => `矩陣缺少列「${r}」、欄「${c}」的格子`,
      cycle: (list) => `方案之間循環參照：${list}`,
      levelUnmapped: (l, k) => `方案「${k}」的等級「${l}」沒有對應項`,
      twiceLevel: (l) => `等級「${l}」出現了兩次`,
      twoRules: (l) => `等級「${l}」有兩條規則`,
      twoCells: (r, c) => `列「${r}」、欄「${c}」的格子出現了兩次`,
      twiceKey: (k) => `「${k}」出現了兩次`,
      elsewhere: (k, said) => `此版本使方案「${k}」出錯：${said}`,
      inForce: (month, k, said) => `此變更會使 ${month} 生效的策略出錯${k ? `（方案「${k}」）` : ''}：${said}`,
      mapping: '欄位對應格式不正確',
      notA: (v, what) => `「${v}」不是${what}`,
      what: {
        subject: '有效的客戶編號（1–64 位字母、數字或 _ . : -）',
        month: '月份（YYYY-MM）',
        importMonth: '月份（YYYY-MM 或 YYYYMM）',
        yuan: '以元填寫的金額（數字，最多兩位小數，不含千分位符號）',
        integer: '整數',
        staff: '有效的員工編號（1–64 位字母、數字或 _ . : -）',
      },
      notLevel: (l) => `「${l}」不是該方案的等級`,
      noSubject: (id) => `本機構沒有客戶「${id}」，請先匯入客戶`,
      erasedSubject: (id) => `${id ? `客戶「${id}」` : '該列的客戶'}的個人資料已於保留期滿後刪除，無法再寫入`,
      leftBeforeActivity: (when) => `銷戶時間早於該客戶最近一次記錄的業務（${when}），請從該時間起填寫`,
      leftBeyondRetention: (from) => `銷戶時間早於保留期限（會使客戶立即可刪除），請填寫 ${from} 之後的時間，實際日期寫在原因中`,
      noStaff: (id) => `本機構沒有員工「${id}」`,
      fieldCount: (row, header) => `本列有 ${row} 欄，標題列有 ${header} 欄`,
      at: (line, column) => [line && `第 ${line} 列`, column && `「${column}」欄`].filter(Boolean).join('，'),
      notUtf8: '檔案不是有效的 UTF-8：核心系統匯出的檔案在台灣、香港常為 Big5（中國大陸為 GBK），請選擇 Big5、GBK 或 GB18030 編碼',
      notUtf8Url: '不是有效的 UTF-8 百分比編碼',
      notUtf8Json: '請求內容不是有效的 UTF-8',
      notCsv: '檔案不是有效的 CSV',
      csvProblems: {
        stray_quote: '檔案不是有效的 CSV：欄位中間出現了引號；請為整個欄位加上引號，並把其中的引號寫成兩個（"a""b"）',
        after_closing_quote: '檔案不是有效的 CSV：加引號的欄位在右引號之後還有內容；引號內的引號須寫成兩個（"a""b"）',
        quote_not_closed: '檔案不是有效的 CSV：有引號未閉合',
      },
      csvTooLong: (max) => `檔案不是有效的 CSV：有一筆紀錄超過 ${max} 個字元（可能有引號未閉合）`,
      emptyFile: '檔案是空的：至少需要標題列',
      noSuchColumn: (c) => `對應中的欄「${c}」不在檔案標題列中`,
      noColumnFor: (f) => `沒有欄位對應到「${f}」`,
      notBefore: (from) => `不能早於起始月份（${from}）`,
      notAfterJobMonth: (m) => `不能晚於任務的評估月份（${m}）：否則沒有客戶會被重評`,
      fromMonth: (m) => `須為 ${m} 或之後的月份`,
      maxMonths: (max, asked) => `最多 ${max} 個月，目前為 ${asked} 個月`,
      notBegun: (month, current) => `${month} 尚未開始（本月為 ${current}）`,
      monthOpen: (month) => `${month} 尚未結束：須確認按部分資料重評`,
      requires: (f) => `須同時提供${f}`,
      notMatrix: (k) => `方案「${k}」不是矩陣方案`,
      requiredOf: (v) => `必填（${v} 之一）`,
      notBeforeDay: (d) => `不能早於 ${d}：已評定的月份沿用評定時的策略`,
      maxColumns: (max, n) => `最多 ${max} 欄，目前為 ${n} 欄`,
      tokenTooLarge: '權杖過大：請減少來源或縮短來源',
      zeroOrOne: '須為 0 或 1',
      instantFrom: (t) => `不能早於 ${t}`,
      notBeforeInstant: (t) => `不能早於 ${t}：此前各月的統計已定稿`,
      notAfterNow: (t) => `不能晚於目前時間（${t}）`,
      twiceMetric: (m, month, line) => (line ? `${m} 的 ${month} 資料在第 ${line} 行已給出另一個值` : `${m} 的 ${month} 資料出現了兩次`),
      twiceSubject: (id) => `客戶「${id}」出現了兩次`,
      activeFrom: (d, v) => `版本 ${v} 已自 ${d} 起生效，請先停用`,
      immutable: (v) => `不能變更（目前為「${v}」）`,
      or: (names) => names.join('、'),
      notBoth: (f) => `${f}只能提供其一`,
      exactlyOne: (f) => `${f}須提供且只提供其一`,
      nothingInForce: (k) => `方案「${k}」沒有生效中的版本可複製，請提供策略文件`,
      meNeedsStaff: '「我的客戶」需要員工本人登入；請填寫員工編號',
      unsafeText: '含有無法儲存的字元（NUL 或不成對的代理字元）',
      notEncoding: (e) => `檔案含有不屬於 ${e} 編碼的位元組，請檢查所選編碼`,
      unknownField: (c) => `「${c}」欄未對應任何欄位：請為它選擇欄位，或選擇略過`,
      unknownSchemeField: (f, near) => `方案文件沒有「${f}」這個欄位${near === undefined ? '' : `：是否指「${near}」？`}`,
      mappedTwice: (f) => `有兩欄都對應到「${f}」`,
      mixedLayout: '請二擇一：指標欄加數值欄，或每個指標一欄',
      noChange: (f) => `請至少修改一項：${f}`,
      noData: (m) => `${m} 的資料尚未匯入，未建立任務：此時重評會把每位客戶都按無餘額評級。請先匯入 ${m} 的資料再重評。`,
    },
  },
  en: {
    unreachable: 'Cannot reach the server (the network is down or the service is not running). Try again shortly.',
    schemeNotReadable: 'Your role may not read this grade (such as the AML risk grade); ask compliance',
    subjectClosed:
      'This customer has left the bank: what waited for approval was withdrawn when they were closed, and nothing more can be done for them unless they are reopened',
    signOffSuperseded:
      "This sign-off no longer applies: the customer's level has moved on, so this level can no longer be approved. Reload to see the level they have now",
    loweringDataMoved:
      'Not approved: the data changed after this lowering was requested and no longer computes that level. The request was superseded and the level is unchanged; reload — if the next re-tier still computes a lower level, a new request will open',
    subjectErased:
      'This customer left the bank longer ago than the retention period and their personal data was erased; nothing more can be written for them',
    grantAlreadyDecided:
      'Another admin already settled this grant (or it was withdrawn or superseded); nothing was changed. Reload to see how it stands',
    requestAlreadyDecided:
      'Another checker already decided this request (or it was withdrawn); nothing was changed. Reload to see how it stands',
    server: (status) => `The server failed (HTTP ${status}). Try again shortly; if it keeps failing, contact support.`,
    kinds: {
      validation: 'The request is not valid',
      'malformed-json': 'The request is malformed',
      'bad-cursor': 'The list has changed; refresh and try again',
      unauthorized: 'Sign in again',
      'invalid-token': 'Your sign-in has expired; sign in again',
      forbidden: 'Your role may not do this',
      'not-found': 'Not found',
      'subject-not-found': 'No such customer, or not one you may see',
      'subject-erased': "This customer's personal data was erased after the retention period",
      'scheme-not-found': 'No such scheme',
      conflict: 'This conflicts with the current state',
      'four-eyes': 'The approver must be someone other than the requester',
      'content-changed': 'It changed after it was submitted; refresh and review it again',
      'idempotency-key-reused': 'A different request was sent twice; refresh and try again',
      'idempotency-key-erased':
        'This request already ran and is not run again; its answer named a customer whose data was since erased — refresh to see the outcome',
      unprocessable: 'This cannot be done',
      'payload-too-large': 'Too large',
      'unsupported-media-type': 'Not a file type this takes',
      'rate-limited': 'Too many requests; try again shortly',
      'database-unavailable': 'The database cannot be reached just now; try again shortly',
      'database-busy': 'The database is busy with another writer (an import or a re-tier); nothing was changed — try again shortly',
      'heavy-read-timeout':
        'This bank-wide list or report took too long and was stopped; nothing was changed — narrow it to a relationship manager or a level, or try again later',
      'heavy-reads-busy':
        'The server is busy with other bank-wide lists and reports and did not start this one — try again shortly, or narrow it to a relationship manager',
      'heavy-read-failed': 'The process running this list or report ended unexpectedly; nothing was changed — try again',
      'import-rejected': 'Rows of the file have errors; nothing was imported',
    },
    list: (items) => items.join('; '),
    fields: {
      key: 'Key',
      unit: 'Unit',
      currency: 'Currency',
      audience: 'Who may see it',
      subjectKinds: 'Measured on',
      'label.zh-CN': 'Name (Simplified Chinese)',
      'label.zh-TW': 'Name (Traditional Chinese)',
      'label.en': 'Name (English)',
      label: 'Label',
      role: 'Role',
      staff: 'Held by',
      reason: 'Reason',
      note: 'Note',
      level: 'Level',
      scheme: 'Scheme',
      schemes: 'Schemes',
      mode: 'Mode',
      expiresAt: 'Expiry',
      effectiveFrom: 'Effective from',
      period: 'Month',
      manager: 'Relationship manager',
      document: 'Policy document',
      from: 'Copy of version',
      'query.product': 'Product risk level',
      'query.productId': 'Product id',
      '(json)': 'Request body',
      'query.from': 'From',
      'query.to': 'To',
      'query.scheme': 'Scheme',
      'query.metric': 'Metric',
      'query.mapping': 'Column mapping',
      'query.amounts': 'Money written in',
      'query.encoding': 'Encoding',
      'headers.content-type': 'File encoding',
      '(body)': 'File',
      // A re-tier job's filter (POST /v1/jobs).
      'filter.level.scheme': 'Scheme of the level filter',
      'filter.level.level': 'Level of the level filter',
      'filter.evaluatedSince': 'Evaluated since',
      allowOpenMonth: 'Re-tier a month not yet ended',
      'filter.subjects': 'Customers',
    },
    says: {
      required: 'required',
      type: (t) => `must be ${t}`,
      types: {
        number: 'a number',
        int: 'a whole number',
        string: 'text',
        boolean: 'yes or no',
        array: 'a list',
        object: 'an object',
        date: 'a date',
      },
      min: (n, inc) => (inc ? `must be at least ${n}` : `must be more than ${n}`),
      max: (n, inc) => (inc ? `must be at most ${n}` : `must be less than ${n}`),
      minLength: (n) => `at least ${n} characters`,
      maxLength: (n) => `at most ${n} characters`,
      minItems: (n) => `at least ${n} items`,
      maxItems: (n) => `at most ${n} items`,
      oneOf: (v) => `must be one of: ${v}`,
      format: 'not in the right form',
      unknownKeys: (k) => `unknown field: ${k}`,
      once: 'may be given only once',
      future: 'must be in the future',
      expiryRequired: (n) => `an override of this scheme needs an expiry, at most ${n} days ahead`,
      expiryTooLate: (n) => `an override of this scheme may run at most ${n} days`,
      jumpTooFar: (max, steps) => `${steps} levels from the level now; an override of this scheme may move at most ${max}`,
      scheduledLater: (v, day) =>
        `version ${v} is scheduled from ${day} and would undo this version's changes on that day: pick a day after ${day}, or retire version ${v} first`,
      retirementPending: 'a retirement of this version already waits for approval: it is decided or withdrawn before another is asked',
      schemeNotInForce:
        'scheme no longer in force: nobody may approve it; a bank-wide approver may reject it, or its requester withdraw it',
      noRetirementPending: 'no retirement of this version waits (decided or withdrawn meanwhile): refresh',
      needsConfirmation: (day, next) =>
        `effective from ${day} re-tiers the month under way or one already judged: tick the confirmation, or take ${next}`,
      notThisSimulation: 'the simulation shown is not of this version: refresh and decide again',
      simulationNotCompleted:
        'the simulation shown has not completed (or was cancelled or failed): wait for it, or run it again, then decide',
      simulationRequired: 'this scheme has levels that need a sign-off: run a simulation of this version and review it before approving',
      governanceWeakened: (needs) =>
        `this version weakens the approval controls of the version in force: ${needs === 'admin' ? 'an admin' : 'an approver'} must approve it`,
      audienceNeedsAdmin: (m) => `lowering who is kept from “${m}” is asked by an admin and approved by another`,
      metricInUse: (m, schemes) =>
        `metric “${m}” is read by ${schemes}: it cannot be removed, nor its unit, currency or kinds of subject changed, while they read it`,
      readBy: (names, n) =>
        names ? (n ? `${names} and ${n} more you may not read` : names) : `${n} scheme${n === 1 ? '' : 's'} you may not read`,
      metricInPendingVersion: (m, scheme, v, n) =>
        scheme
          ? `version ${v} of “${scheme}” waits for approval and reads “${m}”${n ? ` (as does a waiting version of ${n} more scheme${n === 1 ? '' : 's'} you may not read)` : ''}; this change would break it. Reject or edit that version first`
          : `a version waiting for approval of ${n} scheme${n === 1 ? '' : 's'} you may not read reads “${m}”; this change would break it. Someone who reads ${n === 1 ? 'it' : 'them'} must reject or edit it first`,
      metricExists: (m) => `the catalogue already has a metric “${m}”: change that one, or pick another key`,
      audienceRequestPending: (m) =>
        `a request to change who may see “${m}” already waits: its maker withdraws it or another admin decides it first`,
      audienceFixed: (values) => `a built-in metric kept from customers: who may see it can only be ${values}`,
      audiences: { customer: 'customer-facing', staff: 'staff only', compliance: 'compliance only' },
      day: 'must be a day (YYYY-MM-DD)',
      unknownScheme: (k) => `no scheme “${k}”`,
      unknownMetric: (k) => `no metric “${k}”`,
      metricSubjectKind: (k, m, sk) => `metric “${k}” is measured on ${m}, not on the ${sk} this scheme grades`,
      thresholdOrder: 'thresholds out of order: a higher level’s threshold is below a lower level’s',
      thresholdOrderAbove: 'thresholds out of order: a higher level’s threshold is above a lower level’s',
      thresholdPair: (l, o, above) =>
        `thresholds out of order: the threshold of higher level “${l}” is ${above ? 'above' : 'below'} that of lower level “${o}”`,
      outOfOrder: {
        rank: 'levels must be listed lowest rank first, ranks strictly ascending',
        band: 'bands overlap: each band must start above the one before',
        band_level: 'bands must name levels in ascending rank',
      },
      lowestLevel: (l) => `“${l}” is the lowest level: it is what remains when no rule holds, so it takes no rule`,
      weightsSum: (n) => `the factor weights add up to ${n}, not 100`,
      subjectKinds: { customer: 'customers', corporate: 'companies', product: 'products', employee: 'employees' },
      wrongSubjectKind: (k, kind, expected) => `scheme “${k}” tiers ${kind}, not ${expected}`,
      staffScheme: (k) => `a customer scheme cannot read the staff scheme “${k}”`,
      staffOnly: (f) => `“${f}” is a staff scheme’s setting: a customer scheme’s blocks are shown to the customer whole`,
      staffMetric: (m, w) =>
        w === undefined
          ? `a customer scheme cannot decide a level on “${m}”: the metric is kept from customers, and the level would tell them`
          : `a customer scheme’s factors on metrics kept from customers (such as “${m}”) weigh ${w}; they must weigh less than 50`,
      unreachableLevel: (l, o) => `level “${l}” can never be reached: whatever meets its rule meets the rule of the higher level “${o}”`,
      gradeDisclosed: (l, sc, f) =>
        `level “${l}” comes only from ${sc}’s sign-off levels (${f}): staff who may not read ${sc} would learn it from this level; map another level of ${sc}, or a source those staff may not read either, to it too, or give this scheme ${sc}’s readers`,
      readersWithoutDecider: (sc, admin) =>
        `the staff who read ${sc} must include ${admin ? 'admins' : 'approvers or admins'}: else nobody could approve its next version, not even one widening its readers again`,
      suitabilityTaken: (k) => `suitability reads one scheme of this kind, “${k}”: a second would be ignored`,
      suitabilityLevel: (l, keys) =>
        `suitability reads the levels ${keys} (the lowest may mean “not rated”), in that order: “${l}” is not one of them`,
      noCell: (r, c) => `the matrix has no cell for row “${r}”, column “${c}”`,
      cycle: (list) => `schemes read each other in a cycle: ${list}`,
      levelUnmapped: (l, k) => `level “${l}” of scheme “${k}” has nothing to map to`,
      twiceLevel: (l) => `level “${l}” is listed twice`,
      twoRules: (l) => `level “${l}” has two rules`,
      twoCells: (r, c) => `two cells for row “${r}”, column “${c}”`,
      twiceKey: (k) => `“${k}” is listed twice`,
      elsewhere: (k, said) => `this version breaks scheme “${k}”: ${said}`,
      inForce: (month, k, said) => `this change would break the policies in force for ${month}${k ? ` (scheme “${k}”)` : ''}: ${said}`,
      mapping: 'the column mapping is not in the right form',
      notA: (v, what) => `“${v}” is not ${what}`,
      what: {
        subject: 'a customer id (1–64 letters, digits, _ . : -)',
        month: 'a month (YYYY-MM)',
        importMonth: 'a month (YYYY-MM or YYYYMM)',
        yuan: 'an amount in yuan (digits, at most 2 decimals, no separators)',
        integer: 'a whole number',
        staff: 'a staff id (1–64 letters, digits, _ . : -)',
      },
      notLevel: (l) => `“${l}” is not a level of this scheme`,
      noSubject: (id) => `no customer “${id}” in this bank; import the customer first`,
      erasedSubject: (id) =>
        `${id ? `customer “${id}”` : "this row's customer"} was erased after the retention period; nothing can be written for them`,
      leftBeforeActivity: (when) => `is before the customer’s last recorded activity (${when}); date the closing from then on`,
      leftBeyondRetention: (from) =>
        `is further back than the retention period (the customer would be erasable at once); date it from ${from} on and give the real date in the reason`,
      noStaff: (id) => `no staff member “${id}” in this bank`,
      fieldCount: (row, header) => `the row has ${row} fields; the header has ${header}`,
      at: (line, column) => [line && `line ${line}`, column && `column “${column}”`].filter(Boolean).join(', '),
      notUtf8:
        'the file is not valid UTF-8: files from core banking are often GBK (Big5 in Taiwan and Hong Kong); choose GBK, GB18030 or Big5',
      notUtf8Url: 'is not valid percent-encoded UTF-8',
      notUtf8Json: 'the request body is not valid UTF-8',
      notCsv: 'the file is not valid CSV',
      csvProblems: {
        stray_quote:
          'the file is not valid CSV: a quote inside a field that does not start with one; quote the whole field and double the quote: "a""b"',
        after_closing_quote:
          'the file is not valid CSV: a quoted field goes on after its closing quote; double a quote inside a quoted field: "a""b"',
        quote_not_closed: 'the file is not valid CSV: a quote is never closed',
      },
      csvTooLong: (max) => `the file is not valid CSV: a record is longer than ${max} characters (an unclosed quote?)`,
      emptyFile: 'the file is empty: it needs at least a header row',
      noSuchColumn: (c) => `the mapping names column “${c}”, which the file’s header does not have`,
      noColumnFor: (f) => `no column is mapped to “${f}”`,
      notBefore: (from) => `must not be before the first month (${from})`,
      notAfterJobMonth: (m) => `must not be after the job’s month (${m}): no customer would be re-evaluated`,
      fromMonth: (m) => `must be ${m} or later`,
      maxMonths: (max, asked) => `at most ${max} months; this is ${asked}`,
      notBegun: (month, current) => `${month} has not begun (this month is ${current})`,
      monthOpen: (month) => `${month} has not ended: confirm re-tiering it on part of its data`,
      requires: (f) => `needs ${f}`,
      notMatrix: (k) => `scheme “${k}” is not a matrix`,
      requiredOf: (v) => `required (one of: ${v})`,
      notBeforeDay: (d) => `must not be before ${d}: months already judged keep the policy they were judged by`,
      maxColumns: (max, n) => `at most ${max} columns; this file has ${n}`,
      tokenTooLarge: 'the token would be too large: name fewer or shorter origins',
      zeroOrOne: 'must be 0 or 1',
      instantFrom: (t) => `must not be before ${t}`,
      notBeforeInstant: (t) => `must not be before ${t}: the months before it are final`,
      notAfterNow: (t) => `must not be after now (${t})`,
      twiceMetric: (m, month, line) =>
        line ? `${m} for ${month} is given another value on line ${line}` : `${m} for ${month} is given twice`,
      twiceSubject: (id) => `customer “${id}” is listed twice`,
      activeFrom: (d, v) => `version ${v} is already active from ${d}; retire it first`,
      immutable: (v) => `cannot change (it is “${v}”)`,
      or: (names) => names.join(' or '),
      notBoth: (f) => `give ${f}, not both`,
      exactlyOne: (f) => `give exactly one: ${f}`,
      nothingInForce: (k) => `scheme “${k}” has no version in force to copy; send a document`,
      meNeedsStaff: '“my customers” needs a staff member’s own sign-in; give a staff id',
      unsafeText: 'contains a character that cannot be stored (NUL or a lone surrogate)',
      notEncoding: (e) => `the file has bytes that are not ${e}; check the encoding chosen`,
      unknownField: (c) => `column “${c}” maps to no field: choose one for it, or ignore it`,
      unknownSchemeField: (f, near) => `a scheme document has no field “${f}”${near === undefined ? '' : `: did you mean “${near}”?`}`,
      mappedTwice: (f) => `two columns map to “${f}”`,
      mixedLayout: 'use either metric and value columns, or one column per metric, not both',
      noChange: (f) => `change at least one: ${f}`,
      noData: (m) =>
        `No data for ${m} has been loaded, so no job was started: re-tiering it now would rate every customer as if they had no balances. Load ${m}’s data first, then re-tier.`,
    },
  },
};

/**
 * A field error that comes without a code, in the console's language, by its English: the row errors
 * of an import stored before row errors had codes (an earlier release). Anything else stays as the
 * API worded it.
 */
export function fieldMessage(message: string, locale: ConsoleLocale): string {
  const s = FAILURE_WORDS[locale].says;
  const type = (t: string) => s.types[t] ?? t;
  let m: RegExpMatchArray | null;
  if ((m = message.match(/^Invalid input: expected (\w+), received (\w+)$/)))
    return m[2] === 'undefined' ? s.required : s.type(type(m[1] ?? ''));
  if ((m = message.match(/^Too small: expected string to have >=?(\d+) characters?$/)))
    return m[1] === '1' ? s.required : s.minLength(m[1] ?? '');
  if ((m = message.match(/^Too big: expected string to have <=?(\d+) characters?$/))) return s.maxLength(m[1] ?? '');
  if ((m = message.match(/^Too small: expected array to have >=?(\d+) items?$/))) return s.minItems(m[1] ?? '');
  if ((m = message.match(/^Too big: expected array to have <=?(\d+) items?$/))) return s.maxItems(m[1] ?? '');
  if ((m = message.match(/^Too small: expected (?:number|int|bigint) to be (>=?)(\S+)$/))) return s.min(m[2] ?? '', m[1] === '>=');
  if ((m = message.match(/^Too big: expected (?:number|int|bigint) to be (<=?)(\S+)$/))) return s.max(m[2] ?? '', m[1] === '<=');
  if ((m = message.match(/^Invalid option: expected one of (.+)$/))) return s.oneOf((m[1] ?? '').replace(/"/g, '').replace(/\|/g, ', '));
  if ((m = message.match(/^Invalid input: expected "(.+)"$/))) return s.oneOf(m[1] ?? '');
  if (/^Invalid (ISO date|ISO datetime|string|date|email|url|uuid)\b/.test(message)) return s.format;
  if ((m = message.match(/^Unrecognized keys?: (.+)$/))) return s.unknownKeys((m[1] ?? '').replace(/"/g, ''));
  if ((m = message.match(/^(?:unknown scheme|no scheme) "([^"]+)"/))) return s.unknownScheme(m[1] ?? '');
  if ((m = message.match(/^(?:unknown metric|no metric) "([^"]+)"/))) return s.unknownMetric(m[1] ?? '');
  if (message.startsWith('threshold out of order')) return s.thresholdOrder;
  // An empty cell of an import stored before codes: the word new ones get by their `required`.
  if (message === 'is empty') return s.required;
  if ((m = message.match(/^is longer than (\d+) characters$/))) return s.maxLength(m[1] ?? '');
  if ((m = message.match(/^"(.*)" is not (a subject id|a month|an amount in yuan|an integer|a staff id)\b/))) {
    const what = (
      {
        'a subject id': 'subject',
        'a month': 'month',
        'an amount in yuan': 'yuan',
        'an integer': 'integer',
        'a staff id': 'staff',
      } as const
    )[m[2] as 'a month'];
    return s.notA(m[1] ?? '', s.what[what]);
  }
  if ((m = message.match(/^"([^"]+)" is not a level of /))) return s.notLevel(m[1] ?? '');
  if ((m = message.match(/^no subject "([^"]+)" in this tenant/))) return s.noSubject(m[1] ?? '');
  if ((m = message.match(/^no staff member "([^"]+)" in this tenant/))) return s.noStaff(m[1] ?? '');
  if ((m = message.match(/^has (\d+) fields; the header has (\d+)$/))) return s.fieldCount(m[1] ?? '', m[2] ?? '');
  if ((m = message.match(/^(\S+) has not begun yet \(current month (\S+)\)$/))) return s.notBegun(m[1] ?? '', m[2] ?? '');
  return message;
}

/** A count as the console's language writes it (1,000,000). */
const number = (v: ProblemParam, locale: ConsoleLocale) => (typeof v === 'number' ? v.toLocaleString(locale) : String(v));

const ENCODING_NAMES: Readonly<Record<string, string>> = { 'utf-8': 'UTF-8', gbk: 'GBK', gb18030: 'GB18030', big5: 'Big5' };

/** An import cell's `invalid_format` formats, by the words of what it is not. */
const CELL_FORMATS: Readonly<Record<string, string>> = { subject_id: 'subject', staff_id: 'staff', integer: 'integer', yuan: 'yuan' };

/**
 * A field error in the console's language, by the API's stable `code` and `params` (README "Errors"
 * of packages/api). A code the console has no words for, or none (`fieldMessage`): by its English.
 */
export function fieldSays(f: ProblemFieldError, locale: ConsoleLocale): string {
  // An approval's or retirement's refusal: the pack in force for a month would break, in a scheme.
  const inForce = f.params?.inForce;
  if (typeof inForce === 'string' && f.code !== undefined) {
    const { inForce: _, inScheme, ...params } = f.params ?? {};
    const said = codeSays({ ...f, params }, locale);
    const scheme = typeof inScheme === 'string' ? inScheme : undefined;
    if (said !== undefined) return FAILURE_WORDS[locale].says.inForce(inForce, scheme, said);
  }
  // A policy document's error in another scheme of the pack: said as its own, with where it is.
  const elsewhere = f.params?.elsewhere;
  if (typeof elsewhere === 'string' && f.code !== undefined) {
    const { elsewhere: _, inScheme, ...params } = f.params ?? {};
    const said = codeSays({ ...f, params }, locale);
    // Named by its key; by its path in the pack where the key is not known.
    if (said !== undefined) return FAILURE_WORDS[locale].says.elsewhere(typeof inScheme === 'string' ? inScheme : elsewhere, said);
  }
  return codeSays(f, locale) ?? fieldMessage(f.message, locale);
}

/**
 * A closing's time refused for being before the end of a final month — not the API's floor of 2000:
 * the customer may really have left then, a closing learnt late, which the dialog's 补录 or an import's
 * closedLate column records. Where the refusal is said, the page adds how.
 */
export function refusedForFinalMonth(
  f: { readonly code?: string; readonly params?: Readonly<Record<string, ProblemParam>> } | undefined,
): boolean {
  const p = f?.params ?? {};
  return f?.code === 'too_small' && p.origin === 'instant' && typeof p.minimum === 'string' && p.minimum > CLOSING_FLOOR;
}

/** A field error by its code and params, or undefined for a code the console has no words for. */
function codeSays(f: ProblemFieldError, locale: ConsoleLocale): string | undefined {
  const s = FAILURE_WORDS[locale].says;
  const p = f.params ?? {};
  const list = (v: ProblemParam | undefined) => (Array.isArray(v) ? v.map(String).join(', ') : String(v ?? ''));
  const str = (v: ProblemParam | undefined) => String(v ?? '');
  const names = (v: ProblemParam | undefined) => s.or((Array.isArray(v) ? v : []).map((n) => fieldName(String(n), locale)));
  switch (f.code) {
    case 'too_small':
      if (p.origin === 'string') return p.minimum === 1 ? s.required : s.minLength(str(p.minimum));
      // An import row with fewer fields than the header.
      if (p.origin === 'fields') return s.fieldCount(str(p.actual), str(p.minimum));
      if (p.origin === 'array') return s.minItems(str(p.minimum));
      // Before the first month kept (2000-01), or before a range's own `from`.
      if (p.origin === 'month') return p.minimum === '2000-01' ? s.fromMonth(str(p.minimum)) : s.notBefore(str(p.minimum));
      if (p.origin === 'day') return s.notBeforeDay(str(p.minimum));
      // A customer's closing: never before 2000, nor before the end of the last final month. Instants are
      // the API's (UTC): said as the bank's clock reads them, the zone named, as every time the console shows.
      if (p.origin === 'instant')
        return p.minimum === CLOSING_FLOOR
          ? s.instantFrom(formatInstant(str(p.minimum), locale))
          : s.notBeforeInstant(formatInstant(str(p.minimum), locale));
      if (p.minimum !== undefined) return s.min(str(p.minimum), p.inclusive !== false);
      break;
    case 'too_big':
      if (p.origin === 'string') return s.maxLength(str(p.maximum));
      if (p.origin === 'array') return s.maxItems(str(p.maximum));
      if (p.origin === 'months') return s.maxMonths(str(p.maximum), str(p.actual));
      // The only month with a maximum: a re-tier's evaluatedSince, at most the job's month.
      if (p.origin === 'month') return s.notAfterJobMonth(str(p.maximum));
      if (p.origin === 'columns') return s.maxColumns(str(p.maximum), str(p.actual));
      if (p.origin === 'fields') return s.fieldCount(str(p.actual), str(p.maximum));
      if (p.origin === 'token') return s.tokenTooLarge;
      if (p.origin === 'instant') return s.notAfterNow(formatInstant(str(p.maximum), locale));
      // A boolean metric's value above 1.
      if (p.origin === 'boolean') return s.zeroOrOne;
      if (p.maximum !== undefined) return s.max(str(p.maximum), p.inclusive !== false);
      break;
    case 'invalid_format':
      // Only an import's cells (a row's line) take YYYYMM as well: say the form the field accepts.
      if (p.format === 'month' && p.value !== undefined)
        return s.notA(str(p.value), 'line' in f && f.line !== undefined ? s.what.importMonth : s.what.month);
      // An import cell: a subject or staff id, an integer, an amount in yuan.
      if (p.value !== undefined && typeof p.format === 'string' && p.format in CELL_FORMATS)
        return s.notA(str(p.value), s.what[CELL_FORMATS[p.format] as keyof FieldSays['what']]);
      if (p.format === 'day') return s.day;
      if (p.format === 'mapping') return s.mapping;
      return s.format;
    case 'invalid_type':
      // zod says a missing field is of the wrong type: to people it is required (the engine's `received`;
      // an API from before it sends none, and only zod's English says so).
      if (p.received === 'undefined' || (p.received === undefined && /received undefined$/.test(f.message))) return s.required;
      return s.type(s.types[str(p.expected)] ?? str(p.expected));
    case 'invalid_value':
      return s.oneOf(list(p.values));
    case 'required':
      return p.values === undefined ? s.required : s.requiredOf(list(p.values));
    case 'unrecognized_keys':
      return s.unknownKeys(list(p.keys));
    case 'repeated':
      return s.once;
    case 'requires':
      return s.requires(fieldName(str(p.field), locale));
    case 'unknown_scheme':
      return s.unknownScheme(str(p.scheme));
    case 'unknown_level':
      return s.notLevel(str(p.level));
    case 'unknown_metric':
      return s.unknownMetric(str(p.metric));
    case 'metric_subject_kind': {
      const kinds = Array.isArray(p.metricKinds) ? p.metricKinds.map((k) => s.subjectKinds[String(k)] ?? String(k)) : [];
      return s.metricSubjectKind(
        str(p.metric),
        kinds.join(locale === 'en' ? ', ' : '、'),
        s.subjectKinds[str(p.subjectKind)] ?? str(p.subjectKind),
      );
    }
    case 'unknown_subject':
      return s.noSubject(str(p.subject));
    case 'erased':
      // A stored import keeps no number of an erased customer (the row's line says which).
      return s.erasedSubject(p.subject === undefined ? undefined : str(p.subject));
    case 'left_before_activity':
      return s.leftBeforeActivity(str(p.period ?? p.latestActivity));
    case 'left_beyond_retention':
      return s.leftBeyondRetention(str(p.minimum));
    case 'unknown_staff':
      return s.noStaff(str(p.staff));
    case 'not_matrix':
      return s.notMatrix(str(p.scheme));
    case 'month_not_begun':
      return s.notBegun(str(p.month), str(p.current));
    case 'month_open':
      return s.monthOpen(str(p.month));
    case 'expired':
      return s.future;
    case 'expiry_required':
      return s.expiryRequired(str(p.maxDays));
    case 'expiry_too_late':
      return s.expiryTooLate(str(p.maxDays));
    case 'override_jump_too_far':
      return s.jumpTooFar(str(p.maxStep), str(p.steps));
    case 'effective_date_needs_confirmation':
      return s.needsConfirmation(str(p.value), str(p.suggested));
    case 'scheduled_version_later':
      return s.scheduledLater(str(p.version), str(p.day));
    case 'retirement_pending':
      return s.retirementPending;
    case 'scheme_not_in_force':
      return s.schemeNotInForce;
    case 'no_retirement_pending':
      return s.noRetirementPending;
    case 'simulation_not_of_version':
      return s.notThisSimulation;
    case 'simulation_required':
      return s.simulationRequired;
    case 'simulation_not_completed':
      return s.simulationNotCompleted;
    case 'governance_weakened':
      if (p.metric !== undefined) return s.audienceNeedsAdmin(str(p.metric));
      return s.governanceWeakened(str(p.needs));
    case 'metric_in_use':
      return s.metricInUse(str(p.metric), s.readBy(list(p.schemes), Number(p.unreadable ?? 0)));
    case 'metric_in_pending_version':
      return s.metricInPendingVersion(str(p.metric), str(p.scheme), str(p.version), Number(p.unreadable ?? 0));
    case 'metric_exists':
      return s.metricExists(str(p.metric));
    case 'audience_request_pending':
      return s.audienceRequestPending(str(p.metric));
    case 'audience_fixed':
      return s.audienceFixed(
        (Array.isArray(p.values) ? p.values : []).map((v) => s.audiences[String(v)] ?? String(v)).join(locale === 'en' ? ', ' : '、'),
      );
    case 'duplicate':
      if (p.metric !== undefined && p.month !== undefined)
        return s.twiceMetric(str(p.metric), str(p.month), p.line === undefined ? undefined : str(p.line));
      if (p.subject !== undefined) return s.twiceSubject(str(p.subject));
      if (p.day !== undefined) return s.activeFrom(str(p.day), str(p.version));
      // A policy document's: a level, a level's rule, a matrix cell, a metric or scheme of a pack.
      if (p.level !== undefined) return p.of === 'rule' ? s.twoRules(str(p.level)) : s.twiceLevel(str(p.level));
      if (p.row !== undefined) return s.twoCells(str(p.row), str(p.col));
      if (p.metric !== undefined || p.scheme !== undefined) return s.twiceKey(str(p.metric ?? p.scheme));
      break;
    case 'immutable':
      return s.immutable(str(p.value));
    case 'not_both':
      return s.notBoth(names(p.fields));
    case 'exactly_one':
      return s.exactlyOne(names(p.fields));
    case 'nothing_in_force':
      return s.nothingInForce(str(p.scheme));
    case 'me_needs_staff_token':
      return s.meNeedsStaff;
    case 'unsafe_text':
      return s.unsafeText;
    case 'invalid_encoding':
      // A request's own text (a path segment, a query parameter, a JSON body) is no file: no CSV, no GBK.
      if (/^(query\.|path\[)/.test(f.path)) return s.notUtf8Url;
      if (p.in === 'json') return s.notUtf8Json;
      return p.encoding === 'utf-8' ? s.notUtf8 : s.notEncoding(ENCODING_NAMES[str(p.encoding)] ?? str(p.encoding));
    case 'invalid_csv':
      if (p.problem === 'record_too_long' && p.maximum !== undefined) return s.csvTooLong(number(p.maximum, locale));
      return s.csvProblems[str(p.problem) as keyof FieldSays['csvProblems']] ?? s.notCsv;
    case 'empty_file':
      return s.emptyFile;
    case 'unknown_column':
      return s.noSuchColumn(str(p.column));
    case 'unknown_field':
      // One code, two places (docs: the API README's codes): an import's column, or a scheme document's field.
      if (p.column === undefined && p.field !== undefined)
        return s.unknownSchemeField(str(p.field), p.suggestion === undefined ? undefined : str(p.suggestion));
      return s.unknownField(str(p.column));
    case 'mapped_twice':
      return s.mappedTwice(str(p.field).replace(/^metric:/, ''));
    case 'unmapped':
      if (p.level !== undefined) return s.levelUnmapped(str(p.level), str(p.scheme));
      return s.noColumnFor(str(p.field));
    case 'out_of_order':
      if (p.of === 'threshold') {
        // From an engine that names both levels, both: the author sees which rule it collides with.
        if (p.level !== undefined && p.otherLevel !== undefined)
          return s.thresholdPair(str(p.level), str(p.otherLevel), p.higher === 'above');
        return p.higher === 'above' ? s.thresholdOrderAbove : s.thresholdOrder;
      }
      if (p.of === 'rank' || p.of === 'band' || p.of === 'band_level') return s.outOfOrder[p.of];
      break;
    case 'lowest_level':
      return s.lowestLevel(str(p.level));
    case 'weights_sum':
      return s.weightsSum(str(p.actual));
    case 'wrong_subject_kind':
      return s.wrongSubjectKind(
        str(p.scheme),
        s.subjectKinds[str(p.subjectKind)] ?? str(p.subjectKind),
        s.subjectKinds[str(p.expected)] ?? str(p.expected),
      );
    case 'staff_scheme':
      return s.staffScheme(str(p.scheme));
    case 'staff_only':
      return s.staffOnly(str(p.field));
    case 'staff_metric':
      return s.staffMetric(str(p.metric), p.actual === undefined ? undefined : str(p.actual));
    case 'unreachable_level':
      return s.unreachableLevel(str(p.level), str(p.otherLevel));
    case 'grade_disclosed':
      return s.gradeDisclosed(str(p.level), str(p.scheme), Array.isArray(p.from) ? p.from.map(String).join(', ') : str(p.from));
    case 'readers_without_decider':
      return s.readersWithoutDecider(str(p.scheme), p.needs === 'admin');
    case 'suitability_taken':
      return s.suitabilityTaken(str(p.scheme));
    case 'suitability_level':
      return s.suitabilityLevel(str(p.level), Array.isArray(p.values) ? p.values.map(String).join(locale === 'en' ? ', ' : '、') : '');
    case 'no_cell':
      return s.noCell(str(p.row), str(p.col));
    case 'cycle':
      return s.cycle((Array.isArray(p.schemes) ? p.schemes : []).join(' → '));
    case 'mixed_layout':
      return s.mixedLayout;
    case 'no_change':
      return s.noChange(names(p.fields));
    case 'no_data':
      return s.noData(str(p.month));
  }
  return undefined;
}

/** A check of the kit's (by its code, in the page's `checks` words) or the API's refusal of a field, in the console's language. */
export function sayCheck<C extends string>(
  check: FieldCheck<C>,
  checks: Readonly<Record<C, (data: CheckData) => string>>,
  locale: ConsoleLocale,
): string {
  if (check.code !== undefined) return checks[check.code](check);
  return fieldSays({ path: '', message: check.message, ...(check.api ?? {}) }, locale);
}

/** A field's name in the console's language, by the API's path (`body.` dropped); the path itself for any other. */
export function fieldName(path: string, locale: ConsoleLocale): string {
  const p = path.replace(/^body\./, '');
  // A file the API could not read: where in it (`line 3, column "x"`, `(body)` for the file as a whole).
  const inFile = p.match(/^(?:line (\d+))?(?:, )?(?:column "(.*)")?$/);
  if (p === '(body)') return FAILURE_WORDS[locale].fields['(body)'] ?? p;
  if (inFile && (inFile[1] || inFile[2] !== undefined)) return FAILURE_WORDS[locale].says.at(inFile[1], inFile[2]);
  // An item of a list named as the list (`schemes[1]`: a re-tier job's second scheme is a scheme).
  const fields = FAILURE_WORDS[locale].fields;
  return fields[p] ?? fields[p.replace(/\[\d+\]$/, '')] ?? p;
}

/** The name of a refused field as `whyFailed` puts it: a JSON body is the request's, not a file. */
function fieldLabel(f: ProblemFieldError, locale: ConsoleLocale): string {
  if (f.path === '(body)' && f.params?.in === 'json') return FAILURE_WORDS[locale].fields['(json)'] ?? f.path;
  return fieldName(f.path, locale);
}

const kindOf = (e: KitError): Kind | undefined => {
  const kind = e.type?.startsWith('https://tierkit.dev/problems/') ? e.type.slice('https://tierkit.dev/problems/'.length) : undefined;
  return kind !== undefined && kind in FAILURE_WORDS.en.kinds ? (kind as Kind) : undefined;
};

/**
 * 5xx kinds that are a wait or a narrower ask, not a fault for support: the database held by another
 * writer or out of reach, and on SQLite a bank-wide list past the server's limit, or beside too many
 * others (docs/operations.md, "SQLite: what runs where").
 */
const WAITS: ReadonlySet<Kind> = new Set([
  'database-unavailable',
  'database-busy',
  'heavy-read-timeout',
  'heavy-reads-busy',
  'heavy-read-failed',
]);

/** Kinds whose words are general: the particulars are the API's detail, which follows them. */
const GENERAL: ReadonlySet<Kind> = new Set(['validation', 'conflict', 'unprocessable']);

/** A policy approval's refusals the console words by code (`codeSays`): what the approver was shown, the role a weakening asks. */
const APPROVAL_CODES: ReadonlySet<string> = new Set([
  'simulation_required',
  'simulation_not_completed',
  'simulation_not_of_version',
  'governance_weakened',
  'scheduled_version_later',
  'retirement_pending',
  'no_retirement_pending',
  // Not an approval's, but a draft's refusal with the same remedy in a role: said in the maker's language.
  'readers_without_decider',
]);

/** The metric catalogue's refusals (`/v1/metrics`), worded by code: which scheme holds the metric, what to do first. */
const CATALOGUE_CODES: ReadonlySet<string> = new Set([
  'metric_in_use',
  'metric_in_pending_version',
  'metric_exists',
  'audience_request_pending',
  'audience_fixed',
  'governance_weakened',
]);

/**
 * Why a request failed, in words staff can act on, in the console's language. A request that never
 * reached the API has only the browser's own message (`Failed to fetch`, in English whatever the
 * console's language), and a 5xx only a generic title. A 4xx is said by its problem `type` (a stable
 * code) and, for a validation problem, each field by its name and what is wrong; the API's English
 * is shown only for what the console has no words for.
 */
export function whyFailed(e: KitError | undefined, locale: ConsoleLocale): string {
  if (!e) return '';
  const w = FAILURE_WORDS[locale];
  if (e.status === 0) return w.unreachable;
  // The database out of reach (a restart, a failover) or held by another writer (a CLI import or
  // re-tier on the same SQLite file), or a bank-wide list the server stopped or had no room for, is a
  // wait or a narrower ask, not a fault to report to support.
  if (e.status >= 500) {
    const kind = kindOf(e);
    return kind !== undefined && WAITS.has(kind) ? w.kinds[kind] : w.server(e.status);
  }
  // A re-tier of a month with no data (422 period-without-data): the refusal staff meet most, said by
  // its field's code and month wherever a job is started (jobs page, approvals), in their language.
  const noData = e.errors?.find((f) => f.code === 'no_data');
  if (noData) return fieldSays(noData, locale) ?? e.detail ?? e.title;
  // A customer who left the bank (a closing, perhaps while the item was open on screen): its own
  // sentence, not the API's English detail after "conflict".
  if (e.status === 409 && e.errors?.some((f) => f.code === 'subject_closed')) return w.subjectClosed;
  // A customer erased after the retention period (`PUT` of their number again): said, not "conflict".
  if (e.status === 409 && e.errors?.some((f) => f.code === 'erased')) return w.subjectErased;
  // A grade kept from the reader's role (docs/domain.md §4, "Who reads a grade"): who to ask, not "forbidden".
  if (e.status === 403 && e.errors?.some((f) => f.code === 'scheme_not_readable')) return w.schemeNotReadable;
  // A sign-off superseded while it was open on screen: the level moved, so say that and what to do.
  if (e.status === 409 && e.errors?.some((f) => f.code === 'sign_off_superseded')) return w.signOffSuperseded;
  // A lowering approved after its figures moved, or a grant another admin settled first: what happened, not "conflict".
  if (e.status === 409 && e.errors?.some((f) => f.code === 'lowering_data_moved')) return w.loweringDataMoved;
  const decided = e.status === 409 ? e.errors?.find((f) => f.code === 'already_decided') : undefined;
  if (decided)
    return decided.params?.kind === 'override' || decided.params?.kind === 'level' || decided.params?.kind === 'retirement'
      ? w.requestAlreadyDecided
      : w.grantAlreadyDecided;
  const kind = kindOf(e);
  if (kind === undefined) return e.detail ?? e.title;
  if (kind === 'validation' && e.errors?.length)
    return `${w.kinds.validation}: ${w.list(e.errors.map((f) => `${fieldLabel(f, locale)}: ${fieldSays(f, locale)}`))}`;
  // A policy change refused because the pack in force would break, or an override further than its
  // scheme's rule allows: its errors by their codes.
  if (
    kind === 'unprocessable' &&
    e.errors?.length &&
    e.errors.every((f) => typeof f.params?.inForce === 'string' || f.code === 'override_jump_too_far')
  )
    return `${w.kinds.unprocessable}: ${w.list(e.errors.map((f) => fieldSays(f, locale)))}`;
  // A policy approval refused for what its approver was shown or for the governance it weakens: the
  // codes say what to do (run the simulation, ask an admin), which the API's English or the bare
  // "your role may not" did not, in the checker's language.
  if (
    (kind === 'unprocessable' || kind === 'forbidden' || kind === 'conflict') &&
    e.errors?.length &&
    e.errors.every((f) => APPROVAL_CODES.has(f.code ?? '') || CATALOGUE_CODES.has(f.code ?? ''))
  )
    return `${w.kinds[kind]}: ${w.list(e.errors.map((f) => fieldSays(f, locale)))}`;
  if (GENERAL.has(kind) && e.detail) return `${w.kinds[kind]}: ${e.detail}`;
  return w.kinds[kind];
}

/** What a paged list's status line needs of its store's state. */
export interface PagedListState {
  readonly status: string;
  readonly error?: KitError;
  readonly empty: boolean;
  readonly items: readonly unknown[];
  readonly nextCursor: string | null;
}

/**
 * A paged list's state as one sentence (loading, failed and why, empty, or how many are shown), so that
 * every list of the console says it in the same words' shape.
 */
export function pagedListStatus(
  s: PagedListState,
  w: { readonly loading: string; readonly failed: string; readonly empty: string; shown(n: number, more: boolean): string },
  locale: ConsoleLocale,
): string {
  if (s.status === 'loading') return w.loading;
  if (s.status === 'error') return `${w.failed}: ${whyFailed(s.error, locale)}`;
  if (s.empty) return w.empty;
  return s.status === 'ready' ? w.shown(s.items.length, s.nextCursor !== null) : '';
}
