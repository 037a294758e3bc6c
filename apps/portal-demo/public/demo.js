// Demo page glue: locale and theme switchers, and the tokens. Each provider gets a client whose token
// comes from the bank's own backend (here the demo server's /demo endpoints stand in for it): minted
// server-side for the logged-in customer or staff member, cached, and renewed before it expires, so a
// page left open keeps working. No API key ever reaches the browser.
import { createClient } from '/widgets/tierkit.js';

const providers = [...document.querySelectorAll('tk-provider')];

// `?subject=C000005` shows the demo page as that customer would see it (the bank's backend would
// take the subject from its own login instead).
const asSubject = new URLSearchParams(location.search).get('subject');
const main = document.getElementById('tk');
if (asSubject && /^[A-Za-z0-9_-]{1,64}$/.test(asSubject) && main?.dataset.customerPage !== undefined)
  main.setAttribute('subject', asSubject);
const sources = new WeakMap();

/** The token endpoint's problem document, when its body is one (an error page is not). */
async function problemOf(res) {
  try {
    const body = await res.json();
    return typeof body?.type === 'string' ? body : undefined;
  } catch {
    return undefined;
  }
}

/** A token function for one provider: fetches `{ token, expiresAt }`, reuses it until a minute before expiry. */
export function tokenSource(url) {
  let pending = null;
  let renewAt = 0;
  const source = () => {
    if (!pending || Date.now() >= renewAt) {
      renewAt = Number.POSITIVE_INFINITY; // one renewal at a time, however many widgets ask
      pending = fetch(url, { credentials: 'same-origin' }).then(async (res) => {
        // The status and the endpoint's problem travel with the error: the widgets tell an unknown customer
        // (404 …/subject-not-found) or a signed-out session (401) from a failure worth retrying by them
        // (see packages/client's README, "Token").
        if (!res.ok) throw Object.assign(new Error(`token: HTTP ${res.status}`), { status: res.status, problem: await problemOf(res) });
        const body = await res.json();
        renewAt = Date.parse(body.expiresAt) - 60_000;
        return body.token;
      });
      pending.catch(() => {
        pending = null;
        renewAt = 0;
      });
    }
    return pending;
  };
  // Forgets the held token, so the next read mints a new one (the 401 recovery below).
  source.invalidate = () => {
    pending = null;
    renewAt = 0;
  };
  return source;
}

/** The token function of a provider (rm.js uses it for its own subject-list request). */
export function tokenFor(provider) {
  return sources.get(provider)?.() ?? Promise.resolve(undefined);
}

for (const p of providers) {
  const url = p.dataset.tokenUrl;
  if (!url) continue;
  const subject = p.getAttribute('subject');
  const source = tokenSource(subject ? `${url}?subject=${encodeURIComponent(subject)}` : url);
  sources.set(p, source);
  // Setting the client (rather than `base-url`) before any widget has one means no request leaves
  // without its token.
  p.client = createClient({ baseUrl: p.dataset.api ?? '/', token: source });
  recoverFrom401(p, source);
}

/**
 * The components README's recipe ("Events"): a read refused for its credential (401: the embed token
 * expired or was revoked) renews the token once, however many widgets were refused, and reads every
 * widget again with `reload()`. A 401 again straight after a renewal means the bank's own session has
 * ended — minting again would loop — so the page offers the sign-in instead (#session-ended). A bank's
 * page would send the customer to its login there; the demo's "sign in" mints again.
 */
function recoverFrom401(provider, source) {
  let renewing;
  let renewedAt = Number.NEGATIVE_INFINITY;
  provider.addEventListener('tk-error', (e) => {
    // Only this provider's widgets: a nested provider's badge bubbles through here too.
    if (e.error?.status !== 401 || renewing || e.target.closest?.('tk-provider') !== provider) return;
    if (Date.now() - renewedAt < 10_000) {
      showSignIn();
      return;
    }
    renewedAt = Date.now();
    renewing = Promise.resolve(source.invalidate())
      .then(() => provider.reload())
      .finally(() => {
        renewing = undefined;
      });
  });
}

