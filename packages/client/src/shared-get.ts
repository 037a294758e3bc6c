import { abortReason } from './errors.js';

/**
 * One in-flight GET that several callers wait for. The request is aborted only when every caller
 * has given up — one widget going away must not cancel the response its neighbours still need.
 *
 * #private members: esbuild shortens them in the widgets' bundle, where `private` names are kept
 * as written (tierkit.js is held to a gzip budget, packages/components/README.md).
 */
export class SharedGet<T> {
  readonly #controller = new AbortController();
  readonly #promise: Promise<T>;
  #waiters = 0;

  constructor(run: (signal: AbortSignal) => Promise<T>) {
    this.#promise = run(this.#controller.signal);
    // Errors are delivered to each waiter; this keeps a rejection nobody waits for any more quiet.
    this.#promise.catch(() => undefined);
  }

  /** True while at least one caller still waits. */
  get live(): boolean {
    return !this.#controller.signal.aborted;
  }

  /** Waits for the shared result; `signal` aborts this caller's wait alone. */
  join(signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    this.#waiters++;
    if (!signal) return this.#promise;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        if (--this.#waiters === 0) this.#controller.abort();
        reject(abortReason(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#promise.then(
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
}
