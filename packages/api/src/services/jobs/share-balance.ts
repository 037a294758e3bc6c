/**
 * How much of each chunk the prepare thread takes, moved chunk by chunk towards the split at which
 * neither side waits for the other. On two free cores the wall time of a pipelined job is set by the
 * busier of the writer and the thread, and which one that is depends on the machine, the book (a
 * monthly re-tier's writes are dearer than a first one's) and the load beside the job: a fixed split
 * (0.7 until session 37) left the writer 8 s busier than the thread on a quiet 1,000,000 run.
 *
 * The signal is one number a chunk, the thread's lead: when the thread finished preparing the chunk,
 * less when the writer was ready to store it. Positive, the writer waited that long, so it takes more
 * of the next chunks itself; negative, the thread sat idle, so it takes more. Steps are small and of a
 * fixed size, so a noisy machine makes the share wander around the balance rather than jump.
 */
export class ShareBalance {
  #share: number;
  constructor(start = BALANCE_START) {
    this.#share = clamp(start);
  }

  /** The fraction of the next chunk to prepare on the thread. */
  get share(): number {
    return this.#share;
  }

  /** `leadMs`: when the thread's reply was done, less when the writer began waiting for it (both absolute ms). */
  observe(leadMs: number): void {
    if (leadMs > 0) this.#share = clamp(this.#share - SHARE_STEP);
    else if (leadMs < 0) this.#share = clamp(this.#share + SHARE_STEP);
  }
}

/**
 * Where a job's split starts: the thread 0.9, the writer 0.1, about where the first re-tier of 200,000
 * customers balanced in session 37's paired runs (BENCHMARKS.md, bench/batch/retier-share.bench.ts).
 */
export const BALANCE_START = 0.9;
/** A chunk's move: 20 customers of 1,000, some half a millisecond of evaluation. */
export const SHARE_STEP = 0.02;
/**
 * The writer never takes more than half: past that the thread is slower than the writer's own
 * evaluation of the same customers would be, a machine too loaded for two threads to help.
 */
export const MIN_SHARE = 0.5;

const clamp = (share: number) => Math.min(1, Math.max(MIN_SHARE, Math.round(share * 1000) / 1000));
