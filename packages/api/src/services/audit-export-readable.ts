import { type AuditRecord, type Locale, type LocalizedText, zonedIso } from '@tierkit/core';
import { findApiKey, findJob, findStaff, listAuditRecords, type Executor } from '@tierkit/db';

/*
 * What makes the CSV export readable on its own (packages/api/README.md, "Audit export"): an examiner
 * holding a month's file cannot look up which person a `key:…` was (that is in the key's `keys create`
 * record, months before) nor what `aml-risk` / `high` mean. The raw columns stay as they are, for
 * machines; these columns come after them. The hash chain is over the stored record, never this.
 */

/** The columns the CSV adds after the record's own: who acted, and the scheme, level and metrics named. */
export const AUDIT_CSV_READABLE_COLUMNS = [
  'actorStaffId',
  'actorName',
  'schemeName',
  'levelName',
  'metricNames',
  'personalFields',
] as const;

type Column =
  | 'seq'
  | 'at'
  | 'atLocal'
  | 'requestId'
  | 'phase'
  | 'actor'
  | 'credential'
  | 'method'
  | 'route'
  | 'target'
  | 'status'
  | 'problem'
  | 'unmasked'
  | 'detail'
  | 'prevHash'
  | 'hash'
  | (typeof AUDIT_CSV_READABLE_COLUMNS)[number];

/** The CSV's header, per locale: a column's name says what it holds, and which are the stored record's codes. */
const HEADERS: Readonly<Record<Column, LocalizedText>> = {
  seq: { 'zh-CN': '序号', 'zh-TW': '序號', en: 'Seq' },
  at: { 'zh-CN': '时间（UTC）', 'zh-TW': '時間（UTC）', en: 'Time (UTC)' },
  atLocal: { 'zh-CN': '时间（本行时区）', 'zh-TW': '時間（本行時區）', en: 'Time (bank’s zone)' },
  requestId: { 'zh-CN': '请求编号', 'zh-TW': '請求編號', en: 'Request id' },
  phase: { 'zh-CN': '阶段', 'zh-TW': '階段', en: 'Phase' },
  actor: { 'zh-CN': '操作者（代码）', 'zh-TW': '操作者（代碼）', en: 'Actor (code)' },
  credential: { 'zh-CN': '凭证类型', 'zh-TW': '憑證類型', en: 'Credential' },
  method: { 'zh-CN': '方式', 'zh-TW': '方式', en: 'Method' },
  route: { 'zh-CN': '接口', 'zh-TW': '介面', en: 'Route' },
  target: { 'zh-CN': '对象（JSON）', 'zh-TW': '對象（JSON）', en: 'Target (JSON)' },
  status: { 'zh-CN': '状态码', 'zh-TW': '狀態碼', en: 'Status' },
  problem: { 'zh-CN': '问题类型', 'zh-TW': '問題類型', en: 'Problem' },
  unmasked: { 'zh-CN': '显示完整姓名', 'zh-TW': '顯示完整姓名', en: 'Names unmasked' },
  detail: { 'zh-CN': '详情（JSON）', 'zh-TW': '詳情（JSON）', en: 'Detail (JSON)' },
  prevHash: { 'zh-CN': '前一记录哈希', 'zh-TW': '前一記錄雜湊', en: 'Previous hash' },
  hash: { 'zh-CN': '记录哈希', 'zh-TW': '記錄雜湊', en: 'Hash' },
  actorStaffId: { 'zh-CN': '操作者员工号', 'zh-TW': '操作者員工編號', en: 'Actor staff id' },
  actorName: { 'zh-CN': '操作者', 'zh-TW': '操作者', en: 'Actor' },
  schemeName: { 'zh-CN': '评级体系', 'zh-TW': '評級體系', en: 'Scheme' },
  levelName: { 'zh-CN': '等级', 'zh-TW': '等級', en: 'Level' },
  metricNames: { 'zh-CN': '指标', 'zh-TW': '指標', en: 'Metrics' },
  personalFields: { 'zh-CN': '个人信息', 'zh-TW': '個人資料', en: 'Personal fields' },
};

