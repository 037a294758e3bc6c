/**
 * Where a key moves focus in a list of `count` items from `at`: arrows by one, Page Up/Down by
 * `page`, Home/End to the ends. Undefined for keys the list leaves to the browser.
 */
export function timelineKeyTarget(key: string, at: number, count: number, page: number): number | undefined {
  if (count < 1) return undefined;
  const clamp = (n: number) => Math.min(Math.max(n, 0), count - 1);
  switch (key) {
    case 'ArrowDown':
      return clamp(at + 1);
    case 'ArrowUp':
      return clamp(at - 1);
    case 'PageDown':
      return clamp(at + page);
    case 'PageUp':
      return clamp(at - page);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
  }
  // Any other key: undefined, which the function returns by falling out of the switch (no `default`
  // in the bundle; tierkit.js is at its size budget).
  return undefined;
}
