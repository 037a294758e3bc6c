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
