import { type HttpTierkitClient, type Page, problemOf, query, TierkitApiError } from '@tierkit/client';
import { METRIC_UNITS, type MetricUnit } from '@tierkit/core/format';
import type { AuditAnchorProblemKind, AuditFilter, AuditRecord, AuditVerification, AuditVerifyResult } from './audit-types.js';
import { type CheckData, type FieldCheck, fieldCheck } from './checks.js';
import { CursorList, type CursorListState, emptyList } from './cursor-list.js';
import type { KitError, Status } from './kit-store.js';
import { pageSizeOf, withoutEmpty } from './list-filter.js';
import { readWallTime, WALL_TIME_CHECKS } from './wall-time.js';

/** Records newest first, pages appended in order; `empty` when nothing matched. */
export interface AuditTrailState extends CursorListState<AuditRecord> {
  readonly filter: AuditFilter;
  /**
   * Why the last `find` was refused, by field (`from`, `to`, `status`): a bound that is no time on
   * the bank's clocks, a range that ends before it starts, a status that is none. Nothing was read
   * then, and `filter` is still the one the list shows.
   */
  readonly fieldErrors: AuditFilterErrors;
  /** The last chain check: idle until `verify`, then its answer or its problem. */
  readonly verification: { readonly status: Status; readonly result: AuditVerifyResult | undefined; readonly error: KitError | undefined };
  /** The last export (`exportFile`, `exportTo`): idle until asked, then where the file ends, or the problem. */
  readonly exported: AuditExportState;
}

/** Where an export's file ends, as the API's headers say: what `tierkit audit verify --file … --through --head` checks. */
export interface AuditExportEnd {
  /** The server's name for the file (`audit-<tenant>-<from>-<to>.csv`). */
  readonly fileName: string;
  /** The file's last record (undefined when none matched). */
  readonly lastSeq: number | undefined;
  readonly lastHash: string | undefined;
  /**
   * The file stops at `lastSeq` because a cap left matching records out (`exportFile`'s in-memory limit):
   * a whole, verifiable start of the export; `tierkit audit export` writes all of it.
   */
  readonly limited: boolean;
  readonly format: 'csv' | 'jsonl';
  /** The list had a filter: the file may skip seqs, so it verifies with `--filtered` only. */
  readonly filtered: boolean;
}

/**
 * The `tierkit` arguments that check a saved export to its end offline (`audit verify --file`), as the
 * person would type them; undefined for a CSV (for reading, not verifying: packages/api/README.md,
 * "Audit export") or a file with no records. A filtered file needs `--filtered`, and every file its
 * tenant (a record's hash names its chain): a command without them fails on a file that is fine.
 */
export function auditVerifyArgs(end: AuditExportEnd, tenant: string, file = end.fileName): string[] | undefined {
  if (end.format !== 'jsonl' || end.lastSeq === undefined || end.lastHash === undefined) return undefined;
  return [
    'audit',
    'verify',
    '--file',
    file,
    '--tenant',
    tenant,
    ...(end.filtered ? ['--filtered'] : []),
    '--through',
    String(end.lastSeq),
    '--head',
    end.lastHash,
  ];
}

/** The last export: idle until asked, then where its file ended, or the problem. */
export interface AuditExportState extends Partial<AuditExportEnd> {
  readonly status: Status;
  readonly fileName: string | undefined;
  readonly error: KitError | undefined;
}

/** An export as a browser saves it from memory: its bytes, the server's name for it, where it ends. */
export interface AuditExportFile extends AuditExportEnd {
  readonly blob: Blob;
}

/**
 * Records an export held in memory (`exportFile`) holds at most: a bank's trail is millions of records
 * and a browser tab holding them all dies. Its records are a few hundred bytes each (a `change` record
 * of many moves up to some hundred kilobytes), so the file stays in the tens of megabytes. A browser
 * that can write to disk as the file arrives (`exportTo`) has no cap; `tierkit audit export` none either.
 */
export const AUDIT_EXPORT_MEMORY_LIMIT = 20_000;

export interface AuditTrailOptions {
  /** Records per page (API maximum 100). Default 50. */
  readonly pageSize?: number;
}

/**
 * The kit's checks of a trail's filter, by code, with their default words: those of any typed time,
 * a range that ends where or before it starts (which would read no record, said as none), and a
 * status that is no HTTP status (which the API would refuse, the whole search with it).
 */
