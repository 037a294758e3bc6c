import { type HttpTierkitClient, query, TierkitApiError } from '@tierkit/client';
import type { MetricDef, Problem } from '@tierkit/core';
import { apiCheck, type CheckData, type FieldCheck, fieldCheck } from './checks.js';
import { KitStore, type KitError, type Status } from './kit-store.js';
import type { ImportAmounts, ImportDetail, ImportEncoding, ImportKind, ImportMode, ImportPreview, ImportRecord } from './imports-types.js';

/** How the file is read and imported (the API's query parameters). */
export interface ImportSettings {
  readonly kind: ImportKind;
  readonly encoding: ImportEncoding;
  /** Metrics only: money written in yuan (≤ 2 decimals) or fen. Required for metrics: a guess is off by 100×. */
  readonly amounts: ImportAmounts | undefined;
  /** `all-or-nothing` (default): one bad row imports nothing; `valid-rows` imports the others. */
  readonly mode: ImportMode;
  /** Subjects: keep the columns mapped to no field as attributes (`attr:<header>`) rather than ignore them. */
  readonly keepAttributes: boolean;
}

/** A field of the import a column can be mapped to. */
export interface ImportTarget {
  /** The API's field: `id`, `name`, `kind`, `subject`, `period`, `metric`, `value`, `metric:<key>`. */
  readonly field: string;
  readonly required: boolean;
  /** For `metric:<key>`: the metric, for its label. */
  readonly metric?: MetricDef;
}

export interface ImportState {
  readonly file: { readonly name: string; readonly size: number } | undefined;
  readonly settings: ImportSettings;
  /** The file's header row, read in the browser from its first bytes. */
  readonly columns: readonly string[];
  /** Target field → the header of the column it comes from. */
  readonly mapping: Readonly<Record<string, string>>;
  /** What is in flight: reading the header, a dry run, the upload. */
  readonly busy: 'header' | 'preview' | 'upload' | undefined;
  readonly status: Status;
  /** The dry run of the file as mapped now; cleared by any change. */
  readonly preview: ImportPreview | undefined;
  /** The import, once uploaded (with the first page of its errors). */
  readonly result: ImportDetail | undefined;
  readonly error: KitError | undefined;
  /** What is wrong before sending (with a code), or the API's field problems (`query.amounts`, `line 1, column "x"`; no code). */
  readonly problems: readonly ImportProblem[];
}

type Client = Pick<HttpTierkitClient, 'http' | 'invalidate'>;

/** Enough bytes for any header row; a header past it is refused as unreadable. */
const HEADER_BYTES = 16 * 1024;

/**
 * The first record of a CSV text: fields split on commas, quotes as RFC 4180 has them. The API
 * parses the whole file; this only offers the headers for mapping.
 */
export function headerRow(text: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field.trim());
      field = '';
    } else if (c === '\n' || c === '\r') break;
    else field += c;
  }
  out.push(field.trim());
  return out.filter((h, i, all) => h !== '' || i < all.length - 1);
}

/** The header row of `file` in `encoding`, decoded from its first bytes (`TextDecoder`, gbk included). */
export async function readHeader(file: Blob, encoding: ImportEncoding): Promise<string[]> {
  const bytes = await file.slice(0, HEADER_BYTES).arrayBuffer();
  // Not fatal: the slice may cut a character in two at its end, far from the first line.
  const text = new TextDecoder(encoding).decode(bytes);
  return headerRow(text);
}

const DEFAULTS: ImportSettings = { kind: 'subjects', encoding: 'utf-8', amounts: undefined, mode: 'all-or-nothing', keepAttributes: false };

/**
 * `ImportStore.check()`'s findings by code, with their default words (English): a host words each
 * code itself (the field is the problem's `path`); the API's own problems carry no code.
 */
export const IMPORT_CHECKS = {
  'choose-file': () => 'choose a CSV file',
  'choose-column': () => 'choose its column',
  'choose-amounts': () => 'say whether money is in yuan or fen',
  'metric-and-value': () => 'map both metric and value, or neither',
  'no-metric': () => 'map metric and value, or at least one metric column',
} as const satisfies Record<string, (data: CheckData) => string>;

export type ImportCheck = keyof typeof IMPORT_CHECKS;

/** What is wrong with the import as set up: where (`file`, `amounts`, a field, or the API's path) and what. */
export type ImportProblem = { readonly path: string } & FieldCheck<ImportCheck>;

const importProblem = (path: string, code: ImportCheck): ImportProblem => ({ path, ...fieldCheck(IMPORT_CHECKS, code) });

/**
 * A CSV import, step by step: pick a file; say what it holds and how it is encoded; map its columns
 * (the header is read here, from the file's first bytes); preview every row's errors with a dry run
 * that writes nothing; upload; read the import's result. Any change after a preview clears it.
 */
export class ImportStore extends KitStore<ImportState> {
  readonly #client: Client;
  readonly #metrics: readonly MetricDef[];
  readonly #columnNames: Readonly<Record<string, readonly string[]>>;
  #file: Blob | undefined;

