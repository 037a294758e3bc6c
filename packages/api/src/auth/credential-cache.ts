import type { Principal } from './principal.js';

/**
 * How long a verified credential is trusted without asking the database again, by default. A key
 * revoked or a signing key rotated by another process (the `tierkit` CLI) is refused within this
 * many seconds; revoked through this process (`revokeKey`, `rotateSigningKey`), at once.
 */
export const CREDENTIAL_CACHE_SECONDS = 5;

/** Most credentials remembered at once; past it the oldest is forgotten. */
export const CREDENTIAL_CACHE_ENTRIES = 10_000;

let generation = 0;

/**
 * A credential stopped being valid in this process: every cache forgets what it verified before.
 * Revocations are rare, so starting over costs nothing that matters. Call it once the change has
 * committed, never inside its transaction: a verification that starts after this call must read the
 * change, or it is kept as fresh (`stamp`) with the old state.
 */
export function credentialsChanged(): void {
  generation++;
}

interface Entry {
  readonly principal: Principal;
  readonly until: number;
  readonly generation: number;
}

/** Principals of recently verified credentials, each trusted until its deadline (ms on the app's clock). */
export class CredentialCache {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = CREDENTIAL_CACHE_ENTRIES,
  ) {}

  /**
   * Where the credential changes stand now: read it before verifying, and hand it to `set`, so a
   * verification that a revocation or a staff change overtook is not kept as fresh.
   */
  stamp(): number {
    return generation;
  }

  get(credential: string, nowMs: number): Principal | undefined {
    const entry = this.#entries.get(credential);
    if (!entry) return undefined;
    if (entry.until > nowMs && entry.generation === generation) return entry.principal;
    this.#entries.delete(credential);
    return undefined;
  }

  /**
   * Remember a verified credential; `expiresMs` caps the deadline (a token's own expiry). `since` is
   * the `stamp()` read before verifying: when credentials changed meanwhile, nothing is kept.
   */
  set(credential: string, principal: Principal, nowMs: number, expiresMs = Number.POSITIVE_INFINITY, since = generation): void {
    if (this.ttlMs <= 0 || since !== generation) return;
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(credential, { principal, until: Math.min(nowMs + this.ttlMs, expiresMs), generation });
  }
}
