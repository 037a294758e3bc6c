import { bookMovesOf, type AuditDetailLine, type AuditKeys, type AuditRecord, type AuditValue } from '@tierkit/admin';
import { formatValue } from '@tierkit/core/format';
import { isListedDigest } from '@tierkit/core/wire';
import { type SchemeNames, schemeNames } from '../scheme-names.js';
import { formatBankTime } from '../time.js';
import type { ConsoleLocale } from '../words.js';
import { AUDIT_WORDS } from './audit.words.js';
import { JOBS_WORDS } from './jobs.words.js';
import { OVERRIDE_WORDS } from './overrides.words.js';

/*
 * A record's detail in words, apart from the page (no DOM): what the audit page's Detail column
 * says, so the words of each locale can be checked against the API's real records.
 */

/** Detail fields that hold an instant (UTC ISO): shown in the bank's time, as the record's own time is. */
const INSTANT_FIELD = /(At|Since)$|^effectiveFrom$|^export\.(from|to)$/;

/** A scheme's or a level's key by its name, as the line's `keys` says it is one; any other value as it is. */
function named(v: string, keys: AuditKeys | undefined, names: SchemeNames): string {
  if (keys?.of === 'scheme') return names.schemeName(v);
  if (keys?.of === 'level') return names.levelName(keys.scheme, v);
  return v;
}

/** One change of a policy diff as the trail keeps it (`{ key, change, text }` as JSON), in `locale`; anything else as it is. */
function changeText(x: string, locale: ConsoleLocale): string {
  try {
    const c = JSON.parse(x) as { text?: Record<string, unknown> };
    const t = c.text?.[locale];
    return typeof t === 'string' ? t : x;
  } catch {
    return x;
  }
}

/**
 * A detail value in words: none, yes/no, a list, an instant in the bank's time, a scheme or level by its
 * name; text and numbers as they are.
 */
function valueText(field: string, v: AuditValue, locale: ConsoleLocale, keys?: AuditKeys, names = schemeNames([], locale)): string {
  const w = AUDIT_WORDS[locale];
  // A job that named no schemes re-tiered them all: "none" would say the opposite.
  if (v === null && field === 'schemes') return w.allSchemes;
  // Only an override's expiry is ever null (a token's always has one): it runs until revoked, as the overrides page says.
  if (v === null && field === 'expiresAt') return OVERRIDE_WORDS[locale].untilRevoked;
  if (v === null || (Array.isArray(v) && v.length === 0)) return w.none;
  if (typeof v === 'boolean') return v ? w.yes : w.no;
  // The diff an approver of a policy version was shown: each change in the page's language, as they read it.
  if (Array.isArray(v) && field === 'shown.diff.changes') return v.map((x) => changeText(x, locale)).join('；');
  // What the approver confirmed their effective date reaches, in words an examiner reads, not the API's codes.
  if (Array.isArray(v) && field === 'confirmedRetier') return v.map((x) => w.retierReasons[x] ?? x).join(w.listSeparator);
  // A listed customer erased since: the record keeps only a digest in its place, which is no one's name for it.
  if (Array.isArray(v)) return v.map((x) => (isListedDigest(x) ? w.listedErased : named(x, keys, names))).join(w.listSeparator);
  if (typeof v === 'string' && keys) return named(v, keys, names);
  // How an export ended (its end record) and the phase it was filtered to, in the page's words.
  if (field === 'export.ended' && typeof v === 'string') return w.exportEnded[v] ?? v;
  if (field === 'export.phase' && typeof v === 'string') return w.phases[v] ?? v;
  if (field === 'shown.simulation.status' && typeof v === 'string') return JOBS_WORDS[locale].statuses[v] ?? v;
  // A sign-off or lowering decision's kind in the approvals page's words (an import's kind is not one).
  if (field === 'kind' && typeof v === 'string' && Object.hasOwn(w.decisionKinds, v)) return w.decisionKinds[v] ?? v;
  // An override's mode in the request form's words; an import's (all-or-nothing, valid-rows) is not one of them.
  const modes = OVERRIDE_WORDS[locale].modes;
  if (field === 'mode' && typeof v === 'string' && Object.hasOwn(modes, v)) return modes[v] ?? v;
  if (typeof v === 'string' && INSTANT_FIELD.test(field) && !Number.isNaN(Date.parse(v))) return formatBankTime(v, locale);
  return String(v);
}

