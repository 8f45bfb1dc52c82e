import type { TableColumn } from '@backstage/core-components';
import type { CompareRow } from '../../api/types';
import { compare, formatAmount, formatRatio } from '../../lib/money';

/** The figures of a compare row, sortable as numbers: cost, against, delta, ratio. */
export const compareColumns = (costTitle: string, againstTitle: string): TableColumn<CompareRow>[] => [
  { title: costTitle, field: 'cost', render: row => formatAmount(row.cost), customSort: (a, b) => compare(a.cost, b.cost) },
  { title: againstTitle, field: 'against_cost', render: row => formatAmount(row.against_cost), customSort: (a, b) => compare(a.against_cost, b.against_cost) },
  { title: 'Delta', field: 'delta', render: row => formatAmount(row.delta), customSort: (a, b) => compare(a.delta, b.delta) },
  { title: 'Ratio', field: 'ratio', render: row => formatRatio(row.ratio), customSort: (a, b) => compare(a.ratio, b.ratio) },
];
