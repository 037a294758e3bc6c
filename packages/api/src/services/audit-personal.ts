import { createHash, randomBytes } from 'node:crypto';
import {
  type AuditFields,
  type AuditListedFields,
  type AuditListedRow,
  type AuditPersonalFields,
  type AuditPersonalRow,
  type AuditRecordRow,
  auditListedAt,
  auditPersonalAt,
  type Executor,
} from '@tierkit/db';
import { isListedDigest } from '@tierkit/core/wire';
import { JOB_CREATED_ROUTES } from '@tierkit/db';
import { contentHash } from './four-eyes.js';
import { unsafeCharacter } from '../text-safety.js';

/*
 * Which of an audit record's fields are personal, in one place: every writer goes through `appendAudit`,
 * which splits with `splitPersonal`; every reader joins the side row back with `joinPersonal`. See
 * docs/operations.md, "Erasing the trail's personal fields".
 */

/**
 * Staff-typed texts about a customer, and the name a list search tested: top-level keys of `detail`, or
 * one level down (an edit's `before` / `after`). `evidence` is an override's cited reference (free text,
 * up to 500 characters: a file name, a memo about the customer); `reasonCategory` is a fixed list, kept.
 * `filter` is a re-tier's of one customer (its `subjects` name them; only such a record names a customer).
 */
const PERSONAL_DETAIL_KEYS: ReadonlySet<string> = new Set(['reason', 'note', 'name', 'legalHold', 'evidence', 'filter']);

type Json = Record<string, unknown>;

/** The customer list's route: its search by name (`?name=`) names no customer, but tests one's name. */
const LIST_SEARCH_ROUTE = '/v1/subjects';

/**
 * A record of a re-tier job queued with a reason, naming no one customer (a job of several, or of a
 * whole book): the reason is free text staff typed, and may name customers, so it goes to a side row as
 * a one-customer record's would. The side row names no one (`subject` null): an erasure of a customer
 * the job listed, or named in its reason, finds it by the job's id (packages/db, erasure-traces.ts).
 * Only a record with the job's id: one without (a refused queueing) could be found by no erasure.
 */
const JOB_CREATED_ROUTE_SET: ReadonlySet<string> = new Set(JOB_CREATED_ROUTES);
const JOB_REASON_KEYS: ReadonlySet<string> = new Set(['reason']);

