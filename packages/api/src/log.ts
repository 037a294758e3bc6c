/**
 * The one shape of a log line, for every tierkit process on Node (the server, `tierkit serve`, `tierkit
 * worker`, and the API's and workers' own reports): an ISO-8601 UTC time, a level, the message —
 * one line each, so an operator's log shipper can split and parse them.
 *
 * `TIERKIT_LOG_FORMAT=text` (default): `2026-12-06T03:09:00.123Z WARN  worker: …`, for a person at a
 * terminal and for a shipper's one pattern. `TIERKIT_LOG_FORMAT=json`: one JSON object a line,
 * `{"time":"…","level":"warn","msg":"…"}` and the record's fields.
 *
 * Our own module rather than pino: three levels, two formats and one line a record are all that is
 * asked, and pino would add a dozen packages (and a worker-thread transport for readable lines) to the
 * server for them. What a line says is the caller's: no line names a customer, a person or what staff typed.
 */
export type LogLevel = 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json';
/**
 * A callback a service writes its lines through (the server's start, its background work): `info`
 * unless told otherwise, so a line reporting a failure says `warn` or `error` and an operator alerting
 * on those levels sees it.
 */
export type LogLine = (line: string, level?: LogLevel) => void;

/** Extra fields of a record (the JSON format's keys beside `time`, `level`, `msg`; `key=value` in text). */
export type LogFields = Readonly<Record<string, string | number | boolean | null>>;

/** `TIERKIT_LOG_FORMAT`, checked: a process stops at start on a value it does not know, not writes lines no shipper expects. */
export function logFormatFromEnv(env: NodeJS.ProcessEnv = process.env): LogFormat {
  const value = env.TIERKIT_LOG_FORMAT || 'text';
  if (value !== 'text' && value !== 'json') throw new Error(`TIERKIT_LOG_FORMAT must be text or json, got "${value}"`);
  return value;
}

/** One record as one line, without its newline. */
export function formatLogLine(level: LogLevel, msg: string, fields: LogFields = {}, format: LogFormat = 'text', now = new Date()): string {
  const time = now.toISOString();
  if (format === 'json') return JSON.stringify({ time, level, msg, ...fields });
  const extra = Object.entries(fields).map(([k, v]) => ` ${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  // A message with a newline (an error's stack) would be read as two records.
  return `${time} ${level.toUpperCase().padEnd(5)} ${msg.replace(/\r?\n\s*/g, ' | ')}${extra.join('')}`;
}

/** What a thrown value says in a line: an Error's message (its stack for a bug), anything else as text. */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.stack ?? err.message;
}

/** The format this process writes: the environment's, or text when it is unset or not understood (start refuses that). */
function currentFormat(): LogFormat {
  try {
    return logFormatFromEnv();
  } catch {
    return 'text';
  }
}

/** Write one record: `info` on stdout, `warn` and `error` on stderr, as before. */
export function log(level: LogLevel, msg: string, fields?: LogFields): void {
  const line = `${formatLogLine(level, msg, fields, currentFormat())}\n`;
  if (level === 'info') process.stdout.write(line);
  else process.stderr.write(line);
}

export const logInfo = (msg: string, fields?: LogFields): void => log('info', msg, fields);
export const logWarn = (msg: string, fields?: LogFields): void => log('warn', msg, fields);
/** An error record: `msg` and, when given, what was thrown (its stack kept on the same line). */
export const logError = (msg: string, err?: unknown): void => log('error', err === undefined ? msg : `${msg} ${errorText(err)}`);
