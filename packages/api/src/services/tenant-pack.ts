import {
  compilePack,
  DEFAULT_TIME_ZONE,
  periodOf,
  schemeDependencies,
  validatePolicyPack,
  type CompiledPack,
  type PolicyPack,
  type SchemeDefinition,
} from '@tierkit/core';
import {
  activePolicyFingerprint,
  catalogueFingerprint,
  findPolicyVersion,
  findTenant,
  listPolicyVersionsIn,
  policyFingerprint,
  type Executor,
  type PolicyVersion,
} from '@tierkit/db';
import { ProblemError } from '../problem.js';

/**
 * A tenant's configuration in force for one period (`YYYY-MM`), validated and compiled once for many
 * evaluations. `at` gives the one in force for another period: policy versions have effective dates.
 */
export interface TenantPack {
  readonly tenantId: string;
  /** The period this pack is in force for. */
  readonly period: string;
  /** The bank's calendar it was compiled for: where its months end. */
  readonly timeZone: string;
  readonly pack: PolicyPack;
  readonly compiled: CompiledPack;
  readonly schemes: ReadonlyMap<string, SchemeDefinition>;
  readonly metrics: ReadonlyMap<string, PolicyPack['metrics'][number]>;
  /** The version of each scheme in force for `period`. */
  readonly versions: ReadonlyMap<string, PolicyVersion>;
  /**
   * The tenant's approved versions this pack was chosen from (their ids): two packs with the same
   * fingerprint decide every period alike, whichever connection or cache they came from.
   */
  readonly fingerprint: string;
  /** The pack in force for `period`; periods the same versions cover share its compiled pack. */
  at(period: string): TenantPack;
}

/** Milliseconds a tenant's set of active policy versions is trusted without asking the database again. */
export const PACK_CHECK_MS = 1000;

/** The first day (`YYYY-MM-DD`) on which a version is in force, or '' for "from the beginning". */
export function startOf(v: PolicyVersion): string {
  // Versions that came with the tenant (provisioned or imported, never approved here) have no
  // decision: they are what the bank has always used, so they cover every earlier month too.
  return v.decidedAt === null ? '' : v.effectiveFrom.slice(0, 10);
}

/**
 * Which version of each scheme is in force for `period`: among the approved (`active`) versions, the
 * one with the latest effective date on or before the month's first day. A month's data is evaluated
 * under the policy in force when the month began, so a version effective from 2027-01-01 first
 * decides 2027-01, and one effective 2026-12-15 first decides 2027-01 as well.
 */
export function versionsInForce(active: readonly PolicyVersion[], period: string): PolicyVersion[] {
  const day = `${period}-01`;
  const best = new Map<string, PolicyVersion>();
  for (const v of active) {
    const start = startOf(v);
    if (start > day) continue;
    const held = best.get(v.scheme);
    if (!held || start > startOf(held) || (start === startOf(held) && v.version > held.version)) best.set(v.scheme, v);
  }
  // Keep the pack's order (position, scheme), which `active` is listed in.
  return active.filter((v) => best.get(v.scheme) === v);
}

/**
 * The approved version of `scheme` that comes last — the latest scheduled one, else the one in force —
 * leaving out `except`: what a new version follows, copies by default and is compared with, since an
 * approval may not be dated before a version already scheduled (packages/api/README.md, "Versions in order").
 */
export function lastApproved(active: readonly PolicyVersion[], scheme: string, except?: string): PolicyVersion | undefined {
  let best: PolicyVersion | undefined;
  for (const v of active) {
    if (v.scheme !== scheme || v.id === except) continue;
    if (!best || startOf(v) > startOf(best) || (startOf(v) === startOf(best) && v.version > best.version)) best = v;
  }
  return best;
}

/** Every approved version of a tenant and its catalogue: the packs of all periods, compiled on demand. */
class PackTimeline {
  private readonly byVersions = new Map<string, TenantPack>();
  private readonly byPeriod = new Map<string, TenantPack>();
  /** The active versions' fingerprint (`policyFingerprint`): what the cache compares, what a pack carries. */
  readonly fingerprint: string;

