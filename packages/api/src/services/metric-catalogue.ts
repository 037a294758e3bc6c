import {
  checkSchemeDocument,
  defaultMetrics,
  metricAudience,
  schemeDefinitionSchema,
  schemeMetrics,
  validatePolicyPack,
  type MetricDef,
  type SubjectKind,
} from '@tierkit/core';
import {
  findTenant,
  listPolicyVersionsIn,
  lockTenant,
  metricPeriodsWritten,
  replaceMetricCatalogue,
  type Executor,
  type PolicyVersion,
  type Tenant,
} from '@tierkit/db';
import { roleAtLeast } from '../auth/roles.js';
import type { ApiDeps } from '../deps.js';
import { periodOf } from '../periods.js';
import { ProblemError } from '../problem.js';
import { versionsInForce } from './tenant-pack.js';

/*
 * The tenant's metric catalogue as a bank's risk team edits it (`/v1/metrics`): its own metrics beside
 * the default ones (a corporate rating on `debt_to_equity`), so a scheme, the CSV import and
 * `PUT /v1/subjects/{id}/metrics` may use them (docs/policy-format.md, "The metric catalogue").
 *
 * What may not change under a policy that reads a metric: its unit or currency (every threshold of the
 * policy is written in them) and the kinds of subject it is measured on; nor may it be removed. "Reads"
 * counts every approved version (in force, scheduled, or deciding an earlier month that is re-tiered
 * again) and every one waiting for approval.
 *
 * Who sees it is governance: a metric kept from customers (`staff`, `compliance`: an AML score, PEP
 * status) made customer-facing lets a customer scheme draw a line on it, which tells customers what
 * tipping-off forbids (docs/domain.md §4). As a scheme's `audience` staff → customer needs the strongest
 * role at approval (`governanceWeakenings`), lowering a metric's audience is one admin's request and
 * another's decision (services/metric-audience-requests.ts).
 */

/** Who a metric is kept from, as the API writes it: `customer` is the catalogue's absent `audience`. */
export const METRIC_AUDIENCES = ['customer', 'staff', 'compliance'] as const;
export type MetricAudience = (typeof METRIC_AUDIENCES)[number];
const AUDIENCE_STRENGTH: Readonly<Record<MetricAudience, number>> = { customer: 0, staff: 1, compliance: 2 };

/** A catalogue entry as a request carries it (`key` from the path on an amendment). */
export interface MetricInput {
  readonly key: string;
  readonly unit: MetricDef['unit'];
  readonly currency?: string | undefined;
  readonly label: MetricDef['label'];
  readonly subjectKinds?: readonly SubjectKind[] | undefined;
  readonly actionable?: boolean | undefined;
  readonly audience: MetricAudience;
}

/** One entry as `/v1/metrics` answers it. */
export interface MetricEntry {
  readonly key: string;
  readonly unit: MetricDef['unit'];
  readonly currency?: string;
  readonly label: MetricDef['label'];
  readonly subjectKinds?: readonly SubjectKind[];
  readonly actionable: boolean;
  readonly audience: MetricAudience;
  /** A key of the default catalogue (tierkit's own: the seeder and importers know it). */
  readonly builtIn: boolean;
  /** Schemes whose approved or submitted versions read it. */
  readonly usedBy: readonly string[];
}

const DEFAULT_BY_KEY = new Map(defaultMetrics.map((m) => [m.key, m]));

export const audienceOf = (def: MetricDef): MetricAudience => metricAudience(def) ?? 'customer';

/** Every metric a stored version reads: its conditions and factors, and its quotas' usage metrics. */
function versionMetrics(v: Pick<PolicyVersion, 'document'>): Set<string> {
  const parsed = schemeDefinitionSchema.safeParse(v.document);
  if (!parsed.success) return new Set();
  const out = schemeMetrics(parsed.data);
  for (const list of Object.values(parsed.data.entitlements ?? {}))
    for (const e of list) if (e.kind === 'quota' && e.usageMetric !== undefined) out.add(e.usageMetric);
  return out;
}

/** Scheme → the metrics its approved and submitted versions read. */
async function readers(deps: Pick<ApiDeps, 'db' | 'tenantId'>): Promise<{ versions: PolicyVersion[]; usedBy: Map<string, Set<string>> }> {
  const versions = await listPolicyVersionsIn(deps.db, deps.tenantId, ['active', 'submitted']);
  const usedBy = new Map<string, Set<string>>();
  for (const v of versions)
    for (const m of versionMetrics(v)) {
      const set = usedBy.get(m) ?? new Set<string>();
      set.add(v.scheme);
      usedBy.set(m, set);
    }
  return { versions, usedBy };
}

