// The 401 recovery a portal team wires as the READMEs say (session 36's Vue / React 18 team): a token
// function that fetches from the bank's own /token, reused with reuseToken, and renewOn401 on the
// provider. When the bank's session ended, /token answers 401 and that used to read exactly like the
// API refusing a token: the recovery renewed again and again (568 mints in 10 s), the widgets stuck on
// "loading". A renewal that mints a bad token looped until the API's 429. Here both end, the mints
// counted, in the "session ended" state; and a failed mint shows as the widgets' own error.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { createClient, renewOn401, reuseToken } from '@tierkit/client';
import '../../packages/components/src/define.js';
import type { TkProvider } from '../../packages/components/src/index.js';
import { demoTiers } from '../../packages/components/src/common/fixtures/tiers.js';
import { entitlementsC3 } from '../../packages/components/src/common/fixtures/entitlements.js';
import { shortHistory } from '../../packages/components/src/common/fixtures/history.js';

const PROBLEMS = 'https://tierkit.dev/problems/';
const json = (body: unknown, status = 200, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });
const problem = (status: number, type: string, title: string) =>
  json({ type: `${PROBLEMS}${type}`, title, status }, status, 'application/problem+json');

/**
 * The bank's backend and the tierkit API, as the page's fetch meets them. `/token` mints for the
 * signed-in customer (401 once the session ended, 404 subject-not-found for a customer tierkit does
 * not know, 503 when tierkit is down); the API reads C000003 for any token it accepts.
 */
function bank() {
  const state = { session: true, minted: 0, apiReads: 0, customer: 'C000003', down: false, accepts: (_token: string) => true };
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    if (url.pathname === '/token') {
      state.minted++;
      if (!state.session) return problem(401, 'unauthorized', 'Unauthorized');
      if (state.down) return problem(503, 'unavailable', 'Service Unavailable');
      if (state.customer !== 'C000003') return problem(404, 'subject-not-found', 'No such subject');
      return json({ token: `t${state.minted}`, expiresAt: new Date(Date.now() + 15 * 60_000).toISOString() });
    }
    state.apiReads++;
    const token = new Headers(init?.headers).get('authorization')?.replace(/^Bearer /, '') ?? '';
    if (!state.accepts(token)) return problem(401, 'unauthorized', 'Unauthorized');
    const what = /^\/v1\/subjects\/C000003\/(\w+)$/.exec(url.pathname)?.[1];
    if (what === 'tiers') return json(demoTiers['C000003']);
    if (what === 'entitlements') return json(entitlementsC3);
    if (what === 'history') return json({ subject: entitlementsC3.subject, items: shortHistory, nextCursor: null });
    return problem(404, 'subject-not-found', 'No such subject');
  };
  return { state, fetch };
}

/** The READMEs' token function: the bank's /token, its status and problem on the error it throws. */
function tokenFunction(fetch: typeof globalThis.fetch) {
  return async () => {
    const res = await fetch('https://www.bank.example/token', { credentials: 'same-origin' });
    if (!res.ok) throw Object.assign(new Error('token'), { status: res.status, problem: await res.json() });
    return (await res.json()) as { token: string; expiresAt: string };
  };
}

async function customerPage(client: unknown) {
  const root = await fixture<TkProvider>(html`<tk-provider .client=${client} subject="C000003" locale="zh-CN">
    <tk-tier-badge show-progress></tk-tier-badge><tk-entitlement-panel></tk-entitlement-panel><tk-tier-timeline></tk-tier-timeline>
  </tk-provider>`);
  return { root, widgets: [...root.children] as HTMLElement[] };
}

