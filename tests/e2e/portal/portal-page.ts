// The script of a bank portal's page, as its team writes it: its own bundle (built with esbuild by the
// test, as the portal's bundler would), the widgets from the tierkit server's /widgets/tierkit.js. The
// embed token comes from the portal's own backend (/portal/token), which holds the embedder key; the
// page holds the token until the API refuses it and renews it then, through renewingFetch.
import { createClient, renewingFetch, renewOn401 } from '@tierkit/client';
import type { TkProvider } from '@tierkit/components';

declare global {
  interface Window {
    /** What the test reads: the sign-in the page would offer. */
    signedOut: number;
  }
}

const provider = document.querySelector('tk-provider') as TkProvider;
const api = document.documentElement.dataset['api'] ?? '';

let held: Promise<string> | undefined;
/** The portal backend's token for its signed-in customer, kept until the API refuses it. */
function embedToken(): Promise<string> {
  held ??= (async () => {
    const res = await fetch('/portal/token', { method: 'POST', credentials: 'same-origin' });
    if (!res.ok) throw Object.assign(new Error('token'), { status: res.status, problem: await res.json().catch(() => undefined) });
    return ((await res.json()) as { token: string }).token;
  })();
  // A failed mint is not kept: the widgets' retry asks again.
  held.catch(() => (held = undefined));
  return held;
}

window.signedOut = 0;
provider.client = createClient({
  baseUrl: api,
  token: embedToken,
  fetch: renewingFetch(embedToken, () => {
    held = undefined;
  }),
});
// A renewed token refused too, or the bank's session over: the widgets say so, the page offers its sign-in.
renewOn401(
  provider,
  () => {
    held = undefined;
  },
  { onSignedOut: () => window.signedOut++ },
);
