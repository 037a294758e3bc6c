import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, open, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import {
  anchorsByChain,
  appendOperatorAudit,
  auditExportBounds,
  auditExportEnd,
  auditExportScope,
  cliAction,
  exportAuditRecords,
  parseAuditExportQuery,
  TenantPacks,
  verifyAuditFile,
  type AuditFileCheck,
  type AuditFileVerification,
  UNAUTHENTICATED_CHAIN,
  verifyAuditAnchors,
  verifyAuditChain,
  type AuditAnchorCheck,
  type AuditVerification,
} from '@tierkit/api';
import { DEFAULT_TIME_ZONE, periodOf } from '@tierkit/core';
import { findTenant, isPostgresUrl, listAuditChains, type Db } from '@tierkit/db';
import { AnchorsFile, acceptedLinesFromEnv, anchorAuditHeads, countsAgainst, readAnchorsFile, type AnchorsRead } from '@tierkit/ops';
import { type Command, EXIT, stringOption } from './command.js';
import { actionLine } from './output.js';

/** Options of `tierkit audit …` after parsing. */
export interface AuditArgs {
  readonly action: string | undefined;
  /** One tenant's chain; every chain when absent. */
  readonly tenant: string | undefined;
  /** `verify --anchors FILE`: also check the chains against the heads written down in this file. */
  readonly anchors?: string | undefined;
  /** `anchor --out FILE`: the anchors file to append to. */
  readonly out?: string | undefined;
  /** `--json`: one JSON document on `out`. */
  readonly json?: boolean;
  /** Where `TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES` is read from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** `verify --file FILE`: check an exported JSON lines file offline, without the database. */
  readonly file?: string | undefined;
  /** `export`: the filters of `GET /v1/audit/export`, as given (checked by the API's schema, `parseAuditExportQuery`). */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly format?: string | undefined;
  readonly actor?: string | undefined;
  /** A staff member's id: records of their staff token and every key they own (`GET /v1/audit?person=`). */
  readonly person?: string | undefined;
  readonly route?: string | undefined;
  readonly method?: string | undefined;
  readonly target?: string | undefined;
  readonly status?: string | undefined;
  readonly phase?: string | undefined;
  /** `export --month YYYY-MM`: that month in the bank's time zone, instead of `--from`/`--to`. */
  readonly month?: string | undefined;
  /** `export --locale zh-CN|zh-TW|en`: the CSV's language. */
  readonly locale?: string | undefined;
  /** The bank's time zone (`TIERKIT_TIME_ZONE`): the CSV's `atLocal`. */
  readonly timeZone?: string;
  /** The database's URL (`--database`): an export never writes over its files. */
  readonly databaseUrl?: string;
  /** `verify --file --filtered`: the export was filtered, so gaps in seqs are its filter's. */
  readonly filtered?: boolean;
  /** `verify --file --through SEQ`: the seq of the export's last record, as the export printed it. */
  readonly through?: string | undefined;
  /** `verify --file --head HASH`: the hash of the export's last record, as the export printed it. */
  readonly head?: string | undefined;
  /** `export --force`: replace an existing `--out` file. */
  readonly force?: boolean;
}

