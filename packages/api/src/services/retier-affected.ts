import type { Locale } from '@tierkit/core';
import { formatPeriod } from '@tierkit/core/period';
import { jobChangesPage, listPolicyVersions, type JobRow, type JobSpan } from '@tierkit/db';
import { booksRead } from '../auth/principal.js';
import { packOf, type ApiDeps } from '../deps.js';
import { sortableIdFloor } from '../ids.js';
import { maskName } from '../mask.js';
import { ProblemError } from '../problem.js';
import { csvLine, UTF8_BOM } from './audit-export.js';
import { unreadableBeyondPack, unreadableSchemes } from './audience.js';

/*
 * The customers whose level a re-tier job changed, as a CSV: its tier events, a page at a time. A
 * bank-wide reader gets the whole bank's; a book-scoped one (an RM, a team lead) the customers in their
 * reach now — their book and the books of the teams they lead, as analytics cut it — and nobody a level
 * of a scheme they may not read (`readers`: the AML grade). The job's summary (its totals over the
 * whole bank) stays the bank-wide readers' (GET /v1/jobs/{id}); this list is what a lead acts on:
 * whom in their team the month's re-tier moved, to call them before the letter arrives.
 */

const PAGE = 1000;

/**
 * How far the clock of a server that wrote a job's events may be from the one that queued or finished
 * it: their ids and times are each writer's clock, and several servers work one job.
 */
const CLOCK_SKEW_MS = 15 * 60_000;

/** Where job `job`'s events lie: from its queueing to its end (a running job's: open), give or take the skew. */
export function jobSpan(job: Pick<JobRow, 'created_at' | 'finished_at'>): JobSpan {
  const from = Date.parse(job.created_at) - CLOCK_SKEW_MS;
  return {
    idFrom: sortableIdFloor(from),
    ...(job.finished_at !== null ? { idBefore: sortableIdFloor(Date.parse(job.finished_at) + CLOCK_SKEW_MS) } : {}),
    atFrom: new Date(from).toISOString(),
  };
}

const WORDS: Readonly<
  Record<
    Locale,
    { readonly job: string; readonly status: Readonly<Record<string, string>>; readonly header: readonly string[]; readonly none: string }
  >
> = {
  'zh-CN': {
    job: '重评任务',
    status: { queued: '排队中', running: '进行中', completed: '已完成', failed: '失败', cancelled: '已取消' },
    header: ['客户号', '姓名', '方案', '原等级', '新等级', '数据月份'],
    none: '（无）',
  },
  'zh-TW': {
    job: '重評任務',
    status: { queued: '排隊中', running: '進行中', completed: '已完成', failed: '失敗', cancelled: '已取消' },
    header: ['客戶編號', '姓名', '方案', '原等級', '新等級', '資料月份'],
    none: '（無）',
  },
  en: {
    job: 'Re-tier job',
    status: { queued: 'Queued', running: 'Running', completed: 'Completed', failed: 'Failed', cancelled: 'Cancelled' },
    header: ['Customer id', 'Name', 'Scheme', 'Level before', 'New level', 'Data month'],
    none: '(none)',
  },
};

/**
 * The file's lines (the job's line, the columns, then each level the job changed, a page at a time),
 * and the schemes with named readers it may hold (`restricted`), whose read is recorded.
 */
export async function retierAffectedCsv(
  deps: ApiDeps,
  job: JobRow,
  locale: Locale,
): Promise<{ readonly lines: AsyncGenerator<string>; readonly restricted: readonly string[] }> {
  if (job.kind !== 'retier') throw new ProblemError('not-found', `No re-tier job "${job.id}" in this tenant.`);
  const tp = await packOf(deps);
  const notSchemes = [
    ...unreadableSchemes(deps.principal, tp),
    ...unreadableBeyondPack(deps.principal, tp, await listPolicyVersions(deps.db, deps.tenantId)),
  ];
  const books = booksRead(deps.principal);
  const w = WORDS[locale];
  // A scheme retired since is named by its key: its levels are no longer in the pack.
  const scheme = (key: string) => tp.schemes.get(key)?.name[locale] ?? key;
  const level = (s: string, key: string | null) =>
    key === null ? w.none : (tp.schemes.get(s)?.levels.find((l) => l.key === key)?.name[locale] ?? key);
  async function* lines(): AsyncGenerator<string> {
    yield `${UTF8_BOM}${csvLine([w.job, job.id, w.status[job.status] ?? job.status])}`;
    yield csvLine(w.header);
    let after: string | undefined;
    const span = jobSpan(job);
    for (;;) {
      const page = await jobChangesPage(deps.db, deps.tenantId, job.id, span, {
        ...(books !== undefined ? { books } : {}),
        notSchemes,
        ...(after !== undefined ? { after } : {}),
        limit: PAGE,
      });
      if (page.length === 0) return;
      yield page
        .map((c) =>
          csvLine([
            c.externalId,
            deps.unmaskNames ? c.name : maskName(c.name),
            scheme(c.scheme),
            level(c.scheme, c.from),
            level(c.scheme, c.to),
            c.period === null ? null : formatPeriod(c.period, locale),
          ]),
        )
        .join('');
      if (page.length < PAGE) return;
      after = page[page.length - 1]?.id;
    }
  }
  const restricted = [...tp.schemes.values()].filter((d) => d.readers !== undefined && !notSchemes.includes(d.key)).map((d) => d.key);
  return { lines: lines(), restricted };
}
