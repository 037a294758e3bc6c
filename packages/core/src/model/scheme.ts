import type { LocalizedText } from './locale.js';
import type { OverrideApprover, OverrideRule } from './override-rule.js';
import type { SchemeReaders } from './scheme-readers.js';

export const SUBJECT_KINDS = ['customer', 'corporate', 'product', 'employee'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

/**
 * What a scheme measures, which decides precedence when entitlements are resolved:
 * a restriction from a `risk` scheme wins over a benefit from a `value` scheme.
 */
export const SCHEME_CATEGORIES = ['value', 'risk', 'credit', 'suitability', 'size', 'grade', 'matrix'] as const;
export type SchemeCategory = (typeof SCHEME_CATEGORIES)[number];

/**
 * Who may see a scheme's levels. `customer`: what a bank shows the customer (card tier, stars, savings
 * grade and what they entitle). `staff`: internal classifications (AML, credit, suitability internals,
 * the risk × value nine-box) — telling a customer their AML grade is tipping-off, so a customer's
 * credential never receives a staff scheme or anything derived from one (packages/core/README.md).
 */
export const SCHEME_AUDIENCES = ['customer', 'staff'] as const;
export type SchemeAudience = (typeof SCHEME_AUDIENCES)[number];

/**
 * Colour tokens a level may use. Components map each to a `--tk-level-<token>` custom property,
 * so a bank re-brands by CSS alone.
 */
export const LEVEL_COLORS = [
  'neutral',
  'bronze',
  'silver',
  'gold',
  'platinum',
  'diamond',
  'success',
  'info',
  'caution',
  'warning',
  'danger',
] as const;
export type LevelColor = (typeof LEVEL_COLORS)[number];

/** One ordered level of a scheme. Codes are stored (`gold`, `C3`, `AAA`), never labels. */
export interface LevelDef {
  readonly key: string;
  /** 0 for the lowest level; higher is "more" of what the scheme measures (more value, more risk). */
  readonly rank: number;
  readonly name: LocalizedText;
  readonly color: LevelColor;
  /** Assigning this level (by rule or by override) needs a second person's approval (four eyes). */
  readonly approvalRequired?: boolean;
  /** How often a subject at this level must be reviewed, in months (AML: 6 / 12 / 24 / 48). */
  readonly reviewMonths?: number;
  /**
   * For an `approvalRequired` level, what applies while its sign-off is pending: `apply` (default)
   * = what the level entitles or restricts applies at once; `previous` = the level before it does.
   */
  readonly whilePending?: WhilePending;
  /**
   * How a customer scheme's level reads to the customer, when not as staff read it: a savings grade's
   * 风险, which only a bad loan leads to, tells the customer a credit classification by its name and
   * its red, so customers read it as 基础 in a neutral tone while staff keep 风险. Customer schemes only.
   */
  readonly customer?: CustomerLevelFace;
}

/** A level's name and colour as a customer reads them (`LevelDef.customer`). */
export interface CustomerLevelFace {
  readonly name: LocalizedText;
  readonly color: LevelColor;
}

/** What a level waiting for its sign-off entitles or restricts (`LevelDef.whilePending`). */
export const WHILE_PENDING = ['apply', 'previous'] as const;
export type WhilePending = (typeof WHILE_PENDING)[number];

/** A scheme as widgets see it: its identity and its levels, lowest rank first. */
export interface SchemeSummary {
  readonly key: string;
  readonly subjectKind: SubjectKind;
  readonly category: SchemeCategory;
  /** Who may see it. Every scheme of a pack declares it; the API always sends it. */
  readonly audience?: SchemeAudience;
  readonly name: LocalizedText;
  readonly levels: readonly LevelDef[];
  /** Who may file and approve overrides of it, and for how long (absent: `DEFAULT_OVERRIDE_RULE`). */
  readonly overrides?: OverrideRule;
  /**
   * Who must approve leaving a level that needs a sign-off (`approvalRequired`) for a looser one, by
   * `overrides.order` (required with it). Absent: new data lowers such a level at once. Set: the held
   * level stays in force and a lowering request waits for a second person of this role
   * (docs/domain.md §4, "Lowering a sign-off level"). Staff governance: never sent to customers.
   */
  readonly loweringNeeds?: OverrideApprover;
  /**
   * Which staff may read its levels (`SchemeReaders`); absent: every staff role. Staff governance:
   * never sent to customers.
   */
  readonly readers?: SchemeReaders;
}
