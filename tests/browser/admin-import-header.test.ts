import { expect, fixture, html } from '@open-wc/testing';
import { ImportStore } from '@tierkit/admin';
import { StoreController } from '@tierkit/admin/lit';
import type { HttpTierkitClient } from '@tierkit/client';
import { LitElement } from 'lit';

/*
 * The import page maps columns from the header the browser reads itself: a slice of the picked File,
 * decoded by the browser's own TextDecoder — GBK included, as core banking exports are. Reading the
 * header sends nothing.
 */

// `客户号,"姓名, 全称",日均余额` CRLF, then a row, encoded in GBK.
const GBK = new Uint8Array([
  191, 205, 187, 167, 186, 197, 44, 34, 208, 213, 195, 251, 44, 32, 200, 171, 179, 198, 34, 44, 200, 213, 190, 249, 211, 224, 182, 238, 13,
  10, 67, 49, 44, 213, 197, 200, 253, 44, 49, 10,
]);

// `客戶號,姓名` CRLF, then a row, encoded in Big5 (Taiwan's and Hong Kong's core banking).
const BIG5 = new Uint8Array([171, 200, 164, 225, 184, 185, 44, 169, 109, 166, 87, 13, 10, 81, 49, 44, 179, 175, 172, 252, 172, 194, 10]);

let requests = 0;
const client = {
  http: {
    get: () => {
      requests++;
      return Promise.reject(new Error('no request expected'));
    },
    send: () => Promise.reject(new Error('no request expected')),
    fetch: () => {
      requests++;
      return Promise.reject(new Error('no request expected'));
    },
  },
  invalidate: () => undefined,
} as unknown as HttpTierkitClient;

class HeaderView extends LitElement {
  readonly imports = new StoreController(this, new ImportStore(client));
  override render() {
    return html`<output>${this.imports.state.status}|${this.imports.state.columns.join('/')}</output>`;
  }
}
customElements.define('kit-import-header-view', HeaderView);

const text = (el: HeaderView) => el.shadowRoot?.querySelector('output')?.textContent;

describe('ImportStore in a browser', () => {
  it('reads a GBK header from a picked File with the browser’s TextDecoder, and the host shows it', async () => {
    const el = await fixture<HeaderView>(html`<kit-import-header-view></kit-import-header-view>`);
    await el.imports.store.configure({ encoding: 'gbk' });
    await el.imports.store.pick(new File([GBK], 'export.csv', { type: 'text/csv' }));
    await el.updateComplete;
    expect(text(el)).to.equal('ready|客户号/姓名, 全称/日均余额');
    expect(el.imports.state.file?.name).to.equal('export.csv');
    // Read as UTF-8 instead, the same bytes are not the same headers: the encoding matters.
    await el.imports.store.configure({ encoding: 'utf-8' });
    await el.updateComplete;
    expect(el.imports.state.columns[0]).to.not.equal('客户号');
    expect(requests).to.equal(0);
  });

  it('reads a Big5 header too', async () => {
    const el = await fixture<HeaderView>(html`<kit-import-header-view></kit-import-header-view>`);
    await el.imports.store.configure({ encoding: 'big5' });
    await el.imports.store.pick(new File([BIG5], 'export.csv', { type: 'text/csv' }));
    await el.updateComplete;
    expect(text(el)).to.equal('ready|客戶號/姓名');
  });
});
