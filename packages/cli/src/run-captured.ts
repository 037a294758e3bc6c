import { run } from './run.js';

/** What a CLI run printed, line by line, and its exit code. */
export interface CapturedRun {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

/** Run the CLI as a script would, capturing stdout and stderr lines apart (the tests' view of it). */
export async function runCaptured(argv: readonly string[]): Promise<CapturedRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(
    argv,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out, err };
}
