import { type HttpTierkitClient, query } from '@tierkit/client';
import {
  checkSchemeDocument,
  metricIsStaffOnly,
  metricSubjectKinds,
  type Condition,
  type MetricDef,
  type PolicyWindow,
  type ProblemFieldError,
} from '@tierkit/core';
import { getAt, parseFieldPath, setAt } from './field-path.js';
import { Jobs } from './jobs.js';
import type { Job } from './jobs-types.js';
import { KitStore, type KitError, type Status } from './kit-store.js';
import type {
  PoliciesResponse,
  PolicyDiff,
  PolicySimulation,
  PolicyVersionDetail,
  PolicyVersionsResponse,
  PolicyVersionSummary,
  SchemePolicies,
} from './policy-editor-types.js';

/** What the editor does, each with its own status and error so a screen can say which one failed. */
export const POLICY_ACTIONS = [
  'list',
  'versions',
  'open',
  'create',
  'save',
  'diff',
  'simulate',
  'cancelSimulation',
  'submit',
  'retire',
] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

export interface ActionState {
  readonly status: Status;
  readonly error: KitError | undefined;
}

export interface PolicyEditorState {
  /** The schemes and their versions in force, scheduled, pending and drafts (`load`). */
  readonly schemes: readonly SchemePolicies[];
  /** The tenant's metric catalogue: units for display, and half of what validation needs. */
  readonly metrics: readonly MetricDef[];
  readonly scheme: string | undefined;
  /** Every version of the picked scheme, newest first. */
  readonly versions: readonly PolicyVersionSummary[];
  /** The open version as the API has it. */
  readonly version: PolicyVersionDetail | undefined;
  /** The open version's document with the edits not yet saved (the stored one when there are none). */
  readonly document: unknown;
  /** Whether the open version may be edited here (a draft). */
  readonly editable: boolean;
  /** Whether `document` has edits the API has not stored. */
  readonly dirty: boolean;
  /**
   * The engine's errors for `document`, with its field paths (`document.policy.levels[0].when.value`),
   * checked in the store after every edit (each with its code); after a refused save or submit, the API's own.
   */
  readonly errors: readonly ProblemFieldError[];
  readonly diff: PolicyDiff | undefined;
  readonly simulation: PolicySimulation | undefined;
  /**
   * The simulation job of the open version (`POST …/simulations`), as last heard of while it runs and
   * after: its progress, status and, once completed, `simulation.result` (also in `simulation`).
   */
  readonly simulationJob: Job | undefined;
  readonly actions: Readonly<Record<PolicyAction, ActionState>>;
}

type Client = Pick<HttpTierkitClient, 'http' | 'invalidate'>;

const enc = encodeURIComponent;
const IDLE: ActionState = { status: 'idle', error: undefined };
const idleActions = Object.fromEntries(POLICY_ACTIONS.map((a) => [a, IDLE])) as Record<PolicyAction, ActionState>;
/** The state of no open version. */
const NO_VERSION = {
  version: undefined,
  document: undefined,
  editable: false,
  dirty: false,
  errors: [],
  diff: undefined,
  simulation: undefined,
  simulationJob: undefined,
} as const satisfies Partial<PolicyEditorState>;
/** Versions read per request; a scheme has tens, so one page is nearly always all. */
const VERSION_PAGE = 100;

/**
 * The policy editor: list schemes and versions, open one, start a draft, edit it as data (a value at
 * a field path, a condition added or removed), validated as it is typed by the engine's own checker
 * inside the pack in force, then save, diff against the version in force, simulate on the book, and
 * submit for approval. Opened read-only on a submitted version it is the checker's review.
 */
export class PolicyEditor extends KitStore<PolicyEditorState> {
  readonly #client: Client;
  /** The documents in force of every scheme, keyed by scheme: the rest of the pack a draft is checked in. */
  #inForce = new Map<string, unknown>();

