import type { BuildOptions } from 'esbuild';
/** The options every widget bundle is built with (see build.mjs). */
export declare const bundleOptions: BuildOptions;
/** Output file name → entry module. */
export declare const entries: Readonly<Record<'tierkit.js' | 'tierkit-badge.js', string>>;
/** A *.styles.ts source with its css`…` templates minified; throws on a style that keeps white space. */
export declare function minifyCssTemplates(source: string, path: string): string;
/** A component source with its html`…` templates' layout white space collapsed; throws where that would change the text. */
export declare function collapseHtmlTemplates(source: string, path: string): string;
