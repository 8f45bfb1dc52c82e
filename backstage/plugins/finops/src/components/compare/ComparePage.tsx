import { Content, Table } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/frontend-plugin-api';
import { finopsApiRef } from '../../api/FinopsApi';
import type { CompareQuery, CompareRow, GroupKey } from '../../api/types';
import { AGAINST_PERIODS, grainOf, monthOf, periodOf, type AgainstPeriod } from '../../lib/period';
import { currenciesOf } from '../../lib/shape';
import { COST_PAGE_CARRIED, useForgetRefused, useUrlState } from '../../lib/useUrlState';
import { AsyncContent } from '../common/AsyncContent';
import { StaleMonthsBanner } from '../common/StaleMonthsBanner';
import { Choice, options } from '../common/Choice';
import { RangeFields, SCOPE_LEVELS, ScopePicker, ViewPicker, scopeFilter, type ScopeLevel } from '../common/pickers';
import { Toolbar } from '../common/Toolbar';
import { NO_KEY, compareColumns, sideTotalText, unmatchedCurrencies } from '../common/compareColumns';
import { WarningPanel } from '@backstage/core-components';
import { VarianceBridge } from './VarianceBridge';
import { TABLE_OPTIONS } from '../common/tableOptions';
import { AmountsInPicker, ConvertedNote } from '../common/AmountsIn';

const DEFAULTS = {
  mode: 'views',
  view: 'actual',
  against: 'actual-rate',
  against_period: 'previous_month',
  from: '',
  to: '',
  group_by: 'family',
  scope: 'all',
  scopeValue: '',
  currency: '',
  in_currency: '',
};

const GROUP_KEYS: GroupKey[] = ['application', 'owner', 'domain', 'family', 'product', 'source'];
const CHOICES = { mode: ['views', 'periods'], against_period: AGAINST_PERIODS, group_by: GROUP_KEYS, scope: SCOPE_LEVELS };

