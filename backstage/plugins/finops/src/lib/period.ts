// Periods as the API takes them: a month YYYY-MM, a quarter YYYY-Qn or a year YYYY.
import { useEffect, useState } from 'react';

export type Grain = 'month' | 'quarter' | 'year';
export type AgainstPeriod = 'previous_month' | 'previous_quarter' | 'previous_year';

export const GRAINS: Grain[] = ['month', 'quarter', 'year'];
export const AGAINST_PERIODS: AgainstPeriod[] = ['previous_month', 'previous_quarter', 'previous_year'];

export function previousOf(grain: Grain): AgainstPeriod {
  return `previous_${grain}`;
}

/** The grain of a comparison with the previous period: previous_quarter -> quarter. */
export function grainOf(against: AgainstPeriod): Grain {
  return against.slice('previous_'.length) as Grain;
}

export function monthOf(period: string): string {
  return period.slice(0, 7);
}

export function quarterOf(month: string): string {
  const quarter = Math.floor((Number(month.slice(5, 7)) - 1) / 3) + 1;
  return `${month.slice(0, 4)}-Q${quarter}`;
}

/** The period of a grain that holds a month. */
export function periodOf(month: string, grain: Grain): string {
  if (grain === 'year') return month.slice(0, 4);
  if (grain === 'quarter') return quarterOf(month);
  return month;
}

/** Every month from first to last, both included (YYYY-MM). */
export function monthsBetween(first: string, last: string): string[] {
  const months: string[] = [];
  let year = Number(first.slice(0, 4));
  let month = Number(first.slice(5, 7));
  const end = Number(last.slice(0, 4)) * 12 + Number(last.slice(5, 7));
  while (year * 12 + month <= end) {
    months.push(`${year}-${String(month).padStart(2, '0')}`);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return months;
}

/** The distinct periods of a grain over a range of months, oldest first. */
export function periodsBetween(first: string, last: string, grain: Grain): string[] {
  return [...new Set(monthsBetween(first, last).map(month => periodOf(month, grain)))];
}

/** A month, a quarter or a year, as the API takes a period. */
export const WHOLE_PERIOD = /^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/;
/** A month alone, for the questions asked of one month (allocation, data quality). */
export const WHOLE_MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** How long a field must rest before its period is asked for. */
export const PERIOD_SETTLE_MS = 400;

/**
 * The period a field holds once it is whole (or empty) and has rested PERIOD_SETTLE_MS; until
 * then, the last such one. Asked on every keystroke, typing `2026-03` would ask for `2026` (a
 * year's report) and `2026-0` (a 400) on the way.
 */
export function useWholePeriod(text: string, pattern: RegExp = WHOLE_PERIOD): string {
  const [whole, setWhole] = useState(text);
  useEffect(() => {
    if (text !== '' && !pattern.test(text)) return undefined;
    const settle = setTimeout(() => setWhole(text), PERIOD_SETTLE_MS);
    return () => clearTimeout(settle);
  }, [text, pattern]);
  return whole;
}
