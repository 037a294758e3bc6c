/** An element's role and accessible name as Chromium's accessibility tree has them. */
export interface AccessibleNode {
  readonly role: string;
  readonly name: string;
}

/**
 * What assistive technology is told about `el` — including a role and name given through
 * ElementInternals, which no attribute shows. Needs Chromium with
 * `--enable-blink-features=ComputedAccessibilityInfo` (web-test-runner.config.mjs sets it).
 */
export async function accessibleNode(el: Element): Promise<AccessibleNode> {
  const computed = el as Element & { computedRole?: string | null; computedName?: string };
  if (computed.computedRole === undefined)
    throw new Error('computedRole is missing: run Chromium with --enable-blink-features=ComputedAccessibilityInfo');
  // The tree is updated after layout: give it a frame.
  await new Promise((r) => requestAnimationFrame(r));
  return { role: computed.computedRole ?? '', name: computed.computedName ?? '' };
}
