// Demo page glue: locale and theme switchers, and the embed token. A real bank's page would get the
// token from its own backend the same way: the token is minted server-side for the logged-in customer.
const providers = [...document.querySelectorAll('tk-provider')];

async function fetchToken(provider) {
  const url = provider.dataset.tokenUrl;
  if (!url) return;
  const subject = provider.getAttribute('subject');
  try {
    const res = await fetch(subject ? `${url}?subject=${encodeURIComponent(subject)}` : url, { credentials: 'same-origin' });
    if (!res.ok) return;
    const body = await res.json();
    if (typeof body.token === 'string') provider.token = body.token;
  } catch {
    // Without a token the widgets show their error state with a retry button; nothing else to do.
  }
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
for (const p of providers) void fetchToken(p);

export { fetchToken };