  /**
   * `metrics`: the metric columns offered for a wide file (one column per metric). `columnNames`: the
   * headers a field's column usually has in the host's words (`id`: 客户号, 客戶編號, Customer id),
   * preselected when a header is exactly one of them.
   */
  constructor(
    client: Client,
    options: { readonly metrics?: readonly MetricDef[]; readonly columnNames?: Readonly<Record<string, readonly string[]>> } = {},
  ) {
    super({
      file: undefined,
      settings: DEFAULTS,
      columns: [],
      mapping: {},
      busy: undefined,
      status: 'idle',
      preview: undefined,
      result: undefined,
      error: undefined,
      problems: [],
    });
    this.#client = client;
    this.#metrics = options.metrics ?? [];
    this.#columnNames = options.columnNames ?? {};
  }

  /**
   * The headers that preselect `target`'s column: the field's own name, the host's usual names for it,
   * and a metric's key and its label in every locale (家庭年收入, 月交易筆數, transactions per month).
   */
  #namesOf(target: ImportTarget): string[] {
    if (target.metric) return [target.metric.key, ...Object.values(target.metric.label)];
    return [target.field, ...(this.#columnNames[target.field] ?? [])];
  }

  /** The fields a column may be mapped to, for the current kind. */
  targets(kind: ImportKind = this.state.settings.kind): readonly ImportTarget[] {
    if (kind === 'subjects')
      return [
        { field: 'id', required: true },
        { field: 'name', required: true },
        { field: 'kind', required: false },
        // A customer who left the bank: when (a time with its zone) and why.
        { field: 'closedAt', required: false },
        { field: 'closedReason', required: false },
        // 1 on a row whose closing falls in a month already final: kept as when they left, counted later.
        { field: 'closedLate', required: false },
      ];
    if (kind === 'managers')
      return [
        { field: 'subject', required: true },
        // An empty cell is meaningful (in nobody's book), but the column itself must be there.
        { field: 'manager', required: true },
      ];
    return [
      { field: 'subject', required: true },
      { field: 'period', required: true },
      { field: 'metric', required: false },
      { field: 'value', required: false },
      ...this.#metrics.map((m) => ({ field: `metric:${m.key}`, required: false, metric: m })),
    ];
  }

  /** Take `file` and read its header. */
  async pick(file: Blob, name = file instanceof File ? file.name : 'import.csv'): Promise<void> {
    this.#file = file;
    this.set({ file: { name, size: file.size }, result: undefined });
    await this.#readHeader();
  }

  /** Change how the file is read or imported; a new encoding or kind reads and maps the header again. */
  async configure(patch: Partial<ImportSettings>): Promise<void> {
    const before = this.state.settings;
    this.set({ settings: { ...before, ...patch }, preview: undefined, problems: [], error: undefined });
    if ((patch.encoding && patch.encoding !== before.encoding) || (patch.kind && patch.kind !== before.kind)) await this.#readHeader();
  }

  /** Map `field` from the column headed `header` (undefined: from none). */
  map(field: string, header: string | undefined): void {
    this.set((prev) => {
      const mapping = { ...prev.mapping };
      if (header === undefined || header === '') delete mapping[field];
      else {
        // One column feeds one field.
        for (const [f, h] of Object.entries(mapping)) if (h === header) delete mapping[f];
        mapping[field] = header;
      }
      return { mapping, preview: undefined, problems: [] };
    });
  }

  /** The API's mapping, header → field: mapped columns, and what becomes of the others. */
  requestMapping(): Record<string, string> {
    const { mapping, columns, settings } = this.state;
    const out: Record<string, string> = {};
    for (const [field, header] of Object.entries(mapping)) out[header] = field;
    const metricKeys = new Set(this.#metrics.map((m) => m.key));
    for (const h of columns) {
      if (out[h] !== undefined) continue;
      if (settings.kind === 'subjects') out[h] = settings.keepAttributes ? `attr:${h}` : 'ignore';
      // A header that is a metric key is that metric's column already (in a metrics file only).
      else if (settings.kind !== 'metrics' || !metricKeys.has(h)) out[h] = 'ignore';
    }
    return out;
  }

  /** What would keep the API from reading the file as mapped, said before sending it. */
  check(): ImportProblem[] {
    const { file, settings, mapping, columns } = this.state;
    const out: ImportProblem[] = [];
    if (!file) return [importProblem('file', 'choose-file')];
    for (const t of this.targets()) if (t.required && !mapping[t.field]) out.push(importProblem(t.field, 'choose-column'));
    if (settings.kind === 'metrics') {
      if (!settings.amounts) out.push(importProblem('amounts', 'choose-amounts'));
      const long = mapping.metric !== undefined || mapping.value !== undefined;
      const wide = Object.keys(mapping).some((f) => f.startsWith('metric:')) || columns.some((h) => this.#metrics.some((m) => m.key === h));
      if (long && (!mapping.metric || !mapping.value)) out.push(importProblem(mapping.metric ? 'value' : 'metric', 'metric-and-value'));
      if (!long && !wide) out.push(importProblem('metric', 'no-metric'));
    }
    return out;
  }

  /** Dry run: every row checked by the API as an import would, nothing written. */
  async preview(): Promise<void> {
    const preview = await this.#send('preview', true);
    if (preview) this.set({ status: 'ready', preview: preview as ImportPreview });
  }

  /** Import the file; then read the import back (its status and first errors). */
  async upload(): Promise<void> {
    const out = await this.#send('upload', false);
    if (!out) return;
    this.#client.invalidate('/v1/imports');
    // A file of subjects changes the lists; of managers, the books; of metrics, the tiers once re-tiered.
    this.#client.invalidate('/v1/subjects');
    await this.follow((out as ImportRecord).id);
  }

  /** Read import `id` (`GET /v1/imports/{id}`), past the cache. */
  async follow(id: string): Promise<void> {
    const path = `/v1/imports/${encodeURIComponent(id)}`;
    this.#client.invalidate(path);
    this.set({ status: 'loading', error: undefined });
    const detail = await this.run(
      'follow',
      (signal) => this.#client.http.get<ImportDetail>(`${path}${query({ limit: 100 })}`, { signal }),
      (error) => this.set({ status: 'error', error }),
    );
    if (detail) this.set({ status: 'ready', result: detail });
  }

  async #readHeader(): Promise<void> {
    const file = this.#file;
    if (!file) return;
    const { encoding } = this.state.settings;
    this.set({ busy: 'header', status: 'loading', error: undefined, preview: undefined, problems: [] });
    const columns = await this.run(
      'header',
      () => readHeader(file, encoding),
      (error) => this.set({ busy: undefined, status: 'error', error, columns: [] }),
    );
    if (!columns) return;
    // What was mapped from columns this file has too stays (the corrected file, picked again); for the
    // rest, guess: a column headed exactly as a field, its usual name, a metric's key or label maps to
    // it (letters in any case); any other column is left for the user.
    const mapping: Record<string, string> = {};
    const targets = new Set(this.targets().map((t) => t.field));
    for (const [field, header] of Object.entries(this.state.mapping))
      if (targets.has(field) && columns.includes(header)) mapping[field] = header;
    for (const t of this.targets()) {
      const names = new Set(this.#namesOf(t).map((n) => n.trim().toLowerCase()));
      const hit = columns.find((h) => names.has(h.trim().toLowerCase()) && !Object.values(mapping).includes(h));
      if (hit && mapping[t.field] === undefined) mapping[t.field] = hit;
    }
    this.set({ busy: undefined, status: 'ready', columns, mapping });
  }

  async #send(busy: 'preview' | 'upload', dryRun: boolean): Promise<unknown> {
    const problems = this.check();
    const file = this.#file;
    if (problems.length || !file) {
      this.set({ problems, preview: undefined });
      return undefined;
    }
    const s = this.state.settings;
    const path = `/v1/imports${query({
      kind: s.kind,
      encoding: s.encoding,
      amounts: s.kind === 'metrics' ? s.amounts : undefined,
      mode: s.mode,
      mapping: JSON.stringify(this.requestMapping()),
      fileName: this.state.file?.name,
      dryRun: dryRun ? 'true' : undefined,
    })}`;
    this.set({
      busy,
      status: 'loading',
      error: undefined,
      problems: [],
      preview: dryRun ? undefined : this.state.preview,
      result: undefined,
    });
    let location: string | null = null;
    let fields: ImportProblem[] = [];
    const body = await this.run(
      'send',
      async (signal) => {
        const res = await this.#client.http.fetch(path, {
          method: 'POST',
          headers: { 'content-type': 'text/csv', accept: 'application/json, application/problem+json' },
          body: file,
          signal,
        });
        const json = (await res.json().catch(() => ({ type: 'about:blank', title: res.statusText, status: res.status }))) as unknown;
        if (res.ok) return json;
        location = res.headers.get('location');
        const problem = json as Problem;
        fields = (problem.errors ?? []).map((e) => ({ path: e.path, ...apiCheck<ImportCheck>(e) }));
        throw new TierkitApiError(problem);
      },
      // Still busy: a refused upload's recorded errors are read next.
      (error) => this.set({ status: 'error', error, problems: fields }),
    );
    // An all-or-nothing upload with bad rows is refused (422) but recorded: show its errors.
    if (body === undefined && location && busy === 'upload') {
      const id = String(location).split('/').pop() ?? '';
      const refused = this.state.error;
      this.#client.invalidate('/v1/imports');
      await this.follow(id);
      // The recorded import lists every row error; its first twenty in the problem would repeat them.
      this.set({ error: refused, problems: [] });
    }
    this.set({ busy: undefined });
    return body;
  }
}
