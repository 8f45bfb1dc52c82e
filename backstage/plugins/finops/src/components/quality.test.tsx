import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { finopsApiRef } from '../api/FinopsApi';
import type { CostQuery, StaleMonth } from '../api/types';
import { ADMIN_ME, LOADS, STALE_MONTH, fixtureApi } from '../testing/fixtures';
import { EntityCostsCard } from './entity/EntityCostsCard';
import { EntityCostsContent } from './entity/EntityCostsContent';
import { AllocationPage } from './allocation/AllocationPage';
import { ComparePage } from './compare/ComparePage';
import { DataQualityPage } from './quality/DataQualityPage';
import { OverviewPage } from './overview/OverviewPage';

const coverage = { month: '2026-02', rows: [] };

describe('DataQualityPage', () => {
  const api = fixtureApi({ getMe: async () => ADMIN_ME, listLoads: async () => LOADS, getMappingCoverage: async () => coverage });

  it("tells a user without the admin role that the load audit is the admin's, without asking for it", async () => {
    let asked = 0;
    const finance = fixtureApi({ listLoads: async () => { asked += 1; return LOADS; }, getMappingCoverage: async () => coverage });
    await renderInTestApp(<DataQualityPage />, { apis: [[finopsApiRef, finance]], initialRouteEntries: ['/?month=2026-02'] });
    expect(await screen.findByTestId('loads-admin-only')).toHaveTextContent(
      'The load audit is for the admin role: user:default/fran has the finance role.',
    );
    await screen.findByText('Mapping coverage, 2026-02');
    expect(asked).toBe(0);
    expect(screen.queryByTestId('load-status-41')).toBeNull();
  });

  it('asks for a month typed a key at a time once it is whole, never for the keys on the way', async () => {
    // before: each keystroke was a request (2, 20, ... 2026-0: five 400s) and a link to it
    const months: (string | undefined)[] = [];
    const spying = fixtureApi({
      getMe: async () => ADMIN_ME,
      listLoads: async month => { months.push(month); return LOADS; },
      getMappingCoverage: async () => coverage,
    });
    await renderInTestApp(<DataQualityPage />, { apis: [[finopsApiRef, spying]], initialRouteEntries: ['/?month=2026-02'] });
    await screen.findByTestId('load-status-42');
    for (const typed of ['2', '20', '202', '2026', '2026-', '2026-0', '2026-01']) {
      fireEvent.change(screen.getByLabelText('Month'), { target: { value: typed } });
    }
    await waitFor(() => expect(months).toContain('2026-01'));
    expect(months.filter(month => month !== '2026-02' && month !== '2026-01')).toEqual([]);
    expect(screen.getByLabelText('Month')).toHaveValue('2026-01');
  });

  it("has headers that are sort buttons alone, not drag handles a keyboard user tabs through twice", async () => {
    await renderInTestApp(<DataQualityPage />, { apis: [[finopsApiRef, api]], initialRouteEntries: ['/?month=2026-02'] });
    await screen.findByTestId('load-status-42');
    expect(document.querySelectorAll('[data-rbd-drag-handle-draggable-id]')).toHaveLength(0);
  });

  it('marks a month typed that is none as invalid once it rests, and keeps the last one asked for', async () => {
    const months: (string | undefined)[] = [];
    const spying = fixtureApi({ getMe: async () => ADMIN_ME, listLoads: async month => { months.push(month); return LOADS; }, getMappingCoverage: async () => coverage });
    await renderInTestApp(<DataQualityPage />, { apis: [[finopsApiRef, spying]], initialRouteEntries: ['/?month=2026-02'] });
    await screen.findByTestId('load-status-42');
    fireEvent.change(screen.getByLabelText('Month'), { target: { value: '2025-13' } });
    expect(await screen.findByText('not a period; expected a month: YYYY-MM')).toBeInTheDocument();
    expect(screen.getByLabelText('Month')).toHaveAttribute('aria-invalid', 'true');
    expect(months).toEqual(['2026-02']);
    fireEvent.change(screen.getByLabelText('Month'), { target: { value: '2026-01' } });
    await waitFor(() => expect(months).toEqual(['2026-02', '2026-01']));
    expect(screen.queryByText('not a period; expected a month: YYYY-MM')).toBeNull();
    expect(screen.getByLabelText('Month')).toHaveAttribute('aria-invalid', 'false');
  });

  it('says once that a hand-edited month is none, and asks nothing for it', async () => {
    // before: three answers of 400 stacked, the same error each
    const asked: string[] = [];
    const spying = fixtureApi({
      getMe: async () => ADMIN_ME,
      listLoads: async month => { asked.push(`loads ${month}`); return LOADS; },
      getMappingCoverage: async month => { asked.push(`coverage ${month}`); return coverage; },
    });
    await renderInTestApp(<DataQualityPage />, { apis: [[finopsApiRef, spying]], initialRouteEntries: ['/?month=2026-13'] });
    expect(await screen.findByTestId('month-invalid')).toHaveTextContent('month: expected YYYY-MM, got "2026-13"');
    expect(asked).toEqual([]);
  });

  it('shows a held delivery as held, with its reason, not as a load', async () => {
    await renderInTestApp(<DataQualityPage />, { apis: [[finopsApiRef, api]], initialRouteEntries: ['/?month=2026-02'] });
    expect(await screen.findByTestId('load-status-42')).toHaveTextContent('held');
    expect(screen.getByTestId('load-reason-42')).toHaveTextContent('12 of 40 rows rejected (30.0%), above the 5% allowed');
    expect(screen.getByTestId('load-status-41')).toHaveTextContent('loaded');
    expect(screen.getByTestId('load-reason-41')).toHaveTextContent(/^$/);
  });

  it('says "no delivery" for a month no file held, "delivered" otherwise, and neither for an attempt that failed', async () => {
    await renderInTestApp(<DataQualityPage />, { apis: [[finopsApiRef, api]], initialRouteEntries: ['/?month=2026-02'] });
    expect(await screen.findByTestId('load-delivery-43')).toHaveTextContent('no delivery');
    expect(screen.getByTestId('load-delivery-41')).toHaveTextContent(/^delivered$/);
    expect(screen.getByTestId('load-delivery-44')).toHaveTextContent(/^unknown \(failed\)$/);
    expect(screen.getByTestId('load-finished-41')).toHaveTextContent(/^2026-03-02 06:01 UTC$/);
    expect(screen.getAllByText('no delivery')).toHaveLength(1);
  });

  it("warns that the coverage's month is stale, naming it and the reason", async () => {
    const stale = fixtureApi({
      listLoads: async () => LOADS,
      getMappingCoverage: async () => ({ ...coverage, stale_months: [STALE_MONTH] }),
    });
    await renderInTestApp(<DataQualityPage />, { apis: [[finopsApiRef, stale]], initialRouteEntries: ['/?month=2026-02'] });
    const banner = await screen.findByTestId('stale-months');
    expect(banner).toHaveTextContent('Costs of 2026-02 may be inconsistent');
    expect(within(banner).getByTestId('stale-month-2026-02')).toHaveTextContent(`2026-02: ${STALE_MONTH.reason}`);
  });

  it('shows no banner when no month is stale', async () => {
    await renderInTestApp(<DataQualityPage />, { apis: [[finopsApiRef, api]], initialRouteEntries: ['/?month=2026-02'] });
    await screen.findByTestId('load-status-41');
    await screen.findByText('Mapping coverage, 2026-02');
    expect(screen.queryByTestId('stale-months')).toBeNull();
  });
});