/** What the `personalFields` cell says of a record whose customer number and typed texts were split off: kept, or erased with the customer. */
const PERSONAL_FIELDS = {
  kept: { 'zh-CN': '保留', 'zh-TW': '保留', en: 'kept' },
  erased: {
    'zh-CN': '已随客户删除（仅留摘要）',
    'zh-TW': '已隨客戶刪除（僅留摘要）',
    en: 'erased with the customer (digest kept)',
  },
} as const satisfies Record<string, LocalizedText>;

/**
 * The `personalFields` cell: blank on a record naming nobody (or written before the split). A record whose
 * lists name customers (`listed`) says erased once any of them was: the `detail` cell shows that entry's
 * digest in the number's place.
 */
export function personalFieldsWords(r: Pick<AuditRecord, 'personal' | 'listed'>, locale: Locale): string {
  if (!r.personal && !r.listed) return '';
  const erased = (r.personal !== undefined && r.personal.salt === undefined) || (r.listed?.includes(null) ?? false);
  return PERSONAL_FIELDS[erased ? 'erased' : 'kept'][locale];
}

/** The header row of `columns` in `locale`. */
export function auditCsvHeader(columns: readonly Column[], locale: Locale): string[] {
  return columns.map((c) => HEADERS[c][locale]);
}

/** The lines above the header: what the file is, in which zone, from when to when. */
const PREAMBLE = {
  title: { 'zh-CN': 'tierkit 审计记录导出', 'zh-TW': 'tierkit 稽核紀錄匯出', en: 'tierkit audit trail export' },
  tenant: { 'zh-CN': '机构', 'zh-TW': '機構', en: 'Tenant' },
  zone: { 'zh-CN': '时区', 'zh-TW': '時區', en: 'Time zone' },
  month: { 'zh-CN': '月份', 'zh-TW': '月份', en: 'Month' },
  from: { 'zh-CN': '起（含）', 'zh-TW': '起（含）', en: 'From (inclusive)' },
  to: { 'zh-CN': '止（不含）', 'zh-TW': '止（不含）', en: 'To (exclusive)' },
  start: { 'zh-CN': '记录开始', 'zh-TW': '紀錄開始', en: 'the trail’s start' },
  exportedAt: { 'zh-CN': '导出时间', 'zh-TW': '匯出時間', en: 'Exported at' },
} as const satisfies Record<string, LocalizedText>;

/** What the preamble states: local and UTC bounds (undefined `from`: the trail's start). */
export interface AuditExportScope {
  readonly tenant: string;
  readonly timeZone: string;
  readonly month?: string;
  readonly from?: { readonly local: string; readonly utc: string };
  readonly to: { readonly local: string; readonly utc: string };
  readonly toIsExportTime: boolean;
}

/** An export's scope: `filter`'s bounds in `timeZone` and UTC; without `to`, the export's own time `now`. */
export function auditExportScope(
  tenant: string,
  filter: { readonly from?: string; readonly to?: string },
  timeZone: string,
  now: Date,
  month?: string,
): AuditExportScope {
  const at = (iso: string) => ({ local: zonedIso(new Date(iso), timeZone), utc: new Date(iso).toISOString() });
  return {
    tenant,
    timeZone,
    ...(month !== undefined ? { month } : {}),
    ...(filter.from !== undefined ? { from: at(filter.from) } : {}),
    to: at(filter.to ?? now.toISOString()),
    toIsExportTime: filter.to === undefined,
  };
}

/** The preamble's rows: label, value, and for a time the same instant in UTC. */
export function auditCsvPreamble(scope: AuditExportScope, locale: Locale): string[][] {
  const w = (k: keyof typeof PREAMBLE) => PREAMBLE[k][locale];
  return [
    [w('title')],
    [w('tenant'), scope.tenant],
    [w('zone'), scope.timeZone],
    ...(scope.month !== undefined ? [[w('month'), scope.month]] : []),
    scope.from ? [w('from'), scope.from.local, scope.from.utc] : [w('from'), w('start')],
    [scope.toIsExportTime ? w('exportedAt') : w('to'), scope.to.local, scope.to.utc],
  ];
}

/** Who an actor code is, for a reader: a staff member's id and name, or what acted in words. */
export interface ActorView {
  readonly staffId: string | null;
  readonly name: string;
}

