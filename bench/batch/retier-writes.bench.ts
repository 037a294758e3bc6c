// What each table and each index a re-tier chunk writes costs the writer, paired: copies of one SQLite
// book of N subjects, one with every index and one per index left out, get the same chunks (1,000
// subjects' assignments and tier events and their version bumps, in one transaction each, as
// storeReevaluations writes them), chunk by chunk with the order of the copies rotated, so a neighbour's
// load falls on every copy alike. First the book's first levels (every row inserted, an event each),
// then a monthly re-tier (every row rewritten for the next month keeping its level, an event for one
// subject in a hundred). CPU of this process per step and copy (better-sqlite3 is synchronous, and SQLite's
// WAL checkpoints run inline here, each in the copy that filled its WAL); the load beside the figures.
// Asserts nothing but that every copy ends with the same rows.
// Run: node --import tsx bench/batch/retier-writes.bench.ts [--subjects 200000] [--only index,index]
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPolicyPack } from '@tierkit/core';
import { connect, insertSubjects, insertTenant, migrateToLatest, type Db, type SubjectInput } from '@tierkit/db';
import { sql } from 'kysely';
import { writeAssignments, type StoredAssignment } from '../../packages/db/src/repositories/assignments.js';
import { bumpOpenSubjectVersions } from '../../packages/db/src/repositories/subject-versions.js';
import { writeTierEvents, type NewTierEventInput } from '../../packages/db/src/repositories/tier-events.js';
import { assignment, AT, event } from './reevaluation-rows.js';

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
  const sides: { name: string; db: Db; cpu: Record<string, number> }[] = [];
  for (const without of [undefined, ...INDEXES.filter((x) => !only || only.includes(x))]) {
    const copy = join(dir, `${without ?? 'all'}.db`);
    copyFileSync(file, copy);
    const db = connect({ url: copy });
    if (without) await sql`DROP INDEX ${sql.id(without)}`.execute(db.db);
    sides.push({ name: without ? `without ${without}` : 'every index', db, cpu: {} });
  }
  console.log(`${N.toLocaleString('en')} subjects, chunks of ${CHUNK}, ${sides.length} copies; load at the start: ${load()}`);
  /** One chunk into one copy, as storeReevaluations writes it, each step's CPU added to `phase.step`. */
  let counted = false;
  /** Subjects whose chunks were counted, per phase (not the first chunk: the code is compiled there, in the copy that goes first). */
  const subjects: Record<string, number> = {};
  const write = async (
    side: (typeof sides)[number],
    phase: string,
    rows: StoredAssignment[],
    events: NewTierEventInput[],
    kept?: ReadonlySet<StoredAssignment>,
  ) => {
    const add = (step: string, from: number) => {
      const key = `${phase} ${step}`;
      if (counted) side.cpu[key] = (side.cpu[key] ?? 0) + cpuMs() - from;
    };
    const start = cpuMs();
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
    chunkOf: (from: number) => { rows: StoredAssignment[]; events: NewTierEventInput[]; kept?: Set<StoredAssignment> },
  ) => {
    for (let i = 0, k = 0; i < N; i += CHUNK, k++) {
      const { rows, events, kept } = chunkOf(i);
      counted = k > 0;
      if (counted) subjects[phase] = (subjects[phase] ?? 0) + rows.length;
      // Rotate which copy goes first, so that none always meets the caches the one before left.
      for (let s = 0; s < sides.length; s++)
        await write(sides[(s + k) % sides.length] as (typeof sides)[number], phase, rows, events, kept);
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
    return { rows, events, kept: new Set(rows) };
  });
  const base = sides[0] as (typeof sides)[number];
  const keys = Object.keys(base.cpu);
  console.log(`\nCPU per subject (µs), load at the end: ${load()}`);
  console.log(`${''.padEnd(34)}${keys.map((k) => k.padStart(26)).join('')}`);
  for (const side of sides)
    console.log(
      `${side.name.replace('without ', '− ').padEnd(34)}${keys.map((k) => (((side.cpu[k] ?? 0) * 1000) / (subjects[k.split(' ')[0] as string] ?? 1)).toFixed(2).padStart(26)).join('')}`,
    );
  console.log('\nWhat each index costs: every index − without it, µs per subject (and share of the phase total)');
  for (const side of sides.slice(1))
    for (const phase of ['first', 'monthly']) {
      const per = (side: (typeof sides)[number]) => ((side.cpu[`${phase} total`] ?? 0) * 1000) / (subjects[phase] ?? 1);
      const d = per(base) - per(side);
      console.log(
        `  ${side.name.replace('without ', '').padEnd(46)} ${phase.padEnd(8)} ${d.toFixed(2).padStart(7)} µs (${((d / per(base)) * 100).toFixed(1)}%)`,
      );
    }
  const count = async (db: Db) =>
    JSON.stringify(
      await sql`SELECT (SELECT count(*) FROM assignments) AS a, (SELECT count(*) FROM tier_events) AS e, (SELECT sum(version) FROM subjects) AS v`.execute(
        db.db,
      ),
    );
  const want = await count(base.db);
  for (const side of sides) {
    if ((await count(side.db)) !== want) throw new Error(`${side.name} holds other rows`);
    await side.db.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
