export { KitStore, kitError } from './core/kit-store.js';
export type { KitError, Status } from './core/kit-store.js';
export { SessionStore, isBookScoped } from './core/session.js';
export type { SessionState } from './core/session.js';
export { SubjectBrowser, defaultSubjectFilter } from './core/subject-browser.js';
export type { SubjectBrowserOptions, SubjectBrowserState } from './core/subject-browser.js';
export { SubjectDetail } from './core/subject-detail.js';
export type { SubjectDetailState } from './core/subject-detail.js';
