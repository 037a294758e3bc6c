// What one tier event and one version bump cost a re-tier chunk's writer on SQLite, part by part, paired:
// copies of one book of N subjects, each with one thing changed, get the same first re-tier chunks
// (1,000 subjects: their bump, then an event each, in one transaction), chunk by chunk with the order
// of the copies rotated. The event copies take away what each event maintains — every index, the id's
// unique index, the table keyed by its id (WITHOUT ROWID) — so the row alone and each b-tree can be told
// apart; the bump copies run the bump as it was before session 37 (UPDATE … RETURNING id), without its
// filters, and one row a statement. CPU of this process per step: the events' statement, the
// commit, the bump. Asserts nothing but that every copy holds the same rows at the end.
// Run: node --import tsx bench/batch/event-bump-writes.bench.ts [--subjects 100000]
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPolicyPack } from '@tierkit/core';
import { connect, insertSubjects, insertTenant, migrateToLatest, type Db, type SubjectInput } from '@tierkit/db';
import { sql } from 'kysely';
import type { Executor } from '../../packages/db/src/repositories/executor.js';
import { bumpOpenSubjectVersions, bumpSubjectVersions } from '../../packages/db/src/repositories/subject-versions.js';
import { writeTierEvents, type NewTierEventInput } from '../../packages/db/src/repositories/tier-events.js';
import { AT, event } from './reevaluation-rows.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const N = Number(arg('subjects') ?? 100_000);
const CHUNK = 1000;
const TENANT = 'bench';
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const id = (j: number) => `c${String(j).padStart(8, '0')}`;

const COLUMNS = `tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  subject_id text NOT NULL REFERENCES subjects (id) ON DELETE CASCADE, scheme text NOT NULL, from_level text,
  to_level text NOT NULL, at text NOT NULL, reason text NOT NULL, rule_id text, note text, actor text NOT NULL,
  approved_by text, policy_version integer NOT NULL, period text`;
const INDEXES = [
  'CREATE INDEX tier_events_subject_at_idx ON tier_events (subject_id, at, id)',
  'CREATE INDEX tier_events_tenant_scheme_subject_period_idx ON tier_events (tenant_id, scheme, subject_id, period, at, id, to_level, reason)',
  'CREATE INDEX tier_events_tenant_scheme_at_idx ON tier_events (tenant_id, scheme, at)',
];
const NO_INDEX = [
  'DROP INDEX tier_events_subject_at_idx',
  'DROP INDEX tier_events_tenant_scheme_subject_period_idx',
  'DROP INDEX tier_events_tenant_scheme_at_idx',
];
type Bump = (trx: Executor, ids: readonly string[]) => Promise<unknown>;
/** The bump of open subjects as it was before session 37: the rows moved, returned. */
const returning: Bump = (trx, ids) =>
  sql`UPDATE subjects SET version = version + 1 WHERE coalesce(tenant_id, '') = ${TENANT} AND id IN (${sql.join(ids)}) AND closed_at IS NULL RETURNING id`.execute(
    trx,
  );
const COPIES: { name: string; setup?: string[]; bump?: Bump }[] = [
  { name: 'as main (bump RETURNING)', bump: returning },
  { name: 'this branch (bump counted)' },
  { name: 'events: no index', setup: NO_INDEX, bump: returning },
  {
    name: 'events: no index, id not unique',
    setup: ['DROP TABLE tier_events', `CREATE TABLE tier_events (id text NOT NULL, ${COLUMNS})`],
    bump: returning,
  },
  {
    name: 'events: id not unique',
    setup: ['DROP TABLE tier_events', `CREATE TABLE tier_events (id text NOT NULL, ${COLUMNS})`, ...INDEXES],
    bump: returning,
  },
  {
    name: 'events: WITHOUT ROWID, key id',
    setup: ['DROP TABLE tier_events', `CREATE TABLE tier_events (id text NOT NULL PRIMARY KEY, ${COLUMNS}) WITHOUT ROWID`, ...INDEXES],
    bump: returning,
  },
  { name: 'events: − subject_at', setup: [NO_INDEX[0] as string], bump: returning },
  { name: 'events: − analytics', setup: [NO_INDEX[1] as string], bump: returning },
  { name: 'events: − teams', setup: [NO_INDEX[2] as string], bump: returning },
  { name: 'bump: no filter, no RETURNING', bump: (trx, ids) => bumpSubjectVersions(trx, ids) },
  {
    name: 'bump: RETURNING, no filter',
    bump: (trx, ids) => sql`UPDATE subjects SET version = version + 1 WHERE id IN (${sql.join(ids)}) RETURNING id`.execute(trx),
  },
];

