export {
  demoTokensWanted,
  ensureAdminKey,
  isLoopback,
  listen,
  openDatabase,
  seedIfNeeded,
  serverApp,
  settingsFromEnv,
  lastCompleteMonth,
  REPO_ROOT,
  widgetsBuilt,
} from './server.js';
export type { RunningServer, ServerSettings } from './server.js';
// Seeding moved to @tierkit/ops; re-exported so existing imports keep working.
export { seedDemo, generateSubjects, SHOWCASE_IDS, DEFAULT_SEED } from '@tierkit/ops';
export type { SeedOptions, SeedResult } from '@tierkit/ops';
export { DEMO_CSP } from './static-files.js';
export { demoTokenRoutes } from './demo-tokens.js';
export { backgroundFromEnv, scheduleForApi, startBackground } from './background.js';
export type { BackgroundSettings } from './background.js';
