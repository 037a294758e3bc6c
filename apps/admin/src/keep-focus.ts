import { html } from 'lit';

/*
 * Keeping the keyboard's place. A button disabled while its action runs loses focus in Chromium
 * (focus falls to the page's start), and an action may remove the button altogether: a keyboard or
 * screen-reader user would have to find their place again after every save, page or sign-in.
 */

/**
 * After an action whose button was disabled while it ran: focus back on that button if it is there
 * and enabled again, else on `fallback` (what now says the outcome). Only when focus was dropped —
 * a user who moved on meanwhile keeps where they went.
 */
export async function refocus(pressed: EventTarget | null, fallback: () => Element | null | undefined): Promise<void> {
  // Lit renders the new state in a microtask; a frame later the page is as the user will see it.
  await new Promise((r) => requestAnimationFrame(r));
  const active = document.activeElement;
  if (active && active !== document.body && active !== pressed) return;
  if (pressed instanceof HTMLButtonElement && pressed.isConnected && !pressed.disabled) pressed.focus();
  else {
    const to = fallback();
    if (to instanceof HTMLElement) to.focus();
  }
}

/**
 * A list's "load more" button: busy as `aria-disabled` (it keeps focus) and ignoring presses
 * meanwhile; when the last page has come and it is gone, focus goes to the list's status line
 * (`status`, which says how many are shown).
 */
export function moreButton(o: {
  readonly loading: boolean;
  readonly label: string;
  readonly loadingLabel: string;
  readonly load: () => Promise<void>;
  readonly status: () => Element | null;
}) {
  const press = async (e: Event) => {
    if (o.loading) return;
    const button = e.currentTarget as HTMLElement;
    await o.load();
    await refocus(button, o.status);
  };
  return html`<button type="button" class="more" aria-disabled=${o.loading ? 'true' : 'false'} @click=${press}>
    ${o.loading ? o.loadingLabel : o.label}</button>`;
}
