/**
 * One thing wrong with a field, as the kit's stores report it: the kit's own checks (made before a
 * request is sent) carry a stable `code` and the data their words need, so a host says them in its
 * own language without reading the English; `message` is the kit's default wording (English) for a
 * host that has none. A field the API refused carries no code (the API's problem gives a path and
 * a message only) and `message` is the API's.
 */
export interface FieldCheck<C extends string> {
  /** The kit's code; undefined when the API refused the field (then `message` is the API's). */
  readonly code: C | undefined;
  readonly message: string;
  /** For a limit exceeded (`reason-too-long`): the most allowed. */
  readonly max?: number;
}

/** What a check's default message is made from. */
export interface CheckData {
  readonly max?: number;
}

/** A check of `table` by code, its default message made from `data`. */
export function fieldCheck<C extends string>(
  table: Readonly<Record<C, (data: CheckData) => string>>,
  code: C,
  data: CheckData = {},
): FieldCheck<C> {
  return { code, message: table[code](data), ...data };
}

/** The API's refusal of a field, as it words it. */
export function apiCheck<C extends string>(message: string): FieldCheck<C> {
  return { code: undefined, message };
}
