import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { finopsApiRef } from '../api/FinopsApi';
import { FinopsApiError } from '../api/errors';
import type { CompareQuery, CostQuery, CostReport, ExportQuery, SimulationPreviewRequest } from '../api/types';
import { FINANCE_ME, fixtureApi } from '../testing/fixtures';
import { CARRIED_STORAGE_KEY } from '../lib/useUrlState';
import { OverviewPage } from './overview/OverviewPage';
import { WhatIfPage } from './whatif/WhatIfPage';
import { EntityCostsContent } from './entity/EntityCostsContent';

const problem = (status: number, title: string, detail: string) =>
  new FinopsApiError(status, { type: 'about:blank', status, title, detail }, title);

describe('OverviewPage', () => {
  it('shows each month total of the largest currency, summed exactly and rounded for display', async () => {
    await renderInTestApp(<OverviewPage />, { apis: [[finopsApiRef, fixtureApi()]] });
    // 2026-01: 100.10 + 50.205 = 150.305 -> 150.31; the USD row is another currency.
    expect(await screen.findByTestId('period-total-2026-01')).toHaveTextContent('150.31 EUR');
    expect(screen.getByTestId('period-total-2026-02')).toHaveTextContent('160.00 EUR');
    expect(screen.getByTestId('overview-total')).toHaveTextContent('310.31 EUR');
  });

  it('names a period the range covers in part with the months it covers', async () => {
    // before: `2026` beside the total of its January and February alone
    const base = fixtureApi();
    const byYear = fixtureApi({
      getCosts: async query => {
        const report = await base.getCosts(query);
        return { ...report, rows: report.rows.map(row => ({ ...row, year: row.month?.slice(0, 4) })) };
      },
    });
    await renderInTestApp(<OverviewPage />, { apis: [[finopsApiRef, byYear]], initialRouteEntries: ['/?grain=year'] });
    expect(await screen.findByTestId('period-total-2026')).toHaveTextContent('310.31 EUR');
    expect(screen.getByText('2026 (2026-01..2026-02 only)')).toBeInTheDocument();
  });

  it('asks the API for two one-row totals and the top movers alone, not every application', async () => {
    const base = fixtureApi();
    const asked: CostQuery[] = [];
    const compared: CompareQuery[] = [];
    const total = (cost: string): CostReport => ({
      view: 'actual', from: '2026-01', to: '2026-02', group_by: ['currency'],
      rows: [{ currency: 'EUR', unit: null, units: [], quantity: null, cost, priced: true }],
    });
    const api = fixtureApi({
      getCosts: async query => {
        asked.push(query);
        if (query.group_by !== 'currency') return base.getCosts(query);
        return total(query.application === 'unallocated' ? '77.5775' : '310.31');
      },
      compareCosts: async query => {
        compared.push(query);
        return base.compareCosts(query);
      },
    });
    await renderInTestApp(<OverviewPage />, { apis: [[finopsApiRef, api]] });
    // 310.31 - 77.5775 = 232.7325 mapped: 0.75 of the total; 77.5775 / 310.31 = 0.25
    expect(await screen.findByTestId('mapped-share')).toHaveTextContent('Mapped to an application: 232.73 EUR (75.0 %)');
    expect(screen.getByTestId('unallocated-share')).toHaveTextContent('Unallocated: 77.58 EUR (25.0 %)');
    expect(asked.filter(query => query.group_by === 'currency').map(query => query.application)).toEqual([undefined, 'unallocated']);
    expect(asked.some(query => query.group_by === 'application')).toBe(false);
    await waitFor(() => expect(compared).toHaveLength(1));
    expect(compared[0]).toMatchObject({ group_by: 'application', sort: 'delta_desc', limit: 8, currency: 'EUR' });
    expect(compared[0]).toMatchObject({ from: '2026-02', to: '2026-02', against_period: 'previous_month' });
  });

  it("compares the movers of a quarter the range ends inside on its months alone, not the whole quarter", async () => {
    const compared: CompareQuery[] = [];
    const base = fixtureApi();
    const api = fixtureApi({ compareCosts: async query => { compared.push(query); return base.compareCosts(query); } });
    await renderInTestApp(<OverviewPage />, { apis: [[finopsApiRef, api]], initialRouteEntries: ['/?grain=quarter'] });
    await waitFor(() => expect(compared).toHaveLength(1));
    // the fixture's costs run from 2026-01 to 2026-02: two of 2026-Q1's three months
    expect(compared[0]).toMatchObject({ from: '2026-01', to: '2026-02', against_period: 'previous_quarter' });
  });

  it('exports what it shows, as CSV, asking the API for the same question', async () => {
    const exported: ExportQuery[] = [];
    const api = fixtureApi({ exportCosts: async query => { exported.push(query); return new Blob(['month,cost\n']); } });
    const created = jest.fn(() => 'blob:finops');
    Object.assign(URL, { createObjectURL: created, revokeObjectURL: jest.fn() });
    const click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    await renderInTestApp(<OverviewPage />, { apis: [[finopsApiRef, api]], initialRouteEntries: ['/?view=budget&stack=family'] });
    fireEvent.click(await screen.findByRole('button', { name: 'Export CSV' }));
    await waitFor(() => expect(click).toHaveBeenCalledTimes(1));
    expect(exported).toEqual([{ view: 'budget', from: undefined, to: undefined, group_by: 'month,family', format: 'csv' }]);
    expect(created).toHaveBeenCalledTimes(1);
    click.mockRestore();
  });

  it('says what to do when the API refuses the user (403) or is down (503)', async () => {
    const forbidden = fixtureApi({ getCosts: () => Promise.reject(problem(403, 'Forbidden', 'viewer role needed')) });
    await renderInTestApp(<OverviewPage />, { apis: [[finopsApiRef, forbidden]] });
    expect(await screen.findByText(/Not allowed \(HTTP 403\)/)).toBeInTheDocument();
    expect(screen.getByTestId('problem-detail')).toHaveTextContent('viewer role needed');
  });

  it('explains an unavailable API', async () => {
    const down = fixtureApi({ getCosts: () => Promise.reject(problem(503, 'Database unavailable', 'the mart is not answering')) });
    await renderInTestApp(<OverviewPage />, { apis: [[finopsApiRef, down]] });
    expect(await screen.findByText(/FinOps API unavailable \(HTTP 503\)/)).toBeInTheDocument();
  });

  it('reads its pricing view from the URL, so that a shared link opens the same view', async () => {
    const asked: (string | undefined)[] = [];
    const api = fixtureApi();
    const spying = { ...api, getCosts: (query: Parameters<typeof api.getCosts>[0]) => { asked.push(query.view); return api.getCosts(query); } };
    await renderInTestApp(<OverviewPage />, { apis: [[finopsApiRef, spying]], initialRouteEntries: ['/?view=budget'] });
    await screen.findByTestId('period-total-2026-01');
    expect(asked).toContain('budget');
    expect(asked).not.toContain('actual');
  });

  it('shows the scope a link applies even when its list does not offer it, not the first option', async () => {
    await renderInTestApp(<OverviewPage />, {
      apis: [[finopsApiRef, fixtureApi()]],
      initialRouteEntries: ['/?scope=application&scopeValue=does-not-exist'],
    });
    await waitFor(() => expect(screen.getByLabelText('application')).toHaveValue('does-not-exist'));
  });

  it('takes the default for a hand-edited choice the page does not offer, instead of sending it to the API', async () => {
    const asked: CostQuery[] = [];
    const api = fixtureApi();
    const spying = { ...api, getCosts: (query: CostQuery) => { asked.push(query); return api.getCosts(query); } };
    await renderInTestApp(<OverviewPage />, {
      apis: [[finopsApiRef, spying]], initialRouteEntries: ['/?scope=team&scopeValue=payments&grain=week&stack=colour'],
    });
    await screen.findByTestId('period-total-2026-01');
    // scope=team would have become a parameter `team` the API ignores: every cost, unfiltered
    expect(asked.filter(query => 'team' in query)).toEqual([]);
    expect(asked[0]?.group_by).toBe('month,domain');
  });
});

