import { expect, fixture, html } from '@open-wc/testing';
import { type Job, Jobs } from '@tierkit/admin';
import { StoreController } from '@tierkit/admin/lit';
import type { HttpTierkitClient } from '@tierkit/client';
import { LitElement } from 'lit';

/*
 * The jobs store following a job's event stream drives a Lit host: the browser's own fetch body
 * stream, pushed chunk by chunk (an event split across chunks, too), re-renders the host at each
 * progress event and at the end; disconnecting the host stops following and cancels the body.
 */

function job(done: number, status: Job['status'] = 'running'): Job {
  return {
    id: 'job_1',
    kind: 'retier',
    status,
    params: { schemes: null, period: '2026-11', filter: {}, reason: null, dependents: [] },
    requestedBy: 'staff:MAKER01',
    requestedByStaff: 'MAKER01',
    scheduleKey: null,
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    finishedAt: null,
    error: null,
    progress: { chunks: { total: 2, done: done === 10 ? 2 : 1 }, subjects: { total: 10, processed: done, skipped: 0 } },
    summary: { changes: 0, schemes: [], approvalRequired: 0, matrix: [] },
  };
}

/** A client whose event stream the test writes; `cancelled` tells when the reader gave up the body. */
function streamingClient() {
  const encoder = new TextEncoder();
  let push!: (text: string) => void;
  let close!: () => void;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      push = (t) => controller.enqueue(encoder.encode(t));
      close = () => controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  const client = {
    invalidate: () => undefined,
    http: {
      get: () => Promise.reject(new Error('not used')),
      send: () => Promise.reject(new Error('not used')),
      fetch: () => Promise.resolve(new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } })),
    },
  } as unknown as Pick<HttpTierkitClient, 'http' | 'invalidate'>;
  return { client, push: (t: string) => push(t), close: () => close(), cancelled: () => cancelled };
}

class JobView extends LitElement {
  jobs!: StoreController<Jobs['state'], Jobs>;
  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.jobs.store.cancel();
  }
  override render() {
    const s = this.jobs.state;
    return html`<progress max="10" .value=${s.job?.progress.subjects.processed ?? 0}></progress><output>${s.job?.status ?? '—'}:${s.following}</output>`;
  }
}
customElements.define('kit-job-view', JobView);

const text = (el: JobView) => el.shadowRoot?.querySelector('output')?.textContent;
const value = (el: JobView) => el.shadowRoot?.querySelector('progress')?.value;
async function until(el: JobView, check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) {
    await new Promise((r) => setTimeout(r, 10));
    await el.updateComplete;
  }
}

describe('Jobs store in a Lit host (following a job’s event stream)', () => {
  it('each progress event re-renders the host, and the end stops following', async () => {
    const s = streamingClient();
    const el = document.createElement('kit-job-view') as JobView;
    el.jobs = new StoreController(el, new Jobs(s.client));
    await fixture(html`<div>${el}</div>`);
    const following = el.jobs.store.follow('job_1');
    await until(el, () => text(el) === '—:stream');
    expect(text(el)).to.equal('—:stream');

    s.push(`event: progress\ndata: ${JSON.stringify(job(5))}\nid: 0\n\n`);
    await until(el, () => value(el) === 5);
    expect(text(el)).to.equal('running:stream');

    // An event split across two chunks is one event.
    const end = `event: end\ndata: ${JSON.stringify(job(10, 'completed'))}\nid: 1\n\n`;
    s.push(end.slice(0, 20));
    s.push(end.slice(20));
    await following;
    await until(el, () => text(el) === 'completed:no');
    expect(text(el)).to.equal('completed:no');
    expect(value(el)).to.equal(10);
  });

  it('disconnecting the host stops following and cancels the stream', async () => {
    const s = streamingClient();
    const el = document.createElement('kit-job-view') as JobView;
    el.jobs = new StoreController(el, new Jobs(s.client));
    await fixture(html`<div>${el}</div>`);
    const following = el.jobs.store.follow('job_1');
    s.push(`event: progress\ndata: ${JSON.stringify(job(3))}\n\n`);
    await until(el, () => value(el) === 3);
    el.remove();
    await following;
    expect(s.cancelled()).to.equal(true);
    expect(el.jobs.state.job?.status).to.equal('running', 'the job itself runs on');
  });
});