  /** Follows the simulation job as the jobs page follows a job (its event stream, polling when it breaks). */
  readonly #jobs: Jobs;
  /** Whether every version opens read-only (`readOnly`). */
  #readOnly = false;

  constructor(client: Client, options: { readonly jobPollMs?: number } = {}) {
    super({ schemes: [], metrics: [], scheme: undefined, versions: [], ...NO_VERSION, actions: idleActions });
    this.#client = client;
    this.#jobs = new Jobs(client, options.jobPollMs === undefined ? {} : { pollMs: options.jobPollMs });
    this.#jobs.subscribe((js) => {
      const job = js.job;
      if (!job || job.id !== this.state.simulationJob?.id) return;
      this.set({ simulationJob: job, ...(job.status === 'completed' && job.simulation ? { simulation: job.simulation.result } : {}) });
    });
  }

  /** Stop following the simulation job (a host disconnected); the job runs on. */
  override cancel(lane?: string): void {
    super.cancel(lane);
    if (lane === undefined) this.#jobs.stopFollowing();
  }

  #mark(action: PolicyAction, status: Status, error?: KitError): void {
    this.set((prev) => ({ actions: { ...prev.actions, [action]: { status, error } } }));
  }

  /** Run one action on its own lane, with its status; undefined when it failed or was superseded. */
  async #act<T>(action: PolicyAction, request: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
    this.#mark(action, 'loading');
    const out = await this.run(action, request, (error) => {
      this.#mark(action, 'error', error);
      // A validation problem names the fields: show them where the engine's own errors go.
      if (error.errors?.length) this.set({ errors: error.errors });
    });
    if (out !== undefined) this.#mark(action, 'ready');
    return out;
  }

  #base(scheme: string): string {
    return `/v1/policies/${enc(scheme)}`;
  }

  /** The schemes, the metric catalogue and the documents in force (for validation). */
  async load(): Promise<void> {
    const got = await this.#act('list', async (signal) => {
      const list = await this.#client.http.get<PoliciesResponse>('/v1/policies', { signal });
      const docs = await Promise.all(
        list.items
          .filter((s) => s.active !== null)
          .map(async (s) => {
            const v = await this.#client.http.get<PolicyVersionDetail>(`${this.#base(s.scheme)}/versions/${s.active?.version}`, { signal });
            return [s.scheme, v.document] as const;
          }),
      );
      return { list, docs };
    });
    if (!got) return;
    this.#inForce = new Map(got.docs);
    this.set({ schemes: got.list.items, metrics: got.list.metrics });
    if (this.state.document !== undefined) this.#validate();
  }

  /** Read again past the client's cache: the list, and the picked scheme's versions. */
  async refresh(): Promise<void> {
    this.#client.invalidate('/v1/policies');
    await this.load();
    const { scheme } = this.state;
    if (scheme !== undefined) await this.#loadVersions(scheme);
  }

  /**
   * Pick a scheme: its versions, and open `version` — by default its newest draft, or else the
   * version in force. Edits not saved to the previous version are dropped.
   */
  async selectScheme(scheme: string, version?: number): Promise<void> {
    this.cancel();
    this.set({ scheme, versions: [], ...this.#closed() });
    const versions = await this.#loadVersions(scheme);
    if (!versions) return;
    const pick =
      version ??
      versions.find((v) => v.status === 'draft')?.version ??
      this.state.schemes.find((s) => s.scheme === scheme)?.active?.version ??
      versions[0]?.version;
    if (pick !== undefined) await this.open(pick);
  }

  async #loadVersions(scheme: string): Promise<readonly PolicyVersionSummary[] | undefined> {
    const page = await this.#act('versions', (signal) =>
      this.#client.http.get<PolicyVersionsResponse>(`${this.#base(scheme)}/versions${query({ limit: VERSION_PAGE })}`, { signal }),
    );
    if (page) this.set({ versions: page.items });
    return page?.items;
  }

  #closed(): Partial<PolicyEditorState> {
    return { ...NO_VERSION, actions: { ...idleActions, list: this.state.actions.list, versions: this.state.actions.versions } };
  }

  /** Open one version of the picked scheme (read-only unless it is a draft). */
  async open(version: number): Promise<void> {
    const { scheme } = this.state;
    if (scheme === undefined) return;
    for (const lane of ['save', 'diff', 'simulate', 'submit']) this.cancel(lane);
    this.set(this.#closed());
    const v = await this.#act('open', (signal) =>
      this.#client.http.get<PolicyVersionDetail>(`${this.#base(scheme)}/versions/${version}`, { signal }),
    );
    if (v) this.#show(v);
  }

  #show(v: PolicyVersionDetail): void {
    this.#jobs.stopFollowing();
    this.set({
      version: v,
      document: v.document,
      editable: v.status === 'draft' && !this.#readOnly,
      dirty: false,
      diff: undefined,
      simulation: undefined,
      simulationJob: undefined,
    });
    this.#validate();
  }

  /**
   * Open every version read-only, drafts too: for a reader who may change nothing (internal audit),
   * whose edits the API would refuse after they were typed.
   */
  readOnly(readOnly: boolean): void {
    this.#readOnly = readOnly;
    const v = this.state.version;
    this.set({ editable: v?.status === 'draft' && !readOnly });
  }

  /**
   * A new draft of the picked scheme: a copy of `from`, or of the version in force; opened for editing.
   * `note`: why it is drafted, for the checker (the version's `draftNote`, and the trail's).
   */
  async createDraft(from?: number, note?: string): Promise<void> {
    const { scheme } = this.state;
    if (scheme === undefined) return;
    const said = note?.trim();
    const body = { ...(from === undefined ? {} : { from }), ...(said ? { note: said } : {}) };
    const draft = await this.#act('create', (signal) =>
      this.#client.http.send<PolicyVersionDetail>('POST', `${this.#base(scheme)}/drafts`, body, {
        signal,
        forget: ['/v1/policies'],
      }),
    );
    if (!draft) return;
    this.set({
      actions: { ...idleActions, list: this.state.actions.list, versions: this.state.actions.versions, create: this.state.actions.create },
    });
    this.#show(draft);
    await this.#loadVersions(scheme);
  }

  /** The open document's value at a field path (as the engine's errors name it). */
  valueAt(path: string): unknown {
    return getAt(this.state.document, path);
  }

  /** Set a value at a field path of the draft (`document.policy.levels[0].when.of[0].value`). */
  setValue(path: string, value: unknown): void {
    this.#edit(setAt(this.state.document, path, value));
  }

  /**
   * Add a condition where `path` points at one: into a group's `of`, or — at a single threshold —
   * turning it into "any of" that threshold and the new one, as the policy format nests them.
   */
  addCondition(path: string, condition: Condition): void {
    const at = getAt(this.state.document, path) as Condition | undefined;
    if (at === undefined) return;
    const next: Condition = at.kind === 'threshold' ? { kind: 'any', of: [at, condition] } : { ...at, of: [...at.of, condition] };
    this.#edit(setAt(this.state.document, path, next));
  }

  /**
   * The metrics a condition of the open scheme may read: those measured on its kind of subject
   * (`MetricDef.subjectKinds`), so a customer tier is never offered a company's revenue or an
   * employee's tenure — the engine refuses them (`metric_subject_kind`).
   */
  metricsForScheme(): readonly MetricDef[] {
    const doc = this.state.document as { subjectKind?: unknown; audience?: unknown } | undefined;
    const kind = doc?.subjectKind;
    // Nor is a customer scheme offered a metric kept from customers (AML, PEP, credit score): `staff_metric`.
    const customer = doc?.audience === 'customer';
    return this.state.metrics.filter((m) => {
      if (customer && metricIsStaffOnly(m)) return false;
      if (typeof kind !== 'string') return true;
      const kinds: readonly string[] | undefined = metricSubjectKinds(m);
      return kinds === undefined || kinds.includes(kind);
    });
  }

  /**
   * The window a new condition on `metric` starts with: the one the open scheme's other conditions on
   * that metric use most (the first of equals), so a new balance line reads the same 3-month average
   * as the others; null (the latest value) when none reads it.
   */
  defaultWindow(metric: string): PolicyWindow | null {
    const policy = (this.state.document as { policy?: { levels?: unknown; triggers?: unknown } } | undefined)?.policy;
    const counts = new Map<string, { window: PolicyWindow | null; n: number }>();
    const visit = (c: unknown): void => {
      if (typeof c !== 'object' || c === null) return;
      const node = c as { kind?: unknown; metric?: unknown; window?: PolicyWindow | null; of?: unknown };
      if (node.kind === 'threshold') {
        if (node.metric !== metric) return;
        const window = node.window ?? null;
        const key = JSON.stringify(window);
        const seen = counts.get(key) ?? { window, n: 0 };
        counts.set(key, { window, n: seen.n + 1 });
      } else if (Array.isArray(node.of)) node.of.forEach(visit);
    };
    for (const list of [policy?.levels, policy?.triggers]) {
      if (Array.isArray(list)) for (const r of list) visit((r as { when?: unknown }).when);
    }
    let best: { window: PolicyWindow | null; n: number } | undefined;
    for (const c of counts.values()) if (!best || c.n > best.n) best = c;
    return best?.window ?? null;
  }

  /** Remove the condition at `path`, which must be an item of a group (`…when.of[1]`). */
  removeCondition(path: string): void {
    const segs = parseFieldPath(path);
    if (typeof segs[segs.length - 1] !== 'number' || segs[segs.length - 2] !== 'of') return;
    // An emptied group is left for the engine to refuse ("at least one"), with this path, not guessed at.
    this.#edit(setAt(this.state.document, segs, undefined));
  }

  #edit(document: unknown): void {
    if (!this.state.editable) return;
    this.set({ document, dirty: true, diff: undefined, simulation: undefined });
    this.#validate();
  }

  /** The engine's own check of the document inside the pack in force: pure, no request. */
  #validate(): void {
    const { scheme, document, metrics } = this.state;
    if (scheme === undefined || document === undefined || metrics.length === 0) return;
    const others = [...this.#inForce].map(([, doc]) => doc);
    const result = checkSchemeDocument({ metrics, schemes: others }, scheme, document);
    this.set({ errors: result.ok ? [] : result.errors });
  }

  /** The errors at `path` or below it (`document.policy.levels[0]` has those of its conditions). */
  errorsAt(path: string): readonly ProblemFieldError[] {
    return this.state.errors.filter((e) => e.path === path || e.path.startsWith(`${path}.`) || e.path.startsWith(`${path}[`));
  }

  /** Store the draft's edits (PUT). Resolves to whether the stored version now has them. */
  async save(): Promise<boolean> {
    const { scheme, version, document, editable } = this.state;
    if (scheme === undefined || version === undefined) return false;
    // Nothing typed: nothing to store, also for a read-only version (the checker's diff and simulation).
    if (!this.state.dirty) return true;
    if (!editable) return false;
    const saved = await this.#act('save', (signal) =>
      this.#client.http.send<PolicyVersionDetail>(
        'PUT',
        `${this.#base(scheme)}/versions/${version.version}`,
        { document },
        { signal, forget: ['/v1/policies'] },
      ),
    );
    // Edits typed while the save was under way stay: only an unchanged document is now clean.
    if (saved) this.set((s) => ({ version: saved, dirty: s.document !== document }));
    return saved !== undefined && !this.state.dirty;
  }

  /** What the open version changes against the version it replaces (the API's default: the last approved one), in words (saved first when edited). */
  async loadDiff(against?: number): Promise<void> {
    const { scheme, version } = this.state;
    if (scheme === undefined || version === undefined || !(await this.save())) return;
    const path = `${this.#base(scheme)}/versions/${version.version}/diff${query({ against })}`;
    this.#client.invalidate(path);
    const diff = await this.#act('diff', (signal) => this.#client.http.get<PolicyDiff>(path, { signal }));
    if (diff) this.set({ diff });
  }

  /**
   * What the next re-tier would do were the open version in force for it (saved first when edited):
   * the month judged and the data read, migration matrix with samples, distributions, who the grace
   * holds and keeps. Queued as a simulation job (`POST …/simulations`: any size of book) and followed
   * live; resolves once it is queued, `simulationJob` tells its progress and `simulation` its result.
   */
  async simulate(samplesPerCell = 3): Promise<void> {
    const { scheme, version } = this.state;
    if (scheme === undefined || version === undefined || !(await this.save())) return;
    const job = await this.#act('simulate', (signal) =>
      this.#client.http.send<Job>(
        'POST',
        `${this.#base(scheme)}/versions/${version.version}/simulations`,
        { samplesPerCell },
        { signal, forget: ['/v1/jobs'] },
      ),
    );
    if (!job) return;
    this.set({ simulationJob: job, simulation: undefined });
    void this.#jobs.follow(job.id);
  }

  /** Cancel the running simulation job (whoever may simulate may: `POST …/simulations/{id}/cancel`). */
  async cancelSimulation(): Promise<void> {
    const { scheme, simulationJob } = this.state;
    if (scheme === undefined || !simulationJob?.simulation) return;
    const { version, scheme: simulated } = simulationJob.simulation;
    const job = await this.#act('cancelSimulation', (signal) =>
      this.#client.http.send<Job>(
        'POST',
        `${this.#base(simulated)}/versions/${version}/simulations/${enc(simulationJob.id)}/cancel`,
        {},
        {
          signal,
          forget: ['/v1/jobs'],
        },
      ),
    );
    if (!job) return;
    this.#jobs.stopFollowing();
    if (job.id === this.state.simulationJob?.id) this.set({ simulationJob: job });
  }

  /**
   * Submit the draft for approval (saved first when edited); the version is then read-only here.
   * `note`: why it is submitted as it stands (the version's `submitNote`, and the trail's).
   */
  async submit(note?: string): Promise<void> {
    const said = note?.trim();
    const { scheme, version } = this.state;
    if (scheme === undefined || version === undefined || !this.state.editable || !(await this.save())) return;
    const submitted = await this.#act('submit', (signal) =>
      this.#client.http.send<PolicyVersionDetail>(
        'POST',
        `${this.#base(scheme)}/versions/${version.version}/submit`,
        said ? { note: said } : {},
        {
          signal,
          forget: ['/v1/policies', '/v1/approvals'],
        },
      ),
    );
    if (!submitted) return;
    this.set({ version: submitted, editable: false });
    await this.#loadVersions(scheme);
  }

  /**
   * Ask for the open version (approved, scheduled or in force) to be retired, with the reason: it
   * keeps deciding until another person approves the request in the approvals queue.
   */
  async requestRetirement(note: string): Promise<void> {
    const { scheme, version } = this.state;
    if (scheme === undefined || version === undefined) return;
    const asked = await this.#act('retire', (signal) =>
      this.#client.http.send<PolicyVersionDetail>(
        'POST',
        `${this.#base(scheme)}/versions/${version.version}/retire`,
        { note },
        { signal, forget: ['/v1/policies', '/v1/approvals'] },
      ),
    );
    if (!asked) return;
    this.set({ version: asked });
    await this.#loadVersions(scheme);
  }
}

/** Subjects whose level the simulated version changes: every cell off the diagonal. */
export function movedCount(sim: PolicySimulation): number {
  // A first level (from `none`) is no change of level: `sim.assigned` counts those apart.
  return sim.cells.reduce((n, c) => (c.from === c.to || c.from === 'none' ? n : n + c.count), 0);
}
