import { Store } from '@tanstack/store';
import type { Problem, ProblemFieldError } from '@tierkit/core';

/*
 * The pattern every store of the kit follows (packages/admin/README.md, "Adding a store"): state in
 * one TanStack Store, plain data only; a status that says what the screen shows (loading, error,
 * empty, ready); every request cancellable, and a newer request cancelling the older one; refresh.
 */

/** What a screen shows for a store: nothing asked yet, waiting, an answer, or a problem. */
export type Status = 'idle' | 'loading' | 'ready' | 'error';

/** An error as a screen shows it: the API's RFC 9457 problem, or one made from a network failure. */
export interface KitError {
  readonly status: number;
  readonly title: string;
  readonly detail?: string;
  /** The problem's `type` URI (`https://tierkit.dev/problems/subject-not-found`), when the API sent one. */
  readonly type?: string;
  /**
   * A validation problem's field errors (`document.policy.levels[0].when.value`: what is wrong), with
   * the API's stable `code` and `params` where it gives them.
   */
  readonly errors?: readonly ProblemFieldError[];
}

/** Turn anything a request threw into a KitError. */
export function kitError(err: unknown): KitError {
  if (err && typeof err === 'object' && 'problem' in err) {
    const p = (err as { problem: Problem }).problem;
    return {
      status: p.status,
      title: p.title,
      type: p.type,
      ...(p.detail !== undefined ? { detail: p.detail } : {}),
      ...(p.errors?.length ? { errors: p.errors } : {}),
    };
  }
  return { status: 0, title: err instanceof Error ? err.message : String(err) };
}

function isAbort(err: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (err instanceof Error && err.name === 'AbortError');
}

/**
 * Base of every store: the state, a subscription that any framework can adapt, and `run`, which
 * performs one request at a time per lane — starting a request aborts the previous one of the same
 * lane, and an aborted request never writes state.
 */
export abstract class KitStore<S extends object> {
  readonly store: Store<S>;
  readonly #lanes = new Map<string, AbortController>();

  protected constructor(initial: S) {
    this.store = new Store(initial);
  }

  /** The current state (immutable: every change is a new object). */
  get state(): S {
    return this.store.state;
  }

  /** Call `listener` after every change; returns the function that stops it. */
  subscribe(listener: (state: S) => void): () => void {
    const sub = this.store.subscribe(() => listener(this.store.state));
    return () => sub.unsubscribe();
  }

  protected set(patch: Partial<S> | ((prev: S) => Partial<S>)): void {
    this.store.setState((prev) => ({ ...prev, ...(typeof patch === 'function' ? patch(prev) : patch) }));
  }

  /**
   * Run `request` on `lane`, aborting the lane's previous request. Resolves to its result, or to
   * undefined when it was aborted or failed (`onError` has then been told, unless aborted).
   */
  protected async run<T>(
    lane: string,
    request: (signal: AbortSignal) => Promise<T>,
    onError: (e: KitError) => void,
  ): Promise<T | undefined> {
    this.#lanes.get(lane)?.abort();
    const controller = new AbortController();
    this.#lanes.set(lane, controller);
    try {
      const out = await request(controller.signal);
      return controller.signal.aborted ? undefined : out;
    } catch (err) {
      if (!isAbort(err, controller.signal)) onError(kitError(err));
      return undefined;
    } finally {
      if (this.#lanes.get(lane) === controller) this.#lanes.delete(lane);
    }
  }

  /** Abort every request in flight (a lane, or all); the state keeps what it had. */
  cancel(lane?: string): void {
    for (const [name, c] of this.#lanes) {
      if (lane !== undefined && name !== lane) continue;
      c.abort();
      this.#lanes.delete(name);
    }
  }

  /** Whether a request is in flight on `lane`. */
  protected busy(lane: string): boolean {
    return this.#lanes.has(lane);
  }
}
