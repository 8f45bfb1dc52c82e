import { Content, Table } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/frontend-plugin-api';
import { finopsApiRef } from '../../api/FinopsApi';
import type { SourceCoverage } from '../../api/types';
import { compare, formatAmount, formatRatio } from '../../lib/money';
import { WHOLE_MONTH } from '../../lib/period';
import { useUrlState } from '../../lib/useUrlState';
import { AsyncContent } from '../common/AsyncContent';
import { StaleMonthsBanner } from '../common/StaleMonthsBanner';
import { Toolbar } from '../common/Toolbar';
import { PeriodInput } from '../common/PeriodInput';
import { LoadsTable } from './LoadsTable';
import { PriceCoverage } from './PriceCoverage';
import { WHOLE_TABLE } from '../common/tableOptions';

const DEFAULTS = { month: '' };

/** The load audit per source and month, mapping coverage and price coverage. */
export function DataQualityPage() {
  const [state, update] = useUrlState(DEFAULTS);
  const api = useApi(finopsApiRef);
  const latest = useAsync(async () => (await api.getCosts({ group_by: 'month' })).to ?? '', [api]);
  // a hand-edited month that is none is said once, here, instead of by each of the three answers
  const invalid = state.month !== '' && !WHOLE_MONTH.test(state.month);
  const month = invalid ? '' : state.month || latest.value || '';
  // the load audit is the admin role's (GET /loads answers 403 to others): asked only of an admin
  const me = useAsync(() => api.getMe(), [api]);
  const readsLoads = me.value?.can_read_loads === true;
  const loads = useAsync(async () => (month && readsLoads ? api.listLoads(month) : undefined), [api, month, readsLoads]);
  const coverage = useAsync(async () => (month ? api.getMappingCoverage(month) : undefined), [api, month]);
  return (
    <Content>
      <Toolbar>
        <PeriodInput id="finops-month" label="Month" placeholder="YYYY-MM" pattern={WHOLE_MONTH} value={month} onChange={value => update({ month: value })} />
      </Toolbar>
      {invalid && (
        <Typography color="error" data-testid="month-invalid">
          month: expected YYYY-MM, got {JSON.stringify(state.month)}
        </Typography>
      )}
      <StaleMonthsBanner staleMonths={coverage.value?.stale_months} />
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <AsyncContent {...me}>
            {who =>
              who.can_read_loads ? (
                <AsyncContent {...loads} isEmpty={rows => rows.length === 0} empty={<p>No load recorded for {month}: materialize the month's sources.</p>}>
                  {rows => <LoadsTable month={month} rows={rows} />}
                </AsyncContent>
              ) : (
                <p data-testid="loads-admin-only">
                  The load audit is for the admin role: {who.subject} has the {who.role} role. Mapping and price coverage
                  are below.
                </p>
              )
            }
          </AsyncContent>
        </Grid>
        <Grid item xs={12} md={6}>
          <AsyncContent {...coverage}>
            {value => (
              <Table<SourceCoverage>
                title={`Mapping coverage, ${month}`}
                options={WHOLE_TABLE}
                columns={[
                  { title: 'Source', field: 'source' },
                  { title: 'Currency', field: 'currency' },
                  { title: 'Mapped', field: 'mapped_cost', render: row => formatAmount(row.mapped_cost), customSort: (a, b) => compare(a.mapped_cost, b.mapped_cost) },
                  { title: 'Unallocated', field: 'unallocated_cost', render: row => formatAmount(row.unallocated_cost), customSort: (a, b) => compare(a.unallocated_cost, b.unallocated_cost) },
                  { title: 'Total', field: 'total_cost', render: row => formatAmount(row.total_cost), customSort: (a, b) => compare(a.total_cost, b.total_cost) },
                  { title: 'Mapped share', field: 'mapped_share', render: row => formatRatio(row.mapped_share), customSort: (a, b) => compare(a.mapped_share, b.mapped_share) },
                ]}
                data={value.rows}
              />
            )}
          </AsyncContent>
        </Grid>
        <Grid item xs={12} md={6}>
          {month && <PriceCoverage month={month} />}
        </Grid>
      </Grid>
    </Content>
  );
}
