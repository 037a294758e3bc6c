import { checkSchemeDocument, schemeKeyAt, validatePolicyPack, type PolicyPack, type SchemeDefinition } from '@tierkit/core';
import type { PolicyVersion } from '@tierkit/db';
import { addMonths } from '../periods.js';
import { invalid, ProblemError } from '../problem.js';
import { versionsInForce, type TenantPack } from './tenant-pack.js';

/** A real calendar day `YYYY-MM-DD` between 2000 and 2999. */
export function isDay(s: string): boolean {
  if (!/^[2]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** The first month whose data a version effective from `day` decides (a month is judged by the policy in force when it began). */
export function firstPeriodFrom(day: string): string {
  const month = day.slice(0, 7);
  return day.endsWith('-01') ? month : addMonths(month, 1);
}

/** The stored document with `policy.version` set to the version it is stored as, so explanations name it. */
export function stampVersion(document: unknown, version: number): unknown {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return document;
  const policy = (document as { policy?: unknown }).policy;
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) return document;
  return { ...document, policy: { ...policy, version } };
}

/**
 * Validate a version's document as the engine will run it, inside the pack in force (`tp`): core's
 * `checkSchemeDocument`, the same check the admin kit's editor runs as a draft is typed, as a 400.
 */
export function checkDocument(tp: TenantPack, scheme: string, document: unknown): { definition: SchemeDefinition; pack: PolicyPack } {
  const result = checkSchemeDocument(tp.pack, scheme, document);
  if (!result.ok) {
    // A well-formed document that reads another kind of subject's metric (a customer tier on a company's
    // revenue) is not malformed but meaningless: 422, with the same field errors for the editor to word.
    if (result.errors.every((e) => e.code === 'metric_subject_kind'))
      throw new ProblemError('unprocessable', result.errors.map((e) => `${e.path}: ${e.message}`).join('; '), result.errors);
    throw invalid(result.errors);
  }
  return { definition: result.definition, pack: result.pack };
}

/**
 * Refuse a change to the approved versions that would leave the pack of any month from `from` on
 * invalid (a derived scheme without its source, a matrix without its axis): every month where the
 * versions in force change is checked, so no later evaluation meets a pack it cannot compile.
 */
export function checkTimeline(metrics: PolicyPack['metrics'], active: readonly PolicyVersion[], from: string): void {
  const periods = new Set([from]);
  for (const v of active) if (v.decidedAt !== null && v.effectiveFrom) periods.add(firstPeriodFrom(v.effectiveFrom.slice(0, 10)));
  for (const period of [...periods].filter((p) => p >= from).sort()) {
    const documents = versionsInForce(active, period).map((v) => v.document);
    const result = validatePolicyPack({ metrics, schemes: documents });
    if (!result.ok) {
      // A `schemes[i]` path means nothing to the reader: each error names the month and the scheme it breaks.
      throw new ProblemError(
        'unprocessable',
        `With this change the policies in force for ${period} would not be a valid pack: ${result.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
        result.errors.map((e) => ({ ...e, params: { ...e.params, inForce: period, ...schemeKeyAt(documents, e.path) } })),
      );
    }
  }
}
