import type { ProblemParam } from '../model/api.js';

/**
 * One thing wrong with a policy document: where (a field path such as `schemes[0].policy.levels[1].when.metric`),
 * what (English, for people), and a stable `code` with the `params` its words need, for a host to say it in
 * its own language (the codes of packages/api/README.md, "Errors").
 */
export interface PolicyError {
  readonly path: string;
  readonly message: string;
  // Required: a host words every error by it; a check without one would reach staff in English unnoticed.
  readonly code: string;
  readonly params?: Readonly<Record<string, ProblemParam>>;
}

/** Joins path segments the way a reader of the JSON document navigates them. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out ? `.${String(s)}` : String(s);
  }
  return out;
}

/** What a schema issue's words need, by name; its input and nested issues are left out. */
const ISSUE_PARAMS = ['expected', 'minimum', 'maximum', 'inclusive', 'exact', 'origin', 'format', 'values', 'keys', 'divisor'] as const;

/** The named members of `from` that are `ProblemParam`s (bigints as numbers, anything else in a list as text). */
export function problemParams(
  from: Readonly<Record<string, unknown>>,
  names: readonly string[] = ISSUE_PARAMS,
): { params?: Record<string, ProblemParam> } {
  const params: Record<string, ProblemParam> = {};
  for (const name of names) {
    const v = from[name];
    if (typeof v === 'bigint') params[name] = Number(v);
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') params[name] = v;
    else if (Array.isArray(v))
      params[name] = v.map((x) => (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean' ? x : String(x)));
  }
  return Object.keys(params).length ? { params } : {};
}

/**
 * A zod issue's stable code and params: its own (`too_small` with `minimum` …), or for a refinement that
 * names one in its `params` (`{ code: 'unknown_scheme', scheme }`), that one.
 */
export function issueCode(issue: {
  readonly code: string;
  readonly message?: string;
  readonly params?: Readonly<Record<string, unknown>>;
}): {
  code: string;
  params?: Record<string, ProblemParam>;
} {
  if (issue.code === 'custom' && typeof issue.params?.code === 'string') {
    const { code, ...rest } = issue.params;
    return { code, ...problemParams(rest, Object.keys(rest)) };
  }
  // A tagged union's tag that names none of its members (a condition `kind: 'foo'`) is a value not one of them.
  const options = (issue as { options?: unknown }).options;
  if (issue.code === 'invalid_union' && Array.isArray(options) && options.length > 0)
    return { code: 'invalid_value', ...problemParams({ values: options }, ['values']) };
  // A field left out is zod's wrong type "received undefined"; to people it is a missing field, which a
  // host can only tell by `received` (zod keeps an issue's input only when asked to report it). Said
  // here, from zod's own message in this process, so that no host reads English off the wire.
  if (issue.code === 'invalid_type') {
    const missing = 'input' in issue ? (issue as { input?: unknown }).input === undefined : /received undefined$/.test(issue.message ?? '');
    const { params } = problemParams(issue as unknown as Record<string, unknown>);
    return { code: issue.code, params: { ...params, ...(missing ? { received: 'undefined' } : {}) } };
  }
  return { code: issue.code, ...problemParams(issue as unknown as Record<string, unknown>) };
}

/** Errors as lines an administrator can read, one per problem. */
export function formatPolicyErrors(errors: readonly PolicyError[]): string {
  return errors.map((e) => `${e.path || '(document)'}: ${e.message}`).join('\n');
}