const sessionEnded = document.getElementById('session-ended');
function showSignIn() {
  if (!sessionEnded?.hidden) return;
  sessionEnded.hidden = false;
  document.getElementById('sign-in')?.focus();
}
document.getElementById('sign-in')?.addEventListener('click', () => {
  if (sessionEnded) sessionEnded.hidden = true;
  for (const p of providers) {
    sources.get(p)?.invalidate();
    p.reload();
  }
});

// The page's own words: the widgets switch language by themselves, the headings around them must too.
const PAGE_WORDS = {
  'zh-CN': {
    'form.settings': '显示设置',
    'theme.label': '主题',
    'theme.auto': '跟随系统',
    'theme.light': '浅色',
    'theme.dark': '深色',
    'session.ended': '登录已过期，请重新登录。',
    'session.signin': '重新登录',
    'title.customer': '示例银行 · 网上银行 · 我的客户等级',
    'bank.online': '示例银行 · 网上银行',
    'h.tier': '我的客户等级',
    'h.others': '其他示例客户',
    'title.rm': '客户经理工作台 · 风险—价值矩阵',
    'bank.rm': '示例银行 · 客户经理工作台',
    'h.book': '我的客户：风险—价值矩阵',
    'h.cell': '所选格子的客户',
    'h.customer': '客户概览',
    'h.benefits': '客户权益',
  },
  'zh-TW': {
    'form.settings': '顯示設定',
    'theme.label': '主題',
    'theme.auto': '跟隨系統',
    'theme.light': '淺色',
    'theme.dark': '深色',
    'session.ended': '登入已逾時，請重新登入。',
    'session.signin': '重新登入',
    'title.customer': '示例銀行 · 網路銀行 · 我的客戶等級',
    'bank.online': '示例銀行 · 網路銀行',
    'h.tier': '我的客戶等級',
    'h.others': '其他示例客戶',
    'title.rm': '理財專員工作台 · 風險—價值矩陣',
    'bank.rm': '示例銀行 · 理財專員工作台',
    'h.book': '我的客戶：風險—價值矩陣',
    'h.cell': '所選格子的客戶',
    'h.customer': '客戶概覽',
    'h.benefits': '客戶權益',
  },
  en: {
    'form.settings': 'Display settings',
    'theme.label': 'Theme',
    'theme.auto': 'Auto (system)',
    'theme.light': 'Light',
    'theme.dark': 'Dark',
    'session.ended': 'Your session has ended. Please sign in again.',
    'session.signin': 'Sign in again',
    'title.customer': 'Example Bank · Online banking · My customer tier',
    'bank.online': 'Example Bank · Online banking',
    'h.tier': 'My customer tier',
    'h.others': 'Other demo customers',
    'title.rm': 'Relationship manager desk · Risk–value matrix',
    'bank.rm': 'Example Bank · Relationship manager desk',
    'h.book': 'My customers: risk–value matrix',
    'h.cell': 'Customers in the selected cell',
    'h.customer': 'Customer overview',
    'h.benefits': 'Customer benefits',
  },
};

function setLocale(locale) {
  document.documentElement.lang = locale;
  const words = PAGE_WORDS[locale] ?? PAGE_WORDS['zh-CN'];
  for (const el of document.querySelectorAll('[data-i18n]')) {
    const text = words[el.dataset.i18n];
    if (text !== undefined) el.textContent = text;
  }
  for (const el of document.querySelectorAll('[data-i18n-label]')) {
    const text = words[el.dataset.i18nLabel];
    if (text !== undefined) el.setAttribute('aria-label', text);
  }
  // A widget's heading set by the page (the RM desk's entitlement panel) is the page's words too.
  for (const el of document.querySelectorAll('[data-i18n-heading]')) {
    const text = words[el.dataset.i18nHeading];
    if (text !== undefined) el.setAttribute('heading', text);
  }
  for (const p of providers) p.locale = locale;
  document.dispatchEvent(new Event('demo-locale-change'));
}

function setTheme(theme) {
  document.documentElement.dataset.theme = theme;
  for (const p of providers) p.theme = theme;
}

document.getElementById('locale-switch')?.addEventListener('change', (e) => setLocale(e.target.value));
document.getElementById('theme-switch')?.addEventListener('change', (e) => setTheme(e.target.value));
