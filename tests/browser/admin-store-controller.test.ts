import { expect, fixture, html } from '@open-wc/testing';
import { KitStore, type Status } from '@tierkit/admin';
import { StoreController } from '@tierkit/admin/lit';
import { LitElement } from 'lit';

/*
 * The Lit adapter of the kit: a host re-renders on every change of its store while connected, stops
 * listening when disconnected, and shows what changed meanwhile when it comes back. The store is a
 * real KitStore (the base every kit store extends), with its lanes and cancellation.
 */

interface CountState {
  readonly status: Status;
  readonly count: number;
}

class CountStore extends KitStore<CountState> {
  constructor() {
    super({ status: 'idle', count: 0 });
  }
  bump(): void {
    this.set((s) => ({ count: s.count + 1, status: 'ready' }));
  }
  /** A request on lane `slow` that waits for `release`; a newer one aborts it. */
  async slow(release: Promise<number>): Promise<void> {
    this.set({ status: 'loading' });
    const n = await this.run(
      'slow',
      (signal) =>
        new Promise<number>((resolve, reject) => {
          signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
          void release.then(resolve);
        }),
      () => this.set({ status: 'error' }),
    );
    if (n !== undefined) this.set({ status: 'ready', count: n });
  }
}

class CountView extends LitElement {
  renders = 0;
  readonly counter = new StoreController(this, new CountStore());
  override render() {
    this.renders++;
    return html`<output>${this.counter.state.status}:${this.counter.state.count}</output>`;
  }
}
customElements.define('kit-count-view', CountView);

const text = (el: CountView) => el.shadowRoot?.querySelector('output')?.textContent;

describe('StoreController (the kit’s Lit adapter)', () => {
  it('re-renders the host on every change of the store', async () => {
    const el = await fixture<CountView>(html`<kit-count-view></kit-count-view>`);
    expect(text(el)).to.equal('idle:0');
    el.counter.store.bump();
    await el.updateComplete;
    expect(text(el)).to.equal('ready:1');
  });

  it('stops listening when disconnected and shows the latest state when connected again', async () => {
    const el = await fixture<CountView>(html`<kit-count-view></kit-count-view>`);
    const parent = el.parentElement!;
    el.remove();
    const before = el.renders;
    el.counter.store.bump();
    el.counter.store.bump();
    await new Promise((r) => setTimeout(r, 0));
    expect(el.renders).to.equal(before, 'no render while disconnected');
    parent.append(el);
    await el.updateComplete;
    expect(text(el)).to.equal('ready:2');
  });

  it('a newer request on a lane cancels the older one: only the newer answer is shown', async () => {
    const el = await fixture<CountView>(html`<kit-count-view></kit-count-view>`);
    let releaseOld!: (n: number) => void;
    let releaseNew!: (n: number) => void;
    const old = el.counter.store.slow(new Promise<number>((r) => (releaseOld = r)));
    await el.updateComplete;
    expect(text(el)).to.equal('loading:0');
    const newer = el.counter.store.slow(new Promise<number>((r) => (releaseNew = r)));
    releaseNew(7);
    releaseOld(99);
    await Promise.all([old, newer]);
    await el.updateComplete;
    expect(text(el)).to.equal('ready:7');
  });
});