describe('StaleMonthsBanner on the cost pages', () => {
  it('warns on the Overview when the /costs answer carries stale_months', async () => {
    const base = fixtureApi();
    const stale = fixtureApi({
      getCosts: async (query: CostQuery) => ({ ...(await base.getCosts(query)), stale_months: [STALE_MONTH] }),
    });
    await renderInTestApp(<OverviewPage />, { apis: [[finopsApiRef, stale]] });
    expect(await screen.findByTestId('stale-months')).toHaveTextContent('Costs of 2026-02 may be inconsistent');
    expect(screen.getByTestId('stale-month-2026-02')).toHaveTextContent('materialize 2026-02 again');
    expect(screen.getByTestId('period-total-2026-02')).toHaveTextContent('160.00 EUR');
  });

  it('shows none on the Overview when the answer has no stale_months', async () => {
    await renderInTestApp(<OverviewPage />, { apis: [[finopsApiRef, fixtureApi()]] });
    await screen.findByTestId('period-total-2026-02');
    expect(screen.queryByTestId('stale-months')).toBeNull();
  });

  it('warns on Compare even when the answer has no row', async () => {
    const base = fixtureApi();
    const stale = fixtureApi({
      compareCosts: async query => ({ ...(await base.compareCosts(query)), stale_months: [STALE_MONTH] }),
    });
    await renderInTestApp(<ComparePage />, { apis: [[finopsApiRef, stale]] });
    expect(await screen.findByTestId('stale-month-2026-02')).toHaveTextContent(STALE_MONTH.reason);
    expect(screen.getByText('No costs on either side for this period and scope.')).toBeInTheDocument();
  });

  it('warns on Allocation explain', async () => {
    const stale = fixtureApi({
      explainAllocation: async ({ application, month }) => ({ application, month, rows: [], has_cost: true, stale_months: [STALE_MONTH] }),
    });
    await renderInTestApp(<AllocationPage />, { apis: [[finopsApiRef, stale]], initialRouteEntries: ['/?month=2026-02'] });
    expect(await screen.findByTestId('stale-months')).toHaveTextContent('Costs of 2026-02 may be inconsistent');
    expect(screen.getByTestId('allocation-empty')).toHaveTextContent('payments received no share');
  });

  it('says an application without cost in the month has none, not that its costs are all direct', async () => {
    const api = fixtureApi({
      explainAllocation: async ({ application, month }) => ({ application, month, rows: [], has_cost: false }),
    });
    await renderInTestApp(<AllocationPage />, { apis: [[finopsApiRef, api]], initialRouteEntries: ['/?month=2019-01'] });
    expect(await screen.findByTestId('allocation-empty')).toHaveTextContent('payments has no cost in 2019-01, direct or allocated.');
  });

  it('says what unallocated holds rather than that its costs are all direct', async () => {
    const api = fixtureApi({
      explainAllocation: async ({ application, month }) => ({ application, month, rows: [], has_cost: true }),
    });
    await renderInTestApp(<AllocationPage />, { apis: [[finopsApiRef, api]], initialRouteEntries: ['/?application=unallocated&month=2026-02'] });
    expect(await screen.findByTestId('allocation-empty')).toHaveTextContent(
      'unallocated holds the costs of 2026-02 that no mapping attributes to an application, and takes no share of an indirect pool.',
    );
  });

  it("warns on an entity's Costs tab when its /costs answer carries stale_months", async () => {
    const entity = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'payments', namespace: 'default' } };
    const base = fixtureApi();
    const stale = fixtureApi({
      getCosts: async (query: CostQuery) => ({ ...(await base.getCosts(query)), stale_months: [STALE_MONTH] }),
    });
    await renderInTestApp(
      <EntityProvider entity={entity}>
        <EntityCostsContent />
      </EntityProvider>,
      { apis: [[finopsApiRef, stale]] },
    );
    expect(await screen.findByTestId('stale-month-2026-02')).toHaveTextContent(`2026-02: ${STALE_MONTH.reason}`);
    expect(screen.getByTestId('entity-month-2026-02')).toHaveTextContent('160.00 EUR');
  });
});