const loaded = (el: Element) => !el.matches(":is(:state(loading),:state(error),[data-tk-state~='loading'],[data-tk-state~='error'])");
/** "登录已过期" in the block widgets, the badge's error pill with no retry: the session-ended state. */
const signedOut = (el: Element) =>
  el.localName === 'tk-tier-badge'
    ? el.matches(':state(error)') && !el.shadowRoot!.querySelector('[part~=retry]')
    : !!el.shadowRoot!.querySelector('[part~=error][data-reason=signed-out]');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('renewOn401: the recovery from a refused token ends', () => {
  it('the bank’s session ends: one renewal is tried, /token’s own 401 ends it signed out', async () => {
    const { state, fetch } = bank();
    const embedToken = reuseToken(tokenFunction(fetch));
    const client = createClient({ baseUrl: 'https://tier.bank.example', token: () => embedToken(), fetch });
    const { root, widgets } = await customerPage(client);
    const ended: unknown[] = [];
    renewOn401(root, () => embedToken.invalidate(), { backoff: 50, onSignedOut: (e) => ended.push(e) });
    await waitUntil(() => widgets.every(loaded), 'the page loads');
    expect(state.minted).to.equal(1);

    // The customer signs out of online banking in another tab: the bank revokes the token, its /token refuses.
    state.session = false;
    state.accepts = () => false;
    root.reload();
    await waitUntil(() => widgets.every(signedOut), 'every widget says the session ended', { timeout: 5000 });
    await sleep(500); // ten back-offs: a loop would have minted by now
    expect(state.minted, 'the first token, then one renewal that /token refused').to.equal(2);
    expect(widgets.every(signedOut)).to.equal(true);
    expect(ended.length).to.be.greaterThan(0);
    expect((ended[0] as { source?: string; status?: number }).source).to.equal('token');
    expect((ended[0] as { status?: number }).status).to.equal(401);
  });

  it('the session is over when the page opens: one mint, no renewal, signed out', async () => {
    const { state, fetch } = bank();
    state.session = false;
    const embedToken = reuseToken(tokenFunction(fetch));
    const client = createClient({ baseUrl: 'https://tier.bank.example', token: () => embedToken(), fetch });
    // No client yet: the widgets wait, reading nothing, while the recovery is wired.
    const { root, widgets } = await customerPage(undefined);
    renewOn401(root, () => embedToken.invalidate(), { backoff: 50 });
    root.client = client;
    await waitUntil(() => widgets.every(signedOut), 'every widget says the session ended', { timeout: 5000 });
    await sleep(500);
    expect(state.apiReads, 'no read reached the API without a token').to.equal(0);
    expect(state.minted, 'the widgets’ reads share the one refused mint').to.be.at.most(3);
    const settled = state.minted;
    await sleep(300);
    expect(state.minted).to.equal(settled);
  });

  it('a renewal that mints a token the API refuses too is tried a bounded number of times, backing off', async () => {
    const { state, fetch } = bank();
    const embedToken = reuseToken(tokenFunction(fetch));
    const client = createClient({ baseUrl: 'https://tier.bank.example', token: () => embedToken(), fetch });
    const { root, widgets } = await customerPage(client);
    let ended = 0;
    renewOn401(root, () => embedToken.invalidate(), { backoff: 40, onSignedOut: () => ended++ });
    await waitUntil(() => widgets.every(loaded), 'the page loads');
    // A signing key rotated, and the bank's backend still signs with the old one: every token is refused.
    state.accepts = () => false;
    root.reload();
    await waitUntil(() => ended > 0, 'it gives up', { timeout: 5000 });
    await sleep(400);
    expect(state.minted, 'the first token, then three renewals').to.equal(4);
    expect(widgets.every(signedOut)).to.equal(true);
  });

  it('a rotated key: one renewal, and the widgets read again with the new token', async () => {
    const { state, fetch } = bank();
    const embedToken = reuseToken(tokenFunction(fetch));
    const client = createClient({ baseUrl: 'https://tier.bank.example', token: () => embedToken(), fetch });
    const { root, widgets } = await customerPage(client);
    renewOn401(root, () => embedToken.invalidate(), { backoff: 50 });
    await waitUntil(() => widgets.every(loaded), 'the page loads');
    state.accepts = (token) => token !== 't1';
    root.reload();
    await waitUntil(() => state.minted === 2 && widgets.every(loaded), 'the widgets load again with a new token', { timeout: 5000 });
    await sleep(300);
    expect(state.minted).to.equal(2);
  });
});

describe('renewOn401 on a page that stays open', () => {
  it('the count starts again after a read loads: expiries far apart are each renewed', async () => {
    const { state, fetch } = bank();
    const embedToken = reuseToken(tokenFunction(fetch));
    const client = createClient({ baseUrl: 'https://tier.bank.example', token: () => embedToken(), fetch });
    const { root, widgets } = await customerPage(client);
    let ended = 0;
    // One renewal in a row at most: only the count starting again lets the second expiry renew.
    renewOn401(root, () => embedToken.invalidate(), { maxRenewals: 1, backoff: 50, onSignedOut: () => ended++ });
    await waitUntil(() => widgets.every(loaded), 'the page loads');
    for (const expiry of [1, 2, 3]) {
      // The held token expires (15 minutes on, in a real page): the API refuses it, and only it.
      const refused = `t${state.minted}`;
      state.accepts = (token) => token !== refused;
      root.reload();
      await waitUntil(() => state.minted === expiry + 1 && widgets.every(loaded), `expiry ${expiry} is renewed`, { timeout: 5000 });
    }
    expect(ended).to.equal(0);
  });

  it('base-url + token: the renewal sets the provider’s token, each widget reads once with it', async () => {
    const { state, fetch } = bank();
    const realFetch = window.fetch;
    // The provider makes its own client, which reads through the page's fetch.
    window.fetch = fetch as typeof window.fetch;
    try {
      const mint = async () => (await tokenFunction(fetch)()).token;
      const root =
        await fixture<TkProvider>(html`<tk-provider base-url="https://tier.bank.example" token=${await mint()} subject="C000003" locale="zh-CN">
        <tk-tier-badge show-progress></tk-tier-badge><tk-entitlement-panel></tk-entitlement-panel><tk-tier-timeline></tk-tier-timeline>
      </tk-provider>`);
      const widgets = [...root.children] as HTMLElement[];
      renewOn401(root, async () => {
        root.token = await mint();
      });
      await waitUntil(() => widgets.every(loaded), 'the page loads');
      state.accepts = (token) => token !== 't1';
      const before = state.apiReads;
      root.reload();
      await waitUntil(() => state.minted === 2 && widgets.every(loaded), 'the widgets load with the new token', { timeout: 5000 });
      await sleep(300);
      // Three refused reads with t1, then three with t2: not a second round from the token and reload() both.
      expect(state.apiReads - before).to.equal(6);
    } finally {
      window.fetch = realFetch;
    }
  });
});

