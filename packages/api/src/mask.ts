/**
 * Mask a person's name the way Chinese banks do (JR/T 0171-2020, DOMAIN.md §8): two characters
 * keep the surname (张*), longer names hide it (*和明). Latin names keep their first letter.
 * Names are C2 personal information: shown masked unless the caller may see them in full.
 */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  const cjk = /\p{Script=Han}/u.test(name);
  if (cjk) {
    if (chars.length <= 2) return chars[0] + '*';
    return '*' + chars.slice(1).join('');
  }
  return chars[0] + '*'.repeat(Math.max(2, Math.min(chars.length - 1, 6)));
}
