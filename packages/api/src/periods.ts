/*
 * `YYYY-MM` arithmetic. Periods are calendar months in the tenant's time zone; only their order
 * and distance matter here, so plain integer month counts do.
 */

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Whether `s` is a real month `YYYY-MM` (2000-01 … 2999-12; 2025-13 is not). */
export function isPeriod(s: string): boolean {
  const m = PERIOD.exec(s);
  return m !== null && Number(m[1]) >= 2000 && Number(m[1]) <= 2999;
}

function toIndex(period: string): number {
  return Number(period.slice(0, 4)) * 12 + Number(period.slice(5, 7)) - 1;
}

function fromIndex(i: number): string {
  return `${String(Math.floor(i / 12)).padStart(4, '0')}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** `period` shifted by `months` (negative goes back). */
export function addMonths(period: string, months: number): string {
  return fromIndex(toIndex(period) + months);
}

/** Months from `from` to `to`, both included, oldest first (empty when `from` is after `to`). */
export function monthRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let i = toIndex(from); i <= toIndex(to); i++) out.push(fromIndex(i));
  return out;
}

/** Months between two periods (`to − from`). */
export function monthsBetween(from: string, to: string): number {
  return toIndex(to) - toIndex(from);
}

// One home for the bank's calendar: the engine counts months where the API does.
export { periodOf } from '@tierkit/core';

/** The earliest closing of a customer the API or an import takes (core's, which the console reads too). */
export { CLOSING_FLOOR } from '@tierkit/core';