const dir = mkdtempSync(join(tmpdir(), 'tierkit-event-bump-bench-'));
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
  const sides: { name: string; db: Db; bump: Bump; events: number; commit: number; bumps: number }[] = [];
  for (const copy of COPIES) {
    const path = join(dir, `${sides.length}.db`);
    copyFileSync(file, path);
    const db = connect({ url: path });
    for (const statement of copy.setup ?? []) await sql.raw(statement).execute(db.db);
    sides.push({
      name: copy.name,
      db,
      bump: copy.bump ?? ((trx, ids) => bumpOpenSubjectVersions(trx, TENANT, ids)),
      events: 0,
      commit: 0,
      bumps: 0,
    });
  }
  console.log(`${N.toLocaleString('en')} subjects, chunks of ${CHUNK}, ${sides.length} copies; load at the start: ${load()}`);
  let n = 0;
  for (let i = 0, k = 0; i < N; i += CHUNK, k++) {
    const ids: string[] = [];
    const events: NewTierEventInput[] = [];
    for (let j = i; j < Math.min(N, i + CHUNK); j++) {
      ids.push(id(j));
      // An id of sortableId's shape (9 characters of time, 4 of counter, 12 hex) and a job's actor.
      n++;
      events.push({
        ...event(id(j), n),
        id: `${(1e12 + Math.floor(n / CHUNK)).toString(36).padStart(9, '0')}${(n % CHUNK).toString(36).padStart(4, '0')}${((n * 2654435761) % 2 ** 48).toString(16).padStart(12, '0')}`,
        actor: 'job:0mipxk2a3000f1e2d3c4b5a6',
      });
    }
    // The first chunk compiles the code, in whichever copy goes first: not counted.
    const counted = k > 0;
    for (let s = 0; s < sides.length; s++) {
      const side = sides[(s + k) % sides.length] as (typeof sides)[number];
      let end = 0;
      await side.db.db.transaction().execute(async (trx) => {
        const a = cpuMs();
        await side.bump(trx, ids);
        const b = cpuMs();
        await writeTierEvents(trx, TENANT, events);
        end = cpuMs();
        if (counted) {
          side.bumps += b - a;
          side.events += end - b;
        }
      });
      if (counted) side.commit += cpuMs() - end;
    }
  }
  const per = (ms: number) => ((ms * 1000) / (N - CHUNK)).toFixed(2).padStart(8);
  console.log(`\nCPU per subject (µs), load at the end: ${load()}`);
  console.log(`${''.padEnd(36)}${'events'.padStart(8)}${'commit'.padStart(8)}${'bump'.padStart(8)}`);
  const counts = new Set<string>();
  for (const side of sides) {
    console.log(`${side.name.padEnd(36)}${per(side.events)}${per(side.commit)}${per(side.bumps)}`);
    const c = await sql`SELECT (SELECT count(*) FROM tier_events) AS e, (SELECT sum(version) FROM subjects) AS v`.execute(side.db.db);
    counts.add(JSON.stringify(c.rows));
    await side.db.close();
  }
  if (counts.size !== 1) throw new Error(`the copies hold different rows: ${[...counts].join(' ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
