export * from './model/index.js';

export type { CustomerBlocks, PolicyPack, SchemeDefinition } from './policy/pack-schema.js';
export {
  KEY_PATTERN,
  policyPackSchema,
  schemeDefinitionSchema,
  entitlementSchema,
  metricDefSchema,
  levelDefSchema,
  matrixDefSchema,
} from './policy/pack-schema.js';
export type {
  Policy,
  RulesPolicy,
  ScorePolicy,
  DerivedPolicy,
  MatrixPolicy,
  Condition,
  ThresholdCondition,
  GroupCondition,
  ComparisonOp,
  ScoreFactor,
  Trigger,
  Hysteresis,
  PolicyWindow,
} from './policy/policy-schema.js';
export { policySchema, conditionSchema, COMPARISON_OPS } from './policy/policy-schema.js';
export type { PolicyError } from './policy/policy-errors.js';
export { formatPolicyErrors, issueCode, problemParams } from './policy/policy-errors.js';
export type { ValidationOptions, ValidationResult } from './policy/validate-pack.js';
export { validatePolicyPack } from './policy/validate-pack.js';
export type { SchemeDocumentCheck } from './policy/check-scheme-document.js';
export { checkSchemeDocument, schemeKeyAt } from './policy/check-scheme-document.js';
export { dependentSchemes, schemeDependencies, schemeMetrics } from './policy/dependencies.js';

export type { CompiledScheme, EvaluateOptions } from './engine/compile-scheme.js';
export { DEFAULT_HYSTERESIS } from './engine/compile-scheme.js';
export type { CompiledPack, CompilePackOptions } from './engine/compile-pack.js';
export { compilePack, nextPrior } from './engine/compile-pack.js';
export { monthsBack } from './engine/months.js';
export { overrideKindLabel } from './engine/labels.js';
export type { CalendarDay, WallTime } from './calendar/zone.js';
export {
  DEFAULT_TIME_ZONE,
  dayOf,
  instantAt,
  instantsAt,
  isTimeZone,
  periodEnd,
  periodOf,
  startOfDay,
  wallTime,
  zonedIso,
} from './calendar/zone.js';
export { SCORE_METRIC } from './engine/score-decider.js';

export { quotaUsageKey, resolveEntitlements } from './entitlements/resolve.js';
export { formatGap, formatValue, metricWithWindow } from './format/format-value.js';
export { fenToYuanText, formatMoney, gapUp, yuanToFen } from './format/money.js';
export { maskId, maskName, maskPerson } from './format/mask.js';
export { defaultPolicyPack } from './pack/default-pack.js';
export type { AudienceView } from './audience/audience-view.js';
export {
  ALSO_UNDISCLOSED,
  audienceView,
  CONTACT_BRANCH,
  SCORE_WITHHELD,
  STAFF_UNAVAILABLE_NOTICE,
  UNAVAILABLE_NOTICE,
  UNDISCLOSED,
} from './audience/audience-view.js';
export { readerView } from './audience/reader-view.js';
export { assignmentDrop, levelDrop } from './audience/level-drop.js';
export { progressSentence, progressWords, type ProgressWords } from './format/progress-sentence.js';
export type { SimulationSubject, SimulationResult, SimulationOptions } from './simulation/simulate.js';
export { simulate } from './simulation/simulate.js';
export { simulationMoves, type SimulationMoves } from './simulation/moves.js';
export type { PolicyChange } from './diff/policy-diff.js';
export { diffPolicies } from './diff/policy-diff.js';
export { diffSchemes } from './diff/scheme-diff.js';
export { governanceWeakenings, strongestApprover } from './diff/governance-diff.js';
export { canonicalJson } from './format/canonical-json.js';
export type {
  ProductRisk,
  RiskTolerance,
  SuitabilityReason,
  SuitabilityReasonCode,
  SuitabilityInput,
  SuitabilityResult,
} from './suitability/suitability.js';
export {
  PRODUCT_RISKS,
  RISK_TOLERANCES,
  SUITABILITY_REASONS,
  toleranceFromScore,
  checkSuitability,
  suitabilityGrid,
} from './suitability/suitability.js';
export { ageOn, BIRTH_DATE_ATTRIBUTE, civilDate, EARLIEST_BIRTH_DATE, parseCivilDate } from './suitability/age.js';
export { INDUSTRY_CODES } from './pack/corporate-size.js';
// The default pack's metric catalogue alone, for a console that offers metric columns without carrying every scheme.
export { defaultMetrics, metricAudience, metricIsComplianceOnly, metricIsStaffOnly, metricSubjectKinds } from './pack/metrics.js';
// What the API sends staff clients (the admin console): one home for the API and the admin kit.
export * from './wire/index.js';