export const AUDIT_USAGE = `  audit verify [--tenant ID] [--anchors FILE]
                            check the audit hash chain of one tenant (default: every chain, and "*" for
                            refused credentials); exit 1 when a record was edited, deleted, moved or cut.
                            --anchors: also check every anchor of the file (audit anchor, the server's
                            TIERKIT_AUDIT_ANCHOR_FILE) against the chain: a chain rewritten whole, or cut
                            with its head moved back, fails (exit 4 when that is all: a restore); a line of FILE that is not an anchor fails
                            the chain it names, or every chain when it names none; a last line without
                            its newline is still being written (not read); lines listed in
                            TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES (as the server's) fail nothing; a chain
                            with records but no anchor in FILE is a warning (exit 0)
  audit verify --file FILE --tenant ID [--through SEQ] [--head HASH] [--filtered]
                            check an export's JSON lines (audit export --format jsonl, GET /v1/audit/export)
                            offline, without the database: each line is exactly the record the export
                            writes, matches its hash, and records that follow one another are linked; a
                            whole export starts at record 1 with no seq missing. --through/--head: the
                            last record's seq and hash as the export printed them (its audit record, the
                            API's X-Audit-Export-Last-Seq/-Hash headers): a file cut at its end fails.
                            --filtered: the export was filtered, so gaps are allowed, and a deleted line
                            cannot be detected. Exit 1 when the file was altered
  audit export --tenant ID --out FILE [--force] [--format csv|jsonl] [--locale zh-CN|zh-TW|en]
         [--month YYYY-MM | --from ISO --to ISO]
         [--actor A] [--person STAFF_ID] [--method M] [--route R] [--target T] [--phase P] [--status N]
                            write the tenant's audit trail, oldest first, to FILE as GET /v1/audit/export
                            does (csv for Excel: BOM, CRLF; jsonl to verify offline); recorded in the
                            trail before FILE is written (with its last record's seq and hash, printed
                            too) and when done; an existing FILE is refused without --force, and the
                            database's own files always; FILE is written beside, then moved in place.
                            Filters are checked as the API checks them (--month: that month in
                            TIERKIT_TIME_ZONE; times end in Z or an offset, 2026-12-01T00:00:00+08:00;
                            --phase intent|result|request|change); a filtered file verifies with --filtered.
                            The CSV states the tenant, zone and bounds above its header, names each
                            actor's staff id and name and the schemes, levels and metrics, in --locale
                            (default zh-CN), after the record's own columns
  audit anchor [--tenant ID] --out FILE
                            append each chain's head that moved since its last anchor in FILE to FILE
                            (JSON lines, synced); keep FILE outside the database's reach`;

/** Where `audit` writes: the verdict per chain to `out`; usage errors and why it failed, last, in one line to `err`. */
export interface AuditIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Run one `audit` action. Returns the exit code: 0 when every chain verifies, 1 when one does not, 2 for bad usage. */
export async function runAudit(db: Db, args: AuditArgs, io: AuditIo): Promise<number> {
  if (args.action === 'anchor') return anchor(db, args, io);
  if (args.action === 'export') return exportTrail(db, args, io);
  if (args.action === 'verify' && args.file !== undefined) return verifyExportFile(args, io);
  if (args.action !== 'verify') {
    io.err(`audit: unknown action "${args.action ?? ''}"\n${AUDIT_USAGE}`);
    return 2;
  }
  return verify(db, args, io);
}