export const AUDIT_FILTER_CHECKS = {
  ...WALL_TIME_CHECKS,
  'not-after-from': () => 'must be later than the start of the range',
  'not-a-status': () => 'must be an HTTP status: a whole number from 100 to 599',
} as const satisfies Record<string, (data: CheckData) => string>;
export type AuditFilterCheck = keyof typeof AUDIT_FILTER_CHECKS;

/** The fields a typed filter's checks can refuse. */
export type AuditFilterField = 'from' | 'to' | 'status';

/** Field (`from`, `to`, `status`) → why it was refused. */
export type AuditFilterErrors = Readonly<Partial<Record<AuditFilterField, FieldCheck<AuditFilterCheck>>>>;

/**
 * A filter as a person fills it in: `from` and `to` as the bank's wall clock (`YYYY-MM-DDTHH:MM`, a
 * `datetime-local` field's value; empty: no bound), `status` as typed (a number field's value, or a
 * number; empty: any), and whether each field holds something the browser could not read (its
 * `validity.badInput`: a half-typed time, or `1e` in a number field, reads as '').
 */
export interface AuditFilterInput extends Omit<AuditFilter, 'from' | 'to' | 'status'> {
  readonly from?: string;
  readonly to?: string;
  readonly status?: number | string;
  readonly fromUnreadable?: boolean;
  readonly toUnreadable?: boolean;
  readonly statusUnreadable?: boolean;
}

/** The HTTP statuses a record can hold, as the API's `status` filter takes them. */
const isHttpStatus = (n: number) => Number.isInteger(n) && n >= 100 && n <= 599;

/**
 * A typed filter as the API's (`from`/`to` the UTC instants the bank's wall clock reads in
 * `timeZone`), or why not: a bound that is no time (`not-a-time`), one the zone's clocks skip
 * (`time-skipped`: New York 2026-03-08 02:30), a `to` not after `from` (`not-after-from`), or a
 * status outside 100–599 (`not-a-status`). A refused field is never dropped, which would read the
 * trail unbounded on that side while the person believes it bounded. A bound in an hour the clocks
 * show twice (New York 2026-11-01 01:30) covers both: `from` is the first instant the clocks show it,
 * `to` the last, so the range holds every record the page shows inside it. Since the bounds are so
 * widened, `to` must also be later than `from` as typed: From 01:45, To 01:15 on that day spans an
 * hour in instants (01:45 summer time to 01:15 winter time) yet reads backwards, and whoever typed it
 * most likely swapped the two. The wall times say which came first on the page, so they decide.
 */
export function checkAuditFilter(
  input: AuditFilterInput,
  timeZone: string,
): { readonly errors: AuditFilterErrors; readonly filter: AuditFilter | undefined } {
  const { from, to, status, fromUnreadable, toUnreadable, statusUnreadable, ...rest } = input;
  const errors: Partial<Record<AuditFilterField, FieldCheck<AuditFilterCheck>>> = {};
  const bound = (field: 'from' | 'to', value: string | undefined, unreadable: boolean | undefined) => {
    if (unreadable) {
      errors[field] = fieldCheck(AUDIT_FILTER_CHECKS, 'not-a-time');
      return undefined;
    }
    if (!value?.trim()) return undefined;
    const read = readWallTime(value, timeZone);
    if ('error' in read) {
      errors[field] = fieldCheck(AUDIT_FILTER_CHECKS, read.error);
      return undefined;
    }
    return { instant: field === 'from' ? read.at : read.latest, wall: read.wall };
  };
  const start = bound('from', from, fromUnreadable);
  const end = bound('to', to, toUnreadable);
  // `to` is exclusive: at or before `from`, the range holds nothing, and "no records" would read as an answer.
  if (start && end && (end.wall <= start.wall || Date.parse(end.instant) <= Date.parse(start.instant)))
    errors.to = fieldCheck(AUDIT_FILTER_CHECKS, 'not-after-from');
  // Digits only, as typed: `2e2` or `0x1f8` is a number to JavaScript, not a status anyone reads.
  const typed = typeof status === 'string' ? status.trim() : status;
  const code =
    typed === undefined || typed === '' ? undefined : typeof typed === 'number' || /^\d+$/.test(typed) ? Number(typed) : Number.NaN;
  if (statusUnreadable || (code !== undefined && !isHttpStatus(code))) errors.status = fieldCheck(AUDIT_FILTER_CHECKS, 'not-a-status');
  const filter: AuditFilter = { ...rest, ...(code === undefined ? {} : { status: code }), from: start?.instant, to: end?.instant };
  return Object.keys(errors).length ? { errors, filter: undefined } : { errors, filter };
}

