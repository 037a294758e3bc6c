/**
 * Money is an integer count of minor units (fen for CNY) plus an ISO 4217 code.
 * Never a float: a bank reconciles these numbers.
 */
export interface Money {
  readonly amount: number;
  readonly currency: string;
}

/** Year and month of a metric observation, `YYYY-MM`. Months are calendar months in the tenant's time zone. */
export type Period = string;
