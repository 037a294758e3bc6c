import type { HttpTierkitClient, Session } from '@tierkit/client';
import { KitStore, type KitError, type Status } from './kit-store.js';

export interface SessionState {
  readonly status: Status;
  readonly session: Session | undefined;
  readonly error: KitError | undefined;
}

/** Who is signed in: the API's own answer (`GET /v1/session`), never a guess from the token. */
export class SessionStore extends KitStore<SessionState> {
  readonly #client: Pick<HttpTierkitClient, 'getSession' | 'invalidate'>;

  constructor(client: Pick<HttpTierkitClient, 'getSession' | 'invalidate'>) {
    super({ status: 'idle', session: undefined, error: undefined });
    this.#client = client;
  }

  /** Ask the API who the credential is. A 401 (expired, revoked) leaves no session and the error. */
  async load(): Promise<Session | undefined> {
    this.set({ status: 'loading', error: undefined });
    const session = await this.run(
      'session',
      (signal) => this.#client.getSession({ signal }),
      (error) => this.set({ status: 'error', session: undefined, error }),
    );
    if (session) this.set({ status: 'ready', session });
    return session;
  }

  /** Ask again, past the client's cache (after a role change, say). */
  refresh(): Promise<Session | undefined> {
    this.#client.invalidate('/v1/session');
    return this.load();
  }

  /** Forget the session (sign-out); the host drops its token. */
  clear(): void {
    this.cancel();
    this.set({ status: 'idle', session: undefined, error: undefined });
  }
}

/** Whether the signed-in person reads only their own book (a relationship manager). */
export function isBookScoped(session: Session | undefined): boolean {
  return session?.book != null;
}

/** The API's roles, weakest first; each includes what the ones before it may do (staff's and keys' alike). */
export const ROLE_ORDER = ['viewer', 'analyst', 'officer', 'approver', 'admin'] as const satisfies readonly Session['role'][];

/**
 * Whether the session's role is `role` or stronger: for what a screen offers (an approve button, say).
 * The API still decides every request; this only avoids offering what it would refuse.
 */
export function hasRole(session: Session | undefined, role: OrderedRole): boolean {
  return session !== undefined && roleAtLeast(session.role, role);
}

/** A role of `ROLE_ORDER` (not `auditor`, which is outside it). */
export type OrderedRole = (typeof ROLE_ORDER)[number];

/** Whether `role` is `needed` or stronger, in `ROLE_ORDER`; never for an auditor, who is outside the order. */
export function roleAtLeast(role: Session['role'], needed: OrderedRole): boolean {
  const at = (ROLE_ORDER as readonly string[]).indexOf(role);
  return at >= 0 && at >= ROLE_ORDER.indexOf(needed);
}

/**
 * Whether the signed-in person is internal audit: they read the trail and governance and decide nothing,
 * so the console offers them no action (the API refuses every one).
 */
export function isAuditor(session: Session | undefined): boolean {
  return session?.role === 'auditor';
}

/**
 * Whether the signed-in person filed a request (an approvals-queue item, an override): the API's
 * `requestedByYou`, by person as four eyes compares (a key they own counts). An API from before that
 * field leaves it out: then the request's `requestedBy` compared with the session's own credential,
 * which misses what they filed with another credential of theirs (the API still refuses it).
 */
export function filedBySession(
  item: { readonly requestedBy: string; readonly requestedByYou?: boolean },
  session: Session | undefined,
): boolean {
  return item.requestedByYou ?? (session !== undefined && item.requestedBy === session.actor);
}