describe('a token function that fails at mint time (the base-url + token page’s failed mint)', () => {
  it('an unknown customer says so, with no retry', async () => {
    const { state, fetch } = bank();
    state.customer = 'C999999';
    const client = createClient({ baseUrl: 'https://tier.bank.example', token: async () => (await tokenFunction(fetch)()).token, fetch });
    const { widgets } = await customerPage(client);
    await waitUntil(
      () => widgets.slice(1).every((el) => el.shadowRoot!.querySelector('[part~=error][data-reason=not-found]')),
      'the block widgets say the customer was not found',
    );
    expect(widgets[0]!.shadowRoot!.textContent).to.contain('未找到该客户');
    expect(state.apiReads).to.equal(0);
  });

  it('tierkit down at mint time: an error with a retry, which loads once the mint works', async () => {
    const { state, fetch } = bank();
    state.down = true;
    const client = createClient({ baseUrl: 'https://tier.bank.example', token: async () => (await tokenFunction(fetch)()).token, fetch });
    const { widgets } = await customerPage(client);
    const panel = widgets[1]!;
    await waitUntil(() => panel.shadowRoot!.querySelector('[part~=retry]'), 'the panel offers a retry');
    state.down = false;
    panel.shadowRoot!.querySelector<HTMLButtonElement>('[part~=retry]')!.click();
    await waitUntil(() => loaded(panel), 'the panel loads after the retry');
  });
});

/**
 * The components README's recipe for a page with the script tag alone ("Events"), run as written: the
 * page's `mintTokenOnYourBackend` and `showSignIn` are the only parts supplied. Such a page has a
 * `base-url` + `token` provider, whose own client reads through the page's fetch.
 */
async function scriptTagPage(
  run: (b: ReturnType<typeof bank>, root: TkProvider, widgets: HTMLElement[], signIns: () => number) => Promise<void>,
) {
  const b = bank();
  const realFetch = window.fetch;
  window.fetch = b.fetch as typeof window.fetch;
  try {
    const mintTokenOnYourBackend = async () => (await tokenFunction(b.fetch)()).token;
    const root =
      await fixture<TkProvider>(html`<tk-provider base-url="https://tier.bank.example" token=${await mintTokenOnYourBackend()} subject="C000003" locale="zh-CN">
      <tk-tier-badge show-progress></tk-tier-badge><tk-entitlement-panel></tk-entitlement-panel><tk-tier-timeline></tk-tier-timeline>
    </tk-provider>`);
    const readme = await (await realFetch('/packages/components/README.md')).text();
    const after = readme.slice(readme.indexOf('a page with the script tag alone writes it out:'));
    const code = /```js\n([\s\S]*?)```/.exec(after)?.[1];
    expect(code, 'the recipe is in the README').to.be.a('string');
    let signIns = 0;
    new Function('provider', 'mintTokenOnYourBackend', 'showSignIn', code!)(root, mintTokenOnYourBackend, () => signIns++);
    await run(b, root, [...root.children] as HTMLElement[], () => signIns);
  } finally {
    window.fetch = realFetch;
  }
}

describe('the components README’s 401 recipe, as a script-tag page copies it', () => {
  it('the bank’s session ends: one renewal, then signed out and the sign-in offered', () =>
    scriptTagPage(async ({ state }, root, widgets, signIns) => {
      await waitUntil(() => widgets.every(loaded), 'the page loads');
      state.session = false;
      state.accepts = () => false;
      root.reload();
      await waitUntil(() => widgets.every(signedOut) && signIns() > 0, 'signed out, the sign-in offered', { timeout: 5000 });
      await sleep(1500); // past the recipe's first back-off: a loop would have minted by now
      expect(state.minted).to.equal(2);
    }));

  it('a rotated key: one renewal, each widget reads once with the new token', () =>
    scriptTagPage(async ({ state }, root, widgets, signIns) => {
      await waitUntil(() => widgets.every(loaded), 'the page loads');
      state.accepts = (token) => token !== 't1';
      const before = state.apiReads;
      root.reload();
      await waitUntil(() => state.minted === 2 && widgets.every(loaded), 'the widgets load with the new token', { timeout: 5000 });
      await sleep(300);
      expect(state.apiReads - before, 'three refused reads, then three with the new token').to.equal(6);
      expect(signIns()).to.equal(0);
    }));

  it('renewed tokens the API refuses: three renewals, backing off, then the sign-in', () =>
    scriptTagPage(async ({ state }, root, widgets, signIns) => {
      await waitUntil(() => widgets.every(loaded), 'the page loads');
      state.accepts = () => false;
      root.reload();
      await waitUntil(() => signIns() > 0, 'the sign-in offered', { timeout: 8000 });
      expect(state.minted, 'the first token, then three renewals').to.equal(4);
      expect(widgets.every(signedOut)).to.equal(true);
    }));
});
