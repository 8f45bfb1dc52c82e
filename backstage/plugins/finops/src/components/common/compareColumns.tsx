import type { TableColumn } from '@backstage/core-components';
import type { CompareRow } from '../../api/types';
import { compare, formatAmount, formatMoney, formatRatio, minus, sum, type Amount } from '../../lib/money';

/** A side's cost as shown: "no cost" where the side has no row (priced null), not "unpriced". */
function sideText(cost: Amount, priced: boolean | null): string {
  return priced === null ? 'no cost' : formatAmount(cost);
}

/** The change of a row; where one side has no row, the other's whole cost, signed. */
export function deltaOf(row: CompareRow): Amount {
  if (row.delta !== null) return row.delta;
  if (row.against_priced === null && row.priced === true) return row.cost;
  if (row.priced === null && row.against_priced === true) return minus('0', row.against_cost);
  return null;
}

/**
 * A side's total over rows, as shown: a row without that side adds nothing, an unpriced one
 * makes it "unpriced", and a side no row has is "no cost" (a budget that prices in EUR alone,
 * against actual costs billed in USD), not 0.00.
 */
export function sideTotalText(rows: CompareRow[], side: 'cost' | 'against_cost', currency: string): string {
  const present = rows.filter(row => row[side === 'cost' ? 'priced' : 'against_priced'] !== null);
  return present.length === 0 ? 'no cost' : formatMoney(sum(present.map(row => row[side])), currency);
}

/** The figures of a compare row, sortable as numbers: cost, against, delta, ratio. */
export const compareColumns = (costTitle: string, againstTitle: string): TableColumn<CompareRow>[] => [
  { title: costTitle, field: 'cost', render: row => sideText(row.cost, row.priced), customSort: (a, b) => compare(a.cost, b.cost) },
  { title: againstTitle, field: 'against_cost', render: row => sideText(row.against_cost, row.against_priced), customSort: (a, b) => compare(a.against_cost, b.against_cost) },
  { title: 'Delta', field: 'delta', render: row => formatAmount(deltaOf(row)), customSort: (a, b) => compare(deltaOf(a), deltaOf(b)) },
  { title: 'Ratio', field: 'ratio', render: row => formatRatio(row.ratio), customSort: (a, b) => compare(a.ratio, b.ratio) },
];