describe('EntityCostsCard', () => {
  const entity = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'payments', namespace: 'default' } };
  const lastMonth = (staleMonths?: StaleMonth[]) => {
    const base = fixtureApi();
    return fixtureApi({
      compareCosts: async query => ({
        ...(await base.compareCosts(query)),
        rows: [{ month: '2026-02', currency: 'EUR', cost: '160.00', against_cost: '150.305', delta: '9.695', ratio: '1.0645', priced: true, against_priced: true, unit: null, units: [], quantity: null, against_unit: null, against_units: [], against_quantity: null }],
        ...(staleMonths ? { stale_months: staleMonths } : {}),
      }),
    });
  };
  const render = (api: ReturnType<typeof fixtureApi>) =>
    renderInTestApp(
      <EntityProvider entity={entity}>
        <EntityCostsCard />
      </EntityProvider>,
      { apis: [[finopsApiRef, api]] },
    );

  it("warns on the card when the last month's answer is stale", async () => {
    await render(lastMonth([STALE_MONTH]));
    expect(await screen.findByTestId('entity-card-EUR')).toHaveTextContent('2026-02: 160.00 EUR');
    expect(screen.getByTestId('stale-month-2026-02')).toHaveTextContent(STALE_MONTH.reason);
  });

  it('shows no banner on the card otherwise', async () => {
    await render(lastMonth());
    expect(await screen.findByTestId('entity-card-EUR')).toHaveTextContent('2026-02: 160.00 EUR');
    expect(screen.queryByTestId('stale-months')).toBeNull();
  });
});
