// The machine's Chromium and the flags every browser run here needs (no sandbox as root, no GPU, no
// background traffic): one list for web-test-runner, the end-to-end tests and the component bench.

/** Debian's Chromium, or `CHROME_PATH`. */
export const CHROME_PATH = process.env.CHROME_PATH ?? '/usr/bin/chromium';

/** Flags for a headless run on a CI machine as root; callers add their own after these. */
export const CHROME_ARGS = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]);
