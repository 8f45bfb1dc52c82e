import { screen, waitFor } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { finopsApiRef } from '../api/FinopsApi';
import { FinopsApiError } from '../api/errors';
import type { CompareQuery, CostQuery } from '../api/types';
import { fixtureApi } from '../testing/fixtures';
import { CARRIED_STORAGE_KEY } from '../lib/useUrlState';
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

  it("opens a colleague's link naming none of them as its sender saw it, not as this tab last did", async () => {
    window.sessionStorage.setItem(CARRIED_STORAGE_KEY, JSON.stringify({ view: 'budget', from: '2026-01' }));
    const compared: CompareQuery[] = [];
    const base = fixtureApi();
    const api = fixtureApi({ compareCosts: async query => { compared.push(query); return base.compareCosts(query); } });
    await renderInTestApp(<ComparePage />, { apis: [[finopsApiRef, api]], initialRouteEntries: ['/?group_by=application'] });
    await waitFor(() => expect(compared.length).toBeGreaterThan(0));
    expect(compared.map(query => [query.view, query.from, query.group_by])).toEqual([['actual', undefined, 'application']]);
  });

  it('does not carry a value the API refused: a currency without rates', async () => {
    const refusal = new FinopsApiError(400, {
      type: 'urn:finops:problem:invalid-parameters', title: 'Invalid request parameters', status: 400,
      detail: 'in_currency: no FX rate into USD', invalid_params: [{ name: 'in_currency', reason: 'no FX rate into USD' }],
    }, '400');
    const compared: CompareQuery[] = [];
    const base = fixtureApi();
    const api = fixtureApi({
      getCosts: async query => { if (query.in_currency === 'USD') throw refusal; return base.getCosts(query); },
      compareCosts: async query => { compared.push(query); return base.compareCosts(query); },
    });
    const overview = await renderInTestApp(<OverviewPage />, {
      apis: [[finopsApiRef, api]], initialRouteEntries: ['/?view=budget&in_currency=USD'],
    });
    expect(await screen.findByText(/No exchange rates for this currency \(HTTP 400\)/)).toBeInTheDocument();
    overview.unmount();
    await renderInTestApp(<ComparePage />, { apis: [[finopsApiRef, api]], initialRouteEntries: ['/'] });
    await waitFor(() => expect(compared.length).toBeGreaterThan(0));
    // the view is carried, the refused currency is not
    expect(compared.every(query => query.view === 'budget' && query.in_currency === undefined)).toBe(true);
  });
});