function entryOf(def: MetricDef, usedBy: ReadonlyMap<string, ReadonlySet<string>>): MetricEntry {
  return {
    key: def.key,
    unit: def.unit,
    ...(def.currency !== undefined ? { currency: def.currency } : {}),
    label: def.label,
    ...(def.subjectKinds !== undefined
      ? { subjectKinds: def.subjectKinds }
      : DEFAULT_BY_KEY.get(def.key)?.subjectKinds
        ? { subjectKinds: DEFAULT_BY_KEY.get(def.key)?.subjectKinds ?? [] }
        : {}),
    actionable: def.actionable !== false,
    audience: audienceOf(def),
    builtIn: DEFAULT_BY_KEY.has(def.key),
    usedBy: [...(usedBy.get(def.key) ?? [])].sort(),
  };
}

async function catalogue(deps: Pick<ApiDeps, 'db' | 'tenantId'>) {
  const tenant = await findTenant(deps.db, deps.tenantId);
  if (!tenant) throw new ProblemError('not-found', `Tenant "${deps.tenantId}" does not exist.`);
  return tenant;
}

/** The tenant's catalogue, in its order, each entry with the schemes that read it. */
export async function listMetricEntries(deps: Pick<ApiDeps, 'db' | 'tenantId'>): Promise<MetricEntry[]> {
  const tenant = await catalogue(deps);
  const { usedBy } = await readers(deps);
  return tenant.metrics.map((m) => entryOf(m, usedBy));
}

/** The stored definition of `input`: `customer` is no `audience`; a currency only for money. */
function definitionOf(input: MetricInput): MetricDef {
  const field = (path: string, message: string, code: string, params?: Record<string, string | string[]>) =>
    new ProblemError('validation', `${path}: ${message}`, [{ path, message, code, ...(params ? { params } : {}) }]);
  if (input.unit === 'money' && input.currency === undefined)
    throw field('currency', 'a money metric needs its currency (ISO 4217): its values are minor units of it', 'required');
  if (input.unit !== 'money' && input.currency !== undefined)
    throw field('currency', 'only a money metric has a currency', 'invalid_value', { values: [] });
  const builtIn = DEFAULT_BY_KEY.get(input.key);
  // A default key's audience falls back to the default catalogue's when absent (metricAudience): a
  // stored entry cannot say less than that, and the default's AML and PEP keys stay kept from customers.
  if (builtIn && AUDIENCE_STRENGTH[input.audience] < AUDIENCE_STRENGTH[audienceOf(builtIn)])
    throw field(
      'audience',
      `"${input.key}" is a default metric kept from customers (${audienceOf(builtIn)}): its audience cannot be lowered below that`,
      'audience_fixed',
      { values: METRIC_AUDIENCES.filter((a) => AUDIENCE_STRENGTH[a] >= AUDIENCE_STRENGTH[audienceOf(builtIn)]) },
    );
  return {
    key: input.key,
    unit: input.unit,
    ...(input.currency !== undefined ? { currency: input.currency } : {}),
    label: input.label,
    ...(input.subjectKinds !== undefined ? { subjectKinds: [...new Set(input.subjectKinds)] } : {}),
    ...(input.actionable !== undefined ? { actionable: input.actionable } : {}),
    ...(input.audience !== 'customer' ? { audience: input.audience } : {}),
  };
}

/** Which schemes' policies the caller reads (services/policy-readers.ts): a refusal names no other. */
export type MayReadPolicy = (scheme: string) => boolean;

/** "\"a\", \"b\" and 2 more you may not read": what the caller reads named, the rest only counted. */
function readByWords(named: readonly string[], unreadable: number): string {
  const names = named.join(', ');
  const hidden = `${unreadable} ${named.length ? 'more' : `scheme${unreadable === 1 ? '' : 's'}`} you may not read`;
  return unreadable === 0 ? names : named.length ? `${names} and ${hidden}` : hidden;
}

/**
 * 409 `metric_in_use`: `metric` is read by `schemes`, so `why`. Which metrics a scheme reads is its
 * policy, its readers' only (the AML grade's inputs): the refusal names the schemes the caller reads and
 * counts the rest (`unreadable`), as `GET /v1/metrics` leaves them out of `usedBy`.
 */