type Client = Pick<HttpTierkitClient, 'http' | 'invalidate'>;

/** Where an export's file ends, from the API's headers (`X-Audit-Export-Last-Seq`, `-Last-Hash`, `-Limited`). */
function exportEnd(res: Response, format: 'csv' | 'jsonl', filter: AuditFilter): AuditExportEnd {
  const fileName = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? `audit.${format}`;
  const seq = res.headers.get('X-Audit-Export-Last-Seq');
  return {
    fileName,
    lastSeq: seq === null ? undefined : Number(seq),
    lastHash: res.headers.get('X-Audit-Export-Last-Hash') ?? undefined,
    limited: res.headers.get('X-Audit-Export-Limited') === 'true',
    format,
    filtered: Object.values(filter).some((v) => v !== undefined),
  };
}

/**
 * Where the chain checked alone first breaks, or undefined when it is intact (or not checked yet). A chain
 * failing only against its anchors is intact here: `anchorVerdict` says that.
 */
export function firstBreak(v: AuditVerification | undefined): number | undefined {
  return v?.problems.length ? Math.min(...v.problems.map((p) => p.seq)) : undefined;
}

/**
 * What the server's anchors say of the chain, as a page shows it:
 * - `anchored`: it matches them, vouched for through `seq` as anchored at `at` (UTC);
 * - `no-anchor-yet`: the server keeps anchors but none of this tenant yet (the chain was checked alone);
 * - `not-configured`: the server keeps none, so a chain rewritten whole with its head would pass;
 * - `unreadable`: the anchors could not be read (`message` says why, without the file's path);
 * - `failed`: they do not match: at `seq` the chain was rewritten (`anchor-mismatch`) or is cut back
 *   (`anchor-truncated`), or the file has lines that are not anchors and could be this tenant's
 *   (`malformed`, `lines` of them, no seq).
 */
export type AnchorVerdict =
  | { readonly kind: 'anchored'; readonly seq: number; readonly at: string; readonly anchors: number }
  | { readonly kind: 'no-anchor-yet' }
  | { readonly kind: 'not-configured' }
  | { readonly kind: 'unreadable'; readonly message: string }
  | { readonly kind: 'failed'; readonly problem: AuditAnchorProblemKind; readonly seq: number }
  | { readonly kind: 'failed'; readonly problem: 'malformed'; readonly lines: number };

/** The anchors' verdict of a verification; undefined before one. The first problem in chain order is the one said. */
export function anchorVerdict(v: AuditVerifyResult | undefined): AnchorVerdict | undefined {
  if (!v) return undefined;
  const a = v.anchors;
  if (a.status === 'not-configured') return { kind: 'not-configured' };
  if (a.status === 'unreadable') return { kind: 'unreadable', message: a.message };
  const first = [...a.problems].sort((x, y) => x.seq - y.seq)[0];
  if (first) return { kind: 'failed', problem: first.kind, seq: first.seq };
  if (a.malformedLines > 0) return { kind: 'failed', problem: 'malformed', lines: a.malformedLines };
  return a.newest ? { kind: 'anchored', seq: a.newest.seq, at: a.newest.at, anchors: a.anchors } : { kind: 'no-anchor-yet' };
}

/** A customer's move between books, as a `change` record holds it. */
export interface AuditBookMove {
  readonly subject: string;
  /** The book it left (a staff id); null: it was in none (the record's ""). */
  readonly from: string | null;
  /** The book it joined; null: none. */
  readonly to: string | null;
}

const book = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * The moves between books a `change` record holds, in the order it lists them; undefined for any other
 * record. A request's moves are one record per 1,000 customers, listed in `detail.moves`; records
 * written before that held one move each, in `target` (`{ subject, from, to }`), and read the same.
 */
export function bookMovesOf(record: AuditRecord): readonly AuditBookMove[] | undefined {
  if (record.phase !== 'change') return undefined;
  const listed = record.detail?.moves;
  if (Array.isArray(listed))
    return listed.flatMap((m: unknown) => {
      if (typeof m !== 'object' || m === null) return [];
      const { subject, from, to } = m as Record<string, unknown>;
      return typeof subject === 'string' ? [{ subject, from: book(from), to: book(to) }] : [];
    });
  // A tampered record may hold no target object at all: then it names no move.
  const { subject, from, to }: Record<string, unknown> = isObject(record.target) ? record.target : {};
  if (typeof subject !== 'string' || from === undefined || to === undefined) return undefined;
  return [{ subject, from: book(from), to: book(to) }];
}

