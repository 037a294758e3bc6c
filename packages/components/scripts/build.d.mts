import type { BuildOptions } from 'esbuild';
/** The options every widget bundle is built with (see build.mjs). */
export declare const bundleOptions: BuildOptions;
/** Output file name → entry module. */
export declare const entries: Readonly<Record<string, string>>;
