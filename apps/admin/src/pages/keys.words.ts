import type { ConsoleLocale } from '../words.js';

/** Words of the API keys page. */
const zh = {
  title: 'API 密钥',
  hint: '本机构服务器调用 API 所用的密钥。密钥只在创建时显示一次；泄露或不再使用的密钥请立即吊销。',
  loading: '正在读取…',
  empty: '还没有 API 密钥。',
  count: (n: number) => `共 ${n} 个密钥`,
  failed: '操作未完成',
  label: '用途说明',
  role: '角色',
  owner: '持有人',
  noOwner: '（无人持有）',
  prefix: '开头字符',
  created: '创建时间',
  state: '状态',
  states: { active: '有效', revoked: '已吊销', 'owner-gone': '持有人已离职（不可用）' } as Record<string, string>,
  actions: '操作',
  create: '创建密钥',
  createTitle: '创建 API 密钥',
  ownerHint: '密钥的权限不会高于持有人。',
  ownOnly:
    '经办、复核和管理员密钥能发起或审批需双人复核的事项，只能发给您本人：创建者持有密钥，替他人创建会让一人充当两人。为他人创建请由运维人员使用命令行（tierkit keys create --staff）。',
  cliOnly:
    '当前凭证不属于任何员工，只能创建只读和分析密钥；经办及以上的密钥请以员工身份登录后为本人创建，或由运维人员使用命令行（tierkit keys create --staff）。',
  cancel: '取消',
  creating: '正在创建…',
  createdTitle: '密钥已创建',
  secretWarning: '请立即复制并妥善保存这个密钥：关闭此窗口后将无法再次查看。不要把它放进网页或发给他人。',
  secret: '密钥',
  copy: '复制密钥',
  copied: '已复制到剪贴板。',
  copyFailed: '无法复制，请手动选中复制。',
  done: '我已保存，关闭',
  revoke: '吊销',
  revokeOf: (label: string) => `吊销“${label}”`,
  revokeTitle: (label: string) => `吊销密钥“${label}”？`,
  revokeWarning: '吊销立即生效，使用此密钥的系统将无法再调用 API。此操作不能撤销。',
  confirmRevoke: '确认吊销',
  revoking: '正在吊销…',
  revoked: (label: string) => `已吊销“${label}”。`,
  /** The API's refusals to revoke (409), which leave the key as it was. */
  revokeRefused: {
    'last-admin-key': (label: string) =>
      `未吊销“${label}”：它是本机构最后一把管理员 API 密钥，不能在这里吊销，以免无人能再通过 API 管理本机构。请先为自己创建一把新的管理员密钥再吊销它，或请运维人员在服务器上执行 tierkit keys revoke。此密钥仍然有效。`,
    'own-key': (label: string) =>
      `未吊销“${label}”：这正是本次请求所用的密钥。请换用其他管理员凭证吊销它，或请运维人员在服务器上执行 tierkit keys revoke。此密钥仍然有效。`,
  } as Record<'last-admin-key' | 'own-key', (label: string) => string>,
  created_: (label: string) => `已创建“${label}”。`,
  more: '加载更多',
};