/**
 * What a detail line's values are the keys of, for a page to show the names the tenant's schemes give
 * them: schemes (a job's `schemes`, an override's `scheme`), or the levels of one scheme (an
 * override's `level`, a settling's `level.<scheme>`). Absent: the values are no such keys.
 */
export type AuditKeys = { readonly of: 'scheme' } | { readonly of: 'level'; readonly scheme: string };

/** A value a record's `detail` holds, as a page shows it: text, a number, yes/no, none (null), or a list. */
export type AuditValue = string | number | boolean | null | readonly string[];

/**
 * One line of what a record's `detail` says: a field's value, a field that changed (`before` →
 * `after`; `before` undefined when the thing was made by the write), or a metric's month that was
 * overwritten (`PUT /v1/subjects/{id}/metrics`: the value it replaced, null for none). `field` is the
 * API's name for it (`role`, `expiresAt`, `filter.kind`): the console puts it in words.
 */
export type AuditDetailLine =
  | { readonly kind: 'value'; readonly field: string; readonly value: AuditValue; readonly keys?: AuditKeys }
  | {
      readonly kind: 'change';
      readonly field: string;
      readonly before: AuditValue | undefined;
      readonly after: AuditValue;
      readonly keys?: AuditKeys;
    }
  | {
      readonly kind: 'metric';
      readonly metric: string;
      readonly period: string;
      readonly before: AuditValue;
      readonly after: AuditValue;
      /** How the stored integers read (fen, 0/1, days), as the write recorded it; absent on records written before it did. */
      readonly unit?: MetricUnit;
      /** ISO 4217, for `money`. */
      readonly currency?: string;
    };