describe('WhatIfPage', () => {
  beforeEach(() => window.sessionStorage.clear()); // each test starts from an empty draft

  it('keeps its draft when the user leaves the page and comes back', async () => {
    const first = await renderInTestApp(<WhatIfPage />, { apis: [[finopsApiRef, fixtureApi()]] });
    fireEvent.change(await screen.findByLabelText('Name'), { target: { value: 'VMs plus 10' } });
    fireEvent.change(screen.getByLabelText('Preview from'), { target: { value: '2026-01' } });
    first.unmount();
    await renderInTestApp(<WhatIfPage />, { apis: [[finopsApiRef, fixtureApi()]] });
    expect(await screen.findByLabelText('Name')).toHaveValue('VMs plus 10');
    expect(screen.getByLabelText('Preview from')).toHaveValue('2026-01');
  }, 20_000);

  it('shows a viewer the form disabled with the reason before any save (GET /api/v1/me)', async () => {
    const saves: unknown[] = [];
    const viewer = fixtureApi({
      getMe: async () => ({
        ...FINANCE_ME, subject: 'user:default/pat', role: 'viewer', ownership_refs: ['group:default/payments-team', 'user:default/pat'],
        sees_every_application: false, can_write_simulations: false,
      }),
      createSimulation: async simulation => { saves.push(simulation); throw new Error('a viewer must not get to save'); },
    });
    await renderInTestApp(<WhatIfPage />, { apis: [[finopsApiRef, viewer]] });
    expect(await screen.findByTestId('whatif-disabled')).toHaveTextContent(
      'Saving is disabled: user:default/pat has the viewer role; saving and deleting simulations needs the finance or admin role.',
    );
    expect(screen.getByRole('button', { name: 'Save simulation' })).toBeDisabled();
    expect(screen.getByLabelText('Code')).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Preview' })).toBeEnabled();
    expect(saves).toEqual([]);
  }, 20_000);

  it('asks before it deletes a saved simulation, and deletes nothing on Cancel; no tab opens on it then', async () => {
    // chosen on Compare before: the Overview's tab would open on a view that is no more
    window.sessionStorage.setItem(CARRIED_STORAGE_KEY, JSON.stringify({ view: 'sim-vm-plus-10', from: '2026-01' }));
    const deleted: string[] = [];
    const api = fixtureApi({
      listPricingViews: async () => [
        { code: 'actual', name: 'Actual', kind: 'source', currency: null, base_view: null, description: null },
        { code: 'sim-vm-plus-10', name: 'VMs plus 10', kind: 'simulation', currency: null, base_view: 'actual', description: null },
      ],
      deletePricingView: async code => { deleted.push(code); },
    });
    await renderInTestApp(<WhatIfPage />, { apis: [[finopsApiRef, api]] });
    fireEvent.click(await screen.findByRole('button', { name: 'delete sim-vm-plus-10' }));
    expect(await screen.findByText('Delete sim-vm-plus-10?')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(deleted).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'delete sim-vm-plus-10' }));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(deleted).toEqual(['sim-vm-plus-10']));
    expect(JSON.parse(window.sessionStorage.getItem(CARRIED_STORAGE_KEY) ?? '{}')).toEqual({ view: '', from: '2026-01' });
  }, 20_000);

  it('leaves the form open to a finance user', async () => {
    let asked = 0;
    const finance = fixtureApi({ getMe: async () => { asked += 1; return FINANCE_ME; } });
    await renderInTestApp(<WhatIfPage />, { apis: [[finopsApiRef, finance]] });
    fireEvent.change(await screen.findByLabelText('Code'), { target: { value: 'sim-vm-plus-10' } });
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'VMs plus 10' } });
    await waitFor(() => expect(asked).toBe(1));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Save simulation' })).toBeEnabled());
    expect(screen.queryByTestId('whatif-disabled')).toBeNull();
  }, 20_000);

  it('disables saving with the reason once the API refuses the user', async () => {
    const refusing = fixtureApi({
      listFamilies: async () => [{ code: 'vm', name: 'VMs', domain: 'compute', valid_from: null, valid_to: null, deleted: false, auto: false }],
      createSimulation: () => Promise.reject(problem(403, 'Forbidden', 'saving a simulation needs the finance role')),
    });
    await renderInTestApp(<WhatIfPage />, { apis: [[finopsApiRef, refusing]] });
    fireEvent.change(await screen.findByLabelText('Code'), { target: { value: 'vm-plus-10' } });
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'VMs plus 10' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save simulation' }));
    expect(await screen.findByTestId('whatif-disabled')).toHaveTextContent('saving a simulation needs the finance role');
    await waitFor(() => expect(screen.getByRole('button', { name: 'Save simulation' })).toBeDisabled());
  }, 20_000);
  it('previews through the API: the adjustments sent, one row per family back, marked outdated once edited', async () => {
    const asked: SimulationPreviewRequest[] = [];
    const row = (family: string, cost: string, against: string, delta: string, ratio: string) => ({
      family, currency: 'EUR', unit: null, quantity: null, units: [], against_unit: null, against_quantity: null,
      against_units: [], cost, against_cost: against, delta, ratio, priced: true, against_priced: true,
    });
    const api = fixtureApi({
      listFamilies: async () => [
        { code: 'vm', name: 'VMs', domain: 'compute', valid_from: null, valid_to: null, deleted: false, auto: false },
        { code: 'disk', name: 'Disks', domain: 'storage', valid_from: null, valid_to: null, deleted: false, auto: false },
      ],
      previewSimulation: async request => {
        asked.push(request);
        return {
          base_view: 'actual', from: '2026-01', to: '2026-02', group_by: ['family', 'currency'],
          // vm +10 %: 120.105 -> 132.1155; disk unchanged
          rows: [row('disk', '50.205', '50.205', '0', '1'), row('vm', '132.1155', '120.105', '12.0105', '1.1')],
        };
      },
    });
    await renderInTestApp(<WhatIfPage />, { apis: [[finopsApiRef, api]] });
    await screen.findByLabelText('Value');
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect(await screen.findByTestId('preview-simulated-vm-EUR')).toHaveTextContent('132.12');
    expect(screen.getByTestId('preview-base-vm-EUR')).toHaveTextContent('120.11');
    expect(screen.getByTestId('preview-simulated-disk-EUR')).toHaveTextContent('50.21');
    // 50.205 + 120.105 = 170.31; 50.205 + 132.1155 = 182.3205 (+12.0105, 107.1 %)
    expect(screen.getByTestId('preview-total-EUR')).toHaveTextContent(
      'Total EUR: 170.31 EUR under actual, 182.32 EUR simulated (12.01, 107.1 %)',
    );
    expect(asked).toEqual([{
      base_view: 'actual', from: null, to: null, group_by: ['family'], sort: 'keys', owner_as_of: 'month',
      adjustments: [{ scope: { level: 'family', code: 'vm' }, kind: 'percent', value: '10', from: null, to: null }],
    }]);
    expect(screen.queryByTestId('preview-outdated')).toBeNull();
    fireEvent.change(screen.getByLabelText('Value'), { target: { value: '20' } });
    expect(await screen.findByTestId('preview-outdated')).toHaveTextContent('press Preview again');
  }, 20_000);
});

