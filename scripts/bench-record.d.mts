// Types of bench-record.mjs for the tests that import it.
export interface Run {
  readonly rel: string;
  readonly output: string;
  readonly status: number | null;
  readonly date: string;
  readonly node: string;
  readonly cpu: string;
}
export function runBlock(run: Run): string;
export function spliceRun(text: string, rel: string, block: string): string;
