/*
 * Wire shapes of `/v1/policies`, as the policy editor reads them: their one home is
 * @tierkit/core/wire, where the API that sends them takes them from too.
 */
export type {
  LevelCount,
  PoliciesResponse,
  PolicyDiff,
  PolicySimulation,
  PolicyVersionDetail,
  PolicyVersionStatus,
  PolicyVersionSummary,
  PolicyVersionsResponse,
  SchemePolicies,
} from '@tierkit/core/wire';