function inUse(metric: string, schemes: readonly string[], mayRead: MayReadPolicy, why: string, path = 'key'): ProblemError {
  const named = schemes.filter(mayRead);
  const unreadable = schemes.length - named.length;
  const by = readByWords(
    named.map((s) => `"${s}"`),
    unreadable,
  );
  return new ProblemError('conflict', `Metric "${metric}" is read by ${by}: ${why}. Nothing was changed.`, [
    { path, message: `read by ${by}`, code: 'metric_in_use', params: { metric, schemes: named, unreadable } },
  ]);
}

/**
 * The approved versions still validate against `metrics` in every month one of them decides (a kind
 * of subject taken away from a metric a scheme reads would stop the tenant's pack from compiling).
 * When the metric's audience is `raised`, no customer scheme in force may read it as one that keeps it
 * from customers: loading does not check that (only a new version is held to it, `authoring`), so a
 * scheme in force would go on deciding customers' levels on what the bank now says they may not see
 * (docs/domain.md §4), and no copy of it could be submitted again.
 */
function checkPacksWith(
  metrics: readonly MetricDef[],
  versions: readonly PolicyVersion[],
  metric: string,
  raised: boolean,
  mayRead: MayReadPolicy,
): void {
  const active = versions.filter((v) => v.status === 'active');
  // A version decides from the month its date falls in when that is the 1st, else from the next.
  const starts = new Set(
    active.flatMap((v) => (v.decidedAt === null ? ['0000-01'] : [v.effectiveFrom.slice(0, 7), nextMonth(v.effectiveFrom)])),
  );
  for (const period of starts) {
    const inForce = versionsInForce(active, period);
    const pack = { metrics, schemes: inForce.map((v) => v.document) };
    const result = validatePolicyPack(pack);
    const kept = raised ? validatePolicyPack(pack, { authoring: true }) : undefined;
    const errors = [
      ...(result.ok ? [] : result.errors),
      ...(kept && !kept.ok ? kept.errors.filter((e) => e.code === 'staff_metric' && e.params?.metric === metric) : []),
    ];
    if (errors.length > 0) {
      const schemes = [
        ...new Set(errors.map((e) => /^schemes\[(\d+)\]/.exec(e.path)).map((m) => (m ? inForce[Number(m[1])]?.scheme : undefined))),
      ]
        .filter((s): s is string => s !== undefined)
        .sort();
      throw inUse(
        metric,
        schemes,
        mayRead,
        `the policies in force would no longer hold (${errors.map((e) => e.message).join('; ')})`,
        result.ok ? 'audience' : 'subjectKinds',
      );
    }
  }
}

