import { Content, InfoCard, Table } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/frontend-plugin-api';
import { finopsApiRef } from '../../api/FinopsApi';
import type { EntityApplications } from '../../lib/entityApplications';
import { compare, formatMoney, sum } from '../../lib/money';
import { currenciesOf, pivot, totalsByPeriod } from '../../lib/shape';
import { useUrlState } from '../../lib/useUrlState';
import { StackedCostChart } from '../../charts/StackedCostChart';
import { AsyncContent } from '../common/AsyncContent';
import { Choice, options } from '../common/Choice';
import { StaleMonthsBanner } from '../common/StaleMonthsBanner';
import { RangeFields, ViewPicker } from '../common/pickers';
import { Toolbar } from '../common/Toolbar';
import { PeriodTotalsTable } from '../common/PeriodTotalsTable';
import { NoCostsState } from './NoCostsState';
import { useEntityApplications } from './useEntityApplications';
import { WHOLE_TABLE } from '../common/tableOptions';
import { AmountsInPicker, ConvertedNote } from '../common/AmountsIn';

const DEFAULTS = { view: 'actual', from: '', to: '', currency: '', in_currency: '' };

/** The Costs tab of a Component, System or Group: its applications' costs by month and family. */
export function EntityCostsContent() {
  const { entity, ...resolved } = useEntityApplications();
  return (
    <Content>
      <AsyncContent {...resolved}>
        {value =>
          value.codes.length === 0 ? (
            <NoCostsState entityRef={value.ref} kind={entity.kind} codes={[]} />
          ) : (
            <ApplicationCosts resolved={value} kind={entity.kind} />
          )
        }
      </AsyncContent>
    </Content>
  );
}

function ApplicationCosts({ resolved, kind }: { resolved: EntityApplications; kind: string }) {
  const [state, update] = useUrlState(DEFAULTS);
  // whole periods alone reach the URL (PeriodInput); a hand-edited one is the API's to refuse
  const { from, to } = state;
  const api = useApi(finopsApiRef);
  const application = resolved.codes.join(',');
  const asked = { view: state.view, from: from || undefined, to: to || undefined, in_currency: state.in_currency || undefined, application };
  const report = useAsync(() => api.getCosts({ ...asked, group_by: 'month,family' }), [api, JSON.stringify(asked)]);
  const byApplication = useAsync(() => api.getCosts({ ...asked, group_by: 'application' }), [api, JSON.stringify(asked)]);
  return (
    <>
      <Toolbar>
        <ViewPicker id="finops-view" value={state.view} onChange={view => update({ view })} />
        <RangeFields from={state.from} to={state.to} onChange={update} />
        <AmountsInPicker value={state.in_currency} shown={report.value?.rows} onChange={value => update({ in_currency: value })} />
        <Typography variant="body2" style={{ alignSelf: 'center' }} data-testid="entity-applications">
          Applications: {resolved.codes.join(', ')} (
          {resolved.how === 'annotation' ? 'finops/application annotation' : resolved.how === 'owner' ? 'owned by this group' : 'entity_ref in the FinOps catalog'})
        </Typography>
      </Toolbar>
      <StaleMonthsBanner staleMonths={report.value?.stale_months} />
      <AsyncContent {...report} isEmpty={value => value.rows.length === 0}
        empty={
          <NoCostsState entityRef={resolved.ref} kind={kind} codes={resolved.codes} view={state.view}
            range={from || to ? `${report.value?.from ?? from}..${report.value?.to ?? to}` : undefined} />
        }>
        {value => {
          // as on the Overview: the currency of the largest total unless one is chosen; the
          // others were left out without a word, beside a card that showed them
          const currencies = currenciesOf(value.rows);
          const currency = currencies.includes(state.currency) ? state.currency : (currencies[0] ?? '');
          const totals = totalsByPeriod(value.rows, 'month').filter(total => total.currency === currency);
          const { data, series } = pivot(value.rows, 'month', 'family', currency);
          const last = totals[totals.length - 1];
          return (
            <Grid container spacing={3}>
              {value.in_currency && (
                <Grid item xs={12}>
                  <ConvertedNote inCurrency={value.in_currency} />
                </Grid>
              )}
              <Grid item xs={12}>
                <InfoCard
                  title={`Costs by month and family, ${value.from}..${value.to}, view ${value.view}`}
                  action={
                    currencies.length > 1 ? (
                      <Choice id="finops-currency" label="Currency" value={currency} options={options(currencies)} onChange={choice => update({ currency: choice })} />
                    ) : undefined
                  }
                >
                  <Typography variant="h5" data-testid="entity-total">
                    {formatMoney(sum(totals.map(total => total.cost)), currency)}
                  </Typography>
                  {last && (
                    <Typography variant="body2" data-testid="entity-last-month">
                      {last.period}: {formatMoney(last.cost, currency)}
                    </Typography>
                  )}
                  <StackedCostChart data={data} series={series} currency={currency} totals={totals}
                    title={`Costs by month in ${currency}, stacked by family`} />
                </InfoCard>
              </Grid>
              <Grid item xs={12} md={6}>
                <PeriodTotalsTable title={`By month (${currency})`} periodTitle="Month" totals={totals}
                  currency={currency} testIdPrefix="entity-month" order="desc" />
              </Grid>
              <Grid item xs={12} md={6}>
                <AsyncContent {...byApplication}>
                  {apps => (
                    <Table
                      title="By application"
                      options={WHOLE_TABLE}
                      columns={[
                        { title: 'Application', field: 'application' },
                        { title: 'Currency', field: 'currency' },
                        { title: 'Cost', field: 'cost', render: row => formatMoney(row.cost, row.currency), customSort: (a, b) => compare(a.cost, b.cost) },
                      ]}
                      data={apps.rows}
                    />
                  )}
                </AsyncContent>
              </Grid>
            </Grid>
          );
        }}
      </AsyncContent>
    </>
  );
}
