/*
 * The shapes the API sends to staff clients (the admin console), in one place: the API builds
 * them, the admin kit reads them, neither keeps a copy. Type-only but for the lists of words.
 */
export type * from './policies.js';
export type * from './approvals.js';
export type * from './overrides.js';
export type * from './jobs.js';
export type * from './imports.js';
export type * from './analytics.js';
export type * from './audit.js';
export type * from './books.js';
export type * from './teams.js';
export { POLICY_VERSION_STATUSES } from './policies.js';
export { APPROVAL_BLOCKS, APPROVAL_KINDS } from './approvals.js';
export { DECISION_ACTIONS } from './overrides.js';
export { JOB_KINDS, JOB_STATUSES, filterLeavesAlone } from './jobs.js';
export { AUDIT_METHODS, AUDIT_PHASES, HTTP_METHODS, isListedDigest, OPERATOR_METHODS } from './audit.js';
export { IMPORT_KINDS, IMPORT_ENCODINGS, IMPORT_AMOUNTS, IMPORT_MODES } from './imports.js';
// An override's `mode` is one of these words: a client offering the choice needs them without the rest of core.
// Who ended an override its customer's erasure ended: the console says so rather than "revoked".
export { ERASURE_ACTOR, OVERRIDE_MODES } from '../model/override.js';
// Which schemes a caller may file an override of: the console offers only those, by the API's own rule.
export type { OverrideRule, OverrideCaller } from '../model/override-rule.js';
export { DEFAULT_OVERRIDE_RULE, levelSteps, mayRequestOverride, overrideRuleOf } from '../model/override-rule.js';
// The gap the 潜力客户 list sorts by: the console shows the very figure the API filtered on.
export { nextMoneyGap } from '../model/next-gap.js';
// The earliest closing the API takes: the console tells its floor of 2000 from a final month's end by it.
export { CLOSING_FLOOR } from '../model/api.js';
// The catalogue's units and kinds of subject, for a form that offers them (the console's metric catalogue).
export { METRIC_UNITS } from '../model/metric.js';
export { SUBJECT_KINDS } from '../model/scheme.js';
