import type { Locale } from '@tierkit/core';
import { formatPeriod } from '@tierkit/core/period';
import { changedSince, jobChunkRanges, subjectNamesIn, type ChangedSince, type JobRow } from '@tierkit/db';
import type { ApiDeps } from '../deps.js';
import { maskName } from '../mask.js';
import { addMonths } from '../periods.js';
import { ProblemError } from '../problem.js';
import { csvLine, UTF8_BOM } from './audit-export.js';
import { packsOfSimulation, type SimulationJobParams } from './jobs/simulation-job.js';
import { previewRetierChunk } from './jobs/retier-chunk.js';
import { carriedForward } from './policy-simulation.js';

/*
 * Every customer a simulation job moves, or holds in a downgrade grace, as a CSV (packages/api/README.md,
 * "Simulation as a job"): the product manager's list of whom her change reaches. The book is planned
 * again chunk by chunk under the job's own setup (the same document, pinned versions, month and
 * instant), so the rows are the job's figures as long as the book's data is unchanged; when metrics
 * were loaded or a re-tier completed since the job (`changedSince`, as the approval card reads it), the
 * data-status line says so — the file leaves the console, and its rows must not pass for the job's. Streamed a chunk at a time;
 * names are masked unless the credential reads them unmasked, as every list. Only whoever may read the
 * job reaches it (auth/access.ts: tenant-wide staff), so the file is the whole book's.
 */

const WORDS: Readonly<
  Record<
    Locale,
    {
      readonly dataStatus: string;
      readonly data: (data: string | null, period: string) => string;
      /** What changed since the job, said beside the data status: the rows are re-planned on today's book. */
      readonly changed: (since: ChangedSince) => string;
      readonly policyVersion: string;
      readonly versions: (inForce: number | null, simulated: number) => string;
      readonly header: readonly string[];
      readonly none: string;
      readonly held: (level: string, to: string) => string;
    }
  >
> = {
  'zh-CN': {
    dataStatus: '数据状态',
    data: (d, p) => (d === null ? '尚无数据' : d === p ? `${d} 的数据` : `${d} 的数据（${p} 数据未到，按其不变估算）`),
    changed: (c) =>
      `注意：模拟之后${[c.data ? '数据有更新' : '', c.levels ? '已重新评级' : ''].filter(Boolean).join('、')}，本文件按现在的数据重算，与该模拟的计数可能不符`,
    policyVersion: '生效策略版本',
    versions: (f, s) => `${f === null ? '无（新方案）' : `v${f}`} → 模拟 v${s}`,
    header: ['客户号', '姓名', '当前等级', '新等级', '现行版本下等级', '原因', '宽限期结束'],
    none: '（无）',
    held: (l, t) => `低于${l}标准，宽限期内保留；期满降至${t}`,
  },
  'zh-TW': {
    dataStatus: '資料狀態',
    data: (d, p) => (d === null ? '尚無資料' : d === p ? `${d} 的資料` : `${d} 的資料（${p} 資料未到，按其不變估算）`),
    changed: (c) =>
      `注意：模擬之後${[c.data ? '資料有更新' : '', c.levels ? '已重新評級' : ''].filter(Boolean).join('、')}，本檔案按現在的資料重算，與該模擬的計數可能不符`,
    policyVersion: '生效策略版本',
    versions: (f, s) => `${f === null ? '無（新方案）' : `v${f}`} → 模擬 v${s}`,
    header: ['客戶編號', '姓名', '目前等級', '新等級', '現行版本下等級', '原因', '寬限期結束'],
    none: '（無）',
    held: (l, t) => `低於${l}標準，寬限期內保留；期滿降至${t}`,
  },
  en: {
    dataStatus: 'Data status',
    data: (d, p) => (d === null ? 'No data yet' : d === p ? `${d} data` : `${d} data (no ${p} data yet: assumed unchanged)`),
    changed: (c) =>
      `Note: ${[c.data ? 'data loaded' : '', c.levels ? 'a re-tier completed' : ''].filter(Boolean).join(' and ')} since the simulation — these rows are re-planned on today's data and may not match its counts`,
    policyVersion: 'Policy version in force',
    versions: (f, s) => `${f === null ? 'none (a new scheme)' : `v${f}`} → simulated v${s}`,
    header: ['Customer id', 'Name', 'Level now', 'New level', 'Under the version in force', 'Reason', 'Grace ends'],
    none: '(none)',
    held: (l, t) => `Below the ${l} line, kept in the grace; then ${t}`,
  },
};

