import type { LocalizedText } from '../model/locale.js';

/*
 * Suitability, docs/domain.md §2: a customer of tolerance Cn may buy products up to Rn; an assessment
 * is valid for one year; age 65+ must be considered. Codes are stored, never labels.
 */
export const PRODUCT_RISKS = ['R1', 'R2', 'R3', 'R4', 'R5'] as const;
export type ProductRisk = (typeof PRODUCT_RISKS)[number];
export const RISK_TOLERANCES = ['C1', 'C2', 'C3', 'C4', 'C5'] as const;
export type RiskTolerance = (typeof RISK_TOLERANCES)[number];

/** The sample questionnaire: ≤20 C1, 21–45 C2, 46–70 C3, 71–85 C4, 86–100 C5. */
export function toleranceFromScore(score: number): RiskTolerance {
  if (score >= 86) return 'C5';
  if (score >= 71) return 'C4';
  if (score >= 46) return 'C3';
  if (score >= 21) return 'C2';
  return 'C1';
}

export const SUITABILITY_REASONS = [
  'risk-above-tolerance',
  'assessment-missing',
  'assessment-expired',
  'age-65-plus',
  'age-unknown',
] as const;
export type SuitabilityReasonCode = (typeof SUITABILITY_REASONS)[number];

export interface SuitabilityReason {
  readonly code: SuitabilityReasonCode;
  /** Blocking reasons make the sale unsuitable; the others are for the adviser to consider and record. */
  readonly blocking: boolean;
  readonly text: LocalizedText;
}

export interface SuitabilityInput {
  readonly product: ProductRisk;
  readonly tolerance: RiskTolerance | null;
  /** ISO 8601 UTC of the customer's last risk assessment. */
  readonly assessedAt: string | null;
  /** The instant the check is made (ISO 8601 UTC): taken as a parameter so the result is reproducible. */
  readonly at: string;
  /**
   * Full years on the day of `at`; `null` when the bank has no date of birth, which the adviser is told
   * (`age-unknown`: age must be weighed and cannot be); absent, age is not considered at all.
   */
  readonly age?: number | null;
}

export interface SuitabilityResult {
  readonly suitable: boolean;
  readonly reasons: readonly SuitabilityReason[];
  /** ISO 8601 UTC when the assessment stops being valid (one year after it), or null without one. */
  readonly assessmentExpiresAt: string | null;
}

function plusOneYear(iso: string): string {
  const d = new Date(iso);
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString();
}

/** May this product be offered to this customer, and why not. */
export function checkSuitability(input: SuitabilityInput): SuitabilityResult {
  const reasons: SuitabilityReason[] = [];
  const expires = input.assessedAt ? plusOneYear(input.assessedAt) : null;
  if (!input.tolerance || !input.assessedAt) {
    reasons.push({
      code: 'assessment-missing',
      blocking: true,
      text: { 'zh-CN': '客户尚未完成风险承受能力评估', 'zh-TW': '客戶尚未完成風險承受能力評估', en: 'the customer has no risk assessment' },
    });
  } else if (expires && Date.parse(expires) <= Date.parse(input.at)) {
    reasons.push({
      code: 'assessment-expired',
      blocking: true,
      text: {
        'zh-CN': '风险评估已超过一年有效期，须重新评估',
        'zh-TW': '風險評估已超過一年有效期，須重新評估',
        en: 'the risk assessment is more than a year old: reassess',
      },
    });
  }
  if (input.tolerance) {
    const p = PRODUCT_RISKS.indexOf(input.product);
    const c = RISK_TOLERANCES.indexOf(input.tolerance);
    if (p > c) {
      reasons.push({
        code: 'risk-above-tolerance',
        blocking: true,
        text: {
          'zh-CN': `产品风险 ${input.product} 高于客户风险承受能力 ${input.tolerance}（可购买 R1–R${c + 1}）`,
          'zh-TW': `產品風險 ${input.product} 高於客戶風險承受能力 ${input.tolerance}（可購買 R1–R${c + 1}）`,
          en: `product risk ${input.product} is above the customer's tolerance ${input.tolerance} (may buy R1–R${c + 1})`,
        },
      });
    }
  }
  if (input.age === null) {
    reasons.push({
      code: 'age-unknown',
      blocking: false,
      text: {
        'zh-CN': '未登记客户出生日期，无法考虑年龄因素',
        'zh-TW': '未登記客戶出生日期，無法考慮年齡因素',
        en: "the customer's date of birth is not on record: age cannot be considered",
      },
    });
  } else if (input.age !== undefined && input.age >= 65) {
    reasons.push({
      code: 'age-65-plus',
      blocking: false,
      text: {
        'zh-CN': '客户年满65岁，须充分考虑年龄因素',
        'zh-TW': '客戶年滿65歲，須充分考慮年齡因素',
        en: 'the customer is 65 or older: age must be considered',
      },
    });
  }
  return { suitable: !reasons.some((r) => r.blocking), reasons, assessmentExpiresAt: expires };
}

/** The full R × C grid: which product levels each tolerance may buy. */
export function suitabilityGrid(): Readonly<Record<RiskTolerance, readonly ProductRisk[]>> {
  return Object.fromEntries(RISK_TOLERANCES.map((c, i) => [c, PRODUCT_RISKS.slice(0, i + 1)])) as Record<RiskTolerance, ProductRisk[]>;
}
