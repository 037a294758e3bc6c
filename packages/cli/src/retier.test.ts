import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { addMonths, drainJobs, type JobView, type ScheduleMonth } from '@tierkit/api';
import { connect } from '@tierkit/db';
import { lastCompleteMonth } from '@tierkit/ops';
import { run } from './run.js';
import { SCHEDULE_UNKNOWN_LINE } from './job-output.js';
import { runCaptured } from './run-captured.js';

const dir = mkdtempSync(join(tmpdir(), 'tierkit-cli-jobs-'));
const database = join(dir, 'retier.db');
after(() => rmSync(dir, { recursive: true, force: true }));

/** Run the CLI against the test database, capturing stdout and stderr lines. */
const cli = (...argv: string[]) => runCaptured([...argv, '--database', database]);

/** A failure or a usage error: nothing on stdout, and the reason in one last line on stderr. */
function refused(r: { code: number; out: string[]; err: string[] }, code: number, reason: RegExp): void {
  assert.equal(r.code, code, r.err.join('\n'));
  assert.deepEqual(r.out, [], 'nothing on stdout');
  assert.match(r.err.at(-1) ?? '', reason);
}

before(async () => {
  assert.equal(await run(['seed', '--database', database, '--customers', '20'], () => undefined), 0);
});

// First: the seed has just written the month, and no job has been started for it yet.
it('an operator asks what the monthly schedule waits for, as a line or as the API’s JSON', async () => {
  const period = lastCompleteMonth();
  // Without TIERKIT_SCHEDULE here, what the server runs is not known: null, not the default's guess.
  const json = await cli('jobs', 'schedule', '--json');
  assert.equal(json.code, 0, json.err.join('\n'));
  const body = JSON.parse(json.out[0] ?? '') as {
    running: boolean | null;
    settleMinutes: number;
    overdueDays: number;
    months: ScheduleMonth[];
  };
  assert.deepEqual([body.running, body.settleMinutes, body.overdueDays], [null, 60, 7]);
  const month = body.months[0];
  // The seed has just written the month: the schedule waits for it to settle, and no monthly job is queued.
  assert.equal(month?.period, period);
  assert.deepEqual([month?.state, month?.waitingFor, month?.job, month?.metrics?.missing], ['settling', 'settling', null, []]);
  const unknown = await cli('jobs', 'schedule');
  assert.equal(unknown.code, 0, unknown.err.join('\n'));
  assert.deepEqual(unknown.out[0], SCHEDULE_UNKNOWN_LINE);
  assert.match(
    unknown.out[1] ?? '',
    new RegExp(
      `^${period}  settling .*data settling: quiet at \\S+ if nothing more arrives, then queued by a server that runs the schedule; ended `,
    ),
  );
  process.env.TIERKIT_SCHEDULE = 'on';
  try {
    const text = await cli('jobs', 'schedule');
    assert.equal(text.code, 0, text.err.join('\n'));
    assert.match(
      text.out[0] ?? '',
      new RegExp(`^${period}  settling .*data settling: queued at \\S+ if nothing more arrives; ended \\S+, waiting \\d+ days?`),
    );
    assert.equal(text.out.length, 1, 'the schedule runs: one line');
    assert.equal((JSON.parse((await cli('jobs', 'schedule', '--json')).out[0] ?? '') as { running: boolean }).running, true);
  } finally {
    delete process.env.TIERKIT_SCHEDULE;
  }
  // A server with the schedule off does not queue the month: said first, with how to start it by hand.
  process.env.TIERKIT_SCHEDULE = 'off';
  try {
    const off = await cli('jobs', 'schedule');
    assert.equal(off.code, 0, off.err.join('\n'));
    assert.equal(
      off.out[0],
      `this server does not run the monthly schedule (TIERKIT_SCHEDULE=off); unless another server runs it, start the month by hand (tierkit retier --period ${period} --tenant demo, or POST /v1/jobs)`,
    );
    // Settling, but not "queued at …": nothing will queue it.
    assert.match(off.out[1] ?? '', new RegExp(`^${period}  settling +data in \\(last written \\S+\\); ended \\S+, waiting \\d+ days?`));
    const offJson = await cli('jobs', 'schedule', '--json');
    assert.equal((JSON.parse(offJson.out[0] ?? '') as { running: boolean }).running, false);
    process.env.TIERKIT_SCHEDULE = 'sometimes';
    refused(await cli('jobs', 'schedule'), 2, /^jobs schedule: TIERKIT_SCHEDULE must be on or off, got "sometimes"/);
  } finally {
    delete process.env.TIERKIT_SCHEDULE;
  }
  // A setting the server would refuse is refused here too, before anything is read.
  process.env.TIERKIT_SCHEDULE_OVERDUE_DAYS = 'soon';
  try {
    refused(await cli('jobs', 'schedule'), 2, /^jobs schedule: TIERKIT_SCHEDULE_OVERDUE_DAYS must be a whole number of days/);
  } finally {
    delete process.env.TIERKIT_SCHEDULE_OVERDUE_DAYS;
  }
  refused(await cli('jobs', 'schedule', '--tenant', 'no-such-bank'), 1, /no-such-bank/);
  // Off, the officer re-tiers the month by hand for the whole book: that is the month's job, and the
  // advice to start it is no longer given.
  const byHand = await cli('retier', '--period', period, '--json', '--no-progress');
  assert.equal(byHand.code, 0, byHand.err.join('\n'));
  const { id } = JSON.parse(byHand.out.at(-1) ?? '') as { id: string };
  process.env.TIERKIT_SCHEDULE = 'off';
  try {
    const done = await cli('jobs', 'schedule');
    assert.deepEqual(done.out, [`${period}  done              job ${id} completed`]);
  } finally {
    delete process.env.TIERKIT_SCHEDULE;
  }
});

