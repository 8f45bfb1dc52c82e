import { Table } from '@backstage/core-components';
import type { Adjustment, CostReport, CostRow } from '../../api/types';
import { compare, formatAmount, formatRatio, minus, ratio, sum } from '../../lib/money';
import { simulatedCost } from '../../lib/simulate';

export type PreviewRow = { key: string; currency: string; base: string | null; simulated: string | null; delta: string | null; ratio: string | null };

/** Base and simulated cost per group (the first adjustment's scope level) and currency. */
export function previewRows(report: CostReport, adjustments: Adjustment[], level: keyof CostRow): PreviewRow[] {
  const groups = new Map<string, { base: (string | null)[]; simulated: (string | null)[] }>();
  for (const row of report.rows) {
    const id = `${String(row[level] ?? '')}|${row.currency}`;
    const group = groups.get(id) ?? { base: [], simulated: [] };
    group.base.push(row.cost);
    group.simulated.push(simulatedCost(row, adjustments));
    groups.set(id, group);
  }
  return [...groups.entries()].map(([id, group]) => {
    const [key = '', currency = ''] = id.split('|');
    const base = sum(group.base);
    const simulated = sum(group.simulated);
    return { key, currency, base, simulated, delta: minus(simulated, base), ratio: ratio(simulated, base) };
  });
}

export function SimulationPreview(props: { report: CostReport; adjustments: Adjustment[]; level: keyof CostRow }) {
  const { report, adjustments, level } = props;
  const rows = previewRows(report, adjustments, level).sort((a, b) => compare(b.delta, a.delta));
  return (
    <Table<PreviewRow>
      title={`Preview against ${report.view}, ${report.from}..${report.to}, by ${String(level)}`}
      options={{ paging: rows.length > 15, pageSize: 15, search: false, padding: 'dense' }}
      columns={[
        { title: String(level), field: 'key', render: row => <span data-testid={`preview-key-${row.key}-${row.currency}`}>{row.key}</span> },
        { title: 'Currency', field: 'currency' },
        { title: 'Base', field: 'base', render: row => <span data-testid={`preview-base-${row.key}-${row.currency}`}>{formatAmount(row.base)}</span>, customSort: (a, b) => compare(a.base, b.base) },
        { title: 'Simulated', field: 'simulated', render: row => <span data-testid={`preview-simulated-${row.key}-${row.currency}`}>{formatAmount(row.simulated)}</span>, customSort: (a, b) => compare(a.simulated, b.simulated) },
        { title: 'Delta', field: 'delta', render: row => formatAmount(row.delta), customSort: (a, b) => compare(a.delta, b.delta) },
        { title: 'Ratio', field: 'ratio', render: row => formatRatio(row.ratio), customSort: (a, b) => compare(a.ratio, b.ratio) },
      ]}
      data={rows}
    />
  );
}