/** `audit export`: the API's export (`exportAuditRecords`), to a file, recorded in the tenant's trail. */
async function exportTrail(db: Db, args: AuditArgs, { out, err }: AuditIo): Promise<number> {
  const usage = (why: string) => {
    err(`audit export: ${why}\n${AUDIT_USAGE}`);
    return 2;
  };
  if (args.tenant === undefined) return usage('--tenant ID is required: whose trail to export');
  if (!args.out) return usage('--out FILE is required: the file to write');
  // The API's own schema (`parseAuditExportQuery`): a value `GET /v1/audit/export` refuses is refused
  // here, with its code, and one it takes is taken (packages/api/README.md, "Audit export").
  const timeZone = args.timeZone ?? DEFAULT_TIME_ZONE;
  const parsed = parseAuditExportQuery(
    {
      format: args.format,
      month: args.month,
      locale: args.locale,
      from: args.from,
      to: args.to,
      actor: args.actor,
      person: args.person,
      route: args.route,
      method: args.method,
      target: args.target,
      phase: args.phase,
      status: args.status,
    },
    timeZone,
  );
  if (!parsed.ok) return usage(parsed.errors.map((e) => `${e.path.replace(/^query\./, '--')} ${e.message} (${e.code})`).join('; '));
  const { format, filter, locale, month } = parsed;
  if (await unknownTenant(db, args.tenant)) {
    err(`audit export: tenant "${args.tenant}" does not exist`);
    return 1;
  }
  const refused = await outRefusal(args.out, args.databaseUrl, args.force === true);
  if (refused) {
    err(`audit export: ${refused}`);
    return 1;
  }
  const throughSeq = await auditExportEnd(db.db, args.tenant);
  const bounds = await auditExportBounds(db.db, args.tenant, filter, throughSeq);
  // Recorded before a byte is written, as the API does: an export the trail cannot tell of is not made.
  const action = cliAction('tierkit audit export');
  await appendOperatorAudit(db.db, args.tenant, action, {
    status: 200,
    phase: 'intent',
    detail: {
      export: {
        format,
        ...filter,
        ...(month !== undefined ? { month, timeZone } : {}),
        ...(args.locale !== undefined ? { locale } : {}),
        throughSeq,
        ...bounds,
      },
    },
  });
  const now = new Date();
  const scope = auditExportScope(args.tenant, filter, timeZone, now, month);
  const pack = await new TenantPacks(undefined, undefined, timeZone).get(db.db, args.tenant, periodOf(now, timeZone));
  let records = 0;
  const chunks = exportAuditRecords(db.db, args.tenant, filter, {
    format,
    timeZone,
    locale,
    labels: { schemes: pack.schemes, metrics: pack.metrics },
    scope,
    throughSeq,
    onDone: (n) => {
      records = n;
    },
  });
  const written = await writeExport(args.out, chunks, args.force === true);
  await appendOperatorAudit(db.db, args.tenant, action, {
    status: written.ok ? 200 : 500,
    phase: 'result',
    ...(written.ok ? {} : { problem: 'export-not-written' }),
    detail: {
      export: {
        records,
        lastSeq: written.ok ? bounds.lastSeq : null,
        lastHash: written.ok ? bounds.lastHash : null,
        completed: written.ok,
      },
    },
  });
  if (!written.ok) {
    err(`audit export: cannot write ${args.out}: ${written.why}`);
    return 1;
  }
  if (args.json) out(JSON.stringify({ file: args.out, tenant: args.tenant, format, records, throughSeq, ...bounds, scope }));
  else {
    out(
      actionLine(
        `audit export: ${records === 1 ? '1 record' : `${records} records`} of ${args.tenant} (through record ${throughSeq}) written to ${args.out}`,
      ),
    );
    if (bounds.lastSeq !== null)
      out(
        `  last record ${bounds.lastSeq} ${bounds.lastHash}: check the file's end with audit verify --file ${args.out} --tenant ${args.tenant} --through ${bounds.lastSeq} --head ${bounds.lastHash}`,
      );
    // After the end to check, so scripts reading the second line keep it; the bounds as the file states them, what was typed, read back in the bank's zone and UTC.
    out(
      `  ${month !== undefined ? `month ${month} in ${timeZone}: ` : `in ${timeZone}: `}from ${scope.from ? `${scope.from.local} (${scope.from.utc})` : 'the trail’s start'} to ${scope.toIsExportTime ? 'now' : `${scope.to.local} (${scope.to.utc})`}`,
    );
  }
  return 0;
}

/** The files of a SQLite database: the file itself and those SQLite keeps beside it. */
const SQLITE_COMPANIONS = ['', '-wal', '-shm', '-journal'];

