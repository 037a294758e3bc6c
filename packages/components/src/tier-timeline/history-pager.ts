import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { HistoryResponse, HistoryEvent } from '@tierkit/core';
import type { TierkitClient } from '@tierkit/client';
import { TkErrorEvent } from '../common/events.js';
import { blockRefusal } from '../common/resource.js';

/** A connected first page with the inputs it was read with. */
export interface FirstPage {
  readonly page: HistoryResponse;
  readonly client: TierkitClient;
  readonly subject: string;
  readonly scheme: string | undefined;
  readonly limit: number;
}

/** The next page to read: the first page's inputs and the cursor that continues them. */
interface Paging extends FirstPage {
  readonly cursor: string;
}

/** Why a later page was refused for good (resource.ts). */
export type PageRefusal = NonNullable<ReturnType<typeof blockRefusal>>;

/** `error`: the last page failed and may be retried; a refusal: it failed for good, paging stopped. */
export type PagerStatus = 'idle' | 'pending' | 'error' | PageRefusal;

export interface HistoryPagerOptions {
  /** Called when a new first page starts a new history: the host resets its scroll and focus. */
  readonly onReset: () => void;
}

/**
 * Pages through one subject's history beyond the first page (which a ResourceController loads):
 * keeps every event loaded so far, the cursor of the next page with the inputs of the first (later
 * pages continue that subject's history whatever the attributes say by then), and whether a page is
 * on its way or failed. A new first page starts over; a stale answer is dropped. The element only
 * asks for `events(first)` and calls `loadMore()`; scrolling and rendering stay with it.
 */
export class HistoryPager implements ReactiveController {
  readonly #host: ReactiveControllerHost & EventTarget;
  readonly #onReset: () => void;
  #first: FirstPage | undefined;
  #all: readonly HistoryEvent[] = [];
  #paging: Paging | null = null;
  #status: PagerStatus = 'idle';
  #abort: AbortController | undefined;

  constructor(host: ReactiveControllerHost & EventTarget, options: HistoryPagerOptions) {
    this.#host = host;
    this.#onReset = options.onReset;
    host.addController(this);
  }

  /** Whether a page is loading or the last one failed (which stops automatic paging), and why if for good. */
  get status(): PagerStatus {
    return this.#status;
  }

  /** True while there are earlier changes to load. */
  get hasMore(): boolean {
    return this.#paging !== null;
  }

  /** Every event loaded so far for `first` (the first page and those after it); undefined without one. */
  events(first: FirstPage | undefined): readonly HistoryEvent[] | undefined {
    if (first !== this.#first) {
      this.#first = first;
      this.#abort?.abort();
      this.#abort = undefined;
      this.#all = first?.page.items ?? [];
      this.#paging = first?.page.nextCursor ? { ...first, cursor: first.page.nextCursor } : null;
      this.#status = 'idle';
      this.#onReset();
    }
    return first ? this.#all : undefined;
  }

  /** Fetches the next page; a failure dispatches `tk-error` and stops automatic paging until `retry()`. */
  async loadMore(): Promise<void> {
    const paging = this.#paging;
    if (!paging || this.#status !== 'idle') return;
    const { client, subject, scheme, limit, cursor } = paging;
    const abort = (this.#abort = new AbortController());
    this.#status = 'pending';
    this.#host.requestUpdate();
    try {
      const page = await client.getHistory(subject, { cursor, limit, signal: abort.signal, ...(scheme ? { scheme } : {}) });
      if (abort !== this.#abort || paging !== this.#paging) return;
      this.#all = [...this.#all, ...page.items];
      this.#paging = page.nextCursor ? { ...paging, cursor: page.nextCursor } : null;
      this.#status = 'idle';
    } catch (error) {
      if (abort !== this.#abort) return;
      // Refused for good (an ended session, a credential that may not read it, a subject gone): no
      // retry can cure it, so there is nothing more to load; the status says why. A network failure or
      // a 5xx is an `error`, which keeps its retry.
      const refused = blockRefusal(error);
      this.#status = refused ?? 'error';
      if (refused) this.#paging = null;
      // Built first: the manifest analyzer would read an inline `new X('history')` as an event named 'history'.
      const failed = new TkErrorEvent('history', error);
      this.#host.dispatchEvent(failed);
    }
    this.#abort = undefined;
    this.#host.requestUpdate();
  }

  /** The "load earlier changes" button: tries again after a failure, or loads now. */
  retry(): Promise<void> {
    if (this.#status === 'error') this.#status = 'idle';
    return this.loadMore();
  }

  hostDisconnected(): void {
    this.#abort?.abort();
    this.#abort = undefined;
    if (this.#status === 'pending') this.#status = 'idle';
  }
}