it('an operator re-tiers the book, reads the job back, and is told on stderr why what cannot be done is refused', async () => {
  const period = lastCompleteMonth();
  const thisMonth = addMonths(period, 1);
  const retier = await cli('retier', '--period', period, '--scheme', 'retail-tier', '--json', '--no-progress');
  assert.equal(retier.code, 0, retier.err.join('\n'));
  assert.equal(retier.out.length, 1, 'one JSON document on stdout');
  const job = JSON.parse(retier.out[0] ?? '') as JobView;
  assert.equal(job.status, 'completed');
  const subjects = job.progress.subjects;
  assert.equal(subjects.processed + subjects.skipped, subjects.total);
  assert.ok(subjects.processed >= 20, 'every seeded customer was re-evaluated');
  // The card tier, the value band and risk × value matrix that read it (directly, then through the band),
  // and the risk band the matrix reads with the AML and credit levels that band reads: written alone, the
  // matrix would be worked out from a risk band the job does not store.
  assert.deepEqual(job.params.schemes, ['retail-tier', 'aml-risk', 'credit-rating', 'risk-band', 'value-band', 'risk-value']);
  assert.deepEqual(job.params.dependents, [
    { scheme: 'aml-risk', readBy: ['risk-band'] },
    { scheme: 'credit-rating', readBy: ['risk-band'] },
    { scheme: 'risk-band', readBy: ['risk-value'] },
    { scheme: 'value-band', reads: ['retail-tier'] },
    { scheme: 'risk-value', reads: ['value-band'] },
  ]);
  assert.ok(
    retier.err.includes(
      'retier: also re-tiers aml-risk (read by risk-band), credit-rating (read by risk-band), risk-band (read by risk-value), value-band (reads retail-tier), risk-value (reads value-band): each reads a level it writes, or is read by one',
    ),
    retier.err.join('\n'),
  );
  const written = ['retail-tier', 'aml-risk', 'credit-rating', 'risk-band', 'value-band', 'risk-value'];
  for (const scheme of written)
    assert.equal(
      job.summary.matrix.filter((c) => c.scheme === scheme).reduce((n, c) => n + c.count, 0),
      20,
      `one count per customer: ${scheme} is a customer scheme`,
    );
  assert.deepEqual(new Set(job.summary.matrix.map((c) => c.scheme)), new Set(written));

  const list = await cli('jobs', 'list', '--json');
  assert.equal(list.code, 0);
  // Newest first: this job, then the month's by hand in the schedule's test above.
  assert.deepEqual((JSON.parse(list.out.at(-1) ?? '[]') as JobView[]).map((j) => j.id)[0], job.id);
  const show = await cli('jobs', 'show', job.id);
  assert.equal(show.code, 0);
  assert.match(show.out.join('\n'), /retail-tier\n/);
  assert.match(show.out[0] ?? '', new RegExp(`^${job.id}\\s+completed`));

  for (const json of [[], ['--json']]) {
    refused(await cli('jobs', 'cancel', job.id, ...json), 1, /^jobs cancel: .*only a running job can be cancelled/);
    refused(await cli('jobs', 'show', 'job_nope', ...json), 1, /^jobs show: no job job_nope/);
    refused(await cli('retier', ...json), 2, /^retier: needs --period/);
    refused(await cli('retier', '--period', '2025-13', ...json), 2, /^retier: .*period: "2025-13" is not a month/);
    refused(await cli('retier', '--period', period, '--scheme', 'nope', ...json), 2, /^retier: .*unknown scheme "nope"/);
    refused(await cli('retier', '--period', period, '--bogus', ...json), 2, /^tierkit retier: .*'--bogus'.*--help/);
    refused(await cli('jobs', 'explode', ...json), 2, /^jobs: unknown action "explode"/);
    refused(await cli('retier', '--period', period, '--poll-ms', 'abc', ...json), 2, /^retier: --poll-ms must be a positive number/);
    refused(await cli('retier', '--period', period, '--work', '--no-work', ...json), 2, /^retier: --work and --no-work contradict/);
    // The seed loads months up to the last complete one: the current month has no data yet. Said with
    // the CLI's way to load it, not the API's endpoints.
    const noData = await cli('retier', '--period', thisMonth, '--allow-open-month', ...json);
    refused(
      noData,
      1,
      new RegExp(
        `^retier: No data for ${thisMonth} has been loaded.* Load ${thisMonth}'s data first \\(tierkit import FILE --kind metrics --tenant demo\\)`,
      ),
    );
    assert.ok(!noData.err.at(-1)?.includes('POST /v1/imports'), noData.err.at(-1));
    // The month has not ended: refused as bad usage unless the operator says they mean it — with the
    // CLI's option, not the API's field.
    const open = await cli('retier', '--period', thisMonth, ...json);
    refused(
      open,
      2,
      new RegExp(`^retier: ${thisMonth} has not ended: .*; add --allow-open-month to mean it, or choose a month that has ended$`),
    );
    assert.ok(!open.err.at(-1)?.includes('allowOpenMonth'), open.err.at(-1));
  }
  // Without --json the schemes added are said once, on stderr, before the wait: not again among the results.
  const text = await cli('retier', '--period', period, '--scheme', 'retail-tier', '--no-progress');
  assert.equal(text.code, 0, text.err.join('\n'));
  assert.equal(text.err.filter((l) => l.includes('also re-tiers')).length, 1, text.err.join('\n'));
  assert.ok(!text.out.some((l) => l.includes('also re-tiers')), text.out.join('\n'));
  // `jobs show` has no stderr line before it: there the job's details say it.
  const shown = await cli('jobs', 'show', (JSON.parse((await cli('jobs', 'list', '--json')).out.at(-1) ?? '[]') as JobView[])[0]?.id ?? '');
  assert.ok(
    shown.out.some((l) => l.startsWith('also re-tiers')),
    shown.out.join('\n'),
  );
  // Refused before anything was queued: this job, the text run's and the schedule test's are all.
  assert.equal((JSON.parse((await cli('jobs', 'list', '--json')).out.at(-1) ?? '[]') as JobView[]).length, 3);
});