/** A JSON value as a line shows it: nested objects are flattened by the caller; a list of anything but text is listed as text. */
function shown(v: unknown): AuditValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  return JSON.stringify(v);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{ a: 1, b: { c: 2 } }` as fields `a` and `b.c`: a job's `filter`, say. */
function flatten(o: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(o).flatMap(([k, v]) => (isObject(v) ? flatten(v, `${prefix}${k}.`) : [[`${prefix}${k}`, v] as [string, unknown]]));
}

/**
 * The keys a field holds: `scheme`/`schemes` name schemes, at the top of the detail or inside an object
 * of it (a restricted read's `restrictedRead.schemes`: its AML grade showed as `aml-risk` where every
 * other record said 反洗钱风险等级); `level.<scheme>` a level of that scheme, and `level` (or a decision's
 * `from` and `proposedLevel`) one of the scheme its object names beside it (`scheme`), when it does.
 */
function keysOf(field: string, scheme: unknown): AuditKeys | undefined {
  if (/(^|\.)schemes?$/.test(field)) return { of: 'scheme' };
  const of = /^level\.(.+)$/.exec(field)?.[1];
  if (of !== undefined) return { of: 'level', scheme: of };
  // A sign-off or lowering decision's move: the level held (`from`) and the one proposed, of its `scheme`.
  if ((field === 'level' || field === 'from' || field === 'proposedLevel') && typeof scheme === 'string') return { of: 'level', scheme };
  return undefined;
}

const withKeys = (keys: AuditKeys | undefined) => (keys ? { keys } : {});

/**
 * What a record's `detail` says, line by line, in the API's order, for a page to put in words: a
 * staff member's or an override's `before`/`after` as one `change` line per field (only the fields
 * that changed, every field when the write made it), a metric write's `changed` months as `metric`
 * lines, anything else as `value` lines. The moves of a `change` record are {@link bookMovesOf}'s,
 * not repeated here. Empty when the record has no detail.
 */
export function auditDetailOf(record: AuditRecord): readonly AuditDetailLine[] {
  // Typed as the API writes it, but this is the page that shows a tampered chain: a record edited to
  // hold anything must still be shown, never break the list it is in.
  const detail: unknown = record.detail;
  if (detail === null || detail === undefined) return [];
  if (!isObject(detail)) return [{ kind: 'value', field: 'detail', value: shown(detail) }];
  const lines: AuditDetailLine[] = [];
  const { before, after, changed, moves, ...rest } = detail;
  // `before` null or absent: the write made the thing. Any other non-object is not a before to compare.
  if (isObject(after) && (before === null || before === undefined || isObject(before))) {
    const was = isObject(before) ? Object.fromEntries(flatten(before)) : undefined;
    // An override's edit holds its scheme on both sides, unchanged (so no line of its own): its level is that scheme's.
    const scheme = after.scheme ?? was?.scheme;
    for (const [field, now] of flatten(after)) {
      const then = was?.[field];
      if (was && JSON.stringify(then) === JSON.stringify(now)) continue;
      lines.push({ kind: 'change', field, before: was ? shown(then) : undefined, after: shown(now), ...withKeys(keysOf(field, scheme)) });
    }
  } else {
    if (before !== undefined) lines.push({ kind: 'value', field: 'before', value: shown(before) });
    if (after !== undefined) lines.push({ kind: 'value', field: 'after', value: shown(after) });
  }
  if (Array.isArray(changed))
    for (const c of changed) {
      if (!isObject(c) || typeof c.metric !== 'string' || typeof c.period !== 'string') {
        lines.push({ kind: 'value', field: 'changed', value: shown(c) });
        continue;
      }
      const unit = (METRIC_UNITS as readonly unknown[]).includes(c.unit) ? (c.unit as MetricUnit) : undefined;
      lines.push({
        kind: 'metric',
        metric: c.metric,
        period: c.period,
        before: shown(c.before),
        after: shown(c.after),
        ...(unit && { unit }),
        ...(unit && typeof c.currency === 'string' && { currency: c.currency }),
      });
    }
  else if (changed !== undefined) lines.push({ kind: 'value', field: 'changed', value: shown(changed) });
  // A change record's moves are listed by bookMovesOf; a `moves` of any other record is a value like any.
  if (moves !== undefined && record.phase !== 'change') lines.push({ kind: 'value', field: 'moves', value: shown(moves) });
  for (const [field, v] of flatten(rest)) {
    const dependent = field === 'dependents' ? dependentSchemes(v) : undefined;
    lines.push(
      dependent
        ? { kind: 'value', field, value: dependent, keys: { of: 'scheme' } }
        : { kind: 'value', field, value: shown(v), ...withKeys(keysOf(field, rest.scheme)) },
    );
  }
  return lines;
}

/**
 * A job's `dependents` (`[{ scheme, reads }]`: schemes re-tiered with it because they read a scheme it
 * named) as the schemes, for a page to name them: JSON of ids would be the one line not in words.
 */
function dependentSchemes(v: unknown): readonly string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const schemes = v.map((d) => (isObject(d) && typeof d.scheme === 'string' ? d.scheme : undefined));
  return schemes.every((x) => x !== undefined) ? (schemes as string[]) : undefined;
}

/**
 * The audit trail: browse the tenant's records newest first with the API's filters (actor, method,
 * route, target, status, a time range) and cursor pages, and verify the hash chain end to end. The
 * trail grows with every request, so each `load` reads afresh rather than from the client's cache.
 */
export class AuditTrail extends CursorList<AuditRecord, AuditTrailState> {
  readonly #client: Client;
  readonly #pageSize: number;

  constructor(client: Client, options: AuditTrailOptions = {}) {
    super({
      ...emptyList<AuditRecord>(),
      filter: {},
      fieldErrors: {},
      verification: { status: 'idle', result: undefined, error: undefined },
      exported: { status: 'idle', fileName: undefined, error: undefined },
    });
    this.#client = client;
    this.#pageSize = pageSizeOf(options.pageSize);
  }

  /** Replace the filter (empty fields dropped) and load its first page. */
  setFilter(filter: AuditFilter): Promise<void> {
    this.set({ filter: withoutEmpty(filter), fieldErrors: {} });
    return this.load();
  }

  /**
   * The filter a person typed ({@link checkAuditFilter}), its times read in `timeZone` — the bank's,
   * the session's, asked of the caller at each search rather than defaulted, since a wrong zone would
   * move the range by hours without a word: loaded when the range is one; otherwise nothing is read,
   * `fieldErrors` says which bound is wrong and the list stays as it was. Resolves whether it was loaded.
   */
  async find(input: AuditFilterInput, timeZone: string): Promise<boolean> {
    const { errors, filter } = checkAuditFilter(input, timeZone);
    if (!filter) {
      this.set({ fieldErrors: errors });
      return false;
    }
    await this.setFilter(filter);
    return true;
  }

  #path(cursor?: string): string {
    return `/v1/audit${query({ ...this.state.filter, limit: this.#pageSize, cursor })}`;
  }

  /** Load the first page of the current filter afresh (past the client's cache), replacing the list. */
  override load(): Promise<void> {
    this.#client.invalidate('/v1/audit?');
    return super.load();
  }

  protected page(cursor: string | undefined, signal: AbortSignal): Promise<Page<AuditRecord>> {
    return this.#client.http.get<Page<AuditRecord>>(this.#path(cursor), { signal });
  }

  protected keyOf(record: AuditRecord): string {
    return String(record.seq);
  }

  /**
   * The current filter's records as a file (`GET /v1/audit/export`), held in memory for a browser to
   * save from a Blob: `csv` for Excel (UTF-8 with a BOM, which Excel on Chinese Windows needs), `jsonl`
   * to verify offline. Read with the client's credential (the staff session's, in a header: never a
   * secret in a URL a browser would keep). At most `limit` records ({@link AUDIT_EXPORT_MEMORY_LIMIT}),
   * asked of the API so that the file it sends is a whole start of the export, never one cut mid-way:
   * `limited` then says so, and `lastSeq`/`lastHash` where it ends. Resolves undefined when refused
   * (`exported` says why). The export and its end are recorded in the trail.
   */
  async exportFile(
    format: 'csv' | 'jsonl' = 'csv',
    { limit = AUDIT_EXPORT_MEMORY_LIMIT }: { readonly limit?: number } = {},
  ): Promise<AuditExportFile | undefined> {
    const filter = this.state.filter;
    this.set({ exported: { status: 'loading', fileName: undefined, error: undefined } });
    const file = await this.run(
      'export',
      async (signal): Promise<AuditExportFile> => {
        const res = await this.#exportResponse(filter, format, limit, signal);
        return { blob: await res.blob(), ...exportEnd(res, format, filter) };
      },
      (error) => this.set({ exported: { status: 'error', fileName: undefined, error } }),
    );
    if (file) {
      const { blob: _, ...end } = file;
      this.set({ exported: { status: 'ready', error: undefined, ...end } });
    }
    return file;
  }

  /**
   * The current filter's records, all of them, written to `sink` as they arrive (a file the person
   * picked: `showSaveFilePicker`'s `createWritable()`), never held whole in memory. When the API refuses,
   * or the transfer fails, `sink` is aborted, not closed: a file system writable then keeps no half file.
   * Resolves where the file ends, or undefined (`exported` says why).
   */
  async exportTo(sink: WritableStream<Uint8Array>, format: 'csv' | 'jsonl' = 'csv'): Promise<AuditExportEnd | undefined> {
    const filter = this.state.filter;
    this.set({ exported: { status: 'loading', fileName: undefined, error: undefined } });
    const end = await this.run(
      'export',
      async (signal): Promise<AuditExportEnd> => {
        let res: Response;
        try {
          res = await this.#exportResponse(filter, format, undefined, signal);
        } catch (e) {
          await sink.abort(e).catch(() => undefined);
          throw e;
        }
        const body = res.body;
        if (!body) {
          await sink.abort(new Error('no body')).catch(() => undefined);
          throw new Error('The export came without a body.');
        }
        // pipeTo aborts the sink when the body errors or `signal` aborts, and closes it only at the end.
        await body.pipeTo(sink, { signal });
        return exportEnd(res, format, filter);
      },
      (error) => this.set({ exported: { status: 'error', fileName: undefined, error } }),
    );
    if (end) this.set({ exported: { status: 'ready', error: undefined, ...end } });
    return end;
  }

  async #exportResponse(filter: AuditFilter, format: 'csv' | 'jsonl', limit: number | undefined, signal: AbortSignal): Promise<Response> {
    const res = await this.#client.http.fetch(`/v1/audit/export${query({ ...filter, format, limit })}`, { signal });
    if (!res.ok) throw new TierkitApiError(await problemOf(res));
    return res;
  }

  /** Check the whole chain now (never a cached answer: the chain grows with every request). */
  async verify(): Promise<void> {
    this.#client.invalidate('/v1/audit/verify');
    this.set({ verification: { status: 'loading', result: undefined, error: undefined } });
    const result = await this.run(
      'verify',
      (signal) => this.#client.http.get<AuditVerifyResult>('/v1/audit/verify', { signal }),
      (error) => this.set({ verification: { status: 'error', result: undefined, error } }),
    );
    if (result) this.set({ verification: { status: 'ready', result, error: undefined } });
  }
}