/**
 * One line of a record's detail, in words: its field named, a change as before → after; schemes and
 * levels by the names `names` gives them (the tenant's schemes, in `locale`), by their keys without.
 */
export function auditDetailText(
  line: AuditDetailLine,
  locale: ConsoleLocale,
  names: SchemeNames = schemeNames([], locale),
  learntLate = false,
): string {
  const w = AUDIT_WORDS[locale];
  if (line.kind === 'metric') {
    // Stored integers (fen, 0/1) read as an approver reads them when the record says its unit; a
    // record written before units were recorded shows its integers as they are.
    const { unit, currency } = line;
    const amount = (v: AuditValue) =>
      unit && typeof v === 'number' ? formatValue(v, unit, currency, locale) : valueText('value', v, locale);
    return w.metricChanged(line.metric, line.period, amount(line.before), amount(line.after));
  }
  // `level.<scheme>`: a level the record's `before` / `after` hold by scheme (an expired override's settling).
  const keys = line.keys;
  const levelOf = keys?.of === 'level' && line.field.startsWith('level.') ? keys.scheme : undefined;
  // Beside a real date (a closing learnt late), closedAt is only when the figures count it from.
  const name =
    (learntLate && line.field === 'closedAt'
      ? w.closedAtCounted
      : // A page's ids (an unmasked list read), where a job's `subjects` counts them.
        line.field === 'subjects' && line.kind === 'value' && Array.isArray(line.value)
        ? w.subjectsShown
        : w.fields[line.field]) ??
    (levelOf === undefined ? line.field : names.known(levelOf) ? names.schemeName(levelOf) : w.levelOf(levelOf));
  if (line.kind === 'change')
    return w.changed(
      name,
      line.before === undefined ? undefined : valueText(line.field, line.before, locale, keys, names),
      valueText(line.field, line.after, locale, keys, names),
    );
  return w.field(name, valueText(line.field, line.value, locale, keys, names));
}

/**
 * A record's detail lines in words (`auditDetailText` of each), read together: a closing's or a
 * reopening's `closedAt` is named the date the figures count from only where the record also holds
 * a `leftAt`, the real date of a closing learnt late; elsewhere it is simply when the customer left.
 */
export function auditDetailTexts(
  lines: readonly AuditDetailLine[],
  locale: ConsoleLocale,
  names: SchemeNames = schemeNames([], locale),
): string[] {
  const learntLate = lines.some((l) => l.kind === 'value' && l.field === 'leftAt' && l.value !== null);
  return lines.map((l) => auditDetailText(l, locale, names, learntLate));
}

/** How a record came, in words: an operator method (`CLI`, `START`, `SCHEDULE`) said, an HTTP method undefined (shown as it is). */
export function operatorMethodText(method: string, locale: ConsoleLocale): string | undefined {
  const said = AUDIT_WORDS[locale].methods;
  return Object.hasOwn(said, method) ? said[method] : undefined;
}

/** How a record's actor came in, in words (an API key, a staff session, the command line, …); an unknown credential as it is. */
export function credentialText(credential: string, locale: ConsoleLocale): string {
  const said = AUDIT_WORDS[locale].credentials;
  return Object.hasOwn(said, credential) ? (said[credential] ?? credential) : credential;
}

/**
 * A record's phase in words. A `change` record is most often a request's moves between books, and is
 * said so; any other (an import marking an interrupted one failed) is not called a move.
 */
export function phaseText(record: AuditRecord, locale: ConsoleLocale): string {
  const w = AUDIT_WORDS[locale];
  if (record.phase === 'change' && bookMovesOf(record) === undefined) return w.otherChange;
  return w.phases[record.phase] ?? record.phase;
}

/** A customer a record lists (a book move's), in words: the number while kept, the erased words once erased. */
export function listedSubjectText(subject: string, locale: ConsoleLocale): string {
  return isListedDigest(subject) ? AUDIT_WORDS[locale].listedErased : subject;
}

/**
 * Beside a record some of whose listed customers were erased: how many of how many, so a list read as
 * shorter, or a move read as of no one, is not taken for what was written. Undefined when none was.
 */
export function listedErasedText(record: Pick<AuditRecord, 'listed'>, locale: ConsoleLocale): string | undefined {
  const erased = record.listed?.filter((s) => s === null).length ?? 0;
  return erased ? AUDIT_WORDS[locale].listedErasedCount(erased, record.listed?.length ?? 0) : undefined;
}
