// The portal's customer page as a React team writes it with @tierkit/react (packages/react/README.md,
// "Tokens"): reuseToken over the portal backend's /portal/token, renewingFetch to mend a refused token
// before the widgets show it, renewOn401 for the rest. The API's address comes from the page's URL.
import { useEffect, useMemo, useRef, useState } from 'react';
import { createClient, renewingFetch, renewOn401, reuseToken } from '@tierkit/client';
import type { LocaleTag, TkProvider as TkProviderElement } from '@tierkit/components';
import { TkEntitlementPanel, TkProvider, TkTierBadge, TkTierTimeline } from '@tierkit/react';

const params = new URLSearchParams(location.search);
const baseUrl = params.get('api') ?? '';
const customer = params.get('subject') ?? '';

const embedToken = reuseToken(async () => {
  const res = await fetch('/portal/token', { method: 'POST', credentials: 'same-origin' });
  if (!res.ok) throw Object.assign(new Error('token'), { status: res.status, problem: await res.json().catch(() => undefined) });
  return (await res.json()) as { token: string; expiresAt: string };
});

export function App() {
  const [locale, setLocale] = useState<LocaleTag>('zh-CN');
  const [signedOut, setSignedOut] = useState(false);
  const provider = useRef<TkProviderElement>(null);
  // One client for the page's life: the widgets' shared cache, a token asked for each request.
  const client = useMemo(
    () =>
      createClient({
        baseUrl,
        token: () => embedToken(),
        fetch: renewingFetch(
          () => embedToken(),
          () => embedToken.invalidate(),
        ),
      }),
    [],
  );
  useEffect(() => {
    const el = provider.current;
    return el ? renewOn401(el, () => embedToken.invalidate(), { onSignedOut: () => setSignedOut(true) }) : undefined;
  }, []);
  return (
    <main>
      <select id="locale" value={locale} onChange={(e) => setLocale(e.target.value as LocaleTag)}>
        <option value="zh-CN">简体中文</option>
        <option value="zh-TW">繁體中文</option>
        <option value="en">English</option>
      </select>
      <button type="button" id="refresh" onClick={() => provider.current?.reload()}>
        刷新
      </button>
      {signedOut ? <p id="signed-out">请重新登录</p> : null}
      <TkProvider ref={provider} client={client} subject={customer} locale={locale}>
        <TkTierBadge id="tier" scheme="retail-tier" showProgress />
        <TkTierBadge id="stars" scheme="star-rating" />
        <TkEntitlementPanel id="panel" />
        <TkTierTimeline id="timeline" />
      </TkProvider>
    </main>
  );
}
