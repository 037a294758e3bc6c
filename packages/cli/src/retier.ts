import { parseArgs } from 'node:util';
import { enqueueRetier, jobView, ProblemError, runWorker, type JobView } from '@tierkit/api';
import { SUBJECT_KINDS, type SubjectKind } from '@tierkit/core';
import type { Db } from '@tierkit/db';
import { jobBar, jobDetails } from './job-output.js';

export const RETIER_USAGE = `  retier --period YYYY-MM [--scheme KEY,…] [--kind KIND] [--subjects ID,…] [--reason TEXT]
         [--tenant ID] [--detach] [--no-work] [--json]
                            re-evaluate the book (or a part) at a month; waits with a progress bar.
                            On SQLite it does the work itself; on PostgreSQL \`tierkit worker\`s do
                            (--no-work / --work choose), --detach only queues the job`;

/** `tierkit retier …`. Returns the exit code: 0 completed, 1 failed or cancelled, 2 bad usage. */
export async function runRetier(db: Db, argv: readonly string[], out: (line: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      period: { type: 'string' },
      scheme: { type: 'string' },
      kind: { type: 'string' },
      subjects: { type: 'string' },
      reason: { type: 'string' },
      tenant: { type: 'string' },
      detach: { type: 'boolean' },
      work: { type: 'boolean' },
      'no-work': { type: 'boolean' },
      json: { type: 'boolean' },
      'poll-ms': { type: 'string' },
    },
  });
  if (!values.period) {
    out('retier needs --period YYYY-MM');
    return 2;
  }
  const list = (s: string | undefined) =>
    s
      ? s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : undefined;
  const kind = values.kind;
  if (kind !== undefined && !(SUBJECT_KINDS as readonly string[]).includes(kind)) {
    out(`retier: --kind must be one of ${SUBJECT_KINDS.join(', ')}`);
    return 2;
  }
  const subjects = list(values.subjects);
  let job: JobView | undefined;
  try {
    job = await enqueueRetier(db.db, {
      tenantId: values.tenant ?? 'demo',
      schemes: list(values.scheme) ?? null,
      period: values.period,
      filter: { ...(kind ? { kind: kind as SubjectKind } : {}), ...(subjects ? { subjects } : {}) },
      reason: values.reason ?? null,
      requestedBy: 'cli',
    });
  } catch (err) {
    out(`retier: ${err instanceof ProblemError ? err.message : err instanceof Error ? err.message : String(err)}`);
    return err instanceof ProblemError ? 2 : 1;
  }
  if (!job) return 1;
  if (values.detach) {
    out(values.json ? JSON.stringify(job) : `queued ${job.id}`);
    return 0;
  }
  return followJob(
    db,
    job,
    {
      work: values['no-work'] ? false : (values.work ?? db.dialect === 'sqlite'),
      json: values.json ?? false,
      pollMs: Number(values['poll-ms'] ?? 250),
    },
    out,
  );
}

/** Wait for a job to end, working on it in this process if asked, with a progress bar; print the outcome. */
export async function followJob(
  db: Db,
  queued: JobView,
  options: { work: boolean; json: boolean; pollMs: number },
  out: (line: string) => void,
): Promise<number> {
  const tenantId = (await db.db.selectFrom('jobs').select('tenant_id').where('id', '=', queued.id).executeTakeFirstOrThrow()).tenant_id;
  const abort = new AbortController();
  const working = options.work ? runWorker({ db: db.db, signal: abort.signal, pollMs: options.pollMs }) : Promise.resolve();
  const bar = jobBar(!options.json);
  let job = queued;
  try {
    for (;;) {
      bar.update(job);
      if (job.status !== 'running') break;
      await new Promise((r) => setTimeout(r, options.pollMs));
      job = (await jobView(db.db, tenantId, job.id)) ?? job;
    }
  } finally {
    bar.stop();
    abort.abort();
    await working;
  }
  if (options.json) out(JSON.stringify(job));
  else for (const line of jobDetails(job)) out(line);
  return job.status === 'completed' ? 0 : 1;
}
