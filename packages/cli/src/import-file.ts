import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  AMOUNT_UNITS,
  appendOperatorAudit,
  cliAction,
  subjectsClosingBounds,
  ENCODINGS,
  IMPORT_KINDS,
  IMPORT_MODES,
  ImportRefused,
  loadTenantPack,
  periodOf,
  runImport,
  signOffMetrics,
  type AmountUnit,
  type Encoding,
  type ImportKind,
  type ImportMode,
  UNAUTHENTICATED_CHAIN,
} from '@tierkit/api';
import { SUBJECT_KINDS } from '@tierkit/core';
import { listImportErrors, type ImportRecord } from '@tierkit/db';
import { recordRefusal } from './refusal-audit.js';
import { EXIT, stringOption, type Command, type CommandContext } from './command.js';
import { progressBar } from './progress-bar.js';
import { actionLine } from './output.js';

/** Errors printed (or put in the --json output) after a rejected import; all of them stay in the database. */
const SHOWN_ERRORS = 20;

function oneOf<T extends string>(values: readonly T[], value: string | undefined, name: string): T | undefined | Error {
  if (value === undefined) return undefined;
  return (values as readonly string[]).includes(value)
    ? (value as T)
    : new Error(`--${name} must be one of ${values.join(', ')}, got "${value}"`);
}

/** `--map HEADER=FIELD` options as a mapping. */
function mappingOf(ctx: CommandContext): Record<string, string> | Error {
  const raw = ctx.options.map;
  const pairs = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  const mapping: Record<string, string> = {};
  for (const pair of pairs) {
    const text = String(pair);
    const eq = text.lastIndexOf('=');
    if (eq <= 0 || eq === text.length - 1) return new Error(`--map takes HEADER=FIELD, got "${text}"`);
    mapping[text.slice(0, eq)] = text.slice(eq + 1);
  }
  return mapping;
}

function summary(r: ImportRecord): string {
  const what = r.kind === 'metrics' ? 'observations' : r.kind === 'managers' ? 'manager assignments' : 'subjects';
  const periods = r.periods.length ? `; periods changed: ${r.periods.join(', ')}` : '';
  return `import ${r.id} ${r.status}: ${r.rows} rows, ${r.written} ${what} written, ${r.unchanged} unchanged, ${r.rejectedRows} rows rejected${periods}`;
}

