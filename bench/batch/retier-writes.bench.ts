// What each table and each index a re-tier chunk writes costs the writer, paired: copies of one SQLite
// book of N subjects, one with every index and one per index left out, get the same chunks (1,000
// subjects' assignments and tier events and their version bumps, in one transaction each, as
// storeReevaluations writes them), chunk by chunk with the order of the copies rotated, so a neighbour's
// load falls on every copy alike. The assignments arrive as the job's writer gets them from its prepare
// thread: serialized, their JSON as UTF-8 bytes (utf8Rows), so no JSON.stringify is timed on the writer.
// Two more copies take the assignments alone, one transaction per chunk: one by writeAssignments, one by
// the retier bench's raw baseline (one prepared single-row upsert, the rows as text) — the job's upsert
// beside its baseline in the same run. First the book's first levels (every row inserted, an event each),
// then a monthly re-tier (every row rewritten for the next month keeping its level, an event for one
// subject in a hundred). CPU of this process per step and copy (better-sqlite3 is synchronous, and SQLite's
// WAL checkpoints run inline here, each in the copy that filled its WAL); the load beside the figures.
// Asserts nothing but that every copy ends with the same rows.
// Run: node --import tsx bench/batch/retier-writes.bench.ts [--subjects 200000] [--only index,index] [--layouts none]
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { defaultPolicyPack } from '@tierkit/core';
import {
  connect,
  insertSubjects,
  insertTenant,
  migrateToLatest,
  serializeAssignment,
  type Db,
  type StoredAssignmentJson,
  type SubjectInput,
} from '@tierkit/db';
import { sql } from 'kysely';
import { utf8Rows } from '../../packages/api/src/services/jobs/utf8-rows.js';
import {
  writeAssignments,
  type AssignmentToWrite,
  type StoredAssignment,
  type StoredAssignmentUtf8,
} from '../../packages/db/src/repositories/assignments.js';
import { bumpOpenSubjectVersions } from '../../packages/db/src/repositories/subject-versions.js';
import { writeTierEvents, type NewTierEventInput } from '../../packages/db/src/repositories/tier-events.js';
import { assignment, AT, event, RAW_UPSERT_SQL, rawUpsertValues } from './reevaluation-rows.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const N = Number(arg('subjects') ?? 200_000);
const CHUNK = 1000;
const TENANT = 'bench';
/** The indexes a chunk's writes maintain (none of the partial ones holds a first re-tier's or a kept level's row). */
const INDEXES = [
  'tier_events_tenant_scheme_at_idx',
  'tier_events_subject_at_idx',
  'tier_events_tenant_scheme_subject_period_idx',
  'assignments_tenant_scheme_level_idx',
  'assignments_tenant_scheme_period_idx',
];
const only = arg('only')?.split(',');
/**
 * Other layouts of tier_events, each on a copy of its own (the book has no event yet, so the table is
 * made anew): what the id's unique index costs (a rowid table's separate b-tree on SQLite), the table
 * keyed by its id (WITHOUT ROWID: no separate rowid b-tree), the table keyed by subject and time
 * (which then is the history's index), and the same rows with the columns a job repeats in every
 * event left empty (the most that deriving them from the job could save).
 */
const EVENT_COLUMNS_SQL = `tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  subject_id text NOT NULL REFERENCES subjects (id) ON DELETE CASCADE, scheme text NOT NULL, from_level text,
  to_level text NOT NULL, at text NOT NULL, reason text NOT NULL, rule_id text, note text, actor text NOT NULL,
  approved_by text, policy_version integer NOT NULL, period text`;
