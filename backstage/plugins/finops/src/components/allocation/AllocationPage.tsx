import { Content, Table, type TableColumn } from '@backstage/core-components';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/frontend-plugin-api';
import { finopsApiRef } from '../../api/FinopsApi';
import type { AllocationShare } from '../../api/types';
import { compare, formatAmount, formatRatio } from '../../lib/money';
import { useUrlState } from '../../lib/useUrlState';
import { AsyncContent } from '../common/AsyncContent';
import { Choice, options } from '../common/Choice';
import { Toolbar } from '../common/Toolbar';

const DEFAULTS = { application: '', month: '' };

const amount = (field: 'weight' | 'total_weight' | 'share' | 'pool_quantity' | 'pool_cost' | 'quantity' | 'cost'): TableColumn<AllocationShare> => ({
  title: field.replace('_', ' '),
  field,
  render: row => (field === 'share' ? formatRatio(row.share) : formatAmount(row[field], field === 'cost' || field === 'pool_cost' ? 2 : 4)),
  customSort: (a, b) => compare(a[field], b[field]),
});

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
        <TextField id="finops-month" label="Month" placeholder="YYYY-MM" value={month}
          onChange={event => update({ month: event.target.value.trim() })} variant="outlined" size="small" InputLabelProps={{ shrink: true }} />
      </Toolbar>
      <AsyncContent
        {...explanation}
        isEmpty={value => value.rows.length === 0}
        empty={
          <Typography data-testid="allocation-empty">
            {application} received no share of an indirect pool in {month}: its costs are all direct.
            Shares come from the allocation rules (the `allocation:` folder of finops.yaml).
          </Typography>
        }
      >
        {value => {
          const views = [...new Set(value.rows.flatMap(row => row.costs.map(cost => cost.view)))];
          return (
            <Table<AllocationShare>
              title={`Shares of ${value.application} in ${value.month}`}
              options={{ paging: false, search: false, padding: 'dense' }}
              columns={[
                { title: 'Pool', field: 'product', render: row => `${row.product} (${row.source})` },
                { title: 'Rule', field: 'rule' },
                { title: 'Method', field: 'method', render: row => (row.driver ? `${row.method}: ${row.driver}` : row.method) },
                { title: 'Scope', field: 'scope_code', render: row => (row.scope_level ? `${row.scope_level} ${row.scope_code}` : '') },
                amount('weight'),
                amount('total_weight'),
                amount('share'),
                amount('pool_quantity'),
                amount('quantity'),
                { title: 'Unit', field: 'unit' },
                amount('pool_cost'),
                amount('cost'),
                ...views.map((view): TableColumn<AllocationShare> => ({
                  title: `cost in ${view}`,
                  render: row => {
                    const cost = row.costs.find(item => item.view === view);
                    return cost ? `${formatAmount(cost.cost)} ${cost.currency}` : '';
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
