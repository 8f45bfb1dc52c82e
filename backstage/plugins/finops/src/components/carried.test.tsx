import { waitFor } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { finopsApiRef } from '../api/FinopsApi';
import type { CompareQuery, CostQuery } from '../api/types';
import { fixtureApi } from '../testing/fixtures';
import { ComparePage } from './compare/ComparePage';
import { OverviewPage } from './overview/OverviewPage';

describe('the cost pages carry the pricing view, range and scope to one another', () => {
  it('opens Compare, from its tab, with what was chosen on the Overview; a link opens as it says', async () => {
    const asked: CostQuery[] = [];
    const compared: CompareQuery[] = [];
    const base = fixtureApi();
    const api = fixtureApi({
      getCosts: async query => { asked.push(query); return base.getCosts(query); },
      compareCosts: async query => { compared.push(query); return base.compareCosts(query); },
    });
    const overview = await renderInTestApp(<OverviewPage />, {
      apis: [[finopsApiRef, api]],
      initialRouteEntries: ['/?view=budget&from=2026-01&to=2026-02&scope=application&scopeValue=payments'],
    });
    await waitFor(() => expect(asked.some(query => query.view === 'budget' && query.application === 'payments')).toBe(true));
    overview.unmount();

    // a click on the Compare tab: no query string
    const tab = await renderInTestApp(<ComparePage />, { apis: [[finopsApiRef, api]], initialRouteEntries: ['/'] });
    await waitFor(() => expect(compared[compared.length - 1]).toMatchObject({
      view: 'budget', from: '2026-01', to: '2026-02', application: 'payments',
    }));
    tab.unmount();

    // a link that names one of them takes none from the tab before, and is carried on in turn
    compared.length = 0;
    const link = await renderInTestApp(<ComparePage />, { apis: [[finopsApiRef, api]], initialRouteEntries: ['/?view=actual-rate'] });
    await waitFor(() => expect(compared.length).toBeGreaterThan(0));
    expect(compared.every(query => query.view === 'actual-rate' && query.from === undefined && query.application === undefined)).toBe(true);
    link.unmount();
    asked.length = 0;
    await renderInTestApp(<OverviewPage />, { apis: [[finopsApiRef, api]], initialRouteEntries: ['/'] });
    await waitFor(() => expect(asked.some(query => query.view === 'actual-rate')).toBe(true));
    expect(asked.some(query => query.application === 'payments')).toBe(false);
  });
});