const EVENT_INDEXES = [
  'CREATE INDEX tier_events_tenant_scheme_subject_period_idx ON tier_events (tenant_id, scheme, subject_id, period, at, id, to_level, reason)',
  'CREATE INDEX tier_events_tenant_scheme_at_idx ON tier_events (tenant_id, scheme, at)',
];
const SUBJECT_AT = 'CREATE INDEX tier_events_subject_at_idx ON tier_events (subject_id, at, id)';
const LAYOUTS: Record<string, string[]> = {
  'events: id not unique (rowid only)': [`CREATE TABLE tier_events (id text NOT NULL, ${EVENT_COLUMNS_SQL})`, SUBJECT_AT, ...EVENT_INDEXES],
  'events: WITHOUT ROWID, key id': [
    `CREATE TABLE tier_events (id text NOT NULL PRIMARY KEY, ${EVENT_COLUMNS_SQL}) WITHOUT ROWID`,
    SUBJECT_AT,
    ...EVENT_INDEXES,
  ],
  'events: WITHOUT ROWID, key subject, at, id': [
    `CREATE TABLE tier_events (id text NOT NULL, ${EVENT_COLUMNS_SQL}, PRIMARY KEY (subject_id, at, id)) WITHOUT ROWID`,
    ...EVENT_INDEXES,
  ],
};
/** The columns a job's events all share, emptied: rule_id, note, actor, approved_by, policy_version. */
const NARROW = 'events: per-job columns empty';
const layouts = arg('layouts') === 'none' ? [] : [...Object.keys(LAYOUTS), NARROW];
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const id = (j: number) => `c${String(j).padStart(8, '0')}`;

