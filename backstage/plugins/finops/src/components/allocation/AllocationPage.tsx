import { Content, Table, type TableColumn } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/frontend-plugin-api';
import { finopsApiRef } from '../../api/FinopsApi';
import { UNALLOCATED } from '../../lib/shape';
import type { AllocationShare } from '../../api/types';
import { compare, formatAmount, formatMoney, formatQuantity, formatRatio } from '../../lib/money';
import { WHOLE_MONTH } from '../../lib/period';
import { useUrlState } from '../../lib/useUrlState';
import { AsyncContent } from '../common/AsyncContent';
import { StaleMonthsBanner } from '../common/StaleMonthsBanner';
import { Choice, options } from '../common/Choice';
import { Toolbar } from '../common/Toolbar';
import { PeriodInput } from '../common/PeriodInput';
import { WHOLE_TABLE } from '../common/tableOptions';

const DEFAULTS = { application: '', month: '' };

/** For an application and a month: each indirect pool's share and how the rule computed it. */
export function AllocationPage() {
  const [state, update] = useUrlState(DEFAULTS);
  const api = useApi(finopsApiRef);
  const applications = useAsync(() => api.listApplications(), [api]);
  const latest = useAsync(async () => (await api.getCosts({ group_by: 'month' })).to ?? '', [api]);
  const application = state.application || applications.value?.[0]?.code || '';
  const month = state.month || latest.value || '';
  const explanation = useAsync(
    async () => (application && month ? api.explainAllocation({ application, month }) : undefined),
    [api, application, month],
  );
  return (
    <Content>
      <Toolbar>
        <Choice id="finops-application" label="Application" value={application}
          options={options((applications.value ?? []).map(app => app.code))} onChange={value => update({ application: value })} />
        <PeriodInput id="finops-month" label="Month" placeholder="YYYY-MM" pattern={WHOLE_MONTH} value={month} onChange={value => update({ month: value })} />
      </Toolbar>
      <StaleMonthsBanner staleMonths={explanation.value?.stale_months} />
      <AsyncContent
        {...explanation}
        isEmpty={value => value.rows.length === 0}
        empty={
          <Typography data-testid="allocation-empty">
            {explanation.value?.has_cost === false // an older API does not say
              ? `${application} has no cost in ${month}, direct or allocated.`
              : application === UNALLOCATED
                ? `${UNALLOCATED} holds the costs of ${month} that no mapping attributes to an application, and takes no `
                  + 'share of an indirect pool. The Data quality page says which lines they are (mapping coverage).'
                : `${application} received no share of an indirect pool in ${month}: its costs are all direct. `
                  + 'Shares come from the allocation rules (the `allocation:` folder of finops.yaml).'}
          </Typography>
        }
      >
        {value => {
          const views = [...new Set(value.rows.flatMap(row => row.costs.map(cost => cost.view)))];
          return (
            <Table<AllocationShare>
              title={`Shares of ${value.application} in ${value.month}`}
              options={WHOLE_TABLE}
              columns={[
                { title: 'Pool', field: 'product', render: row => `${row.product} (${row.source})` },
                {
                  title: 'Rule',
                  field: 'rule',
                  render: row => (
                    <>
                      <strong>{row.rule}</strong>
                      <br />
                      {row.driver ? `${row.method}: ${row.driver}` : row.method}
                      {row.scope_level ? `, on ${row.scope_level} ${row.scope_code}` : ''}
                    </>
                  ),
                },
                { title: 'Weight / total', field: 'weight', render: row => `${formatQuantity(row.weight)} / ${formatQuantity(row.total_weight)}`, customSort: (a, b) => compare(a.share, b.share) },
                { title: 'Share', field: 'share', render: row => formatRatio(row.share), customSort: (a, b) => compare(a.share, b.share) },
                { title: 'Quantity of pool', field: 'quantity', render: row => `${formatQuantity(row.quantity)} of ${formatQuantity(row.pool_quantity)} ${row.unit}`, customSort: (a, b) => compare(a.quantity, b.quantity) },
                { title: 'Cost of pool', field: 'cost', render: row => `${formatAmount(row.cost)} of ${formatAmount(row.pool_cost)} ${row.currency}`, customSort: (a, b) => compare(a.cost, b.cost) },
                ...views.map((view): TableColumn<AllocationShare> => ({
                  title: view,
                  render: row => {
                    const cost = row.costs.find(item => item.view === view);
                    return cost ? formatMoney(cost.cost, cost.currency) : '';
                  },
                })),
              ]}
              data={value.rows}
            />
          );
        }}
      </AsyncContent>
    </Content>
  );
}
