import { parseArgs } from 'node:util';
import { cancelJob, jobView, ProblemError, resumeJob, type JobView } from '@tierkit/api';
import { listJobs, type Db } from '@tierkit/db';
import { jobDetails, jobLine } from './job-output.js';
import { followJob } from './retier.js';

export const JOBS_USAGE = `  jobs list [--tenant ID] [--json]
  jobs show|cancel|resume JOB_ID [--tenant ID] [--json] [--wait]
                            background jobs: list, details with the migration matrix, stop, carry on
                            (resume --wait follows it like retier)`;

/** `tierkit jobs …`. Returns the exit code. */
export async function runJobs(db: Db, argv: readonly string[], out: (line: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { tenant: { type: 'string' }, json: { type: 'boolean' }, wait: { type: 'boolean' }, limit: { type: 'string' } },
  });
  const [action, id] = positionals;
  const tenantId = values.tenant ?? 'demo';
  const print = (j: JobView) => {
    if (values.json) out(JSON.stringify(j));
    else for (const line of jobDetails(j)) out(line);
  };
  try {
    switch (action) {
      case 'list': {
        const rows = await listJobs(db.db, tenantId, { limit: Number(values.limit ?? 50) });
        const views: JobView[] = [];
        for (const r of rows) {
          const v = await jobView(db.db, tenantId, r.id);
          if (v) views.push(v);
        }
        if (values.json) out(JSON.stringify(views));
        else if (!views.length) out('no jobs');
        else for (const v of views) out(jobLine(v));
        return 0;
      }
      case 'show':
      case 'cancel':
      case 'resume': {
        if (!id) {
          out(`jobs ${action} needs the job id (see jobs list)`);
          return 2;
        }
        if (action === 'show') {
          const j = await jobView(db.db, tenantId, id);
          if (!j) {
            out(`jobs show: no job ${id} in tenant ${tenantId}`);
            return 1;
          }
          print(j);
          return 0;
        }
        const j = action === 'cancel' ? await cancelJob(db.db, tenantId, id) : await resumeJob(db.db, tenantId, id);
        if (action === 'resume' && values.wait)
          return followJob(db, j, { work: db.dialect === 'sqlite', json: values.json ?? false, pollMs: 250 }, out);
        print(j);
        return 0;
      }
      default:
        out(`jobs: unknown action "${action ?? ''}"\n${JOBS_USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof ProblemError) {
      out(`jobs ${action}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
