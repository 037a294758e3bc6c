import type { z } from '@hono/zod-openapi';
import type {
  ApprovalItem,
  ApprovalsPage,
  BookMove,
  BookMovesResponse,
  BookLevelsResponse,
  DistributionResponse,
  EffectResponse,
  ImportCreated,
  ImportDetail,
  ImportPreview,
  ImportRecord,
  ImportRowError,
  Job,
  VersionSimulations,
  JobList,
  MigrationResponse,
  Override,
  OverrideDecision,
  OverrideList,
  OverrideWithDecisions,
  PoliciesResponse,
  PolicyApprovalAnswer,
  PolicyDiff,
  PolicySimulation,
  PolicyVersionDetail,
  PolicyVersionSummary,
  PolicyVersionsResponse,
  RatesResponse,
  Team,
  TeamList,
} from '@tierkit/core';
import type { DistributionResponseSchema, EffectResponseSchema, MigrationResponseSchema, RatesResponseSchema } from './analytics.js';
import type {
  ApprovalItemSchema,
  ApprovalsResponseSchema,
  DecisionSchema,
  OverrideListSchema,
  OverrideSchema,
  OverrideWithDecisionsSchema,
} from './four-eyes.js';
import type { ImportCreatedSchema, ImportDetailSchema, ImportErrorSchema, ImportPreviewSchema, ImportSchema } from './imports.js';
import type { JobListSchema, JobSchema, VersionSimulationsSchema } from './jobs.js';
import type {
  ApprovalResponseSchema,
  PoliciesResponseSchema,
  PolicyDiffSchema,
  PolicyVersionSchema,
  PolicyVersionSummarySchema,
  PolicyVersionsResponseSchema,
  SimulationSchema,
} from './policies.js';
import type { BookMoveSchema, BookMovesSchema } from './staff.js';
import type { BookLevelsSchema, TeamListSchema, TeamSchema } from './teams.js';

/*
 * The shapes the API sends have one home, @tierkit/core's wire types (the services build them, the
 * admin kit reads them); the zod schemas here describe the same shapes for the OpenAPI document.
 * This file keeps the two together at compile time: a field added, dropped or retyped on one side
 * only fails `tsc`. Readonly-ness is not compared (zod infers mutable arrays).
 */

type Plain<T> = T extends readonly (infer U)[] ? readonly Plain<U>[] : T extends object ? { readonly [K in keyof T]: Plain<T[K]> } : T;
type Same<A, B> = [Plain<A>] extends [Plain<B>] ? ([Plain<B>] extends [Plain<A>] ? true : false) : false;
type Agree<Schema extends z.ZodType, Wire> = Same<z.output<Schema>, Wire>;
type Holds<T extends true> = T;

export type WireShapesAgree = [
  Holds<Agree<typeof PolicyVersionSummarySchema, PolicyVersionSummary>>,
  Holds<Agree<typeof PolicyVersionSchema, PolicyVersionDetail>>,
  Holds<Agree<typeof PolicyVersionsResponseSchema, PolicyVersionsResponse>>,
  Holds<Agree<typeof PoliciesResponseSchema, PoliciesResponse>>,
  Holds<Agree<typeof PolicyDiffSchema, PolicyDiff>>,
  Holds<Agree<typeof SimulationSchema, PolicySimulation>>,
  Holds<Agree<typeof ApprovalResponseSchema, PolicyApprovalAnswer>>,
  Holds<Agree<typeof ApprovalItemSchema, ApprovalItem>>,
  Holds<Agree<typeof ApprovalsResponseSchema, ApprovalsPage>>,
  Holds<Agree<typeof DecisionSchema, OverrideDecision>>,
  Holds<Agree<typeof OverrideSchema, Override>>,
  Holds<Agree<typeof OverrideWithDecisionsSchema, OverrideWithDecisions>>,
  Holds<Agree<typeof OverrideListSchema, OverrideList>>,
  Holds<Agree<typeof JobSchema, Job>>,
  Holds<Agree<typeof VersionSimulationsSchema, VersionSimulations>>,
  Holds<Agree<typeof JobListSchema, JobList>>,
  Holds<Agree<typeof ImportErrorSchema, ImportRowError>>,
  Holds<Agree<typeof ImportSchema, ImportRecord>>,
  Holds<Agree<typeof ImportCreatedSchema, ImportCreated>>,
  Holds<Agree<typeof ImportDetailSchema, ImportDetail>>,
  Holds<Agree<typeof ImportPreviewSchema, ImportPreview>>,
  Holds<Agree<typeof DistributionResponseSchema, DistributionResponse>>,
  Holds<Agree<typeof MigrationResponseSchema, MigrationResponse>>,
  Holds<Agree<typeof RatesResponseSchema, RatesResponse>>,
  Holds<Agree<typeof EffectResponseSchema, EffectResponse>>,
  Holds<Agree<typeof BookMoveSchema, BookMove>>,
  Holds<Agree<typeof BookMovesSchema, BookMovesResponse>>,
  Holds<Agree<typeof TeamSchema, Team>>,
  Holds<Agree<typeof TeamListSchema, TeamList>>,
  Holds<Agree<typeof BookLevelsSchema, BookLevelsResponse>>,
];
