import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import Big from 'big.js';
import { formatAmount } from '../lib/money';

export type BridgeStep = { label: string; value: string; total?: boolean };

type Bar = { label: string; range: [number, number]; value: string; kind: 'total' | 'up' | 'down' };

/** Floating bars: each effect starts where the previous ended; totals stand on the floor, 0 or,
 * when every level is positive, a little under the lowest so that the effects stay visible. */
export function bridgeBars(steps: BridgeStep[]): Bar[] {
  const levels: Big[] = [];
  let running = new Big(0);
  for (const step of steps) {
    running = step.total ? new Big(step.value) : running.plus(step.value);
    levels.push(running);
  }
  const lowest = levels.reduce((min, level) => (level.lt(min) ? level : min), levels[0] ?? new Big(0));
  const floor = lowest.gt(0) ? lowest.times('0.9').toNumber() : 0;
  let level = new Big(0);
  return steps.map(step => {
    if (step.total) {
      level = new Big(step.value);
      return { label: step.label, range: [floor, level.toNumber()], value: step.value, kind: 'total' };
    }
    const start = level;
    level = level.plus(step.value);
    const kind = new Big(step.value).gte(0) ? 'up' : 'down';
    return { label: step.label, range: [start.toNumber(), level.toNumber()], value: step.value, kind };
  });
}

const COLOURS = { total: '#607d8b', up: '#d32f2f', down: '#388e3c' } as const;

/** The variance bridge: against cost, volume, mix, price, unsplit, new, retired, cost; `title`
 * names it for screen readers (the SVG's title), its steps' amounts describe it. */
export function WaterfallChart({ steps, currency, title }: { steps: BridgeStep[]; currency: string; title: string }) {
  const bars = bridgeBars(steps);
  const desc = steps.map(step => `${step.label}: ${formatAmount(step.value)} ${currency}`).join('; ');
  return (
    <ResponsiveContainer width="100%" height={300}>
      <BarChart data={bars} margin={{ top: 8, right: 16, bottom: 8, left: 24 }} title={title} desc={desc}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="label" />
        <YAxis domain={['dataMin', 'dataMax']} tickFormatter={(value: number) => formatAmount(String(value), 0)} />
        <Tooltip
          formatter={(_range: unknown, _name: unknown, item: { payload?: Bar }) =>
            `${formatAmount(item.payload?.value ?? null)} ${currency}`
          }
        />
        <Bar dataKey="range" isAnimationActive={false}>
          {bars.map(bar => (
            <Cell key={bar.label} fill={COLOURS[bar.kind]} />
          ))}
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
}
