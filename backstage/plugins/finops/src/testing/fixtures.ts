import type { FinopsApi } from '../api/FinopsApi';
import type { Application, CostQuery, CostReport, CostRow, Me } from '../api/types';

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

export const FINANCE_ME: Me = {
  subject: 'user:default/fran', role: 'finance', authentication: 'backstage',
  ownership_refs: ['group:default/finance', 'user:default/fran'],
  sees_every_application: true, can_write_simulations: true, can_read_loads: false,
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
    listPricingViews: async () => [
      { code: 'actual', name: 'Actual', kind: 'source', currency: null, base_view: null, description: null },
      { code: 'budget', name: 'Budget', kind: 'rate_card', currency: 'EUR', base_view: null, description: null },
    ],
    getPricingView: unused,
    createSimulation: unused,
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
