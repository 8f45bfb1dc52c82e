import { Table } from '@backstage/core-components';
import { compare, formatMoney } from '../../lib/money';
import type { PeriodTotal } from '../../lib/shape';
import { WHOLE_TABLE } from './tableOptions';

/** One row per period with its exact total; each cell has a test id the browser test reads. */
export function PeriodTotalsTable(props: {
  title: string;
  periodTitle: string;
  totals: PeriodTotal[];
  currency: string;
  testIdPrefix: string;
  order: 'asc' | 'desc';
  /** How a period is named; by default its code (`2025`, `2025-Q1`, `2025-03`). */
  periodLabel?: (period: string) => string;
}) {
  const { title, periodTitle, totals, currency, testIdPrefix, order, periodLabel = period => period } = props;
  return (
    <Table<PeriodTotal>
      title={title}
      options={WHOLE_TABLE}
      columns={[
        { title: periodTitle, field: 'period', defaultSort: order, render: row => periodLabel(row.period) },
        {
          title: 'Cost',
          field: 'cost',
          render: row => <span data-testid={`${testIdPrefix}-${row.period}`}>{formatMoney(row.cost, currency)}</span>,
          customSort: (a, b) => compare(a.cost, b.cost),
        },
      ]}
      data={totals}
    />
  );
}
