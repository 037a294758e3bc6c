/** Debian's Chromium, or `CHROME_PATH`. */
export declare const CHROME_PATH: string;
/** Flags for a headless run on a CI machine as root; callers add their own after these. */
export declare const CHROME_ARGS: readonly string[];
