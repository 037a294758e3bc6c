import { z } from 'zod';
import {
  atomically,
  currentSigningKey,
  findSigningKey,
  findStaff,
  insertSigningKey,
  retireSigningKeys,
  type Executor,
  type SigningKey,
  type StaffMember,
} from '@tierkit/db';
import { unsafeTextIn } from '../text-safety.js';
import { credentialsChanged } from './credential-cache.js';
import { reachOf, type Principal } from './principal.js';
import { isStaffRole } from './roles.js';
import { constantTimeEqual, hmac, newSigningSecret, randomId } from './secrets.js';

/** Prefix of signed tokens (API keys start with `tk_`). */
export const TOKEN_PREFIX = 'tkt_';
/** Longest lifetime of any signed token: 15 minutes. */
export const MAX_TOKEN_TTL_SECONDS = 900;
/** Lifetime when none is asked for. */
export const DEFAULT_TOKEN_TTL_SECONDS = 600;

/** An origin as browsers send it: scheme, host, optional port; nothing else. */
export const ORIGIN_PATTERN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * What a token may carry. Minting (`POST /v1/embed-tokens`, `mintEmbedToken`) and verification both
 * read these, so the API never mints a token its own verifier would refuse.
 */
export const TOKEN_LIMITS = {
  /** Characters of one origin. */
  originLength: 256,
  /** Origins in one token. */
  origins: 20,
  /** Characters of the subject's external id. */
  subjectLength: 128,
  /** Characters of the base64url claims part (the whole token stays well inside a 4 KiB header). */
  payloadChars: 3000,
} as const;

/** Thrown by minting when the token would exceed `TOKEN_LIMITS`; `field` names the offending input. */
export class TokenLimitError extends RangeError {
  readonly field: 'origins' | 'subject';
  /** The problem field code (`too_big`, `too_small`) and what its words need, as the API reports it. */
  readonly code: 'too_big' | 'too_small';
  readonly params: Readonly<Record<string, string | number | boolean>>;
  constructor(
    field: 'origins' | 'subject',
    message: string,
    code: 'too_big' | 'too_small',
    params: Readonly<Record<string, string | number | boolean>>,
  ) {
    super(message);
    this.name = 'TokenLimitError';
    this.field = field;
    this.code = code;
    this.params = params;
  }
}

const Claims = z.strictObject({
  kid: z.string().min(1).max(64),
  ten: z.string().min(1).max(64),
  typ: z.enum(['embed', 'staff']),
  sub: z.string().min(1).max(TOKEN_LIMITS.subjectLength).optional(),
  org: z.array(z.string().max(TOKEN_LIMITS.originLength)).max(TOKEN_LIMITS.origins),
  iat: z.number().int(),
  exp: z.number().int(),
});
type Claims = z.infer<typeof Claims>;

/** Why a token was refused; every reason is a 401 `invalid_token`. */
export type TokenFailure = 'malformed' | 'bad-signature' | 'expired' | 'unknown-staff';

/** The tenant's current signing key, created when the tenant has none yet. */
export async function signingKeyFor(db: Executor, tenantId: string, now: Date = new Date()): Promise<SigningKey> {
  return (
    (await currentSigningKey(db, tenantId)) ??
    insertSigningKey(db, { id: randomId('sk_'), tenantId, secret: newSigningSecret(), createdAt: now.toISOString() })
  );
}

/**
 * Replace the tenant's signing key with a new one. Tokens signed with the old key stop verifying at
 * once (they live at most 15 minutes; widgets fetch a new one). Given a transaction, the caller calls
 * `credentialsChanged()` once it has committed (as for `revokeKey`).
 */
export async function rotateSigningKey(db: Executor, tenantId: string, now: Date = new Date()): Promise<SigningKey> {
  // Inside a caller's transaction when given one: the CLI commits the rotation with its audit record.
  const rotated = atomically(db, async (trx) => {
    const key = await insertSigningKey(trx, { id: randomId('sk_'), tenantId, secret: newSigningSecret(), createdAt: now.toISOString() });
    await retireSigningKeys(trx, tenantId, key.id, now.toISOString());
    return key;
  });
  return db.isTransaction ? rotated : rotated.finally(credentialsChanged);
}

