import { fireEvent, screen, waitFor } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { finopsApiRef } from '../api/FinopsApi';
import type { CompareQuery, CostQuery } from '../api/types';
import { fixtureApi } from '../testing/fixtures';
import { OverviewPage } from './overview/OverviewPage';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityCostsContent } from './entity/EntityCostsContent';

describe('the Overview in one currency', () => {
  it('asks every question converted, with no currency filter, and says so', async () => {
    // billed: 160.00 EUR and 7.50 USD in February; converted at 0.9: 166.75 EUR
    const asked: CostQuery[] = [];
    const compared: CompareQuery[] = [];
    const base = fixtureApi();
    const api = fixtureApi({
      getCosts: async query => {
        asked.push(query);
        const report = await base.getCosts(query);
        if (!query.in_currency) return report;
        const rows = report.rows.filter(row => row.currency === 'EUR')
          .map(row => (row.month === '2026-02' && row.domain === 'compute' ? { ...row, cost: '126.75' } : row));
        return { ...report, in_currency: query.in_currency, rows };
      },
      compareCosts: async query => { compared.push(query); return base.compareCosts(query); },
    });
    await renderInTestApp(<OverviewPage />, { apis: [[finopsApiRef, api]], initialRouteEntries: ['/?grain=month'] });
    expect(await screen.findByTestId('period-total-2026-02')).toHaveTextContent('160.00 EUR');
    fireEvent.change(screen.getByLabelText('Amounts in'), { target: { value: 'EUR' } });
    expect(await screen.findByTestId('converted')).toHaveTextContent('Every amount in EUR');
    await waitFor(() => expect(screen.getByTestId('period-total-2026-02')).toHaveTextContent('166.75 EUR'));
    await waitFor(() => expect(compared.some(query => query.in_currency === 'EUR')).toBe(true));
    // the totals, the mapped share and the movers: converted, none filtered to the rows billed in EUR
    const converted = [...asked, ...compared].filter(query => query.in_currency === 'EUR');
    expect(converted.length).toBeGreaterThanOrEqual(3);
    expect(converted.filter(query => query.currency !== undefined)).toEqual([]);
  });
});

describe('the Costs tab in one currency', () => {
  it('asks both its questions converted', async () => {
    const entity = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'payments', namespace: 'default' } };
    const asked: CostQuery[] = [];
    const base = fixtureApi();
    const api = fixtureApi({
      getCosts: async query => { asked.push(query); return { ...(await base.getCosts(query)), in_currency: query.in_currency ?? null }; },
    });
    await renderInTestApp(
      <EntityProvider entity={entity}>
        <EntityCostsContent />
      </EntityProvider>,
      { apis: [[finopsApiRef, api]], initialRouteEntries: ['/?in_currency=EUR'] },
    );
    expect(await screen.findByTestId('converted')).toHaveTextContent('Every amount in EUR');
    expect(asked.map(query => [query.group_by, query.in_currency, query.application])).toEqual([
      ['month,family', 'EUR', 'payments'],
      ['application', 'EUR', 'payments'],
    ]);
  });
});

describe("a viewer's Overview", () => {
  it('says its figures are its applications\' only', async () => {
    const api = fixtureApi({
      getMe: async () => ({
        subject: 'user:default/pat', role: 'viewer', authentication: 'backstage',
        ownership_refs: ['group:default/payments-team', 'user:default/pat'],
        sees_every_application: false, can_write_simulations: false, can_read_loads: false,
      }),
    });
    await renderInTestApp(<OverviewPage />, { apis: [[finopsApiRef, api]] });
    expect(await screen.findByTestId('viewer-scope')).toHaveTextContent(
      'Your applications only: the costs of the applications owned by group:default/payments-team, user:default/pat.',
    );
  });

  it('says nothing of the kind to finance', async () => {
    await renderInTestApp(<OverviewPage />, { apis: [[finopsApiRef, fixtureApi()]] });
    await screen.findByTestId('period-total-2026-02');
    expect(screen.queryByTestId('viewer-scope')).toBeNull();
  });
});
