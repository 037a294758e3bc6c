// The console's one modal dialog (apps/admin/src/modal-dialog.ts), as a keyboard and screen-reader
// user meets it: it opens on its first control with the page behind inert, Tab stays in it, Escape
// closes it (not while sending), focus goes back to the button that opened it, and a refusal is an
// alert that takes focus — axe clean, in zh-CN, zh-TW and en.
import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { LitElement, nothing } from 'lit';
import { ModalDialog } from '../../apps/admin/src/modal-dialog.js';
import { KEYS_WORDS } from '../../apps/admin/src/pages/keys.words.js';
import type { ConsoleLocale } from '../../apps/admin/src/words.js';

/** A page with one dialog, in light DOM as the console's pages are, in the console's own words. */
class DialogPage extends LitElement {
  static override properties = { locale: {}, open: { state: true }, busy: { state: true }, refused: { state: true } };
  declare locale: ConsoleLocale;
  declare open: boolean;
  declare busy: boolean;
  declare refused: string;
  readonly modal = new ModalDialog(this, {
    isOpen: () => this.open,
    busy: () => this.busy,
    close: () => {
      this.open = false;
      this.refused = '';
    },
    fallback: () => this.querySelector('[data-testid="status"]'),
  });

  constructor() {
    super();
    this.locale = 'zh-CN';
    this.open = false;
    this.busy = false;
    this.refused = '';
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  async send(): Promise<void> {
    const w = KEYS_WORDS[this.locale];
    this.refused = `${w.failed}: ${w.revokeRefused['own-key']('ops')}`;
    await this.modal.focus('[data-testid="dialog-error"]');
  }

  override render() {
    const w = KEYS_WORDS[this.locale];
    return html`<main lang=${this.locale}>
      <h1>${w.title}</h1>
      <button type="button" data-testid="opener" @click=${(e: Event) => {
        this.modal.opening(e);
        this.open = true;
      }}>${w.create}</button>
      <p role="status" data-testid="status" tabindex="-1"></p>
      ${this.modal.render(
        { className: 'keys-dialog', testid: 'dialog', labelledBy: 'dialog-h' },
        this.open
          ? html`<h2 id="dialog-h">${w.createTitle}</h2>
            <label>${w.label}<input name="label" /></label>
            ${this.modal.refusal('dialog-error', this.refused)}
            <button type="button" data-testid="send" @click=${() => this.send()}>${w.create}</button>
            <button type="button" data-testid="cancel" @click=${() => this.modal.dismiss()}>${w.cancel}</button>`
          : nothing,
      )}
    </main>`;
  }
}
customElements.define('test-dialog-page', DialogPage);

const active = () => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.getAttribute('name');
const frame = () => new Promise((r) => requestAnimationFrame(() => r(undefined)));

async function opened(locale: ConsoleLocale) {
  const page = await fixture<DialogPage>(html`<test-dialog-page .locale=${locale}></test-dialog-page>`);
  const opener = page.querySelector<HTMLButtonElement>('[data-testid="opener"]')!;
  opener.focus();
  opener.click();
  await page.updateComplete;
  const dialog = page.querySelector<HTMLDialogElement>('dialog')!;
  return { page, opener, dialog };
}

describe('the console’s modal dialog', () => {
  it('opens modal on its first control, keeps Tab inside, and Escape gives focus back to the opener', async () => {
    const { page, dialog } = await opened('zh-CN');
    expect(dialog.open).to.equal(true);
    expect(dialog.matches(':modal')).to.equal(true, 'the page behind is inert');
    expect(active()).to.equal('label');
    await sendKeys({ press: 'Tab' });
    expect(active()).to.equal('send');
    await sendKeys({ press: 'Tab' });
    expect(active()).to.equal('cancel');
    await sendKeys({ press: 'Tab' });
    expect(active()).to.equal('label', 'past the last control, Tab goes to the first');
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ up: 'Shift' });
    expect(active()).to.equal('cancel', 'before the first, Shift+Tab goes to the last');
    await sendKeys({ press: 'Escape' });
    await page.updateComplete;
    await frame();
    expect(page.open).to.equal(false);
    expect(dialog.open).to.equal(false);
    expect(active()).to.equal('opener');
  });

  it('keeps the dialog open on Escape while sending', async () => {
    const { page, dialog } = await opened('en');
    // As a person gets there, by a key pressed in the dialog: without that activation Chromium does not let a page keep a dialog on Escape.
    await sendKeys({ press: 'Tab' });
    page.busy = true;
    await page.updateComplete;
    await sendKeys({ press: 'Escape' });
    await frame();
    expect(dialog.open).to.equal(true);
    expect(page.open).to.equal(true);
    page.busy = false;
    await page.updateComplete;
    await page.modal.dismiss();
    expect(dialog.open).to.equal(false);
    expect(active()).to.equal('opener');
  });

  it('goes back to the status line when the opener is gone', async () => {
    const { page, opener } = await opened('en');
    opener.remove();
    await page.modal.dismiss();
    expect(active()).to.equal('status');
  });

  for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) {
    it(`announces a refusal inside the dialog as an alert that takes focus, axe clean (${locale})`, async () => {
      const { page, dialog } = await opened(locale);
      page.querySelector<HTMLButtonElement>('[data-testid="send"]')!.click();
      await page.updateComplete;
      await frame();
      const alert = dialog.querySelector<HTMLElement>('[data-testid="dialog-error"]')!;
      expect(alert.getAttribute('role')).to.equal('alert');
      expect(alert.textContent).to.contain(KEYS_WORDS[locale].failed);
      expect(alert.textContent).to.contain('ops');
      expect(active()).to.equal('dialog-error');
      expect(dialog.getAttribute('aria-labelledby')).to.equal('dialog-h');
      expect(dialog.querySelector('#dialog-h')?.textContent).to.equal(KEYS_WORDS[locale].createTitle);
      await expect(page).to.be.accessible();
      await page.modal.dismiss();
    });
  }
});
