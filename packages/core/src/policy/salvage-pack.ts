import { z } from 'zod';
import { levelDefSchema, metricDefSchema, schemeDefinitionSchema } from './pack-schema.js';
import type { PolicyPack, SchemeDefinition } from './pack-schema.js';

/*
 * The parts of a pack that parsed, when the whole did not: what the semantic checks can still run on,
 * so one answer lists a document's shape errors and its unknown metrics and levels together rather
 * than the second lot only after the first is fixed (docs/policy-format.md, "Validation and error
 * codes"). A scheme keeps each field that parsed on its own; an optional field that did not is left
 * out, a level that did not keeps its key and rank when those parsed (what the checks of the rest
 * read). A scheme whose key, kind, category, audience, levels or policy cannot be read this way cannot
 * be checked at all, and neither can the schemes that might read it: then undefined, and the caller
 * reports the shape errors alone, as before.
 */

const REQUIRED = ['key', 'subjectKind', 'category', 'audience', 'levels', 'policy'] as const;

/** The pack with what parsed, and the paths (`schemes[1].matrix`) of the fields left out or filled in. */
export interface SalvagedPack {
  readonly pack: PolicyPack;
  /** A semantic error at or under one of these is an echo of a shape error there: the caller drops it. */
  readonly replaced: readonly string[];
}

export function salvagePack(doc: unknown): SalvagedPack | undefined {
  if (!isObject(doc) || !Array.isArray(doc.schemes)) return undefined;
  const metrics = z.array(metricDefSchema).safeParse(doc.metrics);
  if (!metrics.success) return undefined;
  const replaced: string[] = [];
  const schemes: SchemeDefinition[] = [];
  for (const [i, raw] of doc.schemes.entries()) {
    const whole = schemeDefinitionSchema.safeParse(raw);
    if (whole.success) {
      schemes.push(whole.data as SchemeDefinition);
      continue;
    }
    if (!isObject(raw)) return undefined;
    const at = `schemes[${i}]`;
    const fields: Record<string, unknown> = {};
    for (const [name, schema] of Object.entries(schemeDefinitionSchema.shape)) {
      const parsed = (schema as z.ZodType).safeParse(raw[name]);
      if (parsed.success) {
        if (parsed.data !== undefined) fields[name] = parsed.data;
        continue;
      }
      if (name === 'levels') {
        // Only the levels that did not parse are stand-ins: the others' order and keys are checked as usual.
        const levels = salvageLevels(raw.levels, `${at}.levels`, replaced);
        if (!levels) return undefined;
        fields.levels = levels;
        continue;
      }
      replaced.push(`${at}.${name}`);
      if (name === 'name') {
        fields.name = { 'zh-CN': '?', 'zh-TW': '?', en: '?' };
      } else if ((REQUIRED as readonly string[]).includes(name)) return undefined;
    }
    schemes.push(fields as unknown as SchemeDefinition);
  }
  return { pack: { metrics: metrics.data, schemes }, replaced };
}

/** Each level as parsed, or with its key and rank and a stand-in for the rest; undefined when a key or rank cannot be read. */
function salvageLevels(raw: unknown, at: string, replaced: string[]): SchemeDefinition['levels'] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  const keyAndRank = levelDefSchema.pick({ key: true, rank: true });
  const out: SchemeDefinition['levels'][number][] = [];
  for (const [i, l] of raw.entries()) {
    const whole = levelDefSchema.safeParse(l);
    if (whole.success) {
      out.push(whole.data);
      continue;
    }
    const part = keyAndRank.safeParse(l);
    if (!part.success) return undefined;
    replaced.push(`${at}[${i}]`);
    out.push({ ...part.data, name: { 'zh-CN': part.data.key, 'zh-TW': part.data.key, en: part.data.key }, color: 'neutral' });
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