/** The file's lines, a chunk of the book at a time: the two header lines, the columns, then each affected customer. */
export async function affectedCsv(deps: ApiDeps, job: JobRow, locale: Locale): Promise<AsyncGenerator<string>> {
  if (job.kind !== 'simulate') throw new ProblemError('not-found', `No simulation job "${job.id}" in this tenant.`);
  if (job.status !== 'completed')
    throw new ProblemError('unprocessable', `Simulation job "${job.id}" is ${job.status}: its list is that of a completed one.`, [
      {
        path: 'id',
        message: `simulation job "${job.id}" is ${job.status}`,
        code: 'simulation_not_completed',
        params: { value: job.id, status: job.status },
      },
    ]);
  const params = JSON.parse(job.params) as SimulationJobParams;
  const s = params.simulation;
  const { asIf, base } = await packsOfSimulation(deps.db, job, params);
  const ranges = await jobChunkRanges(deps.db, job.id);
  const w = WORDS[locale];
  // A level the draft removed is named as the version in force names it.
  const defs = [asIf.schemes.get(s.scheme), base?.schemes.get(s.scheme)];
  const name = (key: string) =>
    key === 'none' ? w.none : (defs.map((d) => d?.levels.find((l) => l.key === key)?.name[locale]).find((n) => n !== undefined) ?? key);
  const since = await changedSince(deps.db, deps.tenantId, job);
  const status = [w.dataStatus, w.data(s.dataPeriod, s.period), ...(since.data || since.levels ? [w.changed(since)] : [])];
  async function* lines(): AsyncGenerator<string> {
    yield `${UTF8_BOM}${csvLine(status)}`;
    yield csvLine([w.policyVersion, w.versions(s.against, s.version)]);
    yield csvLine(w.header);
    for (const range of ranges) {
      const rows: { id: string; from: string; to: string; inForce: string | null; reason: string; graceEnds: string | null }[] = [];
      await previewRetierChunk(deps.db, asIf, params, range, new Date(s.at), {
        metrics: s.metrics,
        ...(s.dataPeriod !== null && s.dataPeriod < s.period
          ? { values: (values) => carriedForward(values, s.dataPeriod ?? s.period, s.period) }
          : {}),
        // Beside each row, the level today's rule gives on the same data: a row whose new level equals it
        // is a move the draft does not cause (the comparison's "+N" counts the others).
        ...(base ? { baseline: base } : {}),
        seen: (subject, plan, had, basePlan) => {
          const e = plan.evaluations.find((x) => x.scheme === s.scheme);
          if (!e) return;
          const from = had.find((a) => a.scheme === s.scheme)?.level ?? 'none';
          const inForce = basePlan?.evaluations.find((x) => x.scheme === s.scheme)?.level ?? null;
          const r = e.retention;
          if (r && r.periodsBelow > 0) {
            const months = r.periodsAllowed - r.periodsBelow;
            rows.push({
              id: subject.id,
              from,
              to: r.toLevel,
              inForce,
              reason: w.held(name(e.level), name(r.toLevel)),
              graceEnds: addMonths(s.period, months),
            });
          } else if (from !== e.level) {
            rows.push({
              id: subject.id,
              from,
              to: e.level,
              inForce,
              reason: e.explanation.decidedBy.label[locale] ?? e.explanation.decidedBy.id,
              graceEnds: null,
            });
          }
        },
      });
      const names = await subjectNamesIn(
        deps.db,
        deps.tenantId,
        rows.map((r) => r.id),
      );
      let out = '';
      for (const r of rows) {
        const n = names.get(r.id);
        if (!n) continue;
        out += csvLine([
          n.externalId,
          deps.unmaskNames ? n.name : maskName(n.name),
          name(r.from),
          name(r.to),
          r.inForce === null ? null : name(r.inForce),
          r.reason,
          r.graceEnds === null ? null : formatPeriod(r.graceEnds, locale),
        ]);
      }
      if (out) yield out;
    }
  }
  return lines();
}