const WORDS = {
  system: { 'zh-CN': '系统', 'zh-TW': '系統', en: 'system' },
  schedule: { 'zh-CN': '系统（定时任务）', 'zh-TW': '系統（排程）', en: 'system (schedule)' },
  cli: { 'zh-CN': '运维命令行', 'zh-TW': '維運命令列', en: 'operator command line' },
  server: { 'zh-CN': '服务器启动', 'zh-TW': '伺服器啟動', en: 'server start-up' },
  embed: { 'zh-CN': '客户页面令牌', 'zh-TW': '客戶頁面權杖', en: 'customer page token' },
  staffToken: { 'zh-CN': '员工令牌（未记名）', 'zh-TW': '員工權杖（未記名）', en: 'staff token (unnamed)' },
  anonymous: { 'zh-CN': '未认证', 'zh-TW': '未認證', en: 'unauthenticated' },
  unownedKey: { 'zh-CN': '无主密钥', 'zh-TW': '無主金鑰', en: 'key without an owner' },
  unknownKey: { 'zh-CN': '未知密钥', 'zh-TW': '未知金鑰', en: 'unknown key' },
  job: { 'zh-CN': '重评任务', 'zh-TW': '重評任務', en: 're-tier job' },
  gone: { 'zh-CN': '（已不在员工名单）', 'zh-TW': '（已不在員工名單）', en: '(no longer on the staff list)' },
} as const satisfies Record<string, LocalizedText>;

/** A name change of a staff member recorded in the trail: the name they had before record `seq`. */
interface NameChange {
  readonly seq: number;
  readonly before: string;
}

/**
 * Resolves actors of one tenant's records, as of each record: a key to the staff member who holds it
 * (a key's owner never changes: `personOfActor`), a job to whoever started it, and the member's name
 * as it was then — the `before` name of the first rename recorded after the record, else today's.
 * Every key, member and member's renames is read once per export.
 */
export function actorResolver(
  db: Executor,
  tenantId: string,
  locale: Locale,
): (r: Pick<AuditRecord, 'actor' | 'seq'>) => Promise<ActorView> {
  const people = new Map<string, Promise<{ staffId: string | null; words: string }>>();
  const members = new Map<string, Promise<{ name: string | null; renames: readonly NameChange[] }>>();
  const w = (k: keyof typeof WORDS) => WORDS[k][locale];

  const member = (id: string) => {
    let m = members.get(id);
    if (!m) members.set(id, (m = readMember(db, tenantId, id)));
    return m;
  };

  const personOf = async (actor: string, depth = 0): Promise<{ staffId: string | null; words: string }> => {
    if (actor.startsWith('staff:')) return { staffId: actor.slice('staff:'.length), words: '' };
    if (actor.startsWith('key:')) {
      const key = await findApiKey(db, tenantId, actor.slice('key:'.length));
      if (!key) return { staffId: null, words: `${w('unknownKey')} ${actor.slice('key:'.length)}` };
      return key.staffId ? { staffId: key.staffId, words: '' } : { staffId: null, words: `${w('unownedKey')} “${key.label}”` };
    }
    if (actor.startsWith('job:')) {
      const job = await findJob(db, tenantId, actor.slice('job:'.length));
      // A job is never started by a job (`personOfActor`): one step deep.
      if (job && depth === 0) {
        const starter = await personOf(job.requested_by, 1);
        if (starter.staffId !== null) return starter;
      }
      return { staffId: null, words: `${w('job')} ${actor.slice('job:'.length)}` };
    }
    if (actor === 'system:schedule') return { staffId: null, words: w('schedule') };
    if (actor.startsWith('system'))
      return { staffId: null, words: `${w('system')}${actor.includes(':') ? ` (${actor.slice(actor.indexOf(':') + 1)})` : ''}` };
    if (actor.startsWith('cli:')) return { staffId: null, words: `${w('cli')} ${actor.slice('cli:'.length)}` };
    if (actor.startsWith('server:')) return { staffId: null, words: `${w('server')} ${actor.slice('server:'.length)}` };
    if (actor.startsWith('token:embed:')) return { staffId: null, words: w('embed') };
    if (actor === 'token:staff') return { staffId: null, words: w('staffToken') };
    if (actor === 'anonymous' || actor.startsWith('unverified:')) return { staffId: null, words: w('anonymous') };
    return { staffId: null, words: actor };
  };

  return async (r) => {
    let p = people.get(r.actor);
    if (!p) people.set(r.actor, (p = personOf(r.actor)));
    const { staffId, words } = await p;
    if (staffId === null) return { staffId: null, name: words };
    const m = await member(staffId);
    const renamed = m.renames.find((c) => c.seq > r.seq);
    const name = renamed?.before ?? m.name;
    return { staffId, name: name ?? w('gone') };
  };
}

