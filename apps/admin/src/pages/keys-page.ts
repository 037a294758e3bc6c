import {
  API_KEY_LABEL_MAX,
  type ApiKeyInfo,
  type ApiKeyRole,
  hasRole,
  type IssuedApiKey,
  isBookScoped,
  issueApiKey,
  type KitError,
  keyOwnerRule,
  keyRevocationRefusal,
  kitError,
  ROLE_ORDER,
  readAllStaff,
  readApiKeys,
  revokeApiKey,
} from '@tierkit/admin';
import type { StaffMember } from '@tierkit/client';
import { html, LitElement, nothing } from 'lit';
import { client } from '../console-client.js';
import { moreButton } from '../keep-focus.js';
import { ModalDialog } from '../modal-dialog.js';
import type { ConsolePage, PageContext } from '../page.js';
import { formatInstant } from '../time.js';
import { whyFailed } from '../why-failed.js';
import { WORDS } from '../words.js';
import { KEYS_WORDS } from './keys.words.js';

/** What the dialog shows: the create form, the new key's secret (once), or a revocation to confirm. */
type Dialog =
  | { readonly kind: 'create' }
  | { readonly kind: 'secret'; readonly issued: IssuedApiKey }
  | { readonly kind: 'revoke'; readonly key: ApiKeyInfo };

/**
 * The tenant's API keys (admins): the list, a create dialog that shows the new key's secret once with
 * a copy button and a warning, and revocation after a confirmation. The secret lives only in this
 * element's state while its dialog is open, and is dropped when it closes. The console's modal dialog
 * (modal-dialog.ts): the page behind is inert, Escape closes it, focus goes back to what opened it.
 */
export class KeysPage extends LitElement {
  static override properties = {
    ctx: { attribute: false },
    keys: { state: true },
    staff: { state: true },
    nextCursor: { state: true },
    loading: { state: true },
    busy: { state: true },
    error: { state: true },
    dialog: { state: true },
    outcome: { state: true },
    copied: { state: true },
    role: { state: true },
  };

  declare ctx: PageContext | undefined;
  declare keys: readonly ApiKeyInfo[];
  declare staff: readonly StaffMember[];
  declare nextCursor: string | null;
  declare loading: boolean;
  declare busy: boolean;
  declare error: KitError | undefined;
  declare dialog: Dialog | undefined;
  declare outcome: string;
  declare copied: 'yes' | 'no' | undefined;
  /** The role chosen in the create dialog: it decides whose the key may be. */
  declare role: ApiKeyRole;