function nextMonth(iso: string): string {
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/**
 * The submitted versions still pass the check their approval runs (`checkDocument` against the pack in
 * force) with `metrics` in place of `before`: a checker approves what the maker submitted, so a kind of
 * subject taken away, or an audience raised, under a version waiting for them is a 409 naming it
 * (`metric_in_pending_version`) rather than a surprise at approval. A version that did not pass before
 * the change is not this change's to refuse (its approval refuses it as it did).
 */
function checkPendingWith(
  metrics: readonly MetricDef[],
  before: readonly MetricDef[],
  versions: readonly PolicyVersion[],
  metric: string,
  period: string,
  path: string,
  mayRead: MayReadPolicy,
): void {
  const inForce = versionsInForce(
    versions.filter((v) => v.status === 'active'),
    period,
  ).map((v) => v.document);
  const broken = versions
    .filter((v) => v.status === 'submitted' && versionMetrics(v).has(metric))
    .filter(
      (v) =>
        !checkSchemeDocument({ metrics, schemes: inForce }, v.scheme, v.document).ok &&
        checkSchemeDocument({ metrics: before, schemes: inForce }, v.scheme, v.document).ok,
    );
  if (broken.length === 0) return;
  // As `metric_in_use`: a version of a scheme whose policy the caller may not read is counted, not named
  // (which metrics the AML grade reads is its policy); `scheme`/`version` are the first one they read.
  const readable = broken.filter((v) => mayRead(v.scheme));
  const schemes = [...new Set(readable.map((v) => v.scheme))].sort();
  const unreadable = new Set(broken.filter((v) => !mayRead(v.scheme)).map((v) => v.scheme)).size;
  const first = readable[0];
  const named = readByWords(
    readable.map((v) => `version ${v.version} of "${v.scheme}"`),
    unreadable,
  );
  throw new ProblemError(
    'conflict',
    `Metric "${metric}" is read by ${named}, submitted and waiting for approval, which would no longer hold: reject or edit it first. Nothing was changed.`,
    [
      {
        path,
        message: `read by ${named}, waiting for approval`,
        code: 'metric_in_pending_version',
        params: { metric, ...(first ? { scheme: first.scheme, version: first.version } : {}), schemes, unreadable },
      },
    ],
  );
}

/**
 * Check and write a catalogue change as one decision: inside one transaction that holds the tenant's row
 * (`lockTenant`), which every submission and approval of a policy version takes too before it checks its
 * document against the catalogue. So "no version reads this metric" and the removal cannot be split by
 * an approval on another server, which would leave the pack in force naming a metric that is gone and
 * every read of the tenant failing. `change` reads the versions and stored values on `trx` and returns
 * the new catalogue, or throws a problem and nothing is written.
 */
export async function decide<T>(
  deps: Pick<ApiDeps, 'db' | 'tenantId' | 'packs'>,
  change: (trx: Executor, tenant: Tenant) => Promise<{ metrics?: readonly MetricDef[]; result: T }>,
): Promise<T> {
  const result = await deps.db.transaction().execute(async (trx) => {
    const tenant = await lockTenant(trx, deps.tenantId);
    if (!tenant) throw new ProblemError('not-found', `Tenant "${deps.tenantId}" does not exist.`);
    const decided = await change(trx, tenant);
    if (decided.metrics === undefined) return decided.result;
    if (!(await replaceMetricCatalogue(trx, deps.tenantId, tenant.catalogueText, decided.metrics)))
      throw new ProblemError(
        'conflict',
        'The metric catalogue was changed by someone else meanwhile: read it again and retry. Nothing was changed.',
      );
    return decided.result;
  });
  deps.packs.invalidate(deps.tenantId);
  return result;
}

/** Add a metric of the bank's own (409 `metric_exists` for a key the catalogue has). */
export async function addMetric(deps: Pick<ApiDeps, 'db' | 'tenantId' | 'packs' | 'principal'>, input: MetricInput): Promise<MetricEntry> {
  const def = definitionOf(input);
  return decide(deps, async (_trx, tenant) => {
    if (tenant.metrics.some((m) => m.key === def.key))
      throw new ProblemError('conflict', `The catalogue already has a metric "${def.key}": amend it with PUT /v1/metrics/${def.key}.`, [
        { path: 'key', message: 'already in the catalogue', code: 'metric_exists', params: { metric: def.key } },
      ]);
    return { metrics: [...tenant.metrics, def], result: entryOf(def, new Map()) };
  });
}

type WriteDeps = Pick<ApiDeps, 'db' | 'tenantId' | 'packs' | 'principal' | 'now' | 'timeZone'>;

/**
 * Whether `def` may replace `before` now: the unit, currency and kinds of a metric a policy reads stay,
 * values stored keep their unit, and an audience raised keeps nothing a version reads from holding.
 * Run inside `decide`, on its transaction: by an amendment, and again by the approval of a lowered
 * audience (the catalogue and the versions may have moved while it waited).
 */
export async function checkAmendment(
  deps: Pick<ApiDeps, 'tenantId' | 'now' | 'timeZone'>,
  trx: Executor,
  tenant: Tenant,
  before: MetricDef,
  def: MetricDef,
  mayRead: MayReadPolicy,
): Promise<{ metrics: MetricDef[]; usedBy: Map<string, Set<string>> }> {
  const { versions, usedBy } = await readers({ db: trx, tenantId: deps.tenantId });
  const schemes = [...(usedBy.get(def.key) ?? [])].sort();
  if (schemes.length > 0 && (def.unit !== before.unit || def.currency !== before.currency))
    throw inUse(def.key, schemes, mayRead, 'its thresholds are written in its unit, so the unit and currency stay as they are', 'unit');
  // Stored values are integers in the unit they were written in: another unit or currency would read
  // fen as a count, or CNY fen as USD cents, in every read, simulation and later scheme.
  if (def.unit !== before.unit || def.currency !== before.currency) {
    const periods = await metricPeriodsWritten(trx, deps.tenantId, def.key);
    if (periods.length > 0)
      throw new ProblemError(
        'conflict',
        `Metric "${def.key}" has values (${periods[0]} to ${periods.at(-1)}) written in ${before.unit}${before.currency ? ` ${before.currency}` : ''}: another unit or currency would read them wrongly. Add a metric with a new key instead. Nothing was changed.`,
        [
          {
            path: def.unit !== before.unit ? 'unit' : 'currency',
            message: `has values from ${periods[0]} to ${periods.at(-1)}`,
            code: 'metric_has_values',
            params: { metric: def.key, from: periods[0] as string, to: periods.at(-1) as string },
          },
        ],
      );
  }
  const metrics = tenant.metrics.map((m) => (m.key === def.key ? def : m));
  const raised = AUDIENCE_STRENGTH[audienceOf(def)] > AUDIENCE_STRENGTH[audienceOf(before)];
  if (schemes.length > 0) {
    checkPacksWith(metrics, versions, def.key, raised, mayRead);
    checkPendingWith(
      metrics,
      tenant.metrics,
      versions,
      def.key,
      periodOf(deps.now(), deps.timeZone),
      raised ? 'audience' : 'subjectKinds',
      mayRead,
    );
  }
  return { metrics, usedBy };
}

/** Whether `to` shows a metric to more eyes than `from` (compliance → staff → customer). */
export const lowers = (from: MetricAudience, to: MetricAudience): boolean => AUDIENCE_STRENGTH[to] < AUDIENCE_STRENGTH[from];

/**
 * What an amendment did: applied at once, or — an audience lowered, by an admin — filed for a second
 * admin by `fileLowering` (services/metric-audience-requests.ts), changing nothing now.
 */
export type Amendment<R> = { readonly before: MetricDef; readonly after: MetricEntry } | { readonly request: R };

/**
 * Replace a metric's entry; the unit, currency and kinds of a metric a policy reads stay as they are.
 * Lowering its audience is a 403 under an admin; an admin's is handed to `fileLowering`, in the same
 * transaction, after every other check passed (a request that could never apply is not filed).
 */
export async function amendMetric<R>(
  deps: WriteDeps,
  input: MetricInput,
  mayRead: MayReadPolicy,
  fileLowering: (trx: Executor, before: MetricDef, after: MetricDef) => Promise<R>,
): Promise<Amendment<R>> {
  const def = definitionOf(input);
  return decide<Amendment<R>>(deps, async (trx, tenant) => {
    const before = tenant.metrics.find((m) => m.key === input.key);
    if (!before) throw new ProblemError('not-found', `The catalogue has no metric "${input.key}".`);
    const from = audienceOf(before);
    const lowering = lowers(from, input.audience);
    if (lowering && !roleAtLeast(deps.principal.role, 'admin'))
      throw new ProblemError(
        'forbidden',
        `Making "${def.key}" visible to ${input.audience === 'customer' ? 'customers' : 'all staff'} (it is kept: ${from}) weakens governance: an admin asks for it and another admin decides it. Nothing was changed.`,
        [
          {
            path: 'audience',
            message: `${from} → ${input.audience}: the admin role decides it`,
            code: 'governance_weakened',
            params: { metric: def.key, from, to: input.audience, needs: 'admin' },
          },
        ],
      );
    const { metrics, usedBy } = await checkAmendment(deps, trx, tenant, before, def, mayRead);
    if (lowering) return { result: { request: await fileLowering(trx, before, def) } };
    return { metrics, result: { before, after: entryOf(def, usedBy) } };
  });
}

/** The entry as `/v1/metrics` answers it, with the schemes that read it now (`trx`). */
export async function entryNow(trx: Executor, tenantId: string, def: MetricDef): Promise<MetricEntry> {
  return entryOf(def, (await readers({ db: trx, tenantId })).usedBy);
}

/** Take a metric out of the catalogue (409 `metric_in_use` while a version reads it). Its stored values stay. */
export async function removeMetric(
  deps: Pick<ApiDeps, 'db' | 'tenantId' | 'packs' | 'principal'>,
  key: string,
  mayRead: MayReadPolicy,
): Promise<{ before: MetricDef; entry: MetricEntry }> {
  return decide(deps, async (trx, tenant) => {
    const before = tenant.metrics.find((m) => m.key === key);
    if (!before) throw new ProblemError('not-found', `The catalogue has no metric "${key}".`);
    const { usedBy } = await readers({ db: trx, tenantId: deps.tenantId });
    const schemes = [...(usedBy.get(key) ?? [])].sort();
    if (schemes.length > 0) throw inUse(key, schemes, mayRead, 'a policy that reads it would no longer hold');
    return { metrics: tenant.metrics.filter((m) => m.key !== key), result: { before, entry: entryOf(before, new Map()) } };
  });
}
