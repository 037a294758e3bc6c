export { seedDemo, generateSubjects, DEFAULT_SEED } from './seed-demo.js';
export type { SeedOptions, SeedResult } from './seed-demo.js';
export { SHOWCASE_IDS } from './showcase.js';
export { Prng } from './prng.js';
export { lastCompleteMonth } from './last-complete-month.js';
export { seedDemoStaff, DEMO_STAFF, DEMO_SIGN_INS } from './demo-staff.js';
export type { DemoSignIn } from './demo-staff.js';
