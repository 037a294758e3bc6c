/**
 * JSON with object keys sorted at every depth, so the same content always hashes (and compares) the
 * same however it was built or parsed. Arrays keep their order: order is meaning in a policy (rules, levels).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v as Record<string, unknown>).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}
