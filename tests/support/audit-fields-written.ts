import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/*
 * Every audit `detail` field the API and the CLI write where the source says its name: the keys of the
 * object literals given to `auditDetail` / `auditRead`, and of an operator record's `detail`, flattened
 * as the console's `auditDetailOf` flattens them (`export.month`). Read from the source, not from a
 * scenario, so a field added by any route is checked the day it is written. A field built at run time
 * (a spread, a computed key) is not seen: its words are the tests of its own record's.
 */

const WRITERS = new Set(['auditDetail', 'auditRead']);

function propertyName(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name)) return name.text;
  return undefined;
}

function bare(e: ts.Expression): ts.Expression {
  let value = e;
  while (ts.isAsExpression(value) || ts.isParenthesizedExpression(value) || ts.isSatisfiesExpression(value)) value = value.expression;
  return value;
}

/**
 * The fields of a literal, nested ones joined by dots. A top-level `before` / `after` is a change, said
 * field by field without the prefix; a top-level `changed` is a metric write's months, said as metrics.
 */
function fieldsOf(o: ts.ObjectLiteralExpression, prefix: string, out: Set<string>): void {
  for (const p of o.properties) {
    if (ts.isShorthandPropertyAssignment(p) && !(prefix === '' && p.name.text === 'changed')) out.add(`${prefix}${p.name.text}`);
    // `...(month ? { month, timeZone } : {})`: the fields either branch adds.
    if (ts.isSpreadAssignment(p)) {
      const spread = bare(p.expression);
      const branches = ts.isConditionalExpression(spread) ? [bare(spread.whenTrue), bare(spread.whenFalse)] : [spread];
      for (const b of branches) if (ts.isObjectLiteralExpression(b)) fieldsOf(b, prefix, out);
    }
    if (!ts.isPropertyAssignment(p)) continue;
    const name = propertyName(p.name);
    if (name === undefined) continue;
    if (prefix === '' && name === 'changed') continue;
    const value = bare(p.initializer);
    const inner = prefix === '' && (name === 'before' || name === 'after') ? '' : `${prefix}${name}.`;
    if (ts.isObjectLiteralExpression(value)) fieldsOf(value, inner, out);
    else out.add(`${prefix}${name}`);
  }
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}

/** The detail fields written in the `.ts` files under `dirs`, each with a file that writes it. */
export function auditFieldsWritten(dirs: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of dirs.flatMap(files)) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const callee = ts.isIdentifier(node.expression) ? node.expression.text : undefined;
        const fields = new Set<string>();
        const arg = node.arguments[1];
        if (callee && WRITERS.has(callee) && arg && ts.isObjectLiteralExpression(arg)) fieldsOf(arg, '', fields);
        // An operator's record (`appendOperatorAudit(db, tenant, action, { detail: { … } })`).
        const record = node.arguments[3];
        if (callee === 'appendOperatorAudit' && record && ts.isObjectLiteralExpression(record))
          for (const p of record.properties)
            if (ts.isPropertyAssignment(p) && propertyName(p.name) === 'detail' && ts.isObjectLiteralExpression(p.initializer))
              fieldsOf(p.initializer, '', fields);
        for (const f of fields) if (!found.has(f)) found.set(f, file);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}