/** A path's real location, through symlinks, whether or not the file itself exists yet. */
async function realLocation(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    try {
      return join(await realpath(dirname(resolve(path))), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

/**
 * Why `--out` must not be written, or undefined. An export once replaced the live database it read
 * (`--out data/tierkit.db`): the database's own files are never a target, by path or by inode (a link
 * to them), and an existing file is replaced only with `--force`.
 */
async function outRefusal(out: string, databaseUrl: string | undefined, force: boolean): Promise<string | undefined> {
  const target = await realLocation(out);
  const existing = await stat(target).catch(() => undefined);
  if (databaseUrl !== undefined && !isPostgresUrl(databaseUrl) && databaseUrl !== ':memory:') {
    const database = await realLocation(databaseUrl);
    for (const suffix of SQLITE_COMPANIONS) {
      const file = `${database}${suffix}`;
      const other = existing && (await stat(file).catch(() => undefined));
      if (target === file || (existing && other && other.ino === existing.ino && other.dev === existing.dev))
        return `--out ${out} is the database's own file (${file}): refused, whatever --force says`;
    }
  }
  if (existing?.isDirectory()) return `--out ${out} is a folder: name the file to write`;
  if (existing !== undefined && !force) return `--out ${out} exists: refused (--force replaces it)`;
  return undefined;
}

/**
 * Write the export to a new file beside `out`, synced, then put it in place: `out` is never half
 * written, and nothing but that new file is removed on a failure. Without `force`, it is linked in
 * (which fails if `out` appeared meanwhile) rather than renamed over.
 */
async function writeExport(out: string, chunks: AsyncIterable<string>, force: boolean): Promise<{ ok: true } | { ok: false; why: string }> {
  const temp = join(dirname(out), `.${basename(out)}.${randomUUID()}.part`);
  let created = false;
  try {
    const handle = await open(temp, 'wx');
    created = true;
    try {
      for await (const chunk of chunks) await handle.write(chunk);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (force) await rename(temp, out);
    else {
      await link(temp, out);
      await rm(temp, { force: true });
    }
    created = false;
    return { ok: true };
  } catch (e) {
    if (created) await rm(temp, { force: true }).catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, why: code === 'EEXIST' ? 'it exists (--force replaces it)' : e instanceof Error ? e.message : String(e) };
  }
}

const span = (r: { from: number; to: number }) => (r.from === r.to ? String(r.from) : `${r.from}…${r.to}`);

/** `audit verify --file`: an export checked offline; no database is opened. */
export async function verifyExportFile(args: AuditArgs, { out, err }: AuditIo): Promise<number> {
  const usage = (why: string) => {
    err(`audit verify: ${why}\n${AUDIT_USAGE}`);
    return 2;
  };
  if (args.tenant === undefined) return usage("--file needs --tenant ID: a record's hash names the tenant whose trail it is in");
  if (args.through !== undefined && !/^\d+$/.test(args.through))
    return usage(`--through must be the seq of the export's last record (got "${args.through}")`);
  if (args.head !== undefined && !/^sha256:[0-9a-f]{64}$/.test(args.head))
    return usage(`--head must be the hash of the export's last record, sha256:… (got "${args.head}")`);
  const check: AuditFileCheck = {
    filtered: args.filtered === true,
    ...(args.through !== undefined ? { through: Number(args.through) } : {}),
    ...(args.head !== undefined ? { head: args.head } : {}),
  };
  const file = args.file ?? '';
  let v: AuditFileVerification;
  try {
    const input = createReadStream(file, { encoding: 'utf8' });
    v = await verifyAuditFile(createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY }), args.tenant, check);
  } catch (e) {
    err(`audit verify: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  if (args.json) out(JSON.stringify({ file, ...v }));
  else {
    const runs = v.runs.length === 1 ? `1 run (${span(v.runs[0] ?? { from: 0, to: 0 })})` : `${v.runs.length} runs`;
    const start =
      v.records === 0
        ? ''
        : v.fromGenesis
          ? ', from the chain’s start'
          : `, from record ${v.runs[0]?.from} (its link to the record before is not in the file)`;
    out(`${file}: ${v.ok ? 'ok' : 'NOT OK'}, ${v.records} records of ${v.chain}, ${runs}${start}`);
    if (v.filtered)
      out(
        `  filtered export: ${v.gaps.length === 1 ? '1 gap' : `${v.gaps.length} gaps`} in seqs${v.gaps.length ? ` (${v.gaps.slice(0, 5).map(span).join(', ')}${v.gaps.length > 5 ? ', …' : ''})` : ''}; a line deleted from this file cannot be told from a record the filter left out`,
      );
    for (const p of v.problems) out(`  line ${p.line}: ${p.kind}: ${p.message}`);
    // An erasure line is believed for what it names; that the server wrote it shows only against the trail.
    if (v.erasures.length)
      out(
        `  erased records vouched for by ${v.erasures.length === 1 ? 'the erasure record' : `${v.erasures.length} erasure records`} the file carries: ${v.erasures
          .slice(0, 5)
          .map((e) => `${e.seq} ${e.hash}`)
          .join(
            ', ',
          )}${v.erasures.length > 5 ? ', …' : ''} — unproven until checked against the trail online (tierkit audit verify, or the anchors)`,
      );
    if (v.ok && !v.endChecked)
      out(
        '  its end is not checked: a file cut after any line still reads whole; give --through SEQ --head HASH as the export printed them (or its audit record has them)',
      );
    if (v.ok && v.records)
      out(
        '  the file is consistent; that the server wrote it shows when a hash in it matches tierkit audit verify or GET /v1/audit/verify',
      );
  }
  if (!v.ok)
    err(
      `audit verify: ${file} was altered: ${v.problems.length === 1 ? '1 problem' : `${v.problems.length} problems`}, first at line ${v.problems[0]?.line}`,
    );
  return v.ok ? 0 : 1;
}

/** A mistyped tenant has no chain: "ok, 0 records" (or "nothing to anchor") would read as a bank checked. */
async function unknownTenant(db: Db, tenant: string | undefined): Promise<boolean> {
  return tenant !== undefined && tenant !== UNAUTHENTICATED_CHAIN && !(await findTenant(db.db, tenant));
}

async function anchor(db: Db, args: AuditArgs, { out, err }: AuditIo): Promise<number> {
  if (!args.out) {
    err(`audit anchor: --out FILE is required: the anchors file to append to\n${AUDIT_USAGE}`);
    return 2;
  }
  if (await unknownTenant(db, args.tenant)) {
    err(`audit anchor: tenant "${args.tenant}" does not exist`);
    return 1;
  }
  let written: Awaited<ReturnType<typeof anchorAuditHeads>>;
  try {
    written = await anchorAuditHeads(db.db, new AnchorsFile(args.out), new Date(), args.tenant !== undefined ? [args.tenant] : undefined);
  } catch (e) {
    err(`audit anchor: cannot append to ${args.out}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  if (args.json)
    out(JSON.stringify({ file: args.out, written: written.map(({ chain, seq, hash, at }) => ({ tenant: chain, seq, hash, at })) }));
  else if (!written.length) out(`audit anchor: no head moved since its last anchor in ${args.out}`);
  // Each line already ends with its time (the anchor's, in UTC): the file and the terminal agree on it.
  else for (const a of written) out(`${a.chain}: anchored head ${a.seq} ${a.hash} at ${a.at}`);
  return 0;
}

async function verify(db: Db, args: AuditArgs, { out, err }: AuditIo): Promise<number> {
  if (await unknownTenant(db, args.tenant)) {
    err(`audit verify: tenant "${args.tenant}" does not exist`);
    return 1;
  }
  let read: AnchorsRead | undefined;
  let accepted: ReadonlySet<number> = new Set();
  if (args.anchors !== undefined) {
    try {
      accepted = acceptedLinesFromEnv(args.env ?? process.env);
    } catch (e) {
      err(`audit verify: ${e instanceof Error ? e.message : String(e)}`);
      return 2;
    }
    try {
      read = await readAnchorsFile(args.anchors);
    } catch (e) {
      err(`audit verify: cannot read the anchors file ${args.anchors}: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
  }
  const chains = new Set(args.tenant !== undefined ? [args.tenant] : await listAuditChains(db.db));
  // Lines the operator accepted (the server's setting, given the CLI too) count against nobody, here as there.
  const malformed = (read?.malformed ?? []).filter((m) => !accepted.has(m.line));
  const acceptedLines = (read?.malformed ?? []).filter((m) => accepted.has(m.line));
  // A chain deleted whole, head row and all, is no longer listed by the database: its anchors (or a bad
  // line naming it) still name it.
  if (args.tenant === undefined) for (const a of [...(read?.anchors ?? []), ...malformed]) if (a.chain !== undefined) chains.add(a.chain);
  const byChain = anchorsByChain(read?.anchors ?? []);
  const results: { chain: AuditVerification; anchors?: AuditAnchorCheck; malformed: number }[] = [];
  for (const chain of [...chains].sort()) {
    const v = await verifyAuditChain(db.db, chain);
    results.push({
      chain: v,
      ...(read ? { anchors: await verifyAuditAnchors(db.db, chain, byChain.get(chain) ?? []) } : {}),
      // The API's rule (`countsAgainst`): what fails a tenant's check in the console fails it here.
      malformed: malformed.filter((m) => countsAgainst(m, chain)).length,
    });
  }
  const tampered: string[] = [];
  const badLines: string[] = [];
  for (const { chain: v, anchors, malformed: bad } of results) {
    const problems = v.problems.length + (anchors?.problems.length ?? 0);
    const first = v.problems[0] ?? anchors?.problems[0];
    if (problems)
      tampered.push(
        `${v.chain} (${problems === 1 ? '1 problem' : `${problems} problems`}${first ? `, first at ${first.seq}: ${first.kind}` : ''})`,
      );
    if (bad) badLines.push(`${v.chain} (${bad})`);
  }
  const reasons = [
    ...(tampered.length ? [`tampered with: ${tampered.join('; ')}`] : []),
    ...(badLines.length ? [`the anchors file has lines that are not anchors, counting against ${badLines.join(', ')}`] : []),
    ...(!results.length && malformed.length ? ['the anchors file has lines that are not anchors, and no chain to check'] : []),
  ];
  // Anchors past the end, and nothing else: the chains verify, each anchor below their heads matches,
  // every line is an anchor. A restore from a dump looks exactly so; so does a cut by someone holding the database, which
  // only the operator's knowledge of a restore tells apart: neither 0 nor tampering's 1 (EXIT.anchorsPastEnd).
  const pastEndOnly =
    reasons.length > 0 &&
    badLines.length === 0 &&
    malformed.length === 0 &&
    results.every((r) => r.chain.ok && (r.anchors?.problems ?? []).every((p) => p.kind === 'anchor-truncated'));
  // A chain with records the file never names: a tenant newer than the last anchoring pass looks the
  // same, so it is a warning, not a failure. A chain the file does name but the database lost is checked
  // (anchor-truncated) and fails.
  const unanchored = read ? results.filter((r) => r.anchors?.anchors === 0 && r.chain.records > 0).map((r) => r.chain.chain) : [];
  if (args.json) {
    out(
      JSON.stringify({
        ok: reasons.length === 0,
        ...(args.anchors !== undefined ? { anchorsPastEndOnly: pastEndOnly } : {}),
        chains: results.map(({ chain, anchors, malformed: bad }) =>
          anchors
            ? { ...chain, chainOk: chain.ok, ok: chain.ok && anchors.ok && bad === 0, anchors: { ...anchors, malformedLines: bad } }
            : { ...chain, chainOk: chain.ok },
        ),
        ...(args.anchors !== undefined
          ? {
              anchorsFile: {
                path: args.anchors,
                anchors: read?.anchors.length ?? 0,
                malformed,
                accepted: acceptedLines,
                unfinished: read?.unfinished ?? null,
                unanchored,
              },
            }
          : {}),
      }),
    );
  } else {
    if (!results.length) out('audit verify: no audit records yet');
    for (const { chain: v, anchors, malformed: bad } of results) {
      const head = v.head ? `head ${v.head.seq} ${v.head.hash}` : 'no head';
      const ok = v.ok && (anchors?.ok ?? true) && bad === 0;
      const anchored = !anchors
        ? ''
        : anchors.anchors === 0
          ? ', no anchors'
          : `, ${anchors.anchors === 1 ? '1 anchor' : `${anchors.anchors} anchors`}${anchors.ok ? ' match' : ''}`;
      out(`${v.chain}: ${ok ? 'ok' : 'NOT OK'}, ${v.records} records, ${head}${anchored}`);
      for (const p of v.problems) out(`  at ${p.seq}: ${p.kind}: ${p.message}`);
      for (const p of anchors?.problems ?? []) out(`  at ${p.seq}: ${p.kind}: ${p.message}`);
    }
    // Every bad line is the operator's to see, the chain it counts against said.
    for (const m of acceptedLines)
      out(`anchors file ${args.anchors} line ${m.line}: ${m.message} (accepted: TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES)`);
    for (const m of malformed)
      out(
        `anchors file ${args.anchors} line ${m.line}: ${m.message} (${m.chain === undefined ? 'names no tenant: counts against every chain' : `counts against ${m.chain}`})`,
      );
  }
  if (read?.unfinished != null)
    err(
      `audit verify: note: ${args.anchors} line ${read.unfinished} has no newline yet (still being written, or cut by a crash): not read`,
    );
  if (unanchored.length)
    err(
      `audit verify: warning: ${args.anchors} has no anchor of ${unanchored.join(', ')}: ${unanchored.length === 1 ? 'its records were' : 'their records were'} checked by the chain alone`,
    );
  // The chain alone cannot show a rewrite made whole, head and all, by someone with the database: an
  // examiner who sees a bare "ok" must also see what it did not check (as GET /v1/audit/verify says
  // `not-configured`).
  if (read === undefined && results.some((r) => r.chain.records > 0))
    err(
      'audit verify: note: no anchors were checked (--anchors FILE): a chain rewritten whole with its head would still read ok; keep anchors with tierkit audit anchor or TIERKIT_AUDIT_ANCHOR_FILE',
    );
  if (pastEndOnly) {
    err(
      `audit verify: anchors past the end: ${tampered.join('; ')}; every chain is intact and every anchor up to its head matches. After a restore these are the records written since the dump (docs/operations.md); with no restore, a chain was cut (exit ${EXIT.anchorsPastEnd})`,
    );
    return EXIT.anchorsPastEnd;
  }
  if (reasons.length) err(`audit verify: ${reasons.join('; ')}`);
  return reasons.length ? 1 : 0;
}

export const auditCommand: Command = {
  name: 'audit',
  usage: AUDIT_USAGE,
  options: {
    anchors: { type: 'string' },
    out: { type: 'string' },
    file: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    format: { type: 'string' },
    actor: { type: 'string' },
    person: { type: 'string' },
    route: { type: 'string' },
    method: { type: 'string' },
    target: { type: 'string' },
    status: { type: 'string' },
    phase: { type: 'string' },
    month: { type: 'string' },
    locale: { type: 'string' },
    force: { type: 'boolean' },
    filtered: { type: 'boolean' },
    through: { type: 'string' },
    head: { type: 'string' },
  },
  async run(ctx) {
    const io = { out: ctx.out, err: ctx.err };
    const file = stringOption(ctx, 'file');
    // An export is checked where the examiner has it: no database.
    if (ctx.args[0] === 'verify' && file !== undefined)
      return verifyExportFile(
        {
          action: 'verify',
          tenant: stringOption(ctx, 'tenant'),
          file,
          json: ctx.json,
          filtered: ctx.options.filtered === true,
          through: stringOption(ctx, 'through'),
          head: stringOption(ctx, 'head'),
        },
        io,
      );
    // Its output is the verdict itself: the database it checked is named on stderr, as every command
    // that opens one names it (masked), so a verdict on the wrong database is not taken for the right one's.
    const db = await ctx.openDatabase(ctx.err);
    try {
      return await runAudit(
        db,
        {
          action: ctx.args[0],
          tenant: stringOption(ctx, 'tenant'),
          anchors: stringOption(ctx, 'anchors'),
          out: stringOption(ctx, 'out'),
          json: ctx.json,
          from: stringOption(ctx, 'from'),
          to: stringOption(ctx, 'to'),
          format: stringOption(ctx, 'format'),
          actor: stringOption(ctx, 'actor'),
          person: stringOption(ctx, 'person'),
          route: stringOption(ctx, 'route'),
          method: stringOption(ctx, 'method'),
          target: stringOption(ctx, 'target'),
          status: stringOption(ctx, 'status'),
          phase: stringOption(ctx, 'phase'),
          month: stringOption(ctx, 'month'),
          locale: stringOption(ctx, 'locale'),
          timeZone: ctx.settings.timeZone,
          databaseUrl: ctx.settings.databaseUrl,
          force: ctx.options.force === true,
        },
        io,
      );
    } finally {
      await db.close();
    }
  },
};