it('retier, jobs and worker have help of their own', async () => {
  for (const [name, argv] of [
    ['retier', ['retier', '--help']],
    ['retier', ['retier', '-h']],
    ['jobs', ['jobs', '--help']],
    ['worker', ['worker', '--help']],
  ] as const) {
    const r = await cli(...argv);
    assert.equal(r.code, 0, argv.join(' '));
    assert.deepEqual(r.err, []);
    assert.match(r.out.join('\n'), new RegExp(`^Usage:\\n  ${name} `), argv.join(' '));
  }
});

it('a job whose process was killed: resume says until when its lease holds, and --wait takes it over once it has run out', async () => {
  const queued = await cli('retier', '--period', lastCompleteMonth(), '--detach', '--json');
  assert.equal(queued.code, 0, queued.err.join('\n'));
  const job = JSON.parse(queued.out[0] ?? '') as JobView;
  // As a killed `retier` leaves it: a chunk leased to a process that will never finish it.
  const db = connect({ url: database });
  const until = new Date(Date.now() + 60_000).toISOString();
  try {
    await db.db
      .updateTable('job_chunks')
      .set({ lease_owner: 'gone:1:abc', lease_expires_at: until })
      .where('job_id', '=', job.id)
      .execute();
  } finally {
    await db.close();
  }
  const held = await cli('jobs', 'resume', job.id);
  refused(held, 1, new RegExp(`^jobs resume: job ${job.id} is running.*gone:1:abc.*until ${until}.*jobs resume ${job.id} --wait`));

  const expire = connect({ url: database });
  try {
    await expire.db
      .updateTable('job_chunks')
      .set({ lease_expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('job_id', '=', job.id)
      .execute();
  } finally {
    await expire.close();
  }
  const resumed = await cli('jobs', 'resume', job.id, '--wait', '--json');
  assert.equal(resumed.code, 0, resumed.err.join('\n'));
  assert.equal((JSON.parse(resumed.out.at(-1) ?? '') as JobView).status, 'completed');
});

it('a job that fails ends in one line on stderr saying why, after the job on stdout', async () => {
  const queued = await cli('retier', '--period', lastCompleteMonth(), '--detach', '--json');
  const job = JSON.parse(queued.out[0] ?? '') as JobView;
  // A chunk tried as often as a job allows, by workers that are gone: the next claim fails the job.
  const db = connect({ url: database });
  try {
    await db.db
      .updateTable('job_chunks')
      .set({ attempts: 3, lease_owner: 'gone:2:def', lease_expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('job_id', '=', job.id)
      .execute();
  } finally {
    await db.close();
  }
  const r = await cli('jobs', 'resume', job.id, '--wait', '--json');
  assert.equal(r.code, 1);
  assert.equal((JSON.parse(r.out.at(-1) ?? '') as JobView).status, 'failed');
  assert.equal(r.err.at(-1), `jobs resume: job ${job.id} failed: chunk 0 failed 3 times`);
});

// The timeout only ends the run when the line never comes (the wait would go on for ever).
it('a retier that leaves the work to workers says which job it waits for, and completes when a worker runs it', {
  timeout: 120_000,
}, async () => {
  const out: string[] = [];
  const err: string[] = [];
  let told: () => void = () => undefined;
  const waiting = new Promise<void>((resolve) => (told = resolve));
  const retier = run(
    ['retier', '--period', lastCompleteMonth(), '--no-work', '--json', '--database', database],
    (l) => out.push(l),
    (l) => {
      err.push(l);
      if (l.includes('waiting for job')) told();
    },
  );
  await waiting;
  const id = /waiting for job (job_\S+):/.exec(err.join('\n'))?.[1];
  assert.ok(id, err.join('\n'));
  assert.match(err.find((l) => !l.startsWith('database: ')) ?? '', /tierkit worker.*--work joins in/);
  // The worker this retier waits for: another process in production, here a drain in this one.
  const db = connect({ url: database });
  try {
    assert.ok((await drainJobs({ db: db.db })) > 0);
  } finally {
    await db.close();
  }
  assert.equal(await retier, 0, err.join('\n'));
  assert.equal((JSON.parse(out.at(-1) ?? '') as JobView).id, id);
});

it('a mistyped TIERKIT_TIME_ZONE stops every command with one line before it touches the database', async () => {
  const saved = process.env.TIERKIT_TIME_ZONE;
  process.env.TIERKIT_TIME_ZONE = 'Asia/Shanghi';
  try {
    for (const argv of [['retier', '--period', '2025-10'], ['worker'], ['import', 'no-such-file.csv', '--kind', 'metrics']]) {
      const r = await cli(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.deepEqual(r.out, []);
      assert.equal(r.err.length, 1, argv.join(' '));
      assert.match(r.err[0] ?? '', /TIERKIT_TIME_ZONE must be an IANA time zone such as Asia\/Shanghai, got "Asia\/Shanghi"/);
    }
  } finally {
    if (saved === undefined) delete process.env.TIERKIT_TIME_ZONE;
    else process.env.TIERKIT_TIME_ZONE = saved;
  }
});

it('a month partly loaded is re-tiered when an operator asks, with a warning on stderr naming what the schedule would still wait for', async () => {
  // Only the balances of this month so far, for one customer: the other monthly feeds have not come.
  const thisMonth = addMonths(lastCompleteMonth(), 1);
  const csv = join(dir, 'partial.csv');
  writeFileSync(csv, `subject,metric,period,value\nC000001,avg_daily_balance,${thisMonth},8000000\n`);
  const imported = await cli('import', csv, '--kind', 'metrics', '--amounts', 'fen');
  assert.equal(imported.code, 0, imported.err.join('\n'));
  const r = await cli('retier', '--period', thisMonth, '--allow-open-month', '--subjects', 'C000001', '--detach', '--json');
  assert.equal(r.code, 0, r.err.join('\n'));
  const job = JSON.parse(r.out[0] ?? '') as JobView & { partlyLoaded: { missing: string[]; loaded: string[] } | null };
  assert.deepEqual(job.partlyLoaded?.loaded, ['avg_daily_balance']);
  assert.ok(job.partlyLoaded?.missing.includes('card_spend'), JSON.stringify(job.partlyLoaded));
  assert.deepEqual([...(job.partlyLoaded?.missing ?? [])].sort(), job.partlyLoaded?.missing, 'sorted');
  assert.match(
    r.err.at(-1) ?? '',
    new RegExp(
      `^retier: warning: ${thisMonth} is only partly loaded: no data yet for .*card_spend.* \\(avg_daily_balance loaded\\); the monthly schedule would still wait for it`,
    ),
  );
});

it('retier queues its job before, not inside, the transaction of its audit record: a record that cannot be written cancels the job', async () => {
  // Planning (pack, month, the whole book's chunks) under the record's transaction held SQLite's write
  // lock throughout; now the job commits first and its record follows, so a failed record leaves the
  // job visible and cancelled rather than silently running without its record.
  const db = connect({ url: database });
  try {
    // A record squatting on the chain's next place makes the append fail, as a broken audit table would.
    const head = await db.db.selectFrom('audit_heads').select(['seq']).where('chain', '=', 'demo').executeTakeFirstOrThrow();
    const first = await db.db.selectFrom('audit_records').selectAll().where('chain', '=', 'demo').orderBy('seq').executeTakeFirstOrThrow();
    await db.db
      .insertInto('audit_records')
      .values({ ...first, seq: head.seq + 1 })
      .execute();
    const before = new Set((await db.db.selectFrom('jobs').select('id').execute()).map((j) => j.id));
    const r = await cli('retier', '--period', lastCompleteMonth(), '--detach', '--json');
    await db.db
      .deleteFrom('audit_records')
      .where('chain', '=', 'demo')
      .where('seq', '=', head.seq + 1)
      .execute();
    assert.equal(r.code, 1, r.err.join('\n'));
    assert.deepEqual(r.out, []);
    const made = (await db.db.selectFrom('jobs').select(['id', 'status']).execute()).filter((j) => !before.has(j.id));
    assert.deepEqual(
      made.map((j) => j.status),
      ['cancelled'],
      'the job was queued on its own, then cancelled',
    );
    assert.match(r.err.at(-1) ?? '', new RegExp(`job ${made[0]?.id} was cancelled: its audit record could not be written`));
  } finally {
    await db.close();
  }
});