  readonly #abort = new AbortController();
  readonly #modal = new ModalDialog(this, {
    isOpen: () => this.dialog !== undefined,
    busy: () => this.busy,
    // The secret is closed by its Done button only: Escape pressed by habit would lose it unread.
    keep: () => this.dialog?.kind === 'secret',
    close: () => {
      // The secret is forgotten with the dialog: nothing on the page can show it again.
      this.dialog = undefined;
      this.copied = undefined;
      // A refused revocation changed nothing and its dialog said so: the list needs no error under it.
      if (keyRevocationRefusal(this.error)) this.error = undefined;
    },
    fallback: () => this.querySelector('[data-testid="keys-status"]'),
  });

  constructor() {
    super();
    this.keys = [];
    this.staff = [];
    this.nextCursor = null;
    this.loading = true;
    this.busy = false;
    this.error = undefined;
    this.dialog = undefined;
    this.outcome = '';
    this.copied = undefined;
    this.role = 'viewer';
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#abort.abort();
  }

  async #load(): Promise<void> {
    this.loading = true;
    try {
      const [page, staff] = await Promise.all([
        readApiKeys(client, { limit: 100, signal: this.#abort.signal }),
        readAllStaff(client, this.#abort.signal),
      ]);
      this.keys = page.items;
      this.nextCursor = page.nextCursor;
      this.staff = staff;
      this.error = undefined;
    } catch (err) {
      if (!this.#abort.signal.aborted) this.error = kitError(err);
    } finally {
      this.loading = false;
    }
  }

  async #more(): Promise<void> {
    if (this.nextCursor === null) return;
    try {
      const page = await readApiKeys(client, { limit: 100, cursor: this.nextCursor, signal: this.#abort.signal });
      // A key created here while pages remained is on one of them too: keep the one already shown.
      const shown = new Set(this.keys.map((k) => k.id));
      this.keys = [...this.keys, ...page.items.filter((k) => !shown.has(k.id))];
      this.nextCursor = page.nextCursor;
    } catch (err) {
      this.error = kitError(err);
    }
  }

  #open(d: Dialog, e: Event): void {
    this.#modal.opening(e);
    this.error = undefined;
    this.copied = undefined;
    this.role = 'viewer';
    this.dialog = d;
  }

  async #create(e: Event): Promise<void> {
    e.preventDefault();
    if (this.busy) return;
    const form = e.target as HTMLFormElement;
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value;
    this.busy = true;
    this.error = undefined;
    try {
      const role = value('role') as ApiKeyRole;
      // A key that files or decides is the signed-in person's own: the API refuses any other owner.
      const staff = keyOwnerRule(this.ctx?.session, role).owner ?? value('staff');
      const issued = await issueApiKey(client, { role, label: value('label'), ...(staff ? { staff } : {}) });
      // Oldest first: while more pages remain, the new key is on the last of them, shown when it loads.
      if (this.nextCursor === null) this.keys = [...this.keys, issued.key];
      this.dialog = { kind: 'secret', issued };
      this.outcome = KEYS_WORDS[this.ctx?.locale ?? 'zh-CN'].created_(issued.key.label);
    } catch (err) {
      this.error = kitError(err);
    } finally {
      this.busy = false;
    }
    await this.#modal.focus(this.dialog?.kind === 'secret' ? 'dialog input[name="secret"]' : '[data-testid="keys-dialog-error"]');
  }

  async #copy(secret: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(secret);
      this.copied = 'yes';
    } catch {
      this.copied = 'no';
      this.querySelector<HTMLInputElement>('dialog input[name="secret"]')?.select();
    }
  }

  async #revoke(key: ApiKeyInfo): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error = undefined;
    try {
      const revoked = await revokeApiKey(client, key.id);
      this.keys = this.keys.map((k) => (k.id === revoked.id ? revoked : k));
      this.outcome = KEYS_WORDS[this.ctx?.locale ?? 'zh-CN'].revoked(key.label);
      this.busy = false;
      await this.#modal.dismiss(true);
    } catch (err) {
      this.error = kitError(err);
      this.busy = false;
      await this.#modal.focus('[data-testid="keys-dialog-error"]');
    }
  }

  #dialogBody() {
    const d = this.dialog;
    if (!d || !this.ctx) return nothing;
    const locale = this.ctx.locale;
    const w = KEYS_WORDS[locale];
    const roles = WORDS[locale].roles;
    const failure = this.#modal.refusal('keys-dialog-error', this.error ? `${w.failed}: ${whyFailed(this.error, locale)}` : '');
    if (d.kind === 'create') {
      const session = this.ctx.session;
      const rule = keyOwnerRule(session, this.role);
      const nobody = !keyOwnerRule(session, 'admin').allowed;
      const self = session.staff;
      return html`<h2 id="keys-dialog-h">${w.createTitle}</h2>
        <form @submit=${this.#create}>
          <label>${w.label}
            <input name="label" required maxlength=${API_KEY_LABEL_MAX} autocomplete="off">
          </label>
          <label>${w.role}
            <select name="role" aria-describedby="keys-role-hint" @change=${(e: Event) => {
              this.role = (e.target as HTMLSelectElement).value as ApiKeyRole;
            }}>
              ${ROLE_ORDER.map(
                (r) =>
                  html`<option value=${r} ?selected=${r === this.role} ?disabled=${!keyOwnerRule(session, r).allowed}>${roles[r] ?? r}</option>`,
              )}
            </select>
          </label>
          <p class="hint" id="keys-role-hint" data-testid="keys-role-hint">${nobody ? w.cliOnly : w.ownOnly}</p>
          <label>${w.owner}
            ${
              rule.owner !== undefined && self
                ? html`<select name="staff" disabled aria-describedby="keys-role-hint keys-owner-hint" data-testid="key-owner-locked">
                    <option value=${self.id} selected>${self.name} (${self.id} · ${roles[self.role] ?? self.role})</option>
                  </select>`
                : html`<select name="staff" aria-describedby="keys-owner-hint">
                    <option value="">${w.noOwner}</option>
                    ${this.staff.map((s) => html`<option value=${s.id}>${s.name} (${s.id} · ${roles[s.role] ?? s.role})</option>`)}
                  </select>`
            }
          </label>
          <p class="hint" id="keys-owner-hint">${w.ownerHint}</p>
          ${failure}
          <div class="actions">
            <button type="submit" aria-disabled=${this.busy ? 'true' : 'false'}>${this.busy ? w.creating : w.create}</button>
            <button type="button" @click=${() => this.#modal.dismiss()}>${w.cancel}</button>
          </div>
        </form>`;
    }
    if (d.kind === 'secret')
      return html`<h2 id="keys-dialog-h">${w.createdTitle}</h2>
        <p class="warning" id="keys-secret-warning">${w.secretWarning}</p>
        <label>${w.secret}
          <input name="secret" readonly .value=${d.issued.secret} aria-describedby="keys-secret-warning" data-testid="key-secret" autocomplete="off" spellcheck="false">
        </label>
        <p role="status" class="hint">${this.copied === 'yes' ? w.copied : this.copied === 'no' ? w.copyFailed : ''}</p>
        <div class="actions">
          <button type="button" data-testid="copy-secret" @click=${() => this.#copy(d.issued.secret)}>${w.copy}</button>
          <button type="button" data-testid="secret-done" @click=${() => this.#modal.dismiss()}>${w.done}</button>
        </div>`;
    // A refusal that leaves the key as it was (the last admin key, or the caller's own): said in the
    // console's words, and no second try offered, since it would be refused the same.
    const refused = keyRevocationRefusal(this.error);
    return html`<h2 id="keys-dialog-h">${w.revokeTitle(d.key.label)}</h2>
      <p class="warning">${w.revokeWarning}</p>
      ${refused ? this.#modal.refusal('keys-dialog-error', w.revokeRefused[refused](d.key.label), 'error', refused) : failure}
      <div class="actions">
        ${
          refused
            ? nothing
            : html`<button type="button" class="danger" data-testid="confirm-revoke" aria-disabled=${this.busy ? 'true' : 'false'} @click=${() => this.#revoke(d.key)}>${this.busy ? w.revoking : w.confirmRevoke}</button>`
        }
        <button type="button" data-testid="cancel-revoke" autofocus @click=${() => this.#modal.dismiss()}>${w.cancel}</button>
      </div>`;
  }

  override render() {
    if (!this.ctx) return nothing;
    const locale = this.ctx.locale;
    const w = KEYS_WORDS[locale];
    const roles = WORDS[locale].roles;
    const status = this.loading
      ? w.loading
      : this.error && this.dialog === undefined
        ? `${w.failed}: ${whyFailed(this.error, locale)}`
        : this.keys.length
          ? w.count(this.keys.length)
          : w.empty;
    return html`
      <section class="card keys" aria-labelledby="keys-h">
        <h2 id="keys-h">${w.title}</h2>
        <p class="hint">${w.hint}</p>
        <div class="actions">
          <button type="button" data-testid="create-key" @click=${(e: Event) => this.#open({ kind: 'create' }, e)}>${w.create}</button>
        </div>
        <p role="status" class="hint" data-testid="keys-status" tabindex="-1">${status}</p>
        ${
          this.keys.length
            ? html`<table class="keys-table" aria-labelledby="keys-h">
              <thead><tr>
                <th scope="col">${w.label}</th><th scope="col">${w.role}</th><th scope="col">${w.owner}</th>
                <th scope="col">${w.prefix}</th><th scope="col">${w.created}</th><th scope="col">${w.state}</th><th scope="col">${w.actions}</th>
              </tr></thead>
              <tbody>
                ${this.keys.map(
                  (k) => html`<tr data-key=${k.id} data-state=${k.state}>
                    <td>${k.label}</td>
                    <td>${roles[k.role] ?? k.role}</td>
                    <td>${k.staff ?? w.noOwner}</td>
                    <td><code>${k.prefix}…</code></td>
                    <td>${formatInstant(k.createdAt, locale)}</td>
                    <td>${w.states[k.state] ?? k.state}${k.revokedAt ? html` · ${formatInstant(k.revokedAt, locale)}` : nothing}</td>
                    <td>${
                      k.state === 'revoked'
                        ? nothing
                        : html`<button type="button" data-testid="revoke-key" aria-label=${w.revokeOf(k.label)} @click=${(e: Event) => this.#open({ kind: 'revoke', key: k }, e)}>${w.revoke}</button>`
                    }</td>
                  </tr>`,
                )}
              </tbody>
            </table>`
            : nothing
        }
        ${
          this.nextCursor !== null
            ? moreButton({
                loading: false,
                label: w.more,
                loadingLabel: w.loading,
                load: () => this.#more(),
                status: () => this.querySelector('[data-testid="keys-status"]'),
              })
            : nothing
        }
        <p role="status" class="hint" data-testid="keys-outcome">${this.outcome}</p>
      </section>
      ${this.#modal.render({ className: 'keys-dialog', testid: 'keys-dialog', labelledBy: 'keys-dialog-h' }, this.#dialogBody())}
    `;
  }
}

if (!customElements.get('admin-keys-page')) customElements.define('admin-keys-page', KeysPage);

/** Admins only, and not a book-scoped one: the API refuses both, so the navigation does not offer it. */
export const keysPage: ConsolePage = {
  id: 'keys',
  title: { 'zh-CN': 'API 密钥', 'zh-TW': 'API 金鑰', en: 'API keys' },
  visible: (session) => hasRole(session, 'admin') && !isBookScoped(session),
  render: (ctx) => html`<admin-keys-page data-page .ctx=${ctx}></admin-keys-page>`,
};