/** A staff member's name today and the renames the trail holds, oldest first (records naming them with a `before`/`after` name). */
async function readMember(db: Executor, tenantId: string, id: string): Promise<{ name: string | null; renames: readonly NameChange[] }> {
  const staff = await findStaff(db, tenantId, id);
  const renames: NameChange[] = [];
  // Records naming the member: their staff changes are a handful, however long the trail.
  for (const row of await listAuditRecords(db, tenantId, { target: id }, 10_000, 'asc')) {
    // Only staff writes (`/v1/staff/…`, `tierkit staff …`): a customer may share the id, and a change of their name is no rename of the member.
    if (!/(^|[/ ])staff/.test(row.route)) continue;
    if (row.detail === null || (row.status !== null && (row.status < 200 || row.status > 299))) continue;
    const target = JSON.parse(row.target) as Record<string, string>;
    if (target.id !== id && target.staff !== id) continue;
    const detail = JSON.parse(row.detail) as { before?: { name?: unknown } | null; after?: { name?: unknown } | null };
    const before = detail.before?.name;
    const after = detail.after?.name;
    if (typeof before === 'string' && typeof after === 'string' && before !== after) renames.push({ seq: row.seq, before });
  }
  return { name: staff?.name ?? null, renames };
}

/** Scheme and metric labels of the tenant's pack, to name a record's codes. */
export interface AuditLabels {
  readonly schemes: ReadonlyMap<string, { readonly name: LocalizedText; readonly levels: readonly { key: string; name: LocalizedText }[] }>;
  readonly metrics: ReadonlyMap<string, { readonly label: LocalizedText }>;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * The scheme, level and metrics a record names, in `locale` (a code the pack does not know stays a
 * code): from its `detail` (an override's or sign-off's `scheme`/`level`, an override edit's `after`,
 * a metric write's `changed`) or its `target`; a record of several schemes (a job's `schemes`, a
 * restricted read's `restrictedRead.schemes`) names each, `; ` between them, and no level. A record
 * edited to hold anything gives blanks, never an error.
 */
export function recordLabels(r: Pick<AuditRecord, 'target' | 'detail'>, labels: AuditLabels, locale: Locale): [string, string, string] {
  const detail = obj(r.detail) ?? {};
  const after = obj(detail.after);
  const before = obj(detail.before);
  const schemeKey = str(detail.scheme) ?? str(after?.scheme) ?? str(before?.scheme) ?? str(obj(r.target)?.scheme);
  const levelKey = str(detail.level) ?? str(after?.level) ?? str(before?.level);
  const scheme = schemeKey === undefined ? undefined : labels.schemes.get(schemeKey);
  const several = schemeKey === undefined ? [...strings(detail.schemes), ...strings(obj(detail.restrictedRead)?.schemes)] : [];
  const schemeName =
    schemeKey === undefined ? several.map((k) => labels.schemes.get(k)?.name[locale] ?? k).join('; ') : (scheme?.name[locale] ?? schemeKey);
  const levelName = levelKey === undefined ? '' : (scheme?.levels.find((l) => l.key === levelKey)?.name[locale] ?? levelKey);
  const metricKeys = new Set<string>();
  if (Array.isArray(detail.changed)) for (const c of detail.changed) if (str(obj(c)?.metric)) metricKeys.add(str(obj(c)?.metric) as string);
  const metricNames = [...metricKeys].map((k) => labels.metrics.get(k)?.label[locale] ?? k).join('; ');
  return [schemeName, levelName, metricNames];
}