export const importCommand: Command = {
  name: 'import',
  usage: `  import FILE --kind subjects|metrics|managers [--amounts yuan|fen] [--encoding utf-8|gbk|gb18030|big5]
         [--mode all-or-nothing|valid-rows] [--map HEADER=FIELD]... [--subject-kind KIND] [--json]
                            import a CSV file into --tenant (see packages/cli/README.md); exit 0 all
                            imported, 1 nothing imported, 3 valid rows imported and others rejected`,
  options: {
    kind: { type: 'string' },
    amounts: { type: 'string' },
    encoding: { type: 'string' },
    mode: { type: 'string' },
    map: { type: 'string', multiple: true },
    'subject-kind': { type: 'string' },
  },
  async run(ctx) {
    const file = ctx.args[0];
    const usage = (why: string) => {
      ctx.err(`import: ${why}`);
      return EXIT.usage;
    };
    if (!file) return usage('needs the file: import FILE --kind subjects|metrics|managers');
    // Not the first of several: the others would be left out without a word.
    if (ctx.args.length > 1) return usage(`takes one file, got ${ctx.args.length}: ${ctx.args.join(' ')} (import them one at a time)`);
    const kind = oneOf<ImportKind>(IMPORT_KINDS, stringOption(ctx, 'kind'), 'kind');
    const amounts = oneOf<AmountUnit>(AMOUNT_UNITS, stringOption(ctx, 'amounts'), 'amounts');
    const encoding = oneOf<Encoding>(ENCODINGS, stringOption(ctx, 'encoding'), 'encoding');
    const mode = oneOf<ImportMode>(IMPORT_MODES, stringOption(ctx, 'mode'), 'mode');
    const subjectKind = oneOf(SUBJECT_KINDS, stringOption(ctx, 'subject-kind'), 'subject-kind');
    const mapping = mappingOf(ctx);
    for (const v of [kind, amounts, encoding, mode, subjectKind, mapping]) if (v instanceof Error) return usage(v.message);
    if (kind === undefined || kind instanceof Error) return usage('needs --kind subjects, metrics or managers');
    if (kind === 'metrics' && amounts === undefined)
      return usage('a metrics file must declare how money is written: --amounts yuan or --amounts fen');
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch (e) {
      ctx.err(`import: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      return EXIT.failed;
    }

    const db = await ctx.openDatabase(undefined, 'batch');
    const bar = progressBar(size, ctx.progress);
    const tenantId = ctx.settings.tenant;
    const action = cliAction('tierkit import');
    const fileName = basename(file);
    const importMode = (mode as ImportMode | undefined) ?? 'all-or-nothing';
    // What file, of which kind, in which mode, as the API's `POST /v1/imports` records name it.
    const asked = { kind, mode: importMode, fileName, dryRun: false };
    // After an intent, every ending is a `result`, as the API's (middleware/audit.ts): a refusal (400),
    // a failure (500). Not known before runImport: the import's id, made inside it.
    let intended = false;
    let resulted = false;
    try {
      const tp = await loadTenantPack(db.db, tenantId, ctx.settings.timeZone).catch(() => undefined);
      if (!tp) {
        await recordRefusal(
          db.db,
          UNAUTHENTICATED_CHAIN,
          action,
          {
            status: 404,
            problem: 'not-found',
            target: { tenant: tenantId },
            detail: asked,
          },
          ctx.err,
        );
        ctx.err(`import: no tenant "${ctx.settings.tenant}" (tenants list shows them; --tenant picks one)`);
        return EXIT.failed;
      }
      const now = () => new Date();
      // An import commits in more than one transaction: as the API's, its intent is recorded before
      // anything can change, its result after; a managers import's moves are recorded with each move.
      await appendOperatorAudit(db.db, tenantId, action, { phase: 'intent', status: 0, detail: asked });
      intended = true;
      const record = await runImport(
        db.db,
        {
          kind,
          encoding: (encoding as Encoding | undefined) ?? 'utf-8',
          mode: importMode,
          mapping: mapping as Record<string, string>,
          ...(amounts ? { amounts: amounts as AmountUnit } : {}),
          ...(subjectKind ? { subjectKind: subjectKind as string } : {}),
        },
        {
          tenantId,
          catalogue: tp.metrics,
          // The tenant's calendar, as the API's default time zone: months after the current one are refused.
          currentPeriod: periodOf(now(), ctx.settings.timeZone),
          timeZone: ctx.settings.timeZone,
          actor: action.actor,
          now,
          fileName,
          audit: { tenantId, ...action },
          // As the API: the importer named as the writer of the risk inputs it changes (four eyes).
          ...(kind === 'metrics' ? { signOffMetrics: signOffMetrics(tp) } : {}),
          // As the API: no closing back-dated into a month whose figures are final.
          ...(kind === 'subjects'
            ? await subjectsClosingBounds(db.db, tenantId, tp.schemes.keys(), { now, timeZone: ctx.settings.timeZone })
            : {}),
        },
        () => createReadStream(file),
        (p) => bar.update(p.bytes, p.rows),
      );
      bar.stop();
      const failed = record.status === 'failed';
      resulted = true;
      await appendOperatorAudit(db.db, tenantId, action, {
        status: failed ? 422 : 201,
        problem: failed ? 'import-rejected' : null,
        target: { import: record.id },
        detail: {
          ...asked,
          import: record.id,
          status: record.status,
          sha256: record.sha256,
          rows: record.rows,
          rejectedRows: record.rejectedRows,
          written: record.written,
        },
      });
      const errors = record.errors ? await listImportErrors(db.db, record.id, SHOWN_ERRORS) : [];
      // Months changed after their re-tier began, stored with the import as POST /v1/imports says them.
      const retiered = record.retiered;
      if (ctx.json) {
        const { tenantId: _t, errors: errorCount, ...rest } = record;
        ctx.out(JSON.stringify({ ...rest, tenant: ctx.settings.tenant, errorCount, errors: errors.map(({ seq: _s, ...e }) => e) }));
      } else {
        for (const e of errors) ctx.out(`line ${e.line}${e.column === null ? '' : `, column "${e.column}"`}: ${e.message}`);
        if (record.errors > errors.length) ctx.out(`… ${record.errors - errors.length} more errors (GET /v1/imports/${record.id})`);
        // A file that imported nothing failed, one that lost rows did in part: never INFO (docs/operations.md, "Log lines").
        ctx.out(
          actionLine(summary(record), new Date(), record.status === 'failed' ? 'error' : record.status === 'partial' ? 'warn' : 'info'),
        );
        for (const m of retiered) ctx.out(m.message);
      }
      if (record.status === 'failed') {
        ctx.err(`import: ${record.detail ?? 'nothing was imported'}`);
        return EXIT.failed;
      }
      return record.status === 'partial' ? EXIT.partial : EXIT.ok;
    } catch (e) {
      bar.stop();
      if (!(e instanceof ImportRefused)) {
        // The intent is in the trail: its run ends with a result, whatever broke (the error itself is thrown on).
        if (intended && !resulted)
          await appendOperatorAudit(db.db, tenantId, action, {
            phase: 'result',
            status: 500,
            problem: 'internal',
            detail: { ...asked, failed: e instanceof Error ? e.message : String(e) },
          }).catch(() => undefined);
        throw e;
      }
      await recordRefusal(
        db.db,
        tenantId,
        action,
        {
          ...(intended ? { phase: 'result' as const } : {}),
          status: 400,
          problem: 'validation',
          detail: { ...asked, refused: e.message },
        },
        ctx.err,
      );
      const where = [e.line === null ? '' : `line ${e.line}`, e.column === null ? '' : `column "${e.column}"`].filter(Boolean).join(', ');
      ctx.err(`import: ${file}${where ? ` (${where})` : ''}: ${e.message}`);
      return EXIT.failed;
    } finally {
      await db.close();
    }
  },
};
