import type { PolicyPack } from '../policy/pack-schema.js';
import { defaultMetrics } from './metrics.js';
import { retailTier } from './retail-tier.js';
import { amlRisk, savingsGrade, starRating } from './customer-schemes.js';
import { creditRating } from './credit-rating.js';
import { productRisk, riskTolerance } from './suitability-schemes.js';
import { corporateSize, employeeGrade } from './corporate-size.js';
import { riskBand, riskValue, valueBand } from './risk-value.js';

/** The working schemes a new tenant starts with, built from docs/domain.md (each scheme cites its section). */
export const defaultPolicyPack: PolicyPack = {
  metrics: defaultMetrics,
  schemes: [
    retailTier,
    starRating,
    savingsGrade,
    amlRisk,
    creditRating,
    riskTolerance,
    riskBand,
    valueBand,
    riskValue,
    productRisk,
    corporateSize,
    employeeGrade,
  ],
};
