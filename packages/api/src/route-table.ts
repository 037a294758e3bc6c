/*
 * The routes of the app as its OpenAPI document lists them: what the audit trail names a request by
 * (its path template, and the path parameters as its target), and what the generated role × route
 * matrix walks. Built from the document, so routes added anywhere are covered without being listed.
 */

/** One operation of the document. */
export interface RouteEntry {
  readonly method: string;
  /** The path template, `/v1/subjects/{id}/metrics`. */
  readonly template: string;
  readonly params: readonly string[];
  readonly pattern: RegExp;
}

/** A request matched to its route: the template and the decoded path parameters. */
export interface MatchedRoute {
  readonly template: string;
  readonly params: Readonly<Record<string, string>>;
}

const METHODS = new Set(['get', 'put', 'post', 'patch', 'delete']);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
}

/** Every operation of an OpenAPI document, literal segments before parameters so `/a/b` wins over `/a/{x}`. */
export function routeTable(document: { paths?: Record<string, unknown> }): RouteEntry[] {
  const out: RouteEntry[] = [];
  for (const [template, item] of Object.entries(document.paths ?? {})) {
    const params = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');
    const source = template
      .split(/(\{[^}]+\})/)
      .map((part) => (part.startsWith('{') ? '([^/]+)' : escapeRegExp(part)))
      .join('');
    const pattern = new RegExp(`^${source}$`);
    for (const method of Object.keys(item as object)) {
      if (METHODS.has(method)) out.push({ method: method.toUpperCase(), template, params, pattern });
    }
  }
  return out.sort((a, b) => a.params.length - b.params.length || a.template.localeCompare(b.template));
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The route a request went to, or undefined when the document lists none for it. HEAD is a GET. */
export function matchRoute(table: readonly RouteEntry[], method: string, path: string): MatchedRoute | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  for (const entry of table) {
    if (entry.method !== m) continue;
    const match = entry.pattern.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    entry.params.forEach((name, i) => {
      params[name] = decode(match[i + 1] ?? '');
    });
    return { template: entry.template, params };
  }
  return undefined;
}
