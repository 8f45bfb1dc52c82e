import { Table } from '@backstage/core-components';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/frontend-plugin-api';
import { finopsApiRef } from '../../api/FinopsApi';
import { AsyncContent } from '../common/AsyncContent';
import { WHOLE_TABLE } from '../common/tableOptions';

type ViewCoverage = { view: string; products: number; unpriced: number; first_unpriced: string };

/** Per pricing view other than actual: how many of the month's products it prices. */
export function PriceCoverage({ month }: { month: string }) {
  const api = useApi(finopsApiRef);
  const state = useAsync(async (): Promise<ViewCoverage[]> => {
    const views = (await api.listPricingViews()).filter(view => view.kind !== 'source');
    return Promise.all(
      views.map(async view => {
        const report = await api.getCosts({ view: view.code, from: month, to: month, group_by: 'product' });
        const unpriced = [...new Set(report.rows.filter(row => !row.priced).map(row => row.product ?? ''))];
        const products = new Set(report.rows.map(row => row.product)).size;
        return { view: view.code, products, unpriced: unpriced.length, first_unpriced: unpriced.slice(0, 3).join(', ') };
      }),
    );
  }, [api, month]);
  return (
    <AsyncContent {...state}>
      {rows => (
        <Table<ViewCoverage>
          title={`Price coverage, ${month}`}
          options={WHOLE_TABLE}
          columns={[
            { title: 'View', field: 'view' },
            { title: 'Products', field: 'products', type: 'numeric' },
            { title: 'Unpriced', field: 'unpriced', type: 'numeric' },
            { title: 'First to price', field: 'first_unpriced' },
          ]}
          data={rows}
        />
      )}
    </AsyncContent>
  );
}
