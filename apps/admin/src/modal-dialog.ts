import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { createRef, ref } from 'lit/directives/ref.js';

/*
 * The console's one modal dialog. A page keeps what its dialog shows in its own state (or its kit
 * store); this controller keeps the native `<dialog>` in step with it: `showModal()` when the state
 * opens it (the page behind inert), the first control focused, Tab kept inside, Escape closing it —
 * but not while the page sends (the answer lands where the person looks) — and focus back on the
 * button that opened it. A refusal is said inside the dialog, as an alert that takes focus.
 */

const TABBABLE =
  'button:not([disabled]), input:not([disabled]), textarea:not([disabled]), select:not([disabled]), a[href], [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog's Tab key: past its last control to its first, and Shift+Tab before its first to its
 * last. `showModal()` makes the page behind inert, but Chromium still lets Tab leave the dialog for the
 * browser's own controls and the document, where a keyboard user is lost with the dialog still open.
 */
export function keepTabIn(e: KeyboardEvent, dialog: HTMLElement): void {
  if (e.key !== 'Tab') return;
  const stops = [...dialog.querySelectorAll<HTMLElement>(TABBABLE)].filter((el) => el.checkVisibility());
  const first = stops[0];
  const last = stops[stops.length - 1];
  if (!first || !last) return;
  const active = document.activeElement;
  // Focus on no stop of the dialog (its heading, an announced outcome): Tab starts again from its ends.
  const inside = active instanceof HTMLElement && stops.includes(active);
  if (e.shiftKey && (active === first || !inside)) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (active === last || !inside)) {
    e.preventDefault();
    first.focus();
  }
}

export interface ModalDialogOptions {
  /** Whether the page's state has the dialog open. */
  readonly isOpen: () => boolean;
  /** While sending: Escape and the dialog's own dismissal wait for the answer. */
  readonly busy: () => boolean;
  /** Escape does nothing at all (a secret shown once is closed by its button only). */
  readonly keep?: () => boolean;
  /** The page's state without the dialog (Cancel, Escape, or done). */
  readonly close: () => void;
  /** Where focus goes when what opened the dialog is gone: the page's status line. */
  readonly fallback: () => Element | null;
  /** The control focused on opening when none has `autofocus` (a removal starts on Cancel that way). */
  readonly first?: string;
}

export class ModalDialog implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #o: ModalDialogOptions;
  readonly #dialog = createRef<HTMLDialogElement>();
  #opener: HTMLElement | null = null;

  constructor(host: ReactiveControllerHost & HTMLElement, options: ModalDialogOptions) {
    this.#host = host;
    this.#o = options;
    host.addController(this);
  }

  /** Remember the button pressed to open it (`e.currentTarget`), for focus to go back to. */
  opening(e: Event): void {
    this.#opener = e.currentTarget instanceof HTMLElement ? e.currentTarget : null;
  }

  hostUpdated(): void {
    const dialog = this.#dialog.value;
    if (!dialog) return;
    if (this.#o.isOpen() && !dialog.open) {
      dialog.showModal();
      (dialog.querySelector<HTMLElement>('[autofocus]') ?? dialog.querySelector<HTMLElement>(this.#o.first ?? 'input, button'))?.focus();
    } else if (!this.#o.isOpen() && dialog.open) {
      dialog.close();
    }
  }

  /**
   * Cancel, Escape, Done: the state closed (not while sending), then focus back on the opener — or, when
   * it is gone or `toFallback` (an action that changed the row it was on), on the page's status line.
   */
  async dismiss(toFallback = false): Promise<void> {
    if (this.#o.busy()) return;
    this.#o.close();
    await this.#host.updateComplete;
    if (this.#o.isOpen()) return;
    const opener = toFallback ? null : this.#opener;
    const to = opener?.isConnected ? opener : this.#o.fallback();
    if (to instanceof HTMLElement) to.focus();
  }

  /** After the page's next render, focus on `selector` inside the host: a refusal said, the next step's heading. */
  async focus(selector: string): Promise<void> {
    await this.#host.updateComplete;
    this.#host.querySelector<HTMLElement>(selector)?.focus();
  }

  /** A refusal or check said in the dialog: an alert, focusable so that it can be announced by moving focus to it. */
  refusal(testid: string, text: string, className = 'error', refused?: string): TemplateResult {
    return html`<p role="alert" class=${className} data-testid=${testid} data-refused=${refused ?? nothing} tabindex="-1">${text}</p>`;
  }

  #cancel = (e: Event): void => {
    if (this.#o.busy() || this.#o.keep?.()) e.preventDefault();
  };

  /** Closed by the browser (Escape) while the state still had it open: dismissed as by Cancel. */
  #closed = (): void => {
    if (this.#o.isOpen()) void this.dismiss();
  };

  #keydown = (e: KeyboardEvent): void => keepTabIn(e, e.currentTarget as HTMLElement);

  /** The `<dialog>` element, with what the page puts in it. */
  render(o: { readonly className: string; readonly testid: string; readonly labelledBy: string }, body: unknown): TemplateResult {
    return html`<dialog ${ref(this.#dialog)} class=${o.className} data-testid=${o.testid} aria-labelledby=${o.labelledBy}
      @cancel=${this.#cancel} @close=${this.#closed} @keydown=${this.#keydown}>${body}</dialog>`;
  }
}
