/** One thing wrong with a policy document: where (a field path such as `schemes[0].policy.levels[1].when.metric`) and what. */
export interface PolicyError {
  readonly path: string;
  readonly message: string;
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

/** Errors as lines an administrator can read, one per problem. */
export function formatPolicyErrors(errors: readonly PolicyError[]): string {
  return errors.map((e) => `${e.path || '(document)'}: ${e.message}`).join('\n');
}
