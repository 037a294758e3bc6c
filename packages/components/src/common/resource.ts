import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { TkErrorEvent, TkLoadEvent } from './events.js';

/** Where a resource is: nothing to load yet, loading, loaded, failed. */
export const ResourceStatus = {
  initial: 'initial',
  pending: 'pending',
  complete: 'complete',
  error: 'error',
} as const;
export type ResourceStatus = (typeof ResourceStatus)[keyof typeof ResourceStatus];

export interface ResourceOptions<T, A extends readonly unknown[]> {
  /** Names the read in `tk-load` / `tk-error` events (`tiers`, `entitlements` …). */
  readonly name: string;
  /**
   * The inputs of the read, compared item by item (===) before every render; a change starts a new
   * run. Return undefined while something is missing (no client, no subject): the status stays
   * `initial` and nothing is fetched.
   */
  readonly args: () => A | undefined;
  /** The read. It must honour `signal`; a run whose args went stale is aborted and its result dropped. */
  readonly load: (args: A, signal: AbortSignal) => Promise<T>;
  /** The host's controlled value: when it returns anything but undefined, that is the value and nothing is fetched. */
  readonly data?: () => T | undefined;
}

type Host = ReactiveControllerHost & EventTarget;

/**
 * Loads a widget's data through the provider's client, or takes the host's controlled `data`.
 *
 * @example
 * ```ts
 * private readonly tiers = new ResourceController(this, {
 *   name: 'tiers',
 *   args: () => (this.client && this.subjectId ? [this.client, this.subjectId] as const : undefined),
 *   load: ([client, id], signal) => client.getTiers(id, { signal }),
 *   data: () => this.data,
 * });
 * ```
 */
export class ResourceController<T, A extends readonly unknown[] = readonly unknown[]> implements ReactiveController {
  readonly #host: Host;
  readonly #options: ResourceOptions<T, A>;
  #lastArgs: A | undefined;
  /** Set by retry() and by a removal mid-run: load the same args again, keeping the value meanwhile. */
  // Undefined at first, as false: no initializer, which would be bytes of both bundles (README).
  #reload: boolean | undefined;
  #abort: AbortController | undefined;
  #run = 0;
  #_status: ResourceStatus = 'initial';
  #_value: T | undefined;
  #_error: unknown;

  constructor(host: Host, options: ResourceOptions<T, A>) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  get status(): ResourceStatus {
    return this.#_status;
  }
  /**
   * The value of the current args. Kept while the same args load again (a retry), so a refresh need
   * not blank the widget; dropped as soon as the args change (another subject, filter, scheme …), so
   * a widget never shows one customer's data under another's name while the new read is pending; and
   * dropped when a read fails, so the error is never drawn over data the failed read should replace.
   */
  get value(): T | undefined {
    return this.#_value;
  }
  get error(): unknown {
    return this.#_error;
  }

  /** Loads again with the same inputs — what the error state's retry button calls. */
  retry(): void {
    this.#reload = true;
    this.#host.requestUpdate();
  }

  hostUpdate(): void {
    const controlled = this.#options.data?.();
    if (controlled !== undefined) {
      this.#cancel();
      this.#lastArgs = undefined;
      this.#_value = controlled;
      this.#_error = undefined;
      this.#_status = 'complete';
      return;
    }
    const args = this.#options.args();
    if (args === undefined) {
      this.#cancel();
      this.#lastArgs = undefined;
      this.#_value = undefined;
      this.#_error = undefined;
      this.#_status = 'initial';
      return;
    }
    const same = this.#lastArgs !== undefined && sameArgs(this.#lastArgs, args);
    if (same && !this.#reload) return;
    if (!same) {
      // Another subject (or filter …): the old value describes someone else, so it must not stay on screen.
      this.#_value = undefined;
      this.#_error = undefined;
    }
    this.#reload = false;
    this.#lastArgs = args;
    void this.#start(args);
  }

  hostDisconnected(): void {
    // A run cut short by removal must run again if the element comes back.
    if (this.#abort) this.#reload = true;
    this.#cancel();
  }

  #cancel(): void {
    this.#abort?.abort();
    this.#abort = undefined;
    this.#run++;
  }

  async #start(args: A): Promise<void> {
    this.#cancel();
    const id = this.#run;
    const abort = (this.#abort = new AbortController());
    this.#_status = 'pending';
    try {
      const value = await this.#options.load(args, abort.signal);
      if (id !== this.#run) return;
      this.#_value = value;
      this.#_error = undefined;
      this.#_status = 'complete';
      this.#abort = undefined;
      this.#host.requestUpdate();
      this.#host.dispatchEvent(new TkLoadEvent(this.#options.name));
    } catch (error) {
      if (id !== this.#run) return;
      this.#_value = undefined;
      this.#_error = error;
      this.#_status = 'error';
      this.#abort = undefined;
      this.#host.requestUpdate();
      this.#host.dispatchEvent(new TkErrorEvent(this.#options.name, error));
    }
  }
}

function sameArgs(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Why a read failed for good: the words a widget says, with no retry (it would get the same answer). */
export type Refusal = 'signed-out' | 'forbidden' | 'not-found' | 'unavailable';

/**
 * Why a read failed for good, where a retry would get the same answer — or undefined for a failure
 * worth retrying (network, 5xx). `signed-out`: the credential was refused (401), the embed token
 * expired (15 minutes at most) or was revoked; the host mints a new token (a `tk-error` event tells
 * it), and `reload()` on the provider (after a new token) reads every widget again. `forbidden`: the credential may
 * not read it (403) — an embed token asked for another customer, a page at an origin the token does not
 * name, a role too low, another RM's book: the widget cannot tell which, so it names none. A 404 is an
 * unknown customer (`not-found`) only when the API says so (`…/subject-not-found`); any other 404 (a
 * wrong base URL answers a plain `…/not-found`) is `unavailable`: no customer is named for what may be
 * a misconfigured page. The block widgets also tell a scheme apart (`blockRefusal`).
 */
export function refusal(error: unknown): Refusal | undefined {
  const e = error as { status?: unknown; problem?: { type?: string } } | null | undefined;
  const status = e?.status;
  // test() reads a missing type as "undefined", no match: fewer bytes than a check (the badge's budget, README).
  return status === 401
    ? 'signed-out'
    : status === 403
      ? 'forbidden'
      : status === 404
        ? /\/subject-not-found$/.test(e?.problem?.type as string)
          ? 'not-found'
          : 'unavailable'
        : undefined;
}

/**
 * `refusal`, and a scheme the tenant does not have (404 `…/scheme-not-found`). Apart so that the
 * badge, which reads no scheme by name and whose bundle is at its budget (README), does not carry it.
 */
export function blockRefusal(error: unknown): Refusal | 'scheme-not-found' | undefined {
  const reason = refusal(error);
  return reason === 'unavailable' && /scheme-not-found$/.test((error as { problem?: { type?: string } }).problem?.type as string)
    ? 'scheme-not-found'
    : reason;
}