function checkTtl(ttlSeconds: number): void {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TOKEN_TTL_SECONDS) {
    throw new RangeError(`token lifetime must be 1…${MAX_TOKEN_TTL_SECONDS} seconds, got ${ttlSeconds}`);
  }
}

function checkOrigins(origins: readonly string[]): void {
  for (const o of origins) if (!ORIGIN_PATTERN.test(o)) throw new RangeError(`"${o}" is not an origin (scheme://host[:port])`);
  if (origins.length > TOKEN_LIMITS.origins)
    throw new TokenLimitError('origins', `at most ${TOKEN_LIMITS.origins} origins per token`, 'too_big', {
      maximum: TOKEN_LIMITS.origins,
      inclusive: true,
      origin: 'array',
    });
  const long = origins.find((o) => o.length > TOKEN_LIMITS.originLength);
  if (long !== undefined)
    throw new TokenLimitError('origins', `an origin has at most ${TOKEN_LIMITS.originLength} characters (got ${long.length})`, 'too_big', {
      maximum: TOKEN_LIMITS.originLength,
      inclusive: true,
      origin: 'string',
    });
}

async function sign(db: Executor, claims: Omit<Claims, 'kid'>, now: Date): Promise<{ token: string; expiresAt: string }> {
  const key = await signingKeyFor(db, claims.ten, now);
  const payload = Buffer.from(JSON.stringify({ kid: key.id, ...claims }), 'utf8').toString('base64url');
  if (payload.length > TOKEN_LIMITS.payloadChars) {
    throw new TokenLimitError(
      'origins',
      `the token would be too large to verify (${payload.length} > ${TOKEN_LIMITS.payloadChars} characters of claims): name fewer or shorter origins`,
      'too_big',
      { maximum: TOKEN_LIMITS.payloadChars, inclusive: true, origin: 'token', actual: payload.length },
    );
  }
  const body = TOKEN_PREFIX + payload;
  return { token: `${body}.${hmac(key.secret, body).toString('base64url')}`, expiresAt: new Date(claims.exp * 1000).toISOString() };
}

/** Options shared by both token kinds. */
export interface MintOptions {
  readonly tenantId: string;
  /** Browser origins allowed to present the token. Empty: only requests without an `Origin` header. */
  readonly origins?: readonly string[];
  /** Lifetime in seconds, at most 900. */
  readonly ttlSeconds?: number;
  readonly now?: Date;
}

/**
 * Mint an embed token for one subject: read-only, limited to that subject's tiers, history and
 * entitlements and to the schemes. This is what a bank's backend hands to its logged-in customer's page.
 */
export function mintEmbedToken(db: Executor, options: MintOptions & { subject: string }): Promise<{ token: string; expiresAt: string }> {
  return mint(db, 'embed', options, options.subject);
}

/**
 * Mint a staff token, which the bank's backend does after its own staff login. With `staffId` the
 * token is that staff member's (its `sub`): it acts with their role and scope, read from the `staff`
 * table on every verification (so a change of role applies to tokens already out), and its actor is
 * `staff:<id>`. Without it: read-only (viewer) over the whole tenant, for an internal page that
 * names nobody.
 */
export async function mintStaffToken(
  db: Executor,
  options: MintOptions & { staffId?: string },
): Promise<{ token: string; expiresAt: string }> {
  if (options.staffId !== undefined) {
    const staff = await findStaff(db, options.tenantId, options.staffId);
    if (!staff) throw new RangeError(`no staff member "${options.staffId}" in tenant ${options.tenantId}`);
    // Someone who left is not signed in again by a sign-on that still knows them.
    if (staff.disabledAt !== null) throw new RangeError(`staff member "${options.staffId}" was disabled at ${staff.disabledAt}`);
  }
  return mint(db, 'staff', options, options.staffId);
}