describe('EntityCostsContent', () => {
  it('tells an unknown component which annotation to set', async () => {
    const entity = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'new-service', namespace: 'default' } };
    await renderInTestApp(
      <EntityProvider entity={entity}>
        <EntityCostsContent />
      </EntityProvider>,
      { apis: [[finopsApiRef, fixtureApi()]] },
    );
    expect(await screen.findByText('No FinOps application for component:default/new-service')).toBeInTheDocument();
    expect(await screen.findByText(/finops\/application: <application code>/)).toBeInTheDocument();
  });

  it("shows the costs of the application whose entity_ref is the component", async () => {
    const entity = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'payments', namespace: 'default' } };
    const asked: (string | undefined)[] = [];
    const api = fixtureApi();
    const spying = { ...api, getCosts: (query: Parameters<typeof api.getCosts>[0]) => { asked.push(query.application ?? undefined); return api.getCosts(query); } };
    await renderInTestApp(
      <EntityProvider entity={entity}>
        <EntityCostsContent />
      </EntityProvider>,
      { apis: [[finopsApiRef, spying]] },
    );
    expect(await screen.findByTestId('entity-month-2026-02')).toHaveTextContent('160.00 EUR');
    expect(asked).toEqual(['payments', 'payments']);
  });

  it('offers the other currencies of its costs, as the Overview does', async () => {
    const entity = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'payments', namespace: 'default' } };
    await renderInTestApp(
      <EntityProvider entity={entity}>
        <EntityCostsContent />
      </EntityProvider>,
      { apis: [[finopsApiRef, fixtureApi()]] },
    );
    expect(await screen.findByTestId('entity-month-2026-02')).toHaveTextContent('160.00 EUR');
    fireEvent.change(screen.getByLabelText('Currency'), { target: { value: 'USD' } });
    expect(await screen.findByTestId('entity-month-2026-02')).toHaveTextContent('7.50 USD');
  });

  it('says no costs "in" the months asked for, and "yet" only when the view has none at all', async () => {
    // before: "No costs yet for payments" of 2024, a year before its first costs
    const entity = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'payments', namespace: 'default' } };
    const api = fixtureApi({
      getCosts: async query => ({
        view: query.view ?? 'actual', from: query.from ? `${query.from}-01` : null, to: query.to ? `${query.to}-12` : null,
        group_by: ['month', 'family', 'currency'], rows: [],
      }),
    });
    const past = await renderInTestApp(
      <EntityProvider entity={entity}>
        <EntityCostsContent />
      </EntityProvider>,
      { apis: [[finopsApiRef, api]], initialRouteEntries: ['/?from=2024&to=2024'] },
    );
    expect(await screen.findByText('No costs for payments in 2024-01..2024-12 (view actual)')).toBeInTheDocument();
    past.unmount();
    await renderInTestApp(
      <EntityProvider entity={entity}>
        <EntityCostsContent />
      </EntityProvider>,
      { apis: [[finopsApiRef, api]] },
    );
    expect(await screen.findByText('No costs yet for payments')).toBeInTheDocument();
  });

  it('sets its period from its own fields, asking for it once it is whole', async () => {
    const entity = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'payments', namespace: 'default' } };
    const asked: CostQuery[] = [];
    const api = fixtureApi();
    const spying = { ...api, getCosts: (query: CostQuery) => { asked.push(query); return api.getCosts(query); } };
    await renderInTestApp(
      <EntityProvider entity={entity}>
        <EntityCostsContent />
      </EntityProvider>,
      { apis: [[finopsApiRef, spying]] },
    );
    await screen.findByTestId('entity-month-2026-02');
    // typed a key at a time: a period is asked for once whole and settled, never `2026` (a
    // year's report) or `2026-0` (a 400) on the way
    for (const typed of ['2026', '2026-', '2026-0', '2026-02']) fireEvent.change(screen.getByLabelText('From'), { target: { value: typed } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-02' } });
    await waitFor(() => expect(asked.filter(query => query.from === '2026-02' && query.to === '2026-02')).toHaveLength(2));
    expect(asked.map(query => query.from).filter(from => from !== undefined && from !== '2026-02')).toEqual([]);
  });
});
