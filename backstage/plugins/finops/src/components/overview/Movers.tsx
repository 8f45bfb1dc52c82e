import { Table } from '@backstage/core-components';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/frontend-plugin-api';
import { finopsApiRef } from '../../api/FinopsApi';
import { periodOf, previousOf, type Grain } from '../../lib/period';
import { AsyncContent } from '../common/AsyncContent';
import { compareColumns } from '../common/compareColumns';

const TOP = 8;

/** The applications whose cost moved most between the last period and the one before. */
export function Movers(props: {
  view: string;
  grain: Grain;
  period: string;
  currency: string;
  filters: Record<string, string>;
}) {
  const { view, grain, period, currency, filters } = props;
  const api = useApi(finopsApiRef);
  const state = useAsync(
    () =>
      api.compareCosts({
        view,
        from: period,
        to: period,
        against_period: previousOf(grain),
        group_by: 'application',
        currency,
        ...filters,
        // the API sorts by the size of the change and sends the top rows alone
        sort: 'delta_desc',
        limit: TOP,
      }),
    [api, view, grain, period, currency, JSON.stringify(filters)],
  );
  return (
    <AsyncContent
      {...state}
      isEmpty={report => report.rows.every(row => row.delta === null)}
      empty={<p>No previous period to compare with.</p>}
    >
      {report => (
        <Table
          // the period before, at the page's grain: the API names its first month
          title={`Top movers, ${period} against ${report.against_from ? periodOf(report.against_from, grain) : ''} (${currency})`}
          options={{ paging: false, search: false, padding: 'dense' }}
          columns={[{ title: 'Application', field: 'application' }, ...compareColumns(period, 'Previous')]}
          data={report.rows.filter(row => row.delta !== null)}
        />
      )}
    </AsyncContent>
  );
}