async function mint(db: Executor, typ: Claims['typ'], options: MintOptions, subject?: string) {
  const ttl = options.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (subject !== undefined && (subject.length < 1 || subject.length > TOKEN_LIMITS.subjectLength)) {
    throw new TokenLimitError(
      'subject',
      `a subject id has 1…${TOKEN_LIMITS.subjectLength} characters`,
      subject.length < 1 ? 'too_small' : 'too_big',
      subject.length < 1
        ? { minimum: 1, inclusive: true, origin: 'string' }
        : { maximum: TOKEN_LIMITS.subjectLength, inclusive: true, origin: 'string' },
    );
  }
  checkTtl(ttl);
  const origins = [...(options.origins ?? [])];
  checkOrigins(origins);
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return sign(
    db,
    { ten: options.tenantId, typ, ...(subject !== undefined ? { sub: subject } : {}), org: origins, iat, exp: iat + ttl },
    options.now ?? new Date(),
  );
}

function decodeClaims(payload: string): Claims | undefined {
  try {
    const parsed = Claims.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    // Unsigned yet: the key id is looked up before the signature can be checked, so it must be storable text.
    return parsed.success && unsafeTextIn(parsed.data).length === 0 ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const TOKEN_SHAPE = new RegExp(`^tkt_([A-Za-z0-9_-]{1,${TOKEN_LIMITS.payloadChars}})\\.([A-Za-z0-9_-]{43})$`);

/** Check a signed token: shape, signature (constant time) with its tenant's key, expiry. */
export async function verifyToken(
  db: Executor,
  token: string,
  now: Date,
): Promise<{ ok: true; principal: Principal; expiresAt: Date } | { ok: false; reason: TokenFailure }> {
  const m = TOKEN_SHAPE.exec(token);
  const claims = m?.[1] ? decodeClaims(m[1]) : undefined;
  if (!m || !claims || (claims.typ === 'embed' && claims.sub === undefined)) return { ok: false, reason: 'malformed' };
  const key = await findSigningKey(db, claims.kid);
  const expected = key && key.tenantId === claims.ten ? hmac(key.secret, `${TOKEN_PREFIX}${m[1]}`) : undefined;
  if (!expected || !constantTimeEqual(expected, Buffer.from(m[2] ?? '', 'base64url'))) return { ok: false, reason: 'bad-signature' };
  const t = Math.floor(now.getTime() / 1000);
  if (claims.exp <= t || claims.exp - claims.iat > MAX_TOKEN_TTL_SECONDS) return { ok: false, reason: 'expired' };
  const expiresAt = new Date(claims.exp * 1000);
  if (claims.typ === 'staff' && claims.sub !== undefined) {
    // Role and scope are the staff table's, not the token's: a demotion applies to tokens already out.
    const staff = await findStaff(db, claims.ten, claims.sub);
    const role = staff?.role;
    // Disabled (someone leaving): the tenant no longer has them, whatever tokens are still out.
    if (!staff || staff.disabledAt !== null || role === undefined || !isStaffRole(role)) return { ok: false, reason: 'unknown-staff' };
    return { ok: true, expiresAt, principal: staffPrincipal({ ...staff, role }, claims.org, await reachOf(db, staff)) };
  }
  return {
    ok: true,
    expiresAt,
    principal: {
      tenantId: claims.ten,
      via: claims.typ === 'embed' ? 'embed-token' : 'staff-token',
      role: 'viewer',
      subject: claims.typ === 'embed' ? (claims.sub ?? null) : null,
      origins: claims.org,
      actor: claims.typ === 'embed' ? `token:embed:${claims.sub ?? ''}` : 'token:staff',
    },
  };
}

function staffPrincipal(
  staff: StaffMember & { role: Principal['role'] },
  origins: readonly string[],
  reach: Pick<Principal, 'book' | 'books'>,
): Principal {
  return {
    tenantId: staff.tenantId,
    via: 'staff-token',
    role: staff.role,
    subject: null,
    origins,
    actor: `staff:${staff.id}`,
    staffId: staff.id,
    ...reach,
  };
}
