import type { StaffRole, StaffScope } from '@tierkit/core';
import { APPROVALS_WORDS } from './pages/approvals.words.js';
import { type ConsoleLocale, WORDS } from './words.js';

/** What a staff member holds, as the console words it: "管理员 · 全行", "Officer · own book only". */
export function powersText(p: { readonly role: StaffRole; readonly scope: StaffScope }, locale: ConsoleLocale): string {
  const role = WORDS[locale].roles[p.role] ?? p.role;
  return `${role} · ${p.scope === 'book' ? WORDS[locale].bookScope : APPROVALS_WORDS[locale].wholeBank}`;
}
