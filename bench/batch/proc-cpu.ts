// CPU time of processes from /proc (Linux), to show where a multi-process run spends the machine:
// which share the workers used, which the database, which the rest of a shared machine.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux). */
const HZ = 100;

interface Stat {
  readonly ppid: number;
  /** utime + stime, seconds. */
  readonly own: number;
  /** cutime + cstime: children already waited for, seconds. */
  readonly reaped: number;
}

function stat(pid: number, path = `/proc/${pid}/stat`): Stat | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const n = (i: number) => Number(f[i]);
    return { ppid: n(1), own: (n(11) + n(12)) / HZ, reaped: (n(13) + n(14)) / HZ };
  } catch {
    return undefined; // gone
  }
}

/** CPU seconds used so far by one process. */
export function processCpu(pid: number): number {
  return stat(pid)?.own ?? 0;
}

/**
 * CPU seconds used so far by a process tree: the root (with the children it has reaped) plus its
 * live descendants. PostgreSQL's postmaster reaps its backends, so backends that came and went count.
 */
export function treeCpu(root: number): number {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (!s) continue;
    const list = children.get(s.ppid);
    if (list) list.push(pid);
    else children.set(s.ppid, [pid]);
  }
  const top = stat(root);
  let total = top ? top.own + top.reaped : 0;
  const stack = [...(children.get(root) ?? [])];
  for (let pid = stack.pop(); pid !== undefined; pid = stack.pop()) {
    total += stat(pid)?.own ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** The postmaster of the cluster whose data folder is `dataDir`. */
export function postmasterPid(dataDir: string): number {
  return Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
}

/** Busy and total CPU seconds of the whole machine so far (all cores), from /proc/stat. */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const t = line.trim().split(/\s+/).slice(1).map(Number);
  const total = t.reduce((a, b) => a + b, 0) / HZ;
  const idle = ((t[3] ?? 0) + (t[4] ?? 0)) / HZ;
  return { busy: total - idle, total };
}

/** CPU seconds of each live thread of this process so far, by thread id, from /proc/self/task. */
function threadsCpu(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc/self/task')) {
    // Not /proc/<tid>/stat: that one counts the whole process.
    const s = stat(Number(name), `/proc/self/task/${name}/stat`);
    if (s) out.set(Number(name), s.own);
  }
  return out;
}

/** Where a span of this process's CPU went, thread by thread (see {@link watchThreads}). */
export interface ThreadsCpu {
  /** The main thread (the writer, for a re-tier job), seconds. */
  readonly main: number;
  /** Each thread started during the span (a job's prepare and checkpoint threads), most first, seconds. */
  readonly started: readonly number[];
  /** Threads that were there before it began: V8's helpers (garbage collection, compilation) and libuv's, seconds. */
  readonly others: number;
}

/**
 * Follow this process's threads for a span: a thread that ends inside it (a job's worker threads
 * stop when the job does) is read from /proc before it goes, every `everyMs`, so up to that long of
 * its last work is missed; each reading costs the main thread about 0.2 ms (0.2% of a core at 100 ms).
 * A profiler cannot give this split: its samples of a thread blocked in a system call (SQLite's page
 * writes, a checkpoint's fsync) count as time spent, not CPU.
 */
export function watchThreads(everyMs = 100): () => ThreadsCpu {
  const before = threadsCpu();
  const last = new Map(before);
  const timer = setInterval(() => {
    for (const [tid, s] of threadsCpu()) last.set(tid, s);
  }, everyMs);
  return () => {
    clearInterval(timer);
    for (const [tid, s] of threadsCpu()) last.set(tid, s);
    let main = 0;
    let others = 0;
    const started: number[] = [];
    for (const [tid, s] of last) {
      const used = s - (before.get(tid) ?? 0);
      if (tid === process.pid) main = used;
      else if (before.has(tid)) others += used;
      else started.push(used);
    }
    return { main, started: started.sort((a, b) => b - a), others };
  };
}