/** Two pricing views over the same months, or one view over two periods, row by row. */
export function ComparePage() {
  const [state, update] = useUrlState(DEFAULTS, CHOICES, COST_PAGE_CARRIED);
  // whole periods alone reach the URL (PeriodInput); a hand-edited one is the API's to refuse
  const { from, to } = state;
  const api = useApi(finopsApiRef);
  const filters = scopeFilter(state.scope as ScopeLevel, state.scopeValue);
  const against = state.mode === 'views'
    ? { against: state.against }
    : { against_period: state.against_period as AgainstPeriod };
  const query: CompareQuery = {
    view: state.view,
    from: from || undefined,
    to: to || undefined,
    group_by: state.group_by,
    in_currency: state.in_currency || undefined,
    ...against,
    ...filters,
  };
  const report = useAsync(async () => {
    if (state.mode === 'periods' && !from && !to) {
      // no period chosen: the last one with data against the one before it (asked as every
      // month with data, it was the whole range against the whole range shifted by a period)
      const last = (await api.getCosts({ view: state.view, group_by: 'currency', ...filters })).to;
      if (last) {
        const period = periodOf(last, grainOf(state.against_period as AgainstPeriod));
        return api.compareCosts({ ...query, from: period, to: period });
      }
    }
    return api.compareCosts(query);
  }, [api, state.mode, JSON.stringify(query)]);
  useForgetRefused(report.error, state);
  return (
    <Content>
      <Toolbar>
        <Choice
          id="finops-mode"
          label="Compare"
          value={state.mode}
          options={[{ value: 'views', label: 'two pricing views' }, { value: 'periods', label: 'two periods' }]}
          onChange={mode => update({ mode })}
        />
        <ViewPicker id="finops-view" value={state.view} onChange={view => update({ view })} />
        {state.mode === 'views' ? (
          <ViewPicker id="finops-against" label="Against view" value={state.against} onChange={value => update({ against: value })} />
        ) : (
          <Choice
            id="finops-against-period"
            label="Against"
            value={state.against_period}
            options={options(AGAINST_PERIODS)}
            onChange={value => update({ against_period: value })}
          />
        )}
        <RangeFields from={state.from} to={state.to} onChange={update} />
        <Choice id="finops-group-by" label="Rows" value={state.group_by} options={options(GROUP_KEYS)} onChange={value => update({ group_by: value })} />
        <ScopePicker level={state.scope as ScopeLevel} value={state.scopeValue} onChange={update} />
        <AmountsInPicker value={state.in_currency} shown={report.value?.rows} onChange={value => update({ in_currency: value })} />
      </Toolbar>
      <StaleMonthsBanner staleMonths={report.value?.stale_months} />
      <AsyncContent {...report} isEmpty={value => value.rows.length === 0} empty={<p>No costs on either side for this period and scope.</p>}>
        {value => {
          const currencies = currenciesOf(value.rows);
          const currency = currencies.includes(state.currency) ? state.currency : (currencies[0] ?? '');
          const rows = value.rows.filter(row => row.currency === currency);
          const key = state.group_by as keyof CompareRow;
          const label = state.mode === 'views' ? value.against : `${value.against_from}..${value.against_to}`;
          const unmatched = unmatchedCurrencies(value.rows);
          // a range longer than the shift puts its first months on both sides (Q2..Q3 against Q1..Q2)
          const overlap = state.mode === 'periods' && value.to && value.against_to && value.against_to >= monthOf(value.from ?? '')
            ? `${monthOf(value.from ?? '')}..${monthOf(value.against_to)}` : undefined;
          return (
            <Grid container spacing={3}>
              {unmatched.length > 0 && !value.in_currency && (
                <Grid item xs={12} data-testid="unmatched-currencies">
                  <WarningPanel severity="warning" defaultExpanded title={`No costs in ${unmatched.join(', ')} on one side: no variance there`}>
                    Amounts are compared currency by currency: a side without costs in{' '}
                    {unmatched.join(', ')} (a budget priced in another currency, say) makes those rows' delta their whole
                    cost. Compare the currency both sides price in, or choose “Amounts in” to convert both sides into one
                    currency at each month's FX rate.
                  </WarningPanel>
                </Grid>
              )}
              {overlap && (
                <Grid item xs={12} data-testid="overlapping-periods">
                  <WarningPanel severity="warning" defaultExpanded title={`Both sides hold ${overlap}`}>
                    The range is longer than the period it is shifted by ({state.against_period.replace('_', ' ')}), so its
                    first months are on both sides and their change is counted as none. Choose a range of one period, or a
                    longer shift.
                  </WarningPanel>
                </Grid>
              )}
              <Grid item xs={12}>
                <ConvertedNote inCurrency={value.in_currency} />
                <Table<CompareRow>
                  title={`${value.view} (${value.from}..${value.to}) against ${label}: ${sideTotalText(rows, 'cost', currency)} vs ${sideTotalText(rows, 'against_cost', currency)}`}
                  options={{ paging: rows.length > 20, pageSize: 20, search: true, ...TABLE_OPTIONS }}
                  columns={[{ title: state.group_by, field: key, render: row => row[key] ?? NO_KEY }, ...compareColumns(value.view, label)]}
                  data={rows}
                />
                {currencies.length > 1 && (
                  <Choice id="finops-currency" label="Currency" value={currency} options={options(currencies)} onChange={value => update({ currency: value })} />
                )}
              </Grid>
              <Grid item xs={12}>
                {state.mode === 'periods' && value.rows.every(row => row.against_priced === null) ? (
                  // every cost would be "new": a period before the data, not a change to explain
                  <p data-testid="no-against-data">
                    No costs in {value.against_from}..{value.against_to} for this scope: nothing to explain the change against.
                  </p>
                ) : state.mode === 'periods' ? (
                  <VarianceBridge
                    query={{
                      view: state.view,
                      from: value.from ?? undefined,
                      to: value.to ?? undefined,
                      group_by: state.group_by,
                      against_period: state.against_period as AgainstPeriod,
                      in_currency: value.in_currency ?? undefined,
                      ...filters,
                    }}
                    currency={currency}
                    groupKey={state.group_by}
                  />
                ) : (
                  <p>The variance bridge (volume, mix, price, unsplit, new, retired) explains a change between two periods: choose “two periods”.</p>
                )}
              </Grid>
            </Grid>
          );
        }}
      </AsyncContent>
    </Content>
  );
}
