import { Table } from '@backstage/core-components';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/frontend-plugin-api';
import { finopsApiRef } from '../../api/FinopsApi';
import { monthOf, periodOf, previousOf, type Grain } from '../../lib/period';
import { AsyncContent } from '../common/AsyncContent';
import { compareColumns } from '../common/compareColumns';
import { WHOLE_TABLE } from '../common/tableOptions';
import { amountsOf } from '../common/AmountsIn';

const TOP = 8;

/** The period compared with: named at the grain, or by its months when it is part of one. */
function against(first: string | null, last: string | null, partial: boolean, grain: Grain): string {
  if (!first || !last) return '';
  return partial ? `${monthOf(first)}..${monthOf(last)}` : periodOf(first, grain);
}

/**
 * The applications whose cost moved most between the last period and the one before: the
 * months of it the page's range covers (`from`..`to`), against the same months of the period
 * before, so that a quarter the range ends inside is not compared whole (`period` names it).
 */
export function Movers(props: {
  view: string;
  grain: Grain;
  period: string;
  from: string;
  to: string;
  partial: boolean;
  currency: string;
  inCurrency?: string | null;
  filters: Record<string, string>;
}) {
  const { view, grain, period, from, to, partial, currency, inCurrency, filters } = props;
  const api = useApi(finopsApiRef);
  const state = useAsync(
    () =>
      api.compareCosts({
        view,
        from,
        to,
        against_period: previousOf(grain),
        group_by: 'application',
        ...amountsOf(currency, inCurrency),
        ...filters,
        // the API sorts by the size of the change and sends the top rows alone
        sort: 'delta_desc',
        limit: TOP,
      }),
    [api, view, grain, from, to, currency, inCurrency, JSON.stringify(filters)],
  );
  return (
    <AsyncContent
      {...state}
      isEmpty={report => report.rows.every(row => row.delta === null)}
      empty={<p>No previous period to compare with.</p>}
    >
      {report => (
        <Table
          // the period before, at the page's grain (its months when the range covers part of it)
          title={`Top movers, ${period} against ${against(report.against_from, report.against_to, partial, grain)} (${currency})`}
          options={WHOLE_TABLE}
          columns={[{ title: 'Application', field: 'application' }, ...compareColumns(period, 'Previous')]}
          data={report.rows.filter(row => row.delta !== null)}
        />
      )}
    </AsyncContent>
  );
}
