import { sql } from 'kysely';
import type { Executor } from './repositories/executor.js';

/** Socket errors of a connection to the database that cannot be made or was cut. */
const UNREACHABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * Whether an error says the database could not be reached, not that a statement failed: a socket error,
 * PostgreSQL's connection exceptions (SQLSTATE class 08) and its server shutting down, crashed or
 * starting up (57P01–57P03), or node-postgres's own words for a connection that ended under a query.
 * The one test for it: the API's 503 `database-unavailable`, and the outage log of every process
 * ({@link watchOutage}), go by it.
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (UNREACHABLE_SOCKET_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code) || /^57P0[1-3]$/.test(code)))
      return true;
    // `Query read timeout`: no answer at all within the statement timeout and its margin (a silent host).
    if (
      /^Connection terminated( unexpectedly| due to connection timeout)?$|^timeout exceeded when trying to connect$|^Query read timeout$/.test(
        e.message,
      )
    )
      return true;
  }
  return false;
}

/**
 * Whether an error says a connection could not be opened at all: unreachable ({@link isDatabaseUnreachable}),
 * or refused by the server — a login or password not accepted (SQLSTATE class 28), a database that does
 * not exist (3D000), too many connections (53300) — or a TLS handshake that failed (a certificate not
 * trusted, a server without TLS). A start that fails so is told "cannot connect to the database", not
 * that a migration failed: no migration ran.
 */
export function isConnectFailure(err: unknown): boolean {
  if (isDatabaseUnreachable(err)) return true;
  for (let e = err, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (/^28[0-9A-Z]{3}$/.test(code) || code === '3D000' || code === '53300')) return true;
    // Node's TLS errors (CERT_*, *_CERT*, ERR_TLS_*, ERR_SSL_*), and node-postgres's own for sslmode against a server without TLS.
    if (typeof code === 'string' && /CERT|^ERR_TLS_|^ERR_SSL_|^UNABLE_TO_/.test(code)) return true;
    if (/does not support SSL connections|^self[- ]signed certificate/.test(e.message)) return true;
  }
  return false;
}

/** How often an outage watch asks the database whether it is back, unless told otherwise. */
export const OUTAGE_PROBE_MS = 5000;

/** A process's view of whether its database is reachable; see {@link watchOutage}. */
export interface OutageWatch {
  /**
   * Whether `err` is the database being unreachable. The first such error of an outage logs one line;
   * the rest, until the database answers again, log nothing. The caller logs the error itself only
   * when this says false.
   */
  failed(err: unknown): boolean;
  /** Whether an outage is under way (an unreachable error seen, the database not answering since). */
  readonly down: boolean;
}

const watches = new WeakMap<object, OutageWatch>();

/**
 * The outage watch of `db`, made on first use with `log` and `probeMs`; the API, the schedule and the
 * in-process worker of one server share its pool and so one watch. A PostgreSQL restart used to log
 * a stack trace per request, per schedule tick and per worker poll (once a second), as "unexpected",
 * and nothing when it was over: an operator was paged for a documented outage and never told it
 * ended. Now an outage logs "database unreachable (retrying every N s)" once, the database is asked
 * every `probeMs` (`select 1`) until it answers, and then "database reachable again after N s" is
 * logged. The probe's timer does not keep the process alive.
 */
export function watchOutage(db: Executor, log: (line: string) => void, probeMs: number = OUTAGE_PROBE_MS): OutageWatch {
  const existing = watches.get(db);
  if (existing) return existing;
  let since: number | undefined;
  let first: unknown;
  let probes = 0;
  // A timeout re-armed after each probe has answered, not an interval: a probe that hangs up to its
  // connect timeout (longer than `probeMs`) must not have others pile up behind it.
  const arm = () => setTimeout(probe, probeMs).unref();
  const probe = () => {
    probes++;
    sql`select 1`.execute(db).then(
      () => {
        if (since === undefined) return;
        const ms = Date.now() - since;
        log(`database reachable again after ${Math.round(ms / 1000)} s`);
        // Back at the first probe: maybe no outage at all but one session ended (57P01 — killed by
        // an administrator, `Connection terminated unexpectedly`), an error to look at, not hide.
        if (probes === 1 && first instanceof Error && first.stack) log(`the error that began it: ${first.stack}`);
        since = undefined;
        first = undefined;
      },
      (err: unknown) => {
        // The pool closed (shutdown): nothing more to watch. Any other error — the database coming back
        // and refusing connections for a while (53300 too many clients, 28P01 password) — is not its
        // answer yet: keep asking.
        if (err instanceof Error && /has already been destroyed|after calling end on the pool/.test(err.message)) {
          since = undefined;
          first = undefined;
          return;
        }
        arm();
      },
    );
  };
  const watch: OutageWatch = {
    failed(err) {
      if (!isDatabaseUnreachable(err)) return false;
      if (since !== undefined) return true;
      since = Date.now();
      first = err;
      probes = 0;
      log(`database unreachable (retrying every ${probeMs / 1000} s): ${oneLine(err)}`);
      arm();
      return true;
    },
    get down() {
      return since !== undefined;
    },
  };
  watches.set(db, watch);
  return watch;
}

function oneLine(err: unknown): string {
  const e = err instanceof AggregateError && err.errors.length ? err.errors[0] : err;
  const message = e instanceof Error ? e.message || String((e as { code?: unknown }).code ?? e.name) : String(e);
  return message.replace(/\s*\n\s*/g, ' ');
}
