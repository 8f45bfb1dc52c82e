import { Table } from '@backstage/core-components';
import type { CompareRow, SimulationPreview as Preview } from '../../api/types';
import Typography from '@material-ui/core/Typography';
import { compare, compareSize, formatAmount, formatMoney, formatRatio, minus, ratio, sum } from '../../lib/money';
import { TABLE_OPTIONS } from '../common/tableOptions';

/** One of the table's page sizes (5, 10, 20): 15 made it warn on every render. */
const PAGE_SIZE = 20;

/** The scope levels a preview is grouped by: the first adjustment's. */
export type PreviewLevel = 'domain' | 'family' | 'product' | 'application';

export type PreviewRow = { key: string; currency: string; base: string | null; simulated: string | null; delta: string | null; ratio: string | null };

/** The API's rows (cost: under the adjustments; against_cost: under the base view) per group. */
export function previewRows(rows: CompareRow[], level: PreviewLevel): PreviewRow[] {
  return rows.map(row => ({
    key: row[level] ?? '',
    currency: row.currency,
    base: row.against_cost,
    simulated: row.cost,
    delta: row.delta,
    ratio: row.ratio,
  }));
}

/** Each currency's base and simulated totals, summed exactly (unpriced when a group is). */
export function previewTotals(rows: PreviewRow[]): PreviewRow[] {
  const currencies = [...new Set(rows.map(row => row.currency))].sort();
  return currencies.map(currency => {
    const of = rows.filter(row => row.currency === currency);
    const base = sum(of.map(row => row.base));
    const simulated = sum(of.map(row => row.simulated));
    return { key: 'total', currency, base, simulated, delta: minus(simulated, base), ratio: ratio(simulated, base) };
  });
}

export function SimulationPreview(props: { report: Preview; level: PreviewLevel }) {
  const { report, level } = props;
  // the largest change first, a cut as much as a rise: a page of 20 rows shows what moved
  const rows = previewRows(report.rows, level).sort((a, b) => compareSize(b.delta, a.delta));
  return (
    <>
      {previewTotals(rows).map(total => (
        <Typography key={total.currency} variant="subtitle1" data-testid={`preview-total-${total.currency}`}>
          Total {total.currency}: {formatMoney(total.base, total.currency)} under {report.base_view},{' '}
          {formatMoney(total.simulated, total.currency)} simulated ({formatAmount(total.delta)}, {formatRatio(total.ratio)})
        </Typography>
      ))}
      <Table<PreviewRow>
      title={`Preview against ${report.base_view}, ${report.from}..${report.to}, by ${level}`}
      options={{ paging: rows.length > PAGE_SIZE, pageSize: PAGE_SIZE, search: false, ...TABLE_OPTIONS }}
      columns={[
        { title: level, field: 'key', render: row => <span data-testid={`preview-key-${row.key}-${row.currency}`}>{row.key}</span> },
        { title: 'Currency', field: 'currency' },
        { title: 'Base', field: 'base', render: row => <span data-testid={`preview-base-${row.key}-${row.currency}`}>{formatAmount(row.base)}</span>, customSort: (a, b) => compare(a.base, b.base) },
        { title: 'Simulated', field: 'simulated', render: row => <span data-testid={`preview-simulated-${row.key}-${row.currency}`}>{formatAmount(row.simulated)}</span>, customSort: (a, b) => compare(a.simulated, b.simulated) },
        { title: 'Delta', field: 'delta', render: row => formatAmount(row.delta), customSort: (a, b) => compare(a.delta, b.delta) },
        { title: 'Ratio', field: 'ratio', render: row => formatRatio(row.ratio), customSort: (a, b) => compare(a.ratio, b.ratio) },
      ]}
      data={rows}
      />
    </>
  );
}
