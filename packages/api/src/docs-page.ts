import { createHash } from 'node:crypto';
import { PROBLEM_BASE, PROBLEMS } from './problem.js';

/*
 * `/docs`: a readable page generated from the OpenAPI document — self-contained HTML, no scripts,
 * no CDN (the machines that run tierkit often have no internet).
 */

const DOCS_STYLE = `
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem 2rem;color:#1d232a}
code,pre{font:13px/1.4 ui-monospace,monospace}pre{background:#f5f6f8;padding:.75rem;overflow:auto;max-height:24rem}
table{border-collapse:collapse;margin:.5rem 0;width:100%}td,th{border:1px solid #d8dde3;padding:.3rem .5rem;text-align:left;vertical-align:top}
.op{border-top:1px solid #d8dde3;padding-top:.5rem}.m{display:inline-block;min-width:3.5rem;padding:0 .4rem;border-radius:3px;color:#fff;font-size:13px;text-align:center}
.get{background:#1f6feb}.put{background:#9a6700}.post{background:#1a7f37}.delete{background:#cf222e}a{color:#0b57d0}
`;

/**
 * The page's policy: nothing may load or run but its own stylesheet (allowed by hash, so no
 * 'unsafe-inline'); it may not be framed, re-based or submit forms anywhere.
 */
export const DOCS_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(DOCS_STYLE).digest('base64')}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A one-line TypeScript-like rendering of a schema, following `$ref`s by name only. */
function typeOf(schema: Json | undefined, depth = 0): string {
  if (!isObj(schema)) return 'unknown';
  const ref = schema.$ref;
  if (typeof ref === 'string') return `<a href="#schema-${esc(ref.split('/').pop())}">${esc(ref.split('/').pop())}</a>`;
  for (const k of ['anyOf', 'oneOf'] as const) {
    const alts = schema[k];
    if (Array.isArray(alts)) return alts.map((a) => typeOf(a, depth)).join(' | ');
  }
  if (Array.isArray(schema.enum)) return schema.enum.map((e) => esc(JSON.stringify(e))).join(' | ');
  if (schema.const !== undefined) return esc(JSON.stringify(schema.const));
  const type = schema.type;
  if (type === 'array') return `${typeOf(schema.items, depth)}[]`;
  if (type === 'object' || isObj(schema.properties)) {
    if (depth > 1 || !isObj(schema.properties)) return 'object';
    const req = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
    const fields = Object.entries(schema.properties).map(([k, v]) => `${esc(k)}${req.has(k) ? '' : '?'}: ${typeOf(v, depth + 1)}`);
    return `{ ${fields.join('; ')} }`;
  }
  if (Array.isArray(type)) return type.map(String).join(' | ');
  return esc(type ?? 'unknown');
}

function operation(method: string, path: string, op: Obj): string {
  const params = Array.isArray(op.parameters) ? op.parameters.filter(isObj) : [];
  const body = isObj(op.requestBody) && isObj(op.requestBody.content) ? op.requestBody.content : undefined;
  const responses = isObj(op.responses) ? op.responses : {};
  const paramRows = params
    .map(
      (p) =>
        `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td><td><code>${typeOf(p.schema)}</code></td><td>${esc((isObj(p.schema) && p.schema.description) || p.description || '')}</td></tr>`,
    )
    .join('');
  const bodyHtml = body
    ? Object.entries(body)
        .map(([media, c]) => `<p>Body <code>${esc(media)}</code>: <code>${isObj(c) ? typeOf(c.schema) : ''}</code></p>`)
        .join('')
    : '';
  const responseRows = Object.entries(responses)
    .map(([status, r]) => {
      const content = isObj(r) && isObj(r.content) ? Object.entries(r.content) : [];
      const type = content
        .map(([media, c]) => `<code>${esc(media)}</code> ${isObj(c) ? `<code>${typeOf(c.schema)}</code>` : ''}`)
        .join('<br>');
      return `<tr><td>${esc(status)}</td><td>${esc(isObj(r) ? r.description : '')}</td><td>${type}</td></tr>`;
    })
    .join('');
  const id = `${method}-${path}`.replace(/[^a-z0-9]+/gi, '-');
  return `<section class="op" id="${esc(id)}">
<h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
<p>${esc(op.summary ?? '')}</p>${op.description ? `<p>${esc(op.description)}</p>` : ''}
${paramRows ? `<table><tr><th>Parameter</th><th>In</th><th>Required</th><th>Type</th><th>Notes</th></tr>${paramRows}</table>` : ''}
${bodyHtml}
<table><tr><th>Status</th><th>Meaning</th><th>Body</th></tr>${responseRows}</table>
</section>`;
}

/** Render the OpenAPI 3.1 document as one HTML page. */
export function docsPage(document: unknown): string {
  const doc = (isObj(document as Json) ? document : {}) as Obj;
  const info = isObj(doc.info) ? doc.info : {};
  const paths = isObj(doc.paths) ? doc.paths : {};
  const ops: string[] = [];
  const toc: string[] = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!isObj(item)) continue;
    for (const method of ['get', 'put', 'post', 'patch', 'delete']) {
      const op = item[method];
      if (!isObj(op)) continue;
      ops.push(operation(method, path, op));
      toc.push(
        `<li><a href="#${esc(`${method}-${path}`.replace(/[^a-z0-9]+/gi, '-'))}">${esc(method.toUpperCase())} ${esc(path)}</a></li>`,
      );
    }
  }
  const schemas = isObj(doc.components) && isObj(doc.components.schemas) ? doc.components.schemas : {};
  const schemaHtml = Object.entries(schemas)
    .map(([name, s]) => `<section id="schema-${esc(name)}"><h3>${esc(name)}</h3><pre>${esc(JSON.stringify(s, null, 2))}</pre></section>`)
    .join('');
  const problems = Object.entries(PROBLEMS)
    .map(
      ([k, p]) =>
        `<tr id="problem-${esc(k)}"><td><code>${esc(PROBLEM_BASE + k)}</code></td><td>${p.status}</td><td>${esc(p.title)}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title ?? 'API')} — reference</title>
<style>${DOCS_STYLE}</style></head><body>
<h1>${esc(info.title ?? 'API')} <small>${esc(info.version ?? '')}</small></h1>
<p>${esc(info.description ?? '')}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${esc(doc.openapi ?? '')}).</p>
<h2>Operations</h2><ul>${toc.join('')}</ul>
${ops.join('\n')}
<h2 id="problems">Problems</h2>
<p>Every error is <code>application/problem+json</code> (RFC 9457) with a stable <code>type</code>; validation problems list each offending field in <code>errors[].path</code> (<code>metrics[0].value</code>, <code>query.limit</code>).</p>
<table><tr><th>type</th><th>Status</th><th>Title</th></tr>${problems}</table>
<h2>Schemas</h2>${schemaHtml}
</body></html>`;
}
