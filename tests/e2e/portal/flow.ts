// What the renewal tests watch on a portal page: every widget's state as the reader would see it
// (each animation frame, and every tk-error), the API's answers, and the portal's tokens' expiry.
import type { Page } from 'playwright-core';
import type { Portal } from './host.js';

declare global {
  interface Window {
    /** Every error a widget showed or announced since the page opened: `tk-error` events and error states seen in a frame. */
    tkErrors: string[];
  }
}

const WIDGETS = 'tk-tier-badge, tk-entitlement-panel, tk-tier-timeline';

/**
 * Before the page's own scripts: records each `tk-error` (resource and status) and, every frame, any
 * widget drawn in its error state — what a customer would have seen flash, however briefly.
 */
export async function installRecorder(page: Page): Promise<void> {
  await page.addInitScript((selector) => {
    window.tkErrors = [];
    document.addEventListener('tk-error', (e) => {
      const error = (e as Event & { error?: { status?: number } }).error;
      window.tkErrors.push(`tk-error ${(e as Event & { resource?: string }).resource} ${error?.status}`);
    });
    const frame = () => {
      for (const el of document.querySelectorAll(selector)) {
        if (el.matches(':state(error)') || el.shadowRoot?.querySelector('[part~=error]')) window.tkErrors.push(`${el.id} drawn in error`);
      }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }, WIDGETS);
}

/** Resolves once `check` holds, polling (the portal's counts live in this process). */
export async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves once every token the portal minted so far has expired (the server refuses it from its `expiresAt`). */
export async function lastExpiry(portal: Portal): Promise<void> {
  const last = Math.max(...portal.minted.map((m) => Date.parse(m.expiresAt)));
  await new Promise((r) => setTimeout(r, Math.max(0, last - Date.now()) + 100));
}

export interface Flow {
  /** Every widget shows its data (none loading, none in error). */
  loaded(): Promise<void>;
  loadedOne(selector: string): Promise<void>;
  setLocale(locale: string): Promise<void>;
  /** The portal refreshes the widgets (`provider.reload()`, after the customer's transfer, say): every widget reads again. */
  refresh(): Promise<void>;
  /**
   * Every block widget shows the error `reason` (`error`: one a retry may mend) in `words`, and each
   * badge its pill: the words for `error`, "unavailable" for a refusal.
   */
  failed(reason: 'error' | 'signed-out' | 'forbidden', words: string): Promise<void>;
  retry(selector: string): Promise<void>;
  text(selector: string): Promise<string>;
  allText(): Promise<string>;
  errors(): Promise<string[]>;
  /** The API's 401 answers since the page opened. */
  refused(): string[];
  forbidden(): string[];
  /** The API paths asked for a subject. */
  asked(subject: string): string[];
}

export function pageFlow(page: Page, api: string): Flow {
  const answers: { status: number; url: string }[] = [];
  page.on('response', (r) => {
    if (r.url().startsWith(`${api}/v1/`)) answers.push({ status: r.status(), url: r.url() });
  });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${String(e)}`));
  const requested: string[] = [];
  page.on('request', (r) => {
    if (r.url().startsWith(`${api}/v1/`)) requested.push(new URL(r.url()).pathname);
  });
  const shadowText = (selector: string) => page.$eval(selector, (el) => (el.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ').trim());
  return {
    loaded: () =>
      page
        .waitForFunction(
          (selector) =>
            [...document.querySelectorAll(selector)].every(
              (el) => !!el.shadowRoot && el.shadowRoot.textContent !== '' && !el.matches(':state(loading), :state(error), :state(empty)'),
            ),
          WIDGETS,
          { timeout: 30_000 },
        )
        .then(
          () => undefined,
          async (e: unknown) => {
            // What the page logged and showed usually says why it never loaded.
            const shown = await page.evaluate(
              (selector) => [...document.querySelectorAll(selector)].map((el) => el.shadowRoot?.textContent ?? '').join(' | '),
              WIDGETS,
            );
            throw new Error(`${String(e)}\nshown: ${shown}\npage: ${problems.join('\n')}`);
          },
        ),
    loadedOne: (selector) =>
      page
        .waitForFunction((s) => !document.querySelector(s)!.matches(':state(loading), :state(error)'), selector, { timeout: 30_000 })
        .then(() => undefined),
    setLocale: (locale) =>
      page.evaluate((l) => {
        document.querySelector('tk-provider')!.setAttribute('locale', l);
      }, locale),
    refresh: () =>
      page.evaluate(() => {
        (document.querySelector('tk-provider') as HTMLElement & { reload(): void }).reload();
      }),
    failed: (reason, words) =>
      page
        .waitForFunction(
          ([selector, reason, words]) =>
            [...document.querySelectorAll(selector)].every((el) => {
              const root = el.shadowRoot!;
              if (el.localName === 'tk-tier-badge')
                return el.matches(':state(error)') && !!root.querySelector('[part~=retry]') === (reason === 'error');
              const shown = root.querySelector(`[part~=error]${reason === 'error' ? ':not([data-reason])' : `[data-reason=${reason}]`}`);
              return (
                shown?.querySelector('.said')?.textContent === words && !!shown.querySelector('[part~=retry]') === (reason === 'error')
              );
            }),
          [WIDGETS, reason, words] as const,
          { timeout: 30_000 },
        )
        .then(() => undefined),
    retry: (selector) => page.locator(selector).locator('[part~=retry]').click(),
    text: shadowText,
    allText: () =>
      page.evaluate(
        (selector) => [...document.querySelectorAll(selector)].map((el) => el.shadowRoot?.textContent ?? '').join(' | '),
        WIDGETS,
      ),
    errors: () => page.evaluate(() => window.tkErrors),
    refused: () => answers.filter((a) => a.status === 401).map((a) => a.url),
    forbidden: () => answers.filter((a) => a.status === 403).map((a) => a.url),
    asked: (subject) => requested.filter((p) => p.includes(`/subjects/${subject}/`)),
  };
}
