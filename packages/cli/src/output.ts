import { formatLogLine, logFormatFromEnv, type LogFormat, type LogLevel } from '@tierkit/api';

/**
 * The CLI's one way out to the terminal or a pipe: a line on stdout (results) or stderr (diagnostics).
 *
 * A reader that stops early (`tierkit jobs show … | head -1`) closes the pipe, and the next write
 * fails with EPIPE, raised as an 'error' event on the stream: unhandled, it crashed the command with
 * a stack trace and exit 1 although nothing went wrong. Here the reader leaving only means nobody
 * reads any more: later lines on that stream are dropped, and the command ends as it would have, with
 * its own exit code (what a script checks, e.g. with `set -o pipefail`).
 */
const closed = new WeakSet<NodeJS.WriteStream>();
const guarded = new WeakSet<NodeJS.WriteStream>();

function guard(stream: NodeJS.WriteStream): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') closed.add(stream);
    // Any other write failure (a full disk under a redirect) is still the failure it was.
    else throw error;
  });
}

function writeLine(stream: NodeJS.WriteStream, line: string): void {
  guard(stream);
  if (!closed.has(stream)) stream.write(`${line}\n`);
}

/** A result line on stdout. */
export const stdoutLine = (line: string): void => writeLine(process.stdout, line);

/** A diagnostic line on stderr. */
export const stderrLine = (line: string): void => writeLine(process.stderr, line);

/**
 * A line reporting what a one-shot command did, as a worker's lines are written (`formatLogLine`): its
 * UTC time with the zone first (`2026-12-06T02:15:04.112Z INFO  added E1 …`), so an operator's terminal
 * log or a cron mail says when, and lines up with the trail's record of it. TIERKIT_LOG_FORMAT=json makes
 * it a JSON record, as a worker's; listings and `--json` documents stay as they are (scripts read them).
 * `level`: a line reporting a failure is never INFO (docs/operations.md, "Log lines").
 */
export function actionLine(line: string, at: Date = new Date(), level: LogLevel = 'info'): string {
  let format: LogFormat = 'text';
  try {
    format = logFormatFromEnv(process.env);
  } catch {
    // A mistyped format is the server's and the worker's to refuse; a one-shot command still says its time.
  }
  return formatLogLine(level, line, {}, format, at);
}