  constructor(
    readonly tenantId: string,
    private readonly metrics: PolicyPack['metrics'],
    private readonly active: readonly PolicyVersion[],
    readonly timeZone: string,
    catalogue: string,
  ) {
    this.fingerprint = policyFingerprint(
      active.map((v) => v.id),
      catalogue,
    );
  }

  at(period: string): TenantPack {
    const hit = this.byPeriod.get(period);
    if (hit) return hit;
    const versions = versionsInForce(this.active, period);
    const key = versions.map((v) => v.id).join(',');
    let compiled = this.byVersions.get(key);
    if (!compiled) {
      compiled = this.compile(period, versions);
      this.byVersions.set(key, compiled);
    }
    // One object per period (so `period` is true), sharing the compiled pack of its versions.
    const tp = compiled.period === period ? compiled : { ...compiled, period };
    // Periods asked for are months of data: a handful per tenant, but bound the map all the same.
    if (this.byPeriod.size >= 1000) this.byPeriod.clear();
    this.byPeriod.set(period, tp);
    return tp;
  }

  private compile(period: string, versions: readonly PolicyVersion[]): TenantPack {
    const result = validatePolicyPack({ metrics: this.metrics, schemes: versions.map((p) => p.document) });
    if (!result.ok) {
      throw new Error(
        `stored policy pack of tenant "${this.tenantId}" for ${period} is invalid: ${result.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      );
    }
    const pack = result.pack;
    return {
      tenantId: this.tenantId,
      period,
      timeZone: this.timeZone,
      pack,
      compiled: compilePack(pack, { timeZone: this.timeZone }),
      schemes: new Map(pack.schemes.map((s) => [s.key, s])),
      metrics: new Map(pack.metrics.map((m) => [m.key, m])),
      versions: new Map(versions.map((v) => [v.scheme, v])),
      fingerprint: this.fingerprint,
      at: (p) => this.at(p),
    };
  }
}

/**
 * Loads and compiles each tenant's packs (metric catalogue + the policy versions in force), cached
 * until the set of approved versions changes. Checking that costs one small indexed query, asked at
 * most once per `checkMs` per tenant rather than on every read: policies change only when a version is
 * approved or retired, a tenant provisioned or a pack imported, and then reads see it within that
 * delay (packages/api/README.md, "Reads"). Each period's pack is compiled once and then looked up.
 */
export class TenantPacks {
  private readonly cache = new Map<string, { value: PackTimeline; checkedAt: number }>();

  /**
   * @param timeZone  the bank's calendar (`TIERKIT_TIME_ZONE`): every process of a deployment must
   *   use the same one, or a server and a worker would disagree on when a month ended.
   */
  constructor(
    private readonly checkMs = PACK_CHECK_MS,
    private readonly clock: () => number = () => performance.now(),
    readonly timeZone: string = DEFAULT_TIME_ZONE,
  ) {}

  /** The pack in force for `period` (default: the current month in the bank's calendar). */
  async get(db: Executor, tenantId: string, period: string = periodOf(new Date(), this.timeZone)): Promise<TenantPack> {
    const hit = this.cache.get(tenantId);
    const now = this.clock();
    if (hit && now - hit.checkedAt < this.checkMs) return hit.value.at(period);
    const fingerprint = await activePolicyFingerprint(db, tenantId);
    // Compared with what the kept packs were compiled from, not with an earlier answer of this query.
    if (hit && hit.value.fingerprint === fingerprint) {
      hit.checkedAt = now;
      return hit.value.at(period);
    }
    const value = await loadTimeline(db, tenantId, this.timeZone);
    this.cache.set(tenantId, { value, checkedAt: now });
    return value.at(period);
  }

  /** The pack in force for `period` if the tenant's versions were checked within `checkMs`, else undefined; never asks the database. */
  peek(tenantId: string, period: string): TenantPack | undefined {
    const hit = this.cache.get(tenantId);
    return hit && this.clock() - hit.checkedAt < this.checkMs ? hit.value.at(period) : undefined;
  }

  /** Forget a tenant's packs, so the next `get` reads them again (after this process approved or retired a version). */
  invalidate(tenantId: string): void {
    this.cache.delete(tenantId);
  }
}

async function loadTimeline(db: Executor, tenantId: string, timeZone: string): Promise<PackTimeline> {
  const tenant = await findTenant(db, tenantId);
  if (!tenant) throw new ProblemError('not-found', `Tenant "${tenantId}" does not exist.`);
  return new PackTimeline(
    tenantId,
    tenant.metrics,
    await listPolicyVersionsIn(db, tenantId, ['active']),
    timeZone,
    catalogueFingerprint(tenant.catalogueText),
  );
}

/**
 * The tenant's packs as they would be had `version` been approved in force from `period` on: the
 * months before keep the versions that decided them, `period` and every later month are decided by
 * `version` (an approved version of its scheme due later is left out, as this one supersedes it).
 * What a policy simulation runs the re-tier under (services/policy-simulation.ts). The versions in
 * force for `period` are validated together first: a draft that a version scheduled by then does not
 * fit (a derived scheme reading a level the draft removes) is a 422 naming that version, not a pack
 * that fails to compile. `narrow`: keep only `version`'s scheme and those it reads, transitively, as
 * they are at `period`, so nothing else is evaluated.
 */
export async function packWithVersionFrom(
  db: Executor,
  tenantId: string,
  timeZone: string,
  version: PolicyVersion,
  period: string,
  narrow = false,
  pinned?: readonly PinnedVersion[],
): Promise<TenantPack & { readonly pinned: readonly PinnedVersion[] }> {
  const tenant = await findTenant(db, tenantId);
  if (!tenant) throw new ProblemError('not-found', `Tenant "${tenantId}" does not exist.`);
  const day = `${period}-01`;
  const active = pinned
    ? await pinnedVersions(db, tenantId, pinned)
    : (await listPolicyVersionsIn(db, tenantId, ['active'])).filter((v) => v.scheme !== version.scheme || startOf(v) < day);
  const asIf: PolicyVersion = { ...version, status: 'active', decidedAt: `${day}T00:00:00.000Z`, effectiveFrom: `${day}T00:00:00.000Z` };
  // In the pack's order (position, scheme, version), as the stored ones are listed: derived schemes read earlier ones.
  const all = [...active, asIf].sort((a, b) => a.position - b.position || a.scheme.localeCompare(b.scheme) || a.version - b.version);
  const inForce = versionsInForce(all, period);
  const documents = inForce.map((v) => v.document);
  const result = validatePolicyPack({ metrics: tenant.metrics, schemes: documents });
  if (!result.ok) {
    const versionAt = (path: string): { inScheme?: string; inVersion?: number } => {
      const at = /^schemes\[(\d+)\]/.exec(path);
      const v = at ? inForce[Number(at[1])] : undefined;
      return v ? { inScheme: v.scheme, inVersion: v.version } : {};
    };
    throw new ProblemError(
      'unprocessable',
      `Version ${version.version} of "${version.scheme}" does not fit the policies in force for ${period}: ${result.errors
        .map((e) => {
          const at = versionAt(e.path);
          return `${at.inScheme === undefined ? e.path : `${at.inScheme} v${at.inVersion}`}: ${e.message}`;
        })
        .join('; ')}`,
      result.errors.map((e) => ({ ...e, params: { ...e.params, inForce: period, ...versionAt(e.path) } })),
    );
  }
  const versions = narrow ? narrowedTo(all, result.pack.schemes, version.scheme) : all;
  const tp = new PackTimeline(tenantId, tenant.metrics, versions, timeZone, catalogueFingerprint(tenant.catalogueText)).at(period);
  // Every version it was built from but `version` (earlier months' too: a plan reads back over its
  // window): given back as `pinned`, the same pack, whatever was approved or retired since.
  return { ...tp, pinned: versions.filter((v) => v !== asIf).map((v) => ({ scheme: v.scheme, version: v.version })) };
}

/** The versions of `scheme` and of the schemes it reads, transitively (by their definitions in force, `defs`). */
function narrowedTo(all: readonly PolicyVersion[], defs: readonly SchemeDefinition[], scheme: string): PolicyVersion[] {
  const byKey = new Map(defs.map((s) => [s.key, s]));
  const reads = new Set<string>();
  const visit = (key: string) => {
    if (reads.has(key)) return;
    reads.add(key);
    const def = byKey.get(key);
    if (def) for (const d of schemeDependencies(def)) visit(d);
  };
  visit(scheme);
  return all.filter((v) => reads.has(v.scheme));
}

/**
 * The pack a simulation of `scheme` at `period` compares with (its baseline): the versions in force
 * without the draft — of `scheme`, those that began before `period` (today's rule, not one scheduled
 * for the month simulated, which the draft would supersede), as packWithVersionFrom leaves them —
 * narrowed to `scheme` and what it reads. Undefined for a scheme with no version in force then (a new
 * scheme has nothing to compare with). `pinned`: a job's chunks build it again from its setup.
 * `current`: the month under way — a version of `scheme` in force for it stays in the baseline even when
 * it began on the first day of the month simulated: it is today's rule, what the answer's `against`
 * names (an approval dated the 1st of the month under way was left out, and the baseline said v1 of v3).
 */
export async function packInForceFor(
  db: Executor,
  tenantId: string,
  timeZone: string,
  scheme: string,
  period: string,
  pinned?: readonly PinnedVersion[],
  current?: string,
): Promise<(TenantPack & { readonly pinned: readonly PinnedVersion[] }) | undefined> {
  const tenant = await findTenant(db, tenantId);
  if (!tenant) throw new ProblemError('not-found', `Tenant "${tenantId}" does not exist.`);
  const day = `${period}-01`;
  const started = current === undefined ? '' : `${current}-01`;
  const active = pinned
    ? await pinnedVersions(db, tenantId, pinned)
    : (await listPolicyVersionsIn(db, tenantId, ['active'])).filter(
        (v) => v.scheme !== scheme || startOf(v) < day || startOf(v) <= started,
      );
  const all = [...active].sort((a, b) => a.position - b.position || a.scheme.localeCompare(b.scheme) || a.version - b.version);
  const inForce = versionsInForce(all, period);
  if (!inForce.some((v) => v.scheme === scheme)) return undefined;
  const result = validatePolicyPack({ metrics: tenant.metrics, schemes: inForce.map((v) => v.document) });
  if (!result.ok) throw new Error(`the policies in force for ${period} do not validate: ${result.errors.map((e) => e.message).join('; ')}`);
  const versions = narrowedTo(all, result.pack.schemes, scheme);
  const tp = new PackTimeline(tenantId, tenant.metrics, versions, timeZone, catalogueFingerprint(tenant.catalogueText)).at(period);
  return { ...tp, pinned: versions.map((v) => ({ scheme: v.scheme, version: v.version })) };
}

/** A version by scheme and number: what a pack built later must be built from again (a simulation job's). */
export interface PinnedVersion {
  readonly scheme: string;
  readonly version: number;
}

/** The pinned versions as stored, whatever their status now (one approved since, or retired, changes nothing). */
async function pinnedVersions(db: Executor, tenantId: string, pinned: readonly PinnedVersion[]): Promise<PolicyVersion[]> {
  const out: PolicyVersion[] = [];
  for (const p of pinned) {
    const v = await findPolicyVersion(db, tenantId, p.scheme, p.version);
    if (!v) throw new Error(`version ${p.version} of "${p.scheme}", pinned by a simulation, is gone`);
    out.push(v);
  }
  return out;
}

/**
 * Read, validate and compile a tenant's pack in force for `period` (default: the current month in
 * `timeZone`, the bank's calendar). A stored pack that fails validation is a server fault.
 */
export async function loadTenantPack(
  db: Executor,
  tenantId: string,
  timeZone: string = DEFAULT_TIME_ZONE,
  period: string = periodOf(new Date(), timeZone),
): Promise<TenantPack> {
  return (await loadTimeline(db, tenantId, timeZone)).at(period);
}
