import { html } from 'lit';

/**
 * A list's "load more" button that keeps the keyboard's place. A button disabled while it works
 * drops focus to the page's start in Chromium (and the last page removes it altogether), so a
 * keyboard or screen-reader user would start over after every page: this one only says it is busy
 * (`aria-disabled`) and ignores presses meanwhile, and when the last page has come and it is gone,
 * focus goes to the list's status line (`status`, which says how many are shown).
 */
export function moreButton(o: {
  readonly loading: boolean;
  readonly label: string;
  readonly loadingLabel: string;
  readonly load: () => Promise<void>;
  readonly status: () => HTMLElement | null;
}) {
  const press = async (e: Event) => {
    if (o.loading) return;
    const button = e.currentTarget as HTMLElement;
    await o.load();
    // Lit renders the new state in a microtask; a frame later the page is as the user will see it.
    await new Promise((r) => requestAnimationFrame(r));
    if (!button.isConnected) o.status()?.focus();
  };
  return html`<button type="button" class="more" aria-disabled=${o.loading ? 'true' : 'false'} @click=${press}>
    ${o.loading ? o.loadingLabel : o.label}</button>`;
}
