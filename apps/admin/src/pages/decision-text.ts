import type { ApprovalItem, Decided } from '@tierkit/admin';
import type { SchemeNames } from '../scheme-names.js';
import type { ConsoleLocale } from '../words.js';
import { APPROVALS_WORDS } from './approvals.words.js';

/*
 * The lines the approvals queue and the policy page say about a request and a decision, apart from
 * their elements so that they read the same wherever they are shown (and are tested without a DOM).
 */

/**
 * What a request asks, in the console's words: the scheme, the level before → the level asked, and an
 * override's mode in the request form's terms (a sign-off's month). An override that would not move
 * the level — a floor at or below it, a fixed level it already has — gets no arrow: the API sends no
 * `fromLevel` for it, and the line says the mode, the level and the level now ("never below Gold (now
 * Diamond)"). A policy version, or an item from an API that sends no levels, keeps the API's summary.
 */
export function requestLine(item: ApprovalItem, names: SchemeNames, locale: ConsoleLocale): string {
  if (item.kind === 'policy' || item.level == null) return item.summary;
  const w = APPROVALS_WORDS[locale];
  const level = (key: string | null | undefined) => (key == null ? '—' : names.levelName(item.scheme, key));
  if (item.kind === 'override' && item.mode && item.currentLevel != null && item.fromLevel == null) {
    return `${names.schemeName(item.scheme)}: ${w.stays(item.mode, level(item.level), level(item.currentLevel))}`;
  }
  const how = item.kind === 'override' ? (item.mode ? (w.modeInLine[item.mode] ?? item.mode) : '') : (item.period ?? '');
  const aside = how ? (locale === 'en' ? ` (${how})` : `（${how}）`) : '';
  // A lowering request's `level` is the one held (and its `fromLevel` too): from → level would read
  // 高 → 高, and an approver would not see which grade approving lets in.
  if (item.kind === 'level' && item.proposedLevel)
    return `${names.schemeName(item.scheme)}: ${w.lowering} ${level(item.level)} → ${level(item.proposedLevel)}${aside}`;
  return `${names.schemeName(item.scheme)}: ${level(item.fromLevel)} → ${level(item.level)}${aside}`;
}

/**
 * What a decision here was about, from the decision itself: a policy version as the scheme and its
 * version (the queued summary said "…, waiting for approval", stale once decided); others as queued.
 */
export function decidedLine(d: Decided, names: SchemeNames, locale: ConsoleLocale): string {
  const at = d.item.id.lastIndexOf('@');
  const version = Number(d.item.id.slice(at + 1));
  if (d.item.kind !== 'policy' || at <= 0 || !Number.isInteger(version)) return requestLine(d.item, names, locale);
  return `${names.schemeName(d.item.scheme)} ${APPROVALS_WORDS[locale].policyVersion(version)}`;
}

/** Statuses whose versions have no date of their own yet: a null `effectiveFrom` means "not decided", not "from the start". */
const UNDATED = new Set(['draft', 'submitted', 'rejected']);

/**
 * A version's effective day: a version the tenant was provisioned with has none, and is in force from
 * the start; a draft or one waiting has none yet.
 */
export function effectiveDay(
  v: { readonly status: string; readonly effectiveFrom: string | null },
  w: { readonly fromStart: string },
): string {
  return v.effectiveFrom?.slice(0, 10) ?? (UNDATED.has(v.status) ? '—' : w.fromStart);
}
