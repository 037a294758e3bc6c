import { cliAction, enqueueSimulation, jobView, ProblemError, recordQueuedJob, TenantPacks, UNAUTHENTICATED_CHAIN } from '@tierkit/api';
import { findPolicyVersion, findTenant, type Db } from '@tierkit/db';
import { missingTenantReason } from '@tierkit/ops';
import { EXIT } from './command.js';
import type { JobArgs, JobCommand, JobIo } from './job-command.js';
import { recordRefusal } from './refusal-audit.js';
import { followFlags, followJob } from './retier.js';

export const simulateCommand: JobCommand = {
  name: 'simulate',
  usage: `  simulate SCHEME VERSION [--period YYYY-MM] [--samples N] [--tenant ID] [--detach] [--work | --no-work] [--json]
                            what the next re-tier (or --period's) would do were the version in force:
                            queued as a simulation job (reads only) and followed with a progress bar;
                            prints the migration matrix, who the grace periods hold (held) and keep (kept).
                            On SQLite it does the work itself; on PostgreSQL \`tierkit worker\`s do`,
  options: {
    period: { type: 'string' },
    samples: { type: 'string' },
    tenant: { type: 'string' },
    detach: { type: 'boolean' },
    work: { type: 'boolean' },
    'no-work': { type: 'boolean' },
    json: { type: 'boolean' },
    'poll-ms': { type: 'string' },
  },
  positionals: true,
  run: runSimulate,
};

/** `tierkit simulate SCHEME VERSION …`. Returns the exit code: 0 completed, 1 failed or cancelled, 2 bad usage. */
async function runSimulate(db: Db, { positionals, values, timeZone, tenant }: JobArgs, io: JobIo): Promise<number> {
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const usage = (why: string) => {
    io.err(`simulate: ${why}`);
    return EXIT.usage;
  };
  const [scheme, versionText, ...rest] = positionals;
  if (!scheme || !versionText || rest.length) return usage('needs SCHEME VERSION (tierkit simulate retail-tier 3)');
  const version = Number(versionText);
  if (!Number.isInteger(version) || version < 1) return usage(`VERSION must be a whole number from 1 (got "${versionText}")`);
  const samples = Number(text('samples') ?? 3);
  if (!Number.isInteger(samples) || samples < 0 || samples > 10) return usage('--samples must be a whole number from 0 to 10');
  const follow = followFlags(values, db.dialect);
  if (typeof follow === 'string') return usage(follow);
  const tenantId = tenant;
  const period = text('period');
  const json = values.json === true;
  const action = cliAction('tierkit simulate');
  let queued: Awaited<ReturnType<typeof jobView>>;
  try {
    // A mistyped tenant (--tenant, TIERKIT_TENANT) was refused as a scheme it "has no version" of.
    const missing = await missingTenantReason(db.db, tenantId);
    if (missing) throw new ProblemError('not-found', missing);
    const v = await findPolicyVersion(db.db, tenantId, scheme, version);
    if (!v) throw new ProblemError('not-found', `Scheme "${scheme}" has no version ${version} in tenant ${tenantId}.`);
    const now = () => new Date();
    const row = await enqueueSimulation(
      { db: db.db, tenantId, now, timeZone, packs: new TenantPacks(undefined, undefined, timeZone), requestedBy: action.actor },
      v,
      samples,
      period,
    );
    queued = await jobView(db.db, tenantId, row.id);
    if (queued)
      await recordQueuedJob(db.db, tenantId, action, queued.id, {
        job: queued.id,
        scheme,
        version,
        period: queued.params.period,
        revision: queued.simulation?.revision ?? null,
      });
  } catch (err) {
    if (err instanceof ProblemError) {
      const chain = (await findTenant(db.db, tenantId)) ? tenantId : UNAUTHENTICATED_CHAIN;
      await recordRefusal(
        db.db,
        chain,
        action,
        { status: err.status, problem: err.kind, detail: { scheme, version, period: period ?? null, refused: err.message } },
        io.err,
      );
      io.err(`simulate: ${err.message}`);
      return err.status === 400 ? EXIT.usage : EXIT.failed;
    }
    throw err;
  }
  if (!queued) {
    io.err('simulate: the job was not queued');
    return EXIT.failed;
  }
  // The id alone, as the README promises: a script keeps it (`job=$(tierkit … --detach)`) for `jobs show`.
  if (values.detach) {
    io.out(json ? JSON.stringify(queued) : queued.id);
    return EXIT.ok;
  }
  return followJob(db, queued, { ...follow, json, timeZone }, io, 'simulate');
}
