import { Content, InfoCard } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/frontend-plugin-api';
import { finopsApiRef } from '../../api/FinopsApi';
import type { CostQuery, CostReport, GroupKey } from '../../api/types';
import { formatMoney, formatRatio, minus, ratio, sum } from '../../lib/money';
import { GRAINS, monthOf, monthsBetween, periodOf, type Grain } from '../../lib/period';
import { currenciesOf, pivot, totalsByPeriod, UNALLOCATED } from '../../lib/shape';
import { COST_PAGE_CARRIED, useForgetRefused, useUrlState } from '../../lib/useUrlState';
import { AmountsInPicker, ConvertedNote, amountsOf } from '../common/AmountsIn';
import { StackedCostChart } from '../../charts/StackedCostChart';
import { AsyncContent } from '../common/AsyncContent';
import { StaleMonthsBanner } from '../common/StaleMonthsBanner';
import { Choice, options } from '../common/Choice';
import { PeriodPicker, SCOPE_LEVELS, ScopePicker, ViewPicker, scopeFilter, type ScopeLevel } from '../common/pickers';
import { Movers } from './Movers';
import { Toolbar } from '../common/Toolbar';
import { ExportButton } from '../common/ExportButton';
import { PeriodTotalsTable } from '../common/PeriodTotalsTable';

const DEFAULTS = {
  view: 'actual',
  grain: 'month',
  from: '',
  to: '',
  stack: 'domain',
  scope: 'all',
  scopeValue: '',
  currency: '',
  in_currency: '',
};
const STACKS = ['domain', 'family'];
const CHOICES = { grain: GRAINS, stack: STACKS, scope: SCOPE_LEVELS };

/** Costs by period for a range, stacked by domain or family, in one pricing view. */
const MONTHS_IN: Record<Grain, number> = { month: 1, quarter: 3, year: 12 };

/**
 * A period named with the months the range covers of it when they are not all of them: the
 * total of `2025` asked from 2025-03 is `2025 (2025-03..2025-12 only)`, not the year's.
 */
function coveredLabel(from: string | null, to: string | null, grain: Grain): (period: string) => string {
  const months = from && to ? monthsBetween(monthOf(from), monthOf(to)) : [];
  return period => {
    const covered = months.filter(month => periodOf(month, grain) === period);
    const partial = covered.length > 0 && covered.length < MONTHS_IN[grain];
    return partial ? `${period} (${covered[0]}..${covered[covered.length - 1]} only)` : period;
  };
}

export function OverviewPage() {
  const [state, update] = useUrlState(DEFAULTS, CHOICES, COST_PAGE_CARRIED);
  // whole periods alone reach the URL (PeriodInput); a hand-edited one is the API's to refuse
  const { from, to } = state;
  const grain = state.grain as Grain;
  const stack = state.stack as GroupKey;
  const filters = scopeFilter(state.scope as ScopeLevel, state.scopeValue);
  const api = useApi(finopsApiRef);
  // the page's question, asked of /costs and of its export alike
  const question: CostQuery = {
    view: state.view,
    from: from || undefined,
    to: to || undefined,
    group_by: `${grain},${stack}`,
    in_currency: state.in_currency || undefined,
    ...filters,
  };
  const report = useAsync(() => api.getCosts(question), [api, JSON.stringify(question)]);
  const me = useAsync(() => api.getMe(), [api]);
  useForgetRefused(report.error, state);
  return (
    <Content>
      <Toolbar>
        <ViewPicker id="finops-view" value={state.view} onChange={view => update({ view })} />
        <PeriodPicker grain={grain} from={state.from} to={state.to} onChange={update} />
        <Choice
          id="finops-stack"
          label="Stack by"
          value={state.stack}
          options={options(STACKS)}
          onChange={value => update({ stack: value })}
        />
        <ScopePicker
          level={state.scope as ScopeLevel}
          value={state.scopeValue}
          onChange={changes => update(changes)}
        />
        <AmountsInPicker value={state.in_currency} shown={report.value?.rows} onChange={value => update({ in_currency: value })} />
        <ExportButton
          query={question}
          fileName={`finops-${state.view}-${from || 'first'}-${to || 'last'}-by-${grain}-${stack}${state.in_currency ? `-in-${state.in_currency}` : ''}.csv`}
        />
      </Toolbar>
      <StaleMonthsBanner staleMonths={report.value?.stale_months} />
      {me.value?.sees_every_application === false && (
        // a viewer's totals, unallocated share and movers are its applications', not the organisation's
        <Typography variant="body2" data-testid="viewer-scope">
          Your applications only: the costs of the applications owned by {me.value.ownership_refs.join(', ')}.
          The totals, the unallocated share and the top movers are theirs, not the organisation's.
        </Typography>
      )}
      <AsyncContent
        {...report}
        isEmpty={value => value.rows.length === 0}
        empty={
          <Typography>
            No costs in the pricing view {state.view} for this period and scope. Widen the period,
            or check the data quality page for the loads of these months.
          </Typography>
        }
      >
        {value => (
          <OverviewBody
            report={value}
            grain={grain}
            stack={stack}
            currency={state.currency}
            onCurrency={currency => update({ currency })}
            filters={filters}
          />
        )}
      </AsyncContent>
    </Content>
  );
}

