// Configuration of `cem analyze` for Storybook's autodocs (run from .storybook/main.ts).
// The component classes never register themselves (x.ts does), so the analyzer cannot see their tag
// names; this plugin adds the default `tk-*` tag of each class, which Storybook looks elements up by.
const DEFAULT_TAGS = {
  TkProvider: 'tk-provider',
  TkTierBadge: 'tk-tier-badge',
  TkEntitlementPanel: 'tk-entitlement-panel',
  TkRiskValueMatrix: 'tk-risk-value-matrix',
  TkTierTimeline: 'tk-tier-timeline',
};

export default {
  globs: ['packages/components/src/**/*.component.ts'],
  outdir: '.storybook/generated',
  litelement: true,
  packagejson: false,
  quiet: true,
  plugins: [
    {
      name: 'tierkit-default-tags',
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules ?? []) {
          for (const d of mod.declarations ?? []) {
            if (d.customElement && !d.tagName && DEFAULT_TAGS[d.name]) d.tagName = DEFAULT_TAGS[d.name];
          }
        }
      },
    },
  ],
};
