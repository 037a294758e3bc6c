import { abortReason } from './errors.js';

/**
 * One in-flight GET that several callers wait for. The request is aborted only when every caller
 * has given up — one widget going away must not cancel the response its neighbours still need.
 */
export class SharedGet<T> {
  private readonly controller = new AbortController();
  private readonly promise: Promise<T>;
  private waiters = 0;
  /** Resolves when the request ends, however it ends; never rejects. */
  readonly settled: Promise<void>;

  constructor(run: (signal: AbortSignal) => Promise<T>) {
    this.promise = run(this.controller.signal);
    // Errors are delivered to each waiter; this also keeps an unwatched rejection quiet.
    this.settled = this.promise.then(
      () => undefined,
      () => undefined,
    );
  }

  /** True while at least one caller still waits. */
  get live(): boolean {
    return !this.controller.signal.aborted;
  }

  /** Waits for the shared result; `signal` aborts this caller's wait alone. */
  join(signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    this.waiters++;
    if (!signal) return this.promise;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        this.leave();
        reject(abortReason(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.promise.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  private leave(): void {
    this.waiters--;
    if (this.waiters === 0) this.controller.abort();
  }
}