function OverviewBody(props: {
  report: CostReport;
  grain: Grain;
  stack: GroupKey;
  currency: string;
  onCurrency: (currency: string) => void;
  filters: Record<string, string>;
}) {
  const { report, grain, stack, filters } = props;
  const inCurrency = report.in_currency;
  const currencies = currenciesOf(report.rows);
  const currency = currencies.includes(props.currency) ? props.currency : (currencies[0] ?? '');
  const totals = totalsByPeriod(report.rows, grain).filter(total => total.currency === currency);
  const { data, series } = pivot(report.rows, grain, stack, currency);
  const lastPeriod = report.to ? periodOf(report.to, grain) : undefined;
  // the months of the last period the range covers: the movers compare those, not the whole period
  const lastMonths = report.from && report.to && lastPeriod
    ? monthsBetween(monthOf(report.from), monthOf(report.to)).filter(month => periodOf(month, grain) === lastPeriod)
    : [];
  const [firstMonth] = lastMonths;
  const lastMonth = lastMonths.at(-1);
  return (
    <Grid container spacing={3}>
      {inCurrency && (
        <Grid item xs={12}>
          <ConvertedNote inCurrency={inCurrency} />
        </Grid>
      )}
      <Grid item xs={12}>
        <InfoCard
          title={`Costs by ${grain}, ${report.from} to ${report.to}, view ${report.view}`}
          action={
            currencies.length > 1 ? (
              <Choice id="finops-currency" label="Currency" value={currency} options={options(currencies)} onChange={props.onCurrency} />
            ) : undefined
          }
        >
          <Typography variant="h5" data-testid="overview-total">
            {formatMoney(sum(totals.map(total => total.cost)), currency)}
          </Typography>
          <StackedCostChart data={data} series={series} currency={currency} totals={totals}
            title={`Costs by ${grain} in ${currency}, stacked by ${stack}`} />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <PeriodTotalsTable title={`Total by ${grain} (${currency})`} periodTitle={grain} totals={totals}
          currency={currency} testIdPrefix="period-total" order="asc" periodLabel={coveredLabel(report.from, report.to, grain)} />
      </Grid>
      <Grid item xs={12} md={6}>
        <AllocatedShare view={report.view} from={report.from} to={report.to} currency={currency} inCurrency={inCurrency} filters={filters} />
      </Grid>
      {lastPeriod && firstMonth && lastMonth && (
        <Grid item xs={12}>
          <Movers view={report.view} grain={grain} period={coveredLabel(report.from, report.to, grain)(lastPeriod)}
            from={firstMonth} to={lastMonth} partial={lastMonths.length < MONTHS_IN[grain]}
            currency={currency} inCurrency={inCurrency} filters={filters} />
        </Grid>
      )}
    </Grid>
  );
}

/** How much of the cost is attributed to an application, and how much sits in `unallocated`. */
function AllocatedShare(props: {
  view: string;
  from: string | null;
  to: string | null;
  currency: string;
  inCurrency?: string | null;
  filters: Record<string, string>;
}) {
  const { view, from, to, currency, inCurrency, filters } = props;
  const api = useApi(finopsApiRef);
  const state = useAsync(async () => {
    // two one-row totals (one row a currency), not every application's row
    const asked = { view, from: from ?? undefined, to: to ?? undefined, ...amountsOf(currency, inCurrency), group_by: 'currency', ...filters };
    const scopedToOne = filters.application !== undefined;
    const [all, unallocated] = await Promise.all([
      api.getCosts(asked),
      scopedToOne ? undefined : api.getCosts({ ...asked, application: UNALLOCATED }),
    ]);
    const total = sum(all.rows.map(row => row.cost));
    if (unallocated) return { total, unallocated: sum(unallocated.rows.map(row => row.cost)) };
    return { total, unallocated: filters.application === UNALLOCATED ? total : '0' };
  }, [api, view, from, to, currency, inCurrency, JSON.stringify(filters)]);
  return (
    <AsyncContent {...state}>
      {({ total, unallocated }) => {
        const mapped = minus(total, unallocated);
        return (
          <InfoCard title={`Mapped vs unallocated (${currency})`}>
            <Typography data-testid="mapped-share">
              Mapped to an application: {formatMoney(mapped, currency)} ({formatRatio(ratio(mapped, total))})
            </Typography>
            <Typography data-testid="unallocated-share">
              Unallocated: {formatMoney(unallocated, currency)} ({formatRatio(ratio(unallocated, total))})
            </Typography>
          </InfoCard>
        );
      }}
    </AsyncContent>
  );
}
