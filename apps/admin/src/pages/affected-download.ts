import { fetchAffectedCsv, type KitError, kitError } from '@tierkit/admin';
import { html, LitElement, nothing } from 'lit';
import { client } from '../console-client.js';
import { downloadBlob } from '../csv.js';
import { whyFailed } from '../why-failed.js';
import type { ConsoleLocale } from '../words.js';
import { COMPARISON_WORDS } from './simulation-comparison.words.js';

/**
 * The affected-customer CSV of a completed simulation (`GET /v1/jobs/{id}/affected`), on the policy
 * editor's simulation and the approval card. Fetched with the session's bearer token (a link cannot
 * carry it) by the kit's fetchAffectedCsv, then offered as a download under the API's file name.
 * Light DOM, so the page's button and status styles apply.
 */
export class AffectedDownload extends LitElement {
  static override properties = { job: {}, locale: {}, state: { state: true } };

  declare job: string | undefined;
  declare locale: ConsoleLocale;
  declare state: { readonly status: 'idle' | 'loading' | 'ready' | 'error'; readonly file?: string; readonly error?: KitError };

  #abort: AbortController | undefined;

  constructor() {
    super();
    this.locale = 'zh-CN';
    this.state = { status: 'idle' };
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#abort?.abort();
  }

  async #download(): Promise<void> {
    const job = this.job;
    // aria-disabled, not disabled, while it loads: a disabled button would drop the keyboard focus.
    if (!job || this.state.status === 'loading') return;
    const abort = (this.#abort = new AbortController());
    this.state = { status: 'loading' };
    try {
      const file = await fetchAffectedCsv(client, job, { locale: this.locale, signal: abort.signal });
      if (abort.signal.aborted) return;
      downloadBlob(file.fileName, file.blob);
      this.state = { status: 'ready', file: file.fileName };
    } catch (e) {
      if (!abort.signal.aborted) this.state = { status: 'error', error: kitError(e) };
    }
  }

  override render() {
    const w = COMPARISON_WORDS[this.locale];
    const s = this.state;
    return html`<p class="affected-download">
      <button type="button" data-action="download-affected" aria-disabled=${s.status === 'loading' ? 'true' : 'false'}
        aria-describedby="affected-${this.job}-status" @click=${() => this.#download()}>${w.download}</button>
      <span id="affected-${this.job}-status" role="status" data-testid="affected-status">${
        s.status === 'loading' ? w.downloading : s.status === 'ready' && s.file ? w.downloaded(s.file) : nothing
      }</span>
    </p>
    ${s.status === 'error' ? html`<p role="alert" class="error" data-testid="affected-error">${w.downloadFailed(whyFailed(s.error, this.locale))}</p>` : nothing}`;
  }
}

if (!customElements.get('admin-affected-download')) customElements.define('admin-affected-download', AffectedDownload);
