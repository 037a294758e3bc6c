/** Whether a connection string names a PostgreSQL server. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/**
 * A scheme (`name:` of two letters or more: `C:\…` is a Windows drive, not a scheme) or an `@`: the
 * signs of a URL, which a SQLite file path given on purpose does not have.
 */
function looksLikeUrl(url: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]+:/.test(url) || url.includes('@');
}

/**
 * Refuse a connection string that is neither a PostgreSQL URL nor a SQLite file path. Anything else
 * used to be taken for a SQLite path: a mistyped `postgresql:/user:pw@host/db` (one slash) made a new
 * SQLite file of that name, seeded the demo into it and reported healthy, with the password in the
 * log. The message names the string masked ({@link redactDatabaseUrl}).
 */
export function checkDatabaseUrl(url: string): void {
  if (isPostgresUrl(url) || !looksLikeUrl(url)) return;
  throw new Error(
    `DATABASE_URL must be postgres://… or postgresql://… (user:password@host:port/database), or a SQLite file path; got "${redactDatabaseUrl(url)}"`,
  );
}

/**
 * A database URL as logs and messages name it, whatever its form: a PostgreSQL password masked, a
 * SQLite path as given. Parsed as a URL, not matched by a pattern: a password holding `:` or `@`
 * (`u:pa:ss@h`, `u:p@ss@h`) came out partly in clear, and one given as `?password=` or
 * `?sslpassword=` wholly. What does not parse is not shown at all, since where its password ends
 * cannot be told. Anything else that looks like a URL (a mistyped scheme) shows nothing before its
 * last `@` after the scheme, nor any password parameter: that is where a password would be.
 */
export function redactDatabaseUrl(url: string): string {
  if (!isPostgresUrl(url)) {
    if (!looksLikeUrl(url)) return url;
    const scheme = /^[A-Za-z][A-Za-z0-9+.-]+:\/*/.exec(url)?.[0] ?? '';
    const rest = url.slice(scheme.length);
    const at = rest.lastIndexOf('@');
    const masked = at < 0 ? rest : `***${rest.slice(at)}`;
    return scheme + masked.replace(/([?&](ssl)?password=)[^&]*/gi, '$1***');
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<unparsable database URL>';
  }
  if (parsed.password) parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()]) if (/^(ssl)?password$/i.test(key)) parsed.searchParams.set(key, '***');
  return parsed.toString();
}