const zhTW: typeof zh = {
  title: 'API 金鑰',
  hint: '本機構伺服器呼叫 API 所用的金鑰。金鑰只在建立時顯示一次；外洩或不再使用的金鑰請立即撤銷。',
  loading: '正在讀取…',
  empty: '尚無 API 金鑰。',
  count: (n) => `共 ${n} 個金鑰`,
  failed: '操作未完成',
  label: '用途說明',
  role: '角色',
  owner: '持有人',
  noOwner: '（無人持有）',
  prefix: '開頭字元',
  created: '建立時間',
  state: '狀態',
  states: { active: '有效', revoked: '已撤銷', 'owner-gone': '持有人已離職（不可用）' },
  actions: '操作',
  create: '建立金鑰',
  createTitle: '建立 API 金鑰',
  ownerHint: '金鑰的權限不會高於持有人。',
  ownOnly:
    '經辦、複核與管理員金鑰能發起或審批需雙人複核的事項，只能發給您本人：建立者持有金鑰，替他人建立會讓一人充當兩人。為他人建立請由維運人員使用命令列（tierkit keys create --staff）。',
  cliOnly:
    '目前憑證不屬於任何員工，只能建立唯讀與分析金鑰；經辦及以上的金鑰請以員工身分登入後為本人建立，或由維運人員使用命令列（tierkit keys create --staff）。',
  cancel: '取消',
  creating: '正在建立…',
  createdTitle: '金鑰已建立',
  secretWarning: '請立即複製並妥善保存這個金鑰：關閉此視窗後將無法再次查看。不要把它放進網頁或傳給他人。',
  secret: '金鑰',
  copy: '複製金鑰',
  copied: '已複製到剪貼簿。',
  copyFailed: '無法複製，請手動選取複製。',
  done: '我已保存，關閉',
  revoke: '撤銷',
  revokeOf: (label) => `撤銷「${label}」`,
  revokeTitle: (label) => `撤銷金鑰「${label}」？`,
  revokeWarning: '撤銷立即生效，使用此金鑰的系統將無法再呼叫 API。此操作無法復原。',
  confirmRevoke: '確認撤銷',
  revoking: '正在撤銷…',
  revoked: (label) => `已撤銷「${label}」。`,
  revokeRefused: {
    'last-admin-key': (label) =>
      `未撤銷「${label}」：它是本機構最後一把管理員 API 金鑰，無法在這裡撤銷，以免無人能再透過 API 管理本機構。請先為自己建立一把新的管理員金鑰再撤銷它，或請維運人員在伺服器上執行 tierkit keys revoke。此金鑰仍然有效。`,
    'own-key': (label) =>
      `未撤銷「${label}」：這正是本次請求所用的金鑰。請改用其他管理員憑證撤銷它，或請維運人員在伺服器上執行 tierkit keys revoke。此金鑰仍然有效。`,
  },
  created_: (label) => `已建立「${label}」。`,
  more: '載入更多',
};

const en: typeof zh = {
  title: 'API keys',
  hint: 'Keys your bank’s servers call the API with. A key is shown once, when it is created; revoke a key at once if it leaked or is no longer used.',
  loading: 'Loading…',
  empty: 'No API keys yet.',
  count: (n) => `${n} ${n === 1 ? 'key' : 'keys'}`,
  failed: 'Not done',
  label: 'Label',
  role: 'Role',
  owner: 'Held by',
  noOwner: '(nobody)',
  prefix: 'Starts with',
  created: 'Created',
  state: 'State',
  states: { active: 'active', revoked: 'revoked', 'owner-gone': 'holder left the staff (unusable)' },
  actions: 'Actions',
  create: 'Create key',
  createTitle: 'Create an API key',
  ownerHint: 'A key never has more power than its holder.',
  ownOnly:
    'Officer, approver and admin keys file or decide four-eyes requests, so they are issued to you only: whoever creates a key holds it, and one made for someone else would let one person act as two. For others, an operator uses the CLI (tierkit keys create --staff).',
  cliOnly:
    'This credential is no staff member’s, so it issues viewer and analyst keys only. Sign in as a staff member to issue an officer or higher key to yourself, or ask an operator to use the CLI (tierkit keys create --staff).',
  cancel: 'Cancel',
  creating: 'Creating…',
  createdTitle: 'Key created',
  secretWarning:
    'Copy this key now and keep it safe: once this window is closed it cannot be shown again. Never put it in a web page or send it to anyone.',
  secret: 'Key',
  copy: 'Copy key',
  copied: 'Copied to the clipboard.',
  copyFailed: 'Could not copy: select the key and copy it by hand.',
  done: 'I have saved it, close',
  revoke: 'Revoke',
  revokeOf: (label) => `Revoke “${label}”`,
  revokeTitle: (label) => `Revoke the key “${label}”?`,
  revokeWarning: 'Revoking takes effect at once: systems using this key can no longer call the API. It cannot be undone.',
  confirmRevoke: 'Revoke',
  revoking: 'Revoking…',
  revoked: (label) => `Revoked “${label}”.`,
  revokeRefused: {
    'last-admin-key': (label) =>
      `Not revoked: “${label}” is the last admin API key of this tenant, and it is not revoked here, so that someone can still administer the tenant through the API. Create a new admin key for yourself first, then revoke this one, or have an operator run tierkit keys revoke on the server. The key still works.`,
    'own-key': (label) =>
      `Not revoked: “${label}” is the key this request was made with. Revoke it with another admin credential, or have an operator run tierkit keys revoke on the server. The key still works.`,
  },
  created_: (label) => `Created “${label}”.`,
  more: 'Load more',
};

export const KEYS_WORDS: Record<ConsoleLocale, typeof zh> = { 'zh-CN': zh, 'zh-TW': zhTW, en };