const dir = mkdtempSync(join(tmpdir(), 'tierkit-retier-writes-bench-'));
try {
  const file = join(dir, 'book.db');
  const book = connect({ url: file });
  await migrateToLatest(book.db);
  await insertTenant(book.db, { id: TENANT, name: TENANT, metrics: defaultPolicyPack.metrics, now: AT });
  for (let i = 0; i < N; i += 10_000) {
    const batch: SubjectInput[] = [];
    for (let j = i; j < Math.min(N, i + 10_000); j++)
      batch.push({ id: id(j), externalId: id(j).toUpperCase(), kind: 'customer', displayName: '客户', attributes: {} });
    await book.db.transaction().execute((trx) => insertSubjects(trx, TENANT, batch, AT));
  }
  await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(book.db);
  await book.close();
  /** `chunk`: a chunk's every write; `upsert`: writeAssignments alone; `raw`: the retier bench's raw upsert alone. */
  type Side = {
    name: string;
    kind: 'chunk' | 'upsert' | 'raw';
    db: Db;
    raw?: SQLite.Database;
    cpu: Record<string, number>;
    /** The events as this copy writes them (NARROW). */
    events?: (e: NewTierEventInput) => NewTierEventInput;
  };
  const sides: Side[] = [];
  const copyOf = async (name: string, without?: string) => {
    const copy = join(dir, `${name}.db`);
    copyFileSync(file, copy);
    const db = connect({ url: copy });
    if (without) await sql`DROP INDEX ${sql.id(without)}`.execute(db.db);
    return { copy, db };
  };
  for (const without of [undefined, ...INDEXES.filter((x) => !only || only.includes(x))])
    sides.push({
      name: without ? `without ${without}` : 'every index',
      kind: 'chunk',
      db: (await copyOf(without ?? 'all', without)).db,
      cpu: {},
    });
  for (const layout of layouts) {
    const { db } = await copyOf(layout.replace(/\W+/g, '-'));
    if (layout in LAYOUTS) {
      await sql`DROP TABLE tier_events`.execute(db.db);
      for (const statement of LAYOUTS[layout] as string[]) await sql.raw(statement).execute(db.db);
    }
    sides.push({
      name: layout,
      kind: 'chunk',
      db,
      cpu: {},
      ...(layout === NARROW
        ? { events: (e: NewTierEventInput) => ({ ...e, ruleId: null, note: null, actor: '', approvedBy: null, policyVersion: 0 }) }
        : {}),
    });
  }
  sides.push({ name: 'upsert alone, writeAssignments', kind: 'upsert', db: (await copyOf('upsert')).db, cpu: {} });
  {
    const { copy, db } = await copyOf('raw');
    // Opened as the retier bench opens its baseline's copies.
    const raw = new SQLite(copy);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.pragma('foreign_keys = ON');
    sides.push({ name: 'upsert alone, raw baseline', kind: 'raw', db, raw, cpu: {} });
  }
  console.log(`${N.toLocaleString('en')} subjects, chunks of ${CHUNK}, ${sides.length} copies; load at the start: ${load()}`);
  /** One chunk into one copy, as storeReevaluations writes it, each step's CPU added to `phase.step`. */
  let counted = false;
  /** Subjects whose chunks were counted, per phase (not the first chunk: the code is compiled there, in the copy that goes first). */
  const subjects: Record<string, number> = {};
  const upserts = new Map<SQLite.Database, SQLite.Statement>();
  const write = async (
    side: Side,
    phase: string,
    chunk: {
      rows: StoredAssignmentUtf8[];
      text: StoredAssignmentJson[];
      events: NewTierEventInput[];
      kept?: ReadonlySet<AssignmentToWrite>;
    },
  ) => {
    const { rows, text, kept } = chunk;
    const events = side.events ? chunk.events.map(side.events) : chunk.events;
    const add = (step: string, from: number) => {
      const key = `${phase} ${step}`;
      if (counted) side.cpu[key] = (side.cpu[key] ?? 0) + cpuMs() - from;
    };
    const start = cpuMs();
    if (side.raw) {
      const raw = side.raw;
      let upsert = upserts.get(raw);
      if (!upsert) upserts.set(raw, (upsert = raw.prepare(RAW_UPSERT_SQL)));
      const statement = upsert;
      raw.transaction(() => {
        for (const r of text) statement.run(rawUpsertValues(TENANT, r));
      })();
      add('total', start);
      return;
    }
    if (side.kind === 'upsert') {
      await side.db.db.transaction().execute((trx) => writeAssignments(trx, TENANT, rows, kept));
      add('total', start);
      return;
    }
    let inside = 0;
    await side.db.db.transaction().execute(async (trx) => {
      let c = cpuMs();
      await bumpOpenSubjectVersions(trx, TENANT, new Set(rows.map((r) => r.subjectId)));
      add('bumps', c);
      c = cpuMs();
      await writeAssignments(trx, TENANT, rows, kept);
      add('assignments', c);
      c = cpuMs();
      await writeTierEvents(trx, TENANT, events);
      add('tier events', c);
      inside = cpuMs();
    });
    add('commit', inside);
    add('total', start);
  };
  const month = async (
    phase: string,
    chunkOf: (from: number) => { rows: StoredAssignment[]; events: NewTierEventInput[]; keepLevel?: boolean },
  ) => {
    for (let i = 0, k = 0; i < N; i += CHUNK, k++) {
      const { rows: objects, events, keepLevel } = chunkOf(i);
      // What the prepare thread does, once per chunk and outside the times: serialize, then the JSON as bytes.
      const text = objects.map(serializeAssignment);
      const rows = utf8Rows(text).rows;
      const chunk = { rows, text, events, ...(keepLevel ? { kept: new Set<AssignmentToWrite>(rows) } : {}) };
      counted = k > 0;
      if (counted) subjects[phase] = (subjects[phase] ?? 0) + rows.length;
      // Rotate which copy goes first, so that none always meets the caches the one before left.
      for (let s = 0; s < sides.length; s++) await write(sides[(s + k) % sides.length] as Side, phase, chunk);
    }
    console.log(`  ${phase} written; load ${load()}`);
  };
  let n = 0;
  await month('first', (from) => {
    const rows: StoredAssignment[] = [];
    const events: NewTierEventInput[] = [];
    for (let j = from; j < Math.min(N, from + CHUNK); j++) {
      rows.push(assignment(id(j), j));
      events.push(event(id(j), ++n));
    }
    return { rows, events };
  });
  await month('monthly', (from) => {
    const rows: StoredAssignment[] = [];
    const events: NewTierEventInput[] = [];
    for (let j = from; j < Math.min(N, from + CHUNK); j++) {
      rows.push({ ...assignment(id(j), j + 1), period: '2025-11', evaluatedAt: '2025-12-15T04:00:00.000Z' });
      if (j % 100 === 0)
        events.push({
          ...event(id(j), ++n),
          from: 'silver',
          to: 'gold',
          at: '2025-12-15T04:00:00.000Z',
          period: '2025-11',
          reason: 'rule',
        });
    }
    return { rows, events, keepLevel: true };
  });
  const chunkSides = sides.filter((x) => x.kind === 'chunk');
  const base = chunkSides[0] as Side;
  const per = (side: Side, phase: string) => ((side.cpu[`${phase} total`] ?? 0) * 1000) / (subjects[phase] ?? 1);
  const keys = Object.keys(base.cpu);
  console.log(`\nCPU per subject (µs), load at the end: ${load()}`);
  console.log(`${''.padEnd(34)}${keys.map((k) => k.padStart(26)).join('')}`);
  for (const side of chunkSides)
    console.log(
      `${side.name.replace('without ', '− ').padEnd(34)}${keys.map((k) => (((side.cpu[k] ?? 0) * 1000) / (subjects[k.split(' ')[0] as string] ?? 1)).toFixed(2).padStart(26)).join('')}`,
    );
  console.log(
    '\nWhat each index or layout saves: every index − the copy, µs per subject (share of the phase total), and of the tier events step alone',
  );
  const step = (side: Side, key: string) => ((side.cpu[key] ?? 0) * 1000) / (subjects[key.split(' ')[0] as string] ?? 1);
  for (const side of chunkSides.slice(1))
    for (const phase of ['first', 'monthly']) {
      const d = per(base, phase) - per(side, phase);
      const e = step(base, `${phase} tier events`) - step(side, `${phase} tier events`);
      console.log(
        `  ${side.name.replace('without ', '').padEnd(46)} ${phase.padEnd(8)} ${d.toFixed(2).padStart(7)} µs (${((d / per(base, phase)) * 100).toFixed(1)}%)   events step ${e.toFixed(2).padStart(6)} µs`,
      );
    }
  const job = sides.find((x) => x.kind === 'upsert') as Side;
  const raw = sides.find((x) => x.kind === 'raw') as Side;
  console.log("\nThe assignments alone, a transaction per chunk with its commit: the job's upsert against the retier bench's raw one");
  for (const phase of ['first', 'monthly'])
    console.log(
      `  ${phase.padEnd(8)} writeAssignments ${per(job, phase).toFixed(2).padStart(7)} µs   raw prepared upsert ${per(raw, phase).toFixed(2).padStart(7)} µs   ${(per(job, phase) / per(raw, phase)).toFixed(2)}×`,
    );
  const count = async (db: Db, assignmentsOnly: boolean) =>
    JSON.stringify(
      assignmentsOnly
        ? await sql`SELECT count(*) AS a, sum(length(explanation) + length(progress) + length(retention)) AS t FROM assignments`.execute(
            db.db,
          )
        : await sql`SELECT (SELECT count(*) FROM assignments) AS a, (SELECT count(*) FROM tier_events) AS e, (SELECT sum(version) FROM subjects) AS v`.execute(
            db.db,
          ),
    );
  const want = { chunk: await count(base.db, false), alone: await count(base.db, true) };
  for (const side of sides) {
    const alone = side.kind !== 'chunk';
    if ((await count(side.db, alone)) !== (alone ? want.alone : want.chunk)) throw new Error(`${side.name} holds other rows`);
    side.raw?.close();
    await side.db.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
