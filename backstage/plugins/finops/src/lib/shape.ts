import type { CostRow, GroupKey } from '../api/types';
import { compare, sum, toNumber } from './money';
import type { StackedPoint } from '../charts/StackedCostChart';

/** The application of the costs no mapping attributes to anyone (the API's and mart's name). */
export const UNALLOCATED = 'unallocated';

export function keyOf(row: CostRow, key: GroupKey): string {
  return String(row[key] ?? '');
}

/** The currencies of some rows, the one with the largest total first. */
export function currenciesOf(rows: { currency: string; cost: string | null }[]): string[] {
  const totals = new Map<string, string | null>();
  for (const row of rows) totals.set(row.currency, sum([totals.get(row.currency) ?? '0', row.cost ?? '0']));
  return [...totals.entries()].sort((a, b) => compare(b[1], a[1])).map(([currency]) => currency);
}

export type PeriodTotal = { period: string; currency: string; cost: string | null };

/** Each period's exact total in each currency (null when a row of it is unpriced). */
export function totalsByPeriod(rows: CostRow[], periodKey: GroupKey): PeriodTotal[] {
  const groups = new Map<string, CostRow[]>();
  for (const row of rows) {
    const id = `${keyOf(row, periodKey)}|${row.currency}`;
    groups.set(id, [...(groups.get(id) ?? []), row]);
  }
  return [...groups.entries()]
    .map(([id, members]) => {
      const [period = '', currency = ''] = id.split('|');
      return { period, currency, cost: sum(members.map(member => member.cost)) };
    })
    .sort((a, b) => a.period.localeCompare(b.period) || a.currency.localeCompare(b.currency));
}

/** Chart points: one per period, one number per series, in one currency. */
export function pivot(
  rows: CostRow[],
  periodKey: GroupKey,
  seriesKey: GroupKey,
  currency: string,
): { data: StackedPoint[]; series: string[] } {
  const inCurrency = rows.filter(row => row.currency === currency);
  const seriesTotals = new Map<string, number>();
  const points = new Map<string, StackedPoint>();
  for (const row of inCurrency) {
    const period = keyOf(row, periodKey);
    const series = keyOf(row, seriesKey) || '(none)';
    const point = points.get(period) ?? { period };
    point[series] = toNumber(row.cost) + Number(point[series] ?? 0);
    points.set(period, point);
    seriesTotals.set(series, (seriesTotals.get(series) ?? 0) + toNumber(row.cost));
  }
  const series = [...seriesTotals.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name);
  const data = [...points.values()].sort((a, b) => a.period.localeCompare(b.period));
  return { data, series };
}
