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

/** A token function for one provider: fetches `{ token, expiresAt }`, reuses it until a minute before expiry. */
export function tokenSource(url) {
  let pending = null;
  let renewAt = 0;
  return () => {
    if (!pending || Date.now() >= renewAt) {
      renewAt = Number.POSITIVE_INFINITY; // one renewal at a time, however many widgets ask
      pending = fetch(url, { credentials: 'same-origin' }).then(async (res) => {
        if (!res.ok) throw new Error(`token: HTTP ${res.status}`);
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
}

function setLocale(locale) {
  document.documentElement.lang = locale;
  for (const p of providers) p.locale = locale;
}

function setTheme(theme) {
  document.documentElement.dataset.theme = theme;
  for (const p of providers) p.theme = theme;
}

document.getElementById('locale-switch')?.addEventListener('change', (e) => setLocale(e.target.value));
document.getElementById('theme-switch')?.addEventListener('change', (e) => setTheme(e.target.value));
