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

/** A row's ratio as shown: none against a side that is not a positive cost (a credit's ratio reads backwards). */
function ratioText(row: CompareRow): string {
  return compare(row.against_cost, '0') > 0 ? formatRatio(row.ratio) : '–';
}

/** A group's name as shown: a row of no owner, application or product says so. */
export const NO_KEY = '(none)';

/**
 * The currencies a side has costs in that the other side has none in: a budget priced in EUR
 * alone against actual costs billed in USD and EUR. Amounts are compared currency by currency,
 * never converted, so those rows' deltas are their whole cost, not a variance.
 */
export function unmatchedCurrencies(rows: CompareRow[]): string[] {
  const has = (side: 'priced' | 'against_priced', currency: string) =>
    rows.some(row => row.currency === currency && row[side] !== null);
  return [...new Set(rows.map(row => row.currency))].sort().filter(currency => has('priced', currency) !== has('against_priced', currency));
}

/** An amount's cell: on one line, right-aligned (`34,473.4` over `7` read as two numbers). */
export const AMOUNT_CELL = { whiteSpace: 'nowrap', textAlign: 'right' } as const;

/** The figures of a compare row, sortable as numbers: cost, against, delta, ratio. */
export const compareColumns = (costTitle: string, againstTitle: string): TableColumn<CompareRow>[] => [
  { title: costTitle, field: 'cost', cellStyle: AMOUNT_CELL, render: row => sideText(row.cost, row.priced), customSort: (a, b) => compare(a.cost, b.cost) },
  { title: againstTitle, field: 'against_cost', cellStyle: AMOUNT_CELL, render: row => sideText(row.against_cost, row.against_priced), customSort: (a, b) => compare(a.against_cost, b.against_cost) },
  { title: 'Delta', field: 'delta', cellStyle: AMOUNT_CELL, render: row => formatAmount(deltaOf(row)), customSort: (a, b) => compare(deltaOf(a), deltaOf(b)) },
  { title: 'Ratio', field: 'ratio', cellStyle: AMOUNT_CELL, render: row => ratioText(row), customSort: (a, b) => compare(a.ratio, b.ratio) },
];
