import { InfoCard, Table } from '@backstage/core-components';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/frontend-plugin-api';
import { finopsApiRef } from '../../api/FinopsApi';
import { amountsOf } from '../common/AmountsIn';
import type { VarianceQuery, VarianceRow } from '../../api/types';
import { compare, formatAmount, sum } from '../../lib/money';
import { AsyncContent } from '../common/AsyncContent';
import { AMOUNT_CELL, NO_KEY } from '../common/compareColumns';
import { WaterfallChart, type BridgeStep } from '../../charts/WaterfallChart';
import { WHOLE_TABLE } from '../common/tableOptions';

const EFFECTS = ['volume', 'mix', 'price', 'fx', 'unsplit', 'new', 'retired'] as const;
/** The bridge's headers: its two periods' costs named as the waterfall names them. */
const TITLES: Partial<Record<string, string>> = { against_cost: 'before', cost: 'after', fx: 'FX' };

/** The effects the bridge's table shows: those not 0 in every row (an 11-column table needed a
 * sideways scroll at 1280 px; the waterfall still shows every step). */
export function shownEffects(rows: VarianceRow[]): (typeof EFFECTS)[number][] {
  return EFFECTS.filter(effect => rows.some(row => compare(row[effect] ?? '0', '0') !== 0));
}

/** The bridge's steps over some rows: exact sums, which add up to the delta by construction. */
export function bridgeSteps(rows: VarianceRow[]): BridgeStep[] | undefined {
  const against = sum(rows.map(row => row.against_cost ?? '0'));
  const cost = sum(rows.map(row => row.cost ?? '0'));
  // FX: what the exchange rates' move changed, converted into one currency (else none)
  const effects = EFFECTS.map(effect => ({ label: TITLES[effect] ?? effect, value: sum(rows.map(row => row[effect] ?? '0')) }))
    .filter(effect => effect.label !== TITLES.fx || compare(effect.value ?? '0', '0') !== 0);
  if (against === null || cost === null || effects.some(effect => effect.value === null)) return undefined;
  return [
    { label: 'before', value: against, total: true },
    ...effects.map(effect => ({ label: effect.label, value: effect.value ?? '0' })),
    { label: 'after', value: cost, total: true },
  ];
}

/** Why costs moved between two periods: volume, mix, price, unsplit, new and retired products. */
export function VarianceBridge(props: { query: VarianceQuery; currency: string; groupKey: string }) {
  const { query, currency, groupKey } = props;
  const api = useApi(finopsApiRef);
  const state = useAsync(
    () => api.getVariance({ ...query, ...amountsOf(currency, query.in_currency) }),
    [api, JSON.stringify(query), currency],
  );
  return (
    <AsyncContent {...state} isEmpty={report => report.rows.length === 0} empty={<p>Nothing to explain.</p>}>
      {report => {
        const priced = report.rows.filter(row => row.priced);
        const steps = bridgeSteps(priced);
        return (
          <InfoCard
            title={`Variance bridge, ${report.from}..${report.to} against ${report.against_from}..${report.against_to} (${currency})`}
            subheader={[
              priced.length < report.rows.length
                ? `${report.rows.length - priced.length} group(s) left out: a product is unpriced in one period`
                : '',
              query.in_currency
                ? `Converted into ${query.in_currency}: volume, mix and price at the earlier period's exchange rates, FX what their move changed`
                : '',
            ].filter(Boolean).join('. ') || undefined}
          >
            {steps && <WaterfallChart steps={steps} currency={currency} title={`Variance bridge in ${currency}, before to after`} />}
            <Table<VarianceRow>
              options={{ ...WHOLE_TABLE, toolbar: false }}
              columns={[
                // whole words: a family name broke mid-word in a narrow first column
                { title: groupKey, field: groupKey as keyof VarianceRow, cellStyle: { minWidth: 160, wordBreak: 'normal' },
                  render: (row: VarianceRow) => row[groupKey as keyof VarianceRow] ?? NO_KEY },
                ...(['against_cost', 'cost', 'delta', ...shownEffects(report.rows)] as const).map(field => ({
                  title: TITLES[field] ?? field,
                  field,
                  cellStyle: AMOUNT_CELL,
                  render: (row: VarianceRow) => formatAmount(row[field]),
                  customSort: (a: VarianceRow, b: VarianceRow) => compare(a[field], b[field]),
                })),
              ]}
              data={report.rows}
            />
          </InfoCard>
        );
      }}
    </AsyncContent>
  );
}