function isJobWithReason(route: string, detail: Json): boolean {
  return JOB_CREATED_ROUTE_SET.has(route) && typeof detail.job === 'string' && typeof detail.reason === 'string';
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A raw path under a customer's (`/v1/subjects/C000123/…`): the number it names, and the path with `{id}` in its place. */
const SUBJECT_PATH = /^\/v1\/subjects\/([^/{}]+)(\/.*)?$/;

/**
 * The customer number in a raw path, decoded as the router decodes it; null when it names none. A
 * refused request's path is stored raw (no route matched it, or a parameter was not storable text).
 */
function pathSubject(path: string): { readonly subject: string; readonly route: string } | null {
  const m = SUBJECT_PATH.exec(path);
  if (!m?.[1]) return null;
  let subject = m[1];
  try {
    const decoded = decodeURIComponent(subject);
    // A NUL or a lone surrogate is not storable text (PostgreSQL refuses it): the path was kept raw for
    // that reason, and its raw segment is what the side row keeps.
    if (unsafeCharacter(decoded) === undefined) subject = decoded;
  } catch {
    // Not decodable: the raw segment is what the path names.
  }
  return { subject, route: `/v1/subjects/{id}${m[2] ?? ''}` };
}

/** The routes of an audit export's own record: over HTTP and from the command line. */
const EXPORT_ROUTES: ReadonlySet<string> = new Set(['/v1/audit/export', 'tierkit audit export']);

/**
 * The `target` filter an audit export's own record keeps (`detail.export.target`): an examiner's export of
 * one customer's records names that customer as surely as a read of them does. Whatever it names (a
 * customer, an override's id, a staff id: the filter does not say which), it is split off as a customer
 * number is, and so deleted with the customer it names, if it names one.
 */
function exportTarget(route: string, detail: Json | null): string | null {
  if (!EXPORT_ROUTES.has(route) || !detail || !isObject(detail.export)) return null;
  const target = detail.export.target;
  return typeof target === 'string' ? target : null;
}

/**
 * The customer number a record names: a customer's path (`/v1/subjects/{id}…`, `tierkit retention hold`,
 * or a refused request's raw path), a decision's `subject` target, a token's subject.
 */
function subjectOf(route: string, target: Readonly<Record<string, string>>, detail: Json | null): string | null {
  if (typeof target.subject === 'string') return target.subject;
  if (typeof target.id === 'string' && (route.startsWith('/v1/subjects/{id}') || route.startsWith('tierkit retention'))) return target.id;
  if (typeof target.path === 'string') {
    const named = pathSubject(target.path);
    if (named) return named.subject;
  }
  if (detail && typeof detail.subject === 'string') return detail.subject;
  return exportTarget(route, detail);
}

/** The target's keys that hold the customer number, wherever the writer put it (a path's `id`, a decision's `subject`, a raw `path`). */
function personalTargetKeys(target: Readonly<Record<string, string>>, subject: string | null): Set<string> {
  if (subject === null) return new Set();
  return new Set(
    Object.keys(target).filter((k) => target[k] === subject || (k === 'path' && pathSubject(target[k] ?? '')?.subject === subject)),
  );
}

/**
 * A refused request whose route is its raw path (no route matched it: a typo, a wrong method) names the
 * customer in the route itself: the record keeps the route with `{id}` in the number's place, and the raw
 * path moves to the target's `path`, which the side row keeps as any target naming the customer. A route
 * with `{` in it is a template already (what the router matched), and is left alone.
 */
function rawPathSplit(fields: AuditFields): AuditFields {
  if (fields.route.includes('{')) return fields;
  const named = pathSubject(fields.route);
  if (!named) return fields;
  const target = JSON.parse(fields.target) as Record<string, string>;
  return { ...fields, route: named.route, target: JSON.stringify({ ...target, path: fields.route }) };
}

/** `detail` cut in two: what names nobody, and the personal keys (a token's `subject`, typed texts, one level deep). */
function splitDetail(
  detail: Json,
  subject: string | null,
  keys: ReadonlySet<string> = PERSONAL_DETAIL_KEYS,
): { kept: Json; personal: Json | null } {
  const kept: Json = {};
  const personal: Json = {};
  for (const [k, v] of Object.entries(detail)) {
    if (keys.has(k) || (k === 'subject' && subject !== null && v === subject)) {
      personal[k] = v;
    } else if (isObject(v) && Object.keys(v).some((n) => keys.has(n))) {
      const inner: Json = {};
      const rest: Json = {};
      for (const [n, w] of Object.entries(v)) (keys.has(n) ? inner : rest)[n] = w;
      kept[k] = rest;
      personal[k] = inner;
    } else kept[k] = v;
  }
  return { kept, personal: Object.keys(personal).length ? personal : null };
}

/** An export's split detail without its `target` filter in what the record keeps (the side row keeps the detail whole). */
function withoutExportTarget(split: { kept: Json; personal: Json | null }): { kept: Json; personal: Json | null } {
  const { target, ...rest } = split.kept.export as Json;
  return { kept: { ...split.kept, export: rest }, personal: { ...split.personal, export: { target } } };
}

/**
 * Over the salt with the fields, so it cannot be tested against a guessed customer number once the salt
 * is gone; over their values as canonical JSON, not the stored text, because a reader (an exported file's
 * check) rebuilds them from the joined record, whose keys come back in another order. `subject` is in it
 * too: it is what an erasure deletes by, and a side row re-labelled to another customer would outlive hers.
 */
function digestOf(salt: string, subject: string | null, target: Json, detail: Json | null): string {
  return contentHash({ salt, subject, target, detail });
}

/** The digest a record keeps of its personal fields (a side row as stored). */
export function personalDigest(p: Pick<AuditPersonalFields, 'salt' | 'subject' | 'target' | 'detail'>): string {
  return digestOf(p.salt, p.subject, JSON.parse(p.target) as Json, p.detail === null ? null : (JSON.parse(p.detail) as Json));
}

/**
 * A record's fields cut in two, the one rule every audit writer goes through: a record that names a
 * customer (or tested a name) keeps in `target` and `detail` only what names nobody, and its digest;
 * `personal`, the side row, keeps them as written, the customer number and typed texts with them. A record naming nobody comes
 * back unchanged, without a side row. `salt` is drawn here unless given (a file's check re-splits with its salt).
 */
export function splitPersonal(written: AuditFields, salt?: string): { fields: AuditFields; personal?: AuditPersonalFields } {
  const fields = rawPathSplit(written);
  const target = JSON.parse(fields.target) as Record<string, string>;
  const detail = fields.detail ? (JSON.parse(fields.detail) as Json) : null;
  const subject = subjectOf(fields.route, target, detail);
  const targetKeys = personalTargetKeys(target, subject);
  // A record naming nobody is split only for the name a list search tested (a customer's name): a
  // tenant's or a team's `name` names no customer, and off in a side row that no erasure deletes it
  // would only be hidden from the record's own hash (a side row deleted by hand is not reported).
  // A job of several customers keeps its `filter` (each number already a digest of its own, in
  // `audit_listed`) in the record; only its reason goes.
  const split = !detail
    ? null
    : subject !== null || (fields.route === LIST_SEARCH_ROUTE && 'name' in detail)
      ? splitDetail(detail, subject)
      : isJobWithReason(fields.route, detail)
        ? splitDetail(detail, null, JOB_REASON_KEYS)
        : null;
  const detailSplit = split && subject !== null && exportTarget(fields.route, detail) === subject ? withoutExportTarget(split) : split;
  if (!targetKeys.size && !detailSplit?.personal) return { fields: written };
  const keptTarget: Record<string, string> = {};
  for (const [k, v] of Object.entries(target)) if (!targetKeys.has(k)) keptTarget[k] = v;
  // The side row keeps the record's target and detail whole, as written: read back in their own key
  // order (the console and the exports list a detail's keys as the writer put them), and no merge rule
  // to get wrong. The record keeps only what names nobody, which its hash seals.
  const personal: AuditPersonalFields = {
    subject,
    salt: salt ?? randomBytes(16).toString('hex'),
    target: fields.target,
    detail: fields.detail ?? null,
  };
  return {
    fields: {
      ...fields,
      target: JSON.stringify(keptTarget),
      detail: detailSplit ? JSON.stringify(detailSplit.kept) : (fields.detail ?? null),
      personal_digest: digestOf(personal.salt, subject, target, detail),
    },
    personal,
  };
}

/*
 * Customer numbers a record's `detail` lists — the customers a list read returned (`subjects`), a
 * restricted read's (`restrictedRead.subjects`), a request's moves between books (`moves[].subject`) —
 * each apart from the record, one `audit_listed` row per entry with a salt of its own, so an erasure
 * deletes one customer's entry and leaves the others' (docs/operations.md, "Customer numbers in a
 * record's lists"). The record keeps in each entry's place the entry's digest, which its hash covers.
 */

/** Whether a stored entry is a digest (written since lists were split), not a number written before: core's one test. */
export { isListedDigest };

/** A salt as writers draw them: 16 random bytes in lowercase hex. */
const LISTED_SALT = /^[0-9a-f]{32}$/;

/**
 * An entry's digest: sha256 of its own salt and the number, so one erased cannot be tested against a guessed
 * number once its salt is gone. Plain salt‖number, not canonical JSON (a list read of 100 pays it 100 times):
 * unambiguous only because every salt is 32 hex digits, so a salt of any other shape (a row or a file edited
 * to move characters between salt and number) makes a digest no entry was written with.
 */
export function listedDigest(salt: string, subject: string): string {
  if (!LISTED_SALT.test(salt)) return 'sha256:-';
  return `sha256:${createHash('sha256')
    .update(salt + subject)
    .digest('hex')}`;
}

/** An array of `subjects` only when it holds customer numbers (a job's `subjects` is a count). */
const numbersIn = (v: unknown): v is unknown[] => Array.isArray(v);

/**
 * `detail` with every listed customer number replaced by `f(value, pos)`, `pos` counting them in one fixed
 * order (keys as written, entries in order): `subjects` top-level or one level down, and each of
 * `moves`' `subject`. Keys keep their order; anything else is kept as it is. The one walk writers,
 * readers and verify share, so a place means the same entry to each.
 */
export function mapListed(detail: Json, f: (value: string, pos: number) => string): Json {
  let pos = 0;
  const entry = (v: unknown): unknown => (typeof v === 'string' ? f(v, pos++) : v);
  const list = (v: unknown): unknown => (numbersIn(v) ? v.map(entry) : v);
  const out: Json = {};
  for (const [k, v] of Object.entries(detail)) {
    if (k === 'subjects') out[k] = list(v);
    else if (k === 'moves' && Array.isArray(v))
      out[k] = v.map((m) => (isObject(m) && 'subject' in m ? { ...m, subject: entry(m.subject) } : m));
    else if (isObject(v) && 'subjects' in v)
      out[k] = Object.fromEntries(Object.entries(v).map(([n, w]) => [n, n === 'subjects' ? list(w) : w]));
    else out[k] = v;
  }
  return out;
}

/**
 * A record's listed customer numbers split off, before {@link splitPersonal}: the detail with each
 * number's digest in its place, and the entries (number, salt, place) for `audit_listed`. A record listing
 * none comes back unchanged. `salts` (by place) are used where given: a file's check rebuilds the record.
 */
export function splitListed(fields: AuditFields, salts?: readonly (string | null)[]): { fields: AuditFields; listed: AuditListedFields[] } {
  if (!fields.detail || !/"(subjects|moves)"/.test(fields.detail)) return { fields, listed: [] };
  const detail = JSON.parse(fields.detail) as Json;
  const listed: AuditListedFields[] = [];
  let count = 0;
  if (!salts)
    mapListed(detail, (v) => {
      count++;
      return v;
    });
  // One draw for the whole list: 500 entries are one call for random bytes, not 500.
  const drawn = count ? randomBytes(16 * count) : undefined;
  const kept = mapListed(detail, (subject, pos) => {
    const salt = salts ? salts[pos] : drawn?.subarray(pos * 16, pos * 16 + 16).toString('hex');
    // No salt on a file's record: an entry erased, whose digest the record shows and keeps.
    if (typeof salt !== 'string') return subject;
    listed.push({ pos, subject, salt });
    return listedDigest(salt, subject);
  });
  if (!listed.length) return { fields, listed };
  return { fields: { ...fields, detail: JSON.stringify(kept) }, listed };
}

/**
 * A stored detail with its listed entries read back: the number of each entry kept, the digest of each
 * erased. `salts` says which (by place: the salt while kept, null once erased); undefined when the detail
 * lists no digest (none listed, or a record written before lists were split: its numbers are read as they are).
 */
export function joinListed(
  detail: Json | null,
  entries: readonly Pick<AuditListedRow, 'pos' | 'subject' | 'salt'>[] | undefined,
): { detail: Json | null; salts?: (string | null)[] } {
  if (detail === null) return { detail };
  const byPos = new Map((entries ?? []).map((e) => [e.pos, e]));
  const salts: (string | null)[] = [];
  let digests = 0;
  const read = mapListed(detail, (v, pos) => {
    if (!isListedDigest(v)) {
      salts.push(null);
      return v;
    }
    digests++;
    const e = byPos.get(pos);
    salts.push(e ? e.salt : null);
    return e ? e.subject : v;
  });
  return digests ? { detail: read, salts } : { detail };
}

/**
 * A stored record's `target` and `detail`: while its side row is kept, as written (the side row holds
 * them whole); without it (erased), what the record kept.
 */
export function joinPersonal(
  row: { readonly target: string; readonly detail: string | null },
  side: Pick<AuditPersonalRow, 'target' | 'detail'> | undefined,
): { target: Record<string, string>; detail: Json | null } {
  const { target, detail } = side ?? row;
  return { target: JSON.parse(target) as Record<string, string>, detail: detail === null ? null : (JSON.parse(detail) as Json) };
}

/** A stored record with its side row, when it has one kept, and its listed entries kept: what every read of the trail shows from. */
export interface AuditRowRead {
  readonly row: AuditRecordRow;
  readonly side?: AuditPersonalFields;
  readonly listed?: readonly Pick<AuditListedRow, 'pos' | 'subject' | 'salt'>[];
}

/** Whether a stored record may list digests (a cheap look at its text): only those are looked up in `audit_listed`. */
export const mayList = (row: Pick<AuditRecordRow, 'detail'>): boolean => row.detail?.includes('"sha256:') === true;

/** `rows` of `chain` with their side rows joined (one query a page): the list, the export. */
export async function withPersonal(db: Executor, chain: string, rows: readonly AuditRecordRow[]): Promise<AuditRowRead[]> {
  const seqs = rows.filter((r) => r.personal_digest !== null).map((r) => r.seq);
  const sides = seqs.length ? await auditPersonalAt(db, chain, seqs) : new Map<number, AuditPersonalRow>();
  // A record whose listing fields went to its side row (a one-customer job's `filter`) lists its digests there.
  const listing = rows.filter((r) => mayList(r) || mayList(sides.get(r.seq) ?? { detail: null })).map((r) => r.seq);
  const lists = listing.length ? await auditListedAt(db, chain, listing) : new Map<number, AuditListedRow[]>();
  return rows.map((row) => {
    const side = sides.get(row.seq);
    const listed = lists.get(row.seq);
    return { row, ...(side ? { side } : {}), ...(listed ? { listed } : {}) };
  });
}
