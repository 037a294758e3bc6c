/*
 * Masks for personal financial information (JR/T 0171-2020 class C2, docs/domain.md §8: shown masked
 * unless the viewer has permission). The one home of masking: the API masks subjects' names with
 * these and the widgets mask staff with them, so both say `欧**明` for 欧阳和明. A `*` in a value
 * proves nothing (a customer's name may hold one, `王小明*`), so every value is masked: masking a
 * masked name gives it back as it was, and masking anything twice never reveals more than once.
 */

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/**
 * A Chinese name keeps its first character (the surname, or a compound surname's first) and, from three
 * characters on, its last; everything between is masked: `张三` → `张*`, `王建国` → `王*国`, `欧阳和明` →
 * `欧**明`. Anything but its Chinese characters of the basic planes (and `*`) is dropped first — spaces,
 * `·`, Latin letters, and Chinese characters outside the basic planes (Extension B on) — so `李 四` and
 * `张·三` mask as `李*` and `张*`, `王Amy` as `*` and `王𠮷明` as `王*`: masking never shows more. This is the form Chinese banks print on receipts and statements, so a customer and their
 * relationship manager read the same mask everywhere (docs/domain.md §8). `John Smith` → `J*** S****`.
 */
export function maskName(name: string): string {
  const s = name.trim();
  if (/^\**$/.test(s)) return s;
  if (CJK.test(s)) {
    // Only its Chinese characters of the basic planes (and a `*`, so masking twice changes nothing) count: a space or `·`
    // between its parts (`张·三`, `阿卜杜拉·买买提`) would count as a masked character and leave the given
    // name after it whole (`张*三`). Never null: CJK.test(s) just found one.
    const cs = s.match(/[\u3400-\u9fff\uf900-\ufaff*]/g)!;
    const n = cs.length;
    // One character: masked whole; two: the surname kept; more: the first and the last kept.
    return n < 2 ? '*' : cs[0] + '*'.repeat(n - 2 || 1) + cs.slice(2).slice(-1);
  }
  return s
    .split(/\s+/)
    .map((w) => {
      const cs = [...w];
      return cs[0] + '*'.repeat(Math.max(cs.length - 1, 1));
    })
    .join(' ');
}

/**
 * Identifiers: ID card (18) → `440401********1768`; bank card (15–19 digits) → `622888******5676`;
 * mainland mobile (11, starts with 1) → `177****7986`; anything else keeps 2 at each end when long
 * enough (`C0****03`), else only its last character.
 */
export function maskId(id: string): string {
  const s = id.trim();
  if (!s) return s;
  const keep = (head: number, tail: number) => s.slice(0, head) + '*'.repeat(s.length - head - tail) + s.slice(s.length - tail);
  if (/^1\d{10}$/.test(s)) return keep(3, 4);
  if (/^\d{17}[\dXx]$/.test(s)) return keep(6, 4);
  if (/^\d{15,19}$/.test(s)) return keep(6, 4);
  if (s.length >= 6) return keep(2, 2);
  return s.length <= 1 ? '*' : keep(0, 1);
}

/**
 * A person as a record names them — a name (`王经理`, `Li Na`) or an identifier (`E1024`,
 * `rm.zhang`): masked as a name when it holds CJK characters or spaces, else as an identifier.
 */
export function maskPerson(who: string): string {
  return CJK.test(who) || /\s/.test(who.trim()) ? maskName(who) : maskId(who);
}
