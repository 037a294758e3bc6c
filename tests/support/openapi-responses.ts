import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { matchRoute, routeTable, type RouteEntry } from '@tierkit/api';

/*
 * Every response of the API suite checked against what the OpenAPI document says that route answers
 * with that status: a bank's portal team generates its client from the document, so a body that
 * drifts from it breaks them where no test of ours would notice. Plugged into the shared fixture's app
 * (tests/support/api-fixture.ts), so every test that goes through it checks its responses for free.
 */

type Doc = {
  paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: object }> }> }>>;
  components?: object;
};

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

/** A checker built once per document: `check` returns why a response breaks its schema, or undefined. */
export function responseChecker(doc: Doc) {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'tierkit-openapi', components: doc.components ?? {} });
  const table: RouteEntry[] = routeTable(doc);
  const compiled = new Map<string, ValidateFunction | string | null>();

  /**
   * How to check a response: a validator of its body, null when the document gives this status no body
   * (or no schema for it), or why the response cannot be what the document says.
   */
  function validator(template: string, method: string, status: number, type: string): ValidateFunction | string | null {
    const key = `${method} ${template} ${status} ${type}`;
    const known = compiled.get(key);
    if (known !== undefined) return known;
    const responses = doc.paths[template]?.[method.toLowerCase()]?.responses ?? {};
    const response = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
    let fn: ValidateFunction | string | null;
    if (!response) fn = `${method} ${template} answered ${status}, which the document does not list`;
    else if (!response.content) fn = null;
    else if (!response.content[type])
      fn = `${method} ${template} answered ${status} as ${type || 'no Content-Type'}; the document lists ${Object.keys(response.content).join(', ')}`;
    else {
      const schema = response.content[type]?.schema;
      fn = schema ? ajv.compile(rebase(schema)) : null;
    }
    compiled.set(key, fn);
    return fn;
  }

  return async function check(method: string, url: string, res: Response): Promise<string | undefined> {
    const path = new URL(url, 'http://x').pathname;
    if (!path.startsWith('/v1/')) return undefined;
    const route = matchRoute(table, method, path);
    if (!route) return undefined;
    // A 304 has no body to check.
    if (res.status === 304) return undefined;
    const type = (res.headers.get('Content-Type') ?? '').split(';')[0]?.trim() ?? '';
    const fn = validator(route.template, method === 'HEAD' ? 'GET' : method, res.status, type);
    if (typeof fn === 'string') {
      // An empty answer (a HEAD, a 204) is checked by its status alone.
      if (!fn.includes('does not list') && !(await res.clone().text())) return undefined;
      return fn;
    }
    if (fn === null || !type.includes('json')) return undefined;
    const text = await res.clone().text();
    if (!text) return undefined;
    const body: unknown = JSON.parse(text);
    if (fn(body)) return undefined;
    const why = (fn.errors ?? [])
      .slice(0, 5)
      .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`)
      .join('; ');
    return `${method} ${route.template} ${res.status} does not match its schema: ${why}`;
  };
}

/** `#/components/…` refs point into the document the components were added under. */
function rebase(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"tierkit-openapi#/components/'));
}

type App = { request: (input: string | Request | URL, init?: RequestInit) => Response | Promise<Response> };

/**
 * The app with its `request` checking each response against the document (read from the app once).
 * A response that breaks it throws in the test that made the request, naming route, status and why.
 */
export function checkedResponses<T extends App>(app: T): T {
  const request = app.request.bind(app);
  let check: ReturnType<typeof responseChecker> | undefined;
  app.request = (async (input: string | Request | URL, init?: RequestInit) => {
    const res = await request(input, init);
    check ??= responseChecker((await (await request('/openapi.json')).json()) as Doc);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const url = input instanceof Request ? input.url : String(input);
    const why = await check(method, url, res);
    if (why) throw new Error(`the response breaks the OpenAPI document: ${why}`);
    return res;
  }) as T['request'];
  return app;
}
