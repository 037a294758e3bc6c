// Preloaded into a bench server (`node --import …/loop-stats.ts`, any checkout's serve.ts): records
// the event loop's delay and the garbage collector's pauses, and on SIGUSR2 prints them as one JSON
// line (`loop-stats {…}`) to stdout and starts counting again. What stalls a server between two
// requests at 50 connections shows in the p99 of every route; this says whether it was the collector.
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
// kind: 1 minor (scavenge), 2 major (mark-compact), 4 incremental marking, 8 weak callbacks.
const gc = { count: 0, ms: 0, minor: 0, minorMs: 0, longest: 0, over2ms: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
    gc.count++;
    gc.ms += e.duration;
    if (kind === 1) {
      gc.minor++;
      gc.minorMs += e.duration;
    }
    if (e.duration > gc.longest) gc.longest = e.duration;
    if (e.duration > 2) gc.over2ms++;
  }
}).observe({ entryTypes: ['gc'] });
let cpu = process.cpuUsage();
process.on('SIGUSR2', () => {
  const used = process.cpuUsage(cpu);
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  const line = {
    loopP50: ms(delay.percentile(50)),
    loopP99: ms(delay.percentile(99)),
    loopMax: ms(delay.max),
    gcCount: gc.count,
    gcMs: Math.round(gc.ms),
    minor: gc.minor,
    minorMs: Math.round(gc.minorMs),
    gcLongest: Math.round(gc.longest * 100) / 100,
    gcOver2ms: gc.over2ms,
    cpuMs: Math.round((used.user + used.system) / 1000),
  };
  process.stdout.write(`loop-stats ${JSON.stringify(line)}\n`);
  delay.reset();
  Object.assign(gc, { count: 0, ms: 0, minor: 0, minorMs: 0, longest: 0, over2ms: 0 });
  cpu = process.cpuUsage();
});
