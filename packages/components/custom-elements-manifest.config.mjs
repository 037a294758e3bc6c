import { readFileSync } from 'node:fs';

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

/**
 * Every level colour token with its light default, from the one palette the widgets draw
 * (src/common/level-palette.ts): one JSDoc line (`--tk-level-gold`) stands for them on tk-provider.
 */
const LEVEL_TOKENS = [
  ...readFileSync(new URL('./src/common/level-palette.ts', import.meta.url), 'utf8').matchAll(/^\s+(\w+): \['(#\w+)', '(#\w+)'\]/gm),
].flatMap(([, color, bg, fg]) => [
  { name: `--tk-level-${color}`, description: `Background of a level whose colour token is \`${color}\`.`, default: bg },
  { name: `--tk-level-${color}-text`, description: `Text on a level whose colour token is \`${color}\`.`, default: fg },
]);

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
            if (d.name === 'TkProvider' && d.cssProperties)
              d.cssProperties = [...d.cssProperties.filter((p) => !p.name.startsWith('--tk-level-')), ...LEVEL_TOKENS];
            // Internal reactive state (`state: true`) is listed as an attribute by the analyzer: drop it with its member.
            const hidden = new Set((d.members ?? []).filter((m) => !isPublic(m)).map((m) => m.name));
            if (d.members) d.members = d.members.filter(isPublic);
            if (d.attributes) d.attributes = d.attributes.filter((a) => !hidden.has(a.fieldName ?? a.name));
          }
          // A custom property's "(default …)" in its words is its default, for Storybook's Default column and
          // any tool that reads the manifest (the analyzer only reads `[--name=value]`, which cannot hold a
          // font list or "the level's colour").
          for (const d of mod.declarations ?? [])
            for (const p of d.cssProperties ?? []) {
              const m = /\(default:? ([^;)]+(?:\([^)]*\))?[^;)]*)/.exec(p.description ?? '');
              const v = m?.[1]?.replace(/`/g, '').trim();
              if (v && p.default === undefined) p.default = /^--[\w-]+$/.test(v) ? `var(${v})` : v;
            }
          for (const e of mod.exports ?? []) if (e.declaration?.module) e.declaration.module = toDist(e.declaration.module);
        }
      },
    },
  ],
};
