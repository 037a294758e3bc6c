// Configuration of `cem analyze` for the custom-elements.json this package ships (the `customElements`
// field of package.json names it) and Storybook's autodocs read. Run from this package's folder:
// `npm run build -w @tierkit/components`, or `npm run manifest` at the root.
// The manifest is generated from the components' JSDoc headers, never written by hand.

// The component classes never register themselves (x.ts does), so the analyzer cannot see their tag
// names; this plugin adds the default `tk-*` tag of each class, which tools look elements up by.
const DEFAULT_TAGS = {
  TkProvider: 'tk-provider',
  TkTierBadge: 'tk-tier-badge',
  TkEntitlementPanel: 'tk-entitlement-panel',
  TkRiskValueMatrix: 'tk-risk-value-matrix',
  TkTierTimeline: 'tk-tier-timeline',
};

/** Lit's own statics and anything private or protected are not the element's public API. */
const INTERNAL_STATICS = new Set(['styles', 'properties', 'observedAttributes', 'shadowRootOptions']);
function isPublic(member) {
  if (member.privacy === 'private' || member.privacy === 'protected') return false;
  if (member.name.startsWith('#') || member.name.startsWith('_')) return false;
  return !(member.static && INTERNAL_STATICS.has(member.name));
}

/** `src/x/y.component.ts` → `dist/x/y.component.js`: the module a host actually imports. */
const toDist = (path) => path.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js');

export default {
  globs: ['src/**/*.component.ts'],
  outdir: '.',
  litelement: true,
  packagejson: false,
  quiet: true,
  plugins: [
    {
      name: 'tierkit-public-api',
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules ?? []) {
          mod.path = toDist(mod.path);
          for (const d of mod.declarations ?? []) {
            if (d.customElement && !d.tagName && DEFAULT_TAGS[d.name]) d.tagName = DEFAULT_TAGS[d.name];
            // Internal reactive state (`state: true`) is listed as an attribute by the analyzer: drop it with its member.
            const hidden = new Set((d.members ?? []).filter((m) => !isPublic(m)).map((m) => m.name));
            if (d.members) d.members = d.members.filter(isPublic);
            if (d.attributes) d.attributes = d.attributes.filter((a) => !hidden.has(a.fieldName ?? a.name));
          }
          for (const e of mod.exports ?? []) if (e.declaration?.module) e.declaration.module = toDist(e.declaration.module);
        }
      },
    },
  ],
};
