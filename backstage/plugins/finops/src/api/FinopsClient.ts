import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { errorFrom } from './errors';
import type { FinopsApi } from './FinopsApi';
import type {
  AllocationExplanation,
  Application,
  CompareQuery,
  CompareReport,
  CostQuery,
  CostReport,
  Domain,
  ExplainQuery,
  Family,
  Load,
  MappingCoverage,
  PricingView,
  PricingViewDetail,
  Product,
  SimulationCreate,
  VarianceQuery,
  VarianceReport,
} from './types';

type Query = Record<string, string | number | boolean | null | undefined>;

/** The proxy endpoint of app-config.yaml: `proxy.endpoints./finops`. */
export const PROXY_PATH = '/finops';

/**
 * Calls the FinOps API through the Backstage proxy. fetchApi adds the user's Backstage token
 * (Authorization: Bearer ...), which the proxy forwards to the API (`credentials: forward`).
 */
export class FinopsClient implements FinopsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  getCosts(query: CostQuery): Promise<CostReport> {
    return this.get('/costs', query);
  }

  compareCosts(query: CompareQuery): Promise<CompareReport> {
    return this.get('/costs/compare', query);
  }

  getVariance(query: VarianceQuery): Promise<VarianceReport> {
    return this.get('/costs/variance', query);
  }

  async listPricingViews(): Promise<PricingView[]> {
    return (await this.get<{ rows: PricingView[] }>('/pricing-views')).rows;
  }

  getPricingView(code: string): Promise<PricingViewDetail> {
    return this.get(`/pricing-views/${encodeURIComponent(code)}`);
  }

  createSimulation(simulation: SimulationCreate): Promise<PricingViewDetail> {
    return this.send('POST', '/pricing-views/simulations', simulation);
  }

  async deletePricingView(code: string): Promise<void> {
    await this.send('DELETE', `/pricing-views/${encodeURIComponent(code)}`);
  }

  async listApplications(owner?: string): Promise<Application[]> {
    return (await this.get<{ rows: Application[] }>('/applications', { owner })).rows;
  }

  async listProducts(): Promise<Product[]> {
    return (await this.get<{ rows: Product[] }>('/products')).rows;
  }

  async listFamilies(): Promise<Family[]> {
    return (await this.get<{ rows: Family[] }>('/families')).rows;
  }

  async listDomains(): Promise<Domain[]> {
    return (await this.get<{ rows: Domain[] }>('/domains')).rows;
  }

  explainAllocation(query: ExplainQuery): Promise<AllocationExplanation> {
    return this.get('/allocations/explain', query);
  }

  async listLoads(month?: string): Promise<Load[]> {
    return (await this.get<{ rows: Load[] }>('/loads', { month })).rows;
  }

  getMappingCoverage(month: string): Promise<MappingCoverage> {
    return this.get('/mapping/coverage', { month });
  }

  private async url(path: string, query: Query = {}): Promise<string> {
    const base = await this.discoveryApi.getBaseUrl('proxy');
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    }
    const search = params.toString();
    return `${base}${PROXY_PATH}/api/v1${path}${search ? `?${search}` : ''}`;
  }

  private async get<T>(path: string, query: Query = {}): Promise<T> {
    const response = await this.fetchApi.fetch(await this.url(path, query), {
      headers: { accept: 'application/json' },
    });
    if (!response.ok) throw await errorFrom(response);
    return (await response.json()) as T;
  }

  private async send<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const response = await this.fetchApi.fetch(await this.url(path), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw await errorFrom(response);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
}
