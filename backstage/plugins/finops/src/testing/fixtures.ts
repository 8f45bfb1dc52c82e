import type { FinopsApi } from '../api/FinopsApi';
import type { Application, CostQuery, CostReport, CostRow, Load, Me, StaleMonth } from '../api/types';

// A FinopsApi answering fixed figures in the API's wire format, for component tests; the
// browser test runs the plugin against the real API.

const cost = (month: string, domain: string, amount: string, currency = 'EUR'): CostRow => ({
  month, domain, currency, unit: null, units: ['GB-Months', 'Hours'], quantity: null, cost: amount,
  priced: true,
});

export const COST_ROWS: CostRow[] = [
  cost('2026-01', 'compute', '100.10'),
  cost('2026-01', 'storage', '50.205'),
  cost('2026-02', 'compute', '120.00'),
  cost('2026-02', 'storage', '40.00'),
  cost('2026-02', 'compute', '7.50', 'USD'),
];

export const APPLICATIONS: Application[] = [
  { code: 'payments', name: 'Payments', owner: 'group:default/payments-team', entity_ref: 'component:default/payments',
    cost_center: null, lifecycle: 'production', valid_from: null, valid_to: null, deleted: false, auto: false },
];

const load = (load_id: number, source: string, fields: Partial<Load>): Load => ({
  load_id, source, month: '2026-02', rows_read: 40, rows_loaded: 40, rows_rejected: 0, rows_filtered: 0, delivered: true,
  cost_column: 'EffectiveCost', source_cost: { EUR: '160.00' }, rejected_cost: {}, filtered_cost: {},
  started_at: '2026-03-02T06:00:00Z', finished_at: '2026-03-02T06:01:00Z', status: 'loaded', reason: null, ...fields,
});

/** One month's attempts: a load, a delivery held by validation, a source that delivered nothing, one that failed. */
export const LOADS: Load[] = [
  load(41, 'aws', {}),
  load(42, 'aws', {
    status: 'held', rows_loaded: 28, rows_rejected: 12, rejected_cost: { EUR: '48.00' },
    reason: '12 of 40 rows rejected (30.0%), above the 5% allowed',
  }),
  load(43, 'azure', { delivered: false, rows_read: 0, rows_loaded: 0, source_cost: {} }),
  load(44, 'gcp', {
    status: 'failed', delivered: null, rows_read: 0, rows_loaded: 0, source_cost: {},
    reason: '/data/gcp/2026-02.parquet: file out of specification: the file is too small',
  }),
];

/** A month a run left half-published, worded as the API words it. */
export const STALE_MONTH: StaleMonth = {
  month: '2026-02',
  reason: 'not rebuilt since its consumption was reloaded: valuation, cost views; a run stopped before publishing the month; materialize 2026-02 again',
};

export const FINANCE_ME: Me = {
  subject: 'user:default/fran', role: 'finance', authentication: 'backstage',
  ownership_refs: ['group:default/finance', 'user:default/fran'],
  sees_every_application: true, can_write_simulations: true, can_read_loads: false,
};

/** An admin: the load audit is the admin role's. */
export const ADMIN_ME: Me = {
  ...FINANCE_ME, subject: 'user:default/ada', role: 'admin',
  ownership_refs: ['group:default/platform-team', 'user:default/ada'], can_read_loads: true,
};

const unused = () => Promise.reject(new Error('not used by this test'));

export function fixtureApi(overrides: Partial<FinopsApi> = {}): FinopsApi {
  return {
    getCosts: async (query: CostQuery): Promise<CostReport> => ({
      view: query.view ?? 'actual', from: '2026-01', to: '2026-02', group_by: ['month', 'domain', 'currency'], rows: COST_ROWS,
    }),
    compareCosts: async query => ({
      view: query.view ?? 'actual', against: 'actual', against_period: 'previous_month', from: '2026-02', to: '2026-02',
      against_from: '2026-01', against_to: '2026-01', group_by: ['application', 'currency'], rows: [],
    }),
    getVariance: unused,
    exportCosts: unused,
    listPricingViews: async () => [
      { code: 'actual', name: 'Actual', kind: 'source', currency: null, base_view: null, description: null },
      { code: 'budget', name: 'Budget', kind: 'rate_card', currency: 'EUR', base_view: null, description: null },
    ],
    getPricingView: unused,
    createSimulation: unused,
    previewSimulation: unused,
    deletePricingView: unused,
    listApplications: async () => APPLICATIONS,
    listProducts: async () => [],
    listFamilies: async () => [],
    listDomains: async () => [],
    explainAllocation: unused,
    listLoads: async () => [],
    getMappingCoverage: unused,
    getMe: async () => FINANCE_ME,
    ...overrides,
  };
}
