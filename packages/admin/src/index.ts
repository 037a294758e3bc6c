export { KitStore, kitError } from './core/kit-store.js';
export type { KitError, Status } from './core/kit-store.js';
export { SessionStore, hasRole, isBookScoped } from './core/session.js';
export type { SessionState } from './core/session.js';
export { SubjectBrowser, defaultSubjectFilter } from './core/subject-browser.js';
export type { SubjectBrowserOptions, SubjectBrowserState } from './core/subject-browser.js';
export { SubjectDetail } from './core/subject-detail.js';
export type { SubjectDetailState } from './core/subject-detail.js';
export { BookAssignment } from './core/book-assignment.js';
export type { BookAssignmentState } from './core/book-assignment.js';
export { Overrides, checkOverrideRequest } from './core/overrides.js';
export type { FieldErrors, OverrideAction, OverrideFilter, OverridesState } from './core/overrides.js';
export type {
  Override,
  OverrideDecision,
  OverrideEdit,
  OverrideList,
  OverrideRequest,
  OverrideStatus,
  OverrideWithDecisions,
} from './core/overrides-types.js';
export { ImportStore, headerRow, readHeader } from './core/imports.js';
export type { ImportSettings, ImportState, ImportTarget } from './core/imports.js';
export type {
  ImportAmounts,
  ImportDetail,
  ImportEncoding,
  ImportKind,
  ImportMode,
  ImportPreview,
  ImportRecord,
  ImportRowError,
} from './core/imports-types.js';
