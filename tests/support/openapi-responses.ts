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
  const compiled = new Map<string, ValidateFunction>();

  /** What the document says `method template` answers with `status`: undefined when it does not list it. */
  function documented(template: string, method: string, status: number) {
    const responses = doc.paths[template]?.[method.toLowerCase()]?.responses ?? {};
    return responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
  }

  return async function check(method: string, url: string, res: Response): Promise<string | undefined> {
    const path = new URL(url, 'http://x').pathname;
    if (!path.startsWith('/v1/')) return undefined;
    const route = matchRoute(table, method, path);
    if (!route) return undefined;
    // A 304 has no body to check.
    if (res.status === 304) return undefined;
    const op = method === 'HEAD' ? 'GET' : method;
    const response = documented(route.template, op, res.status);
    if (!response) return `${method} ${route.template} answered ${res.status}, which the document does not list`;
    const text = await res.clone().text();
    // An empty answer (a HEAD, a 204) is checked by its status alone; so is a status documented with no body.
    if (!text || !response.content) return undefined;
    const type = (res.headers.get('Content-Type') ?? '').split(';')[0]?.trim() ?? '';
    const media = response.content[type];
    if (!media)
      return `${method} ${route.template} answered ${res.status} as ${type || 'no Content-Type'}; the document lists ${Object.keys(response.content).join(', ')}`;
    // JSON bodies only (`application/json`, `application/problem+json`): JSON lines (`application/jsonl`) are many documents.
    if (!media.schema || !/[/+]json$/.test(type)) return undefined;
    const key = `${op} ${route.template} ${res.status} ${type}`;
    let fn = compiled.get(key);
    if (!fn) {
      fn = ajv.compile(rebase(media.schema));
      compiled.set(key, fn);
    }
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
