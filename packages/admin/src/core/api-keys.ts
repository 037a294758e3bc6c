import type { HttpTierkitClient, Session } from '@tierkit/client';
import type { KitError } from './kit-store.js';
import { ROLE_ORDER, roleAtLeast } from './session.js';

/** A key's role: one of the staff roles (`ROLE_ORDER`). */
export type ApiKeyRole = (typeof ROLE_ORDER)[number];

/**
 * Roles whose keys file (officer) or decide (approver, admin) four-eyes requests. The API issues them
 * only in the caller's own name (`staff` = the signed-in person): whoever issues a key holds its
 * secret, and four eyes counts the key as its owner. Others (an operator's CLI) issue them for anyone.
 */
export const FOUR_EYES_KEY_ROLES: readonly ApiKeyRole[] = ROLE_ORDER.filter((r) => roleAtLeast(r, 'officer'));

/**
 * Whether a session may issue a key of `role` over HTTP, and the owner it must then have (`undefined`: any,
 * or none). A credential of no staff member (an unowned admin key) issues only keys below
 * `FOUR_EYES_KEY_ROLES`; a staff member's issues those only to themselves.
 */
export function keyOwnerRule(
  session: Pick<Session, 'staff'> | undefined,
  role: ApiKeyRole,
): { readonly allowed: boolean; readonly owner: string | undefined } {
  if (!FOUR_EYES_KEY_ROLES.includes(role)) return { allowed: true, owner: undefined };
  const self = session?.staff?.id;
  return self === undefined ? { allowed: false, owner: undefined } : { allowed: true, owner: self };
}

/** Longest label the API takes, trimmed. */
export const API_KEY_LABEL_MAX = 100;

/** An API key as `GET /v1/keys` lists it: never its secret. */
export interface ApiKeyInfo {
  readonly id: string;
  /** `embedder`: a key that may only mint embed tokens, issued but never offered in the create dialog. */
  readonly role: ApiKeyRole | 'embedder' | 'auditor';
  readonly label: string;
  /** The secret's first characters, to tell keys apart. */
  readonly prefix: string;
  /** The staff member who holds it; null: nobody owns it. */
  readonly staff: string | null;
  /** `owner-gone`: its owner left the staff, so it authenticates nothing. */
  readonly state: 'active' | 'revoked' | 'owner-gone';
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export interface ApiKeyPage {
  readonly items: readonly ApiKeyInfo[];
  readonly nextCursor: string | null;
}

/** What `POST /v1/keys` is sent. */
export interface NewApiKey {
  readonly role: ApiKeyRole;
  readonly label: string;
  readonly staff?: string;
}

/** The answer to a create: the key, and its secret, which no later read returns. */
export interface IssuedApiKey {
  readonly key: ApiKeyInfo;
  readonly secret: string;
}

const KEYS = '/v1/keys';

/** One page of the tenant's keys, oldest first (`GET /v1/keys`; admin). */
export function readApiKeys(
  client: Pick<HttpTierkitClient, 'http'>,
  options: { readonly limit?: number; readonly cursor?: string; readonly signal?: AbortSignal } = {},
): Promise<ApiKeyPage> {
  const q = new URLSearchParams();
  if (options.limit !== undefined) q.set('limit', String(options.limit));
  if (options.cursor !== undefined) q.set('cursor', options.cursor);
  const query = q.toString();
  return client.http.get<ApiKeyPage>(query ? `${KEYS}?${query}` : KEYS, options.signal ? { signal: options.signal } : {});
}

/**
 * Create a key (`POST /v1/keys`; admin). The answer's `secret` exists only here: show it once and
 * keep it nowhere. Sent without an `Idempotency-Key`, which the API refuses on this route.
 */
export function issueApiKey(client: Pick<HttpTierkitClient, 'http'>, body: NewApiKey, signal?: AbortSignal): Promise<IssuedApiKey> {
  const sent: NewApiKey = { role: body.role, label: body.label.trim(), ...(body.staff ? { staff: body.staff } : {}) };
  return client.http.send<IssuedApiKey>('POST', KEYS, sent, { forget: [KEYS], ...(signal ? { signal } : {}) });
}

/**
 * Revoke a key (`POST /v1/keys/{id}/revoke`; admin): at once; revoking a revoked key changes nothing.
 * Refused, changing nothing, for the tenant's last key that administers it over HTTP and for the key
 * the request is authenticated with: see `keyRevocationRefusal`.
 */
export function revokeApiKey(client: Pick<HttpTierkitClient, 'http'>, id: string, signal?: AbortSignal): Promise<ApiKeyInfo> {
  return client.http.send<ApiKeyInfo>(
    'POST',
    `${KEYS}/${encodeURIComponent(id)}/revoke`,
    {},
    { forget: [KEYS], ...(signal ? { signal } : {}) },
  );
}

/** Why the API refused to revoke a key, of the refusals that leave it as it was (both 409). */
export type KeyRevocationRefusal =
  /** The tenant's last admin key that can administer it over HTTP: issue another first, or revoke it on the server (`tierkit keys revoke`). */
  | 'last-admin-key'
  /** The key the request was authenticated with: revoke it with another credential. */
  | 'own-key';

const REFUSALS: Readonly<Record<string, KeyRevocationRefusal>> = {
  'https://tierkit.dev/problems/last-admin-key': 'last-admin-key',
  'https://tierkit.dev/problems/own-key': 'own-key',
};

/**
 * Which of the revocation refusals `error` is, by its problem type (never the API's English detail),
 * or undefined for any other error: a console words each in its own language.
 */
export function keyRevocationRefusal(error: KitError | undefined): KeyRevocationRefusal | undefined {
  return error?.status === 409 && error.type !== undefined ? REFUSALS[error.type] : undefined;
}
