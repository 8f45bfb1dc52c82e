import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatAmount, formatMoney } from '../lib/money';
import type { PeriodTotal } from '../lib/shape';

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2',
  '#7f7f7f', '#bcbd22', '#17becf', '#393b79', '#637939'];

export type StackedPoint = { period: string } & Record<string, number | string>;

/** What a screen reader says of the chart: each period's exact total. */
export function periodTotalsText(totals: PeriodTotal[], currency: string): string {
  return totals.map(total => `${total.period}: ${formatMoney(total.cost, currency)}`).join('; ');
}

/** Costs per period, one stacked bar per period, one colour per series (domain or family);
 * `title` names it for screen readers (the SVG's title), the periods' totals describe it. */
export function StackedCostChart(props: {
  data: StackedPoint[];
  series: string[];
  currency: string;
  title: string;
  totals: PeriodTotal[];
}) {
  const { data, series, currency, title, totals } = props;
  return (
    <ResponsiveContainer width="100%" height={320}>
      <BarChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 24 }} title={title} desc={periodTotalsText(totals, currency)}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="period" />
        {/* 96 px: recharts' 60 cut 10,000,000 to l0,000,000; this holds 1,000,000,000 */}
        <YAxis width={96} tickFormatter={(value: number) => formatAmount(String(value), 0)} />
        <Tooltip formatter={(value: unknown) => `${formatAmount(String(value))} ${currency}`} />
        <Legend />
        {series.map((name, index) => (
          <Bar key={name} dataKey={name} stackId="cost" fill={PALETTE[index % PALETTE.length]} isAnimationActive={false} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}
