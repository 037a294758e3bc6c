export type * from './locale.js';
export type * from './money.js';
export type * from './metric.js';
export type * from './scheme.js';
export type * from './explanation.js';
export type * from './evaluation.js';
export type * from './entitlement.js';
export type * from './matrix.js';
export type * from './history.js';
export type * from './override.js';
export type * from './override-rule.js';
export type * from './scheme-readers.js';
export { READER_ROLES, mayReadScheme, restrictsReaders } from './scheme-readers.js';
export type * from './api.js';
export { LOCALES } from './locale.js';
export { METRIC_UNITS, WINDOW_FUNCTIONS, MISSING_RULES } from './metric.js';
export { SUBJECT_KINDS, SCHEME_CATEGORIES, SCHEME_AUDIENCES, LEVEL_COLORS, WHILE_PENDING } from './scheme.js';
export { DECISION_KINDS } from './explanation.js';
export { ENTITLEMENT_KINDS, QUOTA_PERIODS } from './entitlement.js';
export { CELL_TONES } from './matrix.js';
export { CUSTOMER_EVENT_REASONS, EVENT_REASONS } from './history.js';
export { ERASURE_ACTOR, OVERRIDE_MODES, OVERRIDE_REASON_CATEGORIES } from './override.js';
export {
  OVERRIDE_REQUESTERS,
  OVERRIDE_APPROVERS,
  DEFAULT_OVERRIDE_RULE,
  overrideRuleOf,
  mayRequestOverride,
  mayApproveAs,
  latestOverrideExpiry,
  overrideExpiryProblem,
  overrideApproverNeeded,
  revocationApproverNeeded,
  looserLevel,
  loweringApproverNeeded,
  overrideJumpProblem,
  levelSteps,
} from './override-rule.js';
export { CLOSING_FLOOR } from './api.js';
export { nextMoneyGap } from './next-gap.js';
