import type { MiddlewareHandler } from 'hono';
import { invalid, type FieldError } from '../problem.js';
import { unsafeTextError, unsafeTextIn } from '../text-safety.js';

const JSON_MEDIA = /^application\/([\w.-]+\+)?json$/i;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Percent-decode like a URL parser, or undefined when the escapes are not UTF-8. */
function decode(raw: string, plusIsSpace: boolean): string | undefined {
  try {
    return decodeURIComponent(plusIsSpace ? raw.replace(/\+/g, ' ') : raw);
  } catch {
    return undefined;
  }
}

function check(errors: FieldError[], path: string, raw: string, plusIsSpace: boolean): void {
  const text = decode(raw, plusIsSpace);
  if (text === undefined)
    errors.push({ path, message: 'is not valid percent-encoded UTF-8', code: 'invalid_encoding', params: { encoding: 'utf-8' } });
  else {
    const error = unsafeTextError(path, text);
    if (error) errors.push(error);
  }
}

/**
 * Refuse U+0000, lone surrogates and bytes that are not UTF-8 in the path, the query and JSON bodies
 * with a 400, before any route sees them. Path and query are read raw, because the router's lenient
 * decoding would pass a bad escape through unchanged; bodies are read once (the validators reuse it).
 */
export function rejectUnsafeText(): MiddlewareHandler {
  return async function rejectUnsafeTextInput(c, next) {
    const errors: FieldError[] = [];
    const url = new URL(c.req.url);
    url.pathname.split('/').forEach((segment, i) => {
      if (segment) check(errors, `path[${i - 1}]`, segment, false);
    });
    for (const pair of url.search.slice(1).split('&')) {
      if (!pair) continue;
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      check(errors, `query.${decode(name, true) ?? '?'}`, name, true);
      if (eq >= 0) check(errors, `query.${decode(name, true) ?? '?'}`, pair.slice(eq + 1), true);
    }
    const media = (c.req.header('Content-Type') ?? '').split(';')[0]?.trim() ?? '';
    if (!errors.length && JSON_MEDIA.test(media) && c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      let text: string | undefined;
      try {
        text = strictUtf8.decode(await c.req.arrayBuffer());
      } catch {
        // `in: 'json'`: an import file the API cannot decode is at `(body)` too.
        errors.push({ path: '(body)', message: 'is not valid UTF-8', code: 'invalid_encoding', params: { encoding: 'utf-8', in: 'json' } });
      }
      if (text !== undefined) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined; // not JSON: the route's validator reports it as malformed-json
        }
        errors.push(...unsafeTextIn(parsed));
      }
    }
    if (errors.length) throw invalid(errors);
    await next();
  };
}
