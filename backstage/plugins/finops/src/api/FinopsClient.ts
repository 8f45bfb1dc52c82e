import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { errorFrom } from './errors';
import type { FinopsApi } from './FinopsApi';

type Query = Record<string, string | number | boolean | null | undefined>;
type Paged = { rows: unknown[]; next?: string | null };
type Rows<T> = { rows: T[]; next?: string | null };

/**
 * A ranked top N (`sort` by something other than the keys, with `limit`): its first page is the
 * answer. Followed, its next links made the top movers every application, in a request each.
 */
function isTopN(query: Query): boolean {
  return query.limit !== undefined && query.limit !== null && query.sort !== undefined && query.sort !== 'keys';
}

/** The proxy endpoint of app-config.yaml: `proxy.endpoints./finops`. */
export const PROXY_PATH = '/finops';

/**
 * Calls the FinOps API through the Backstage proxy. fetchApi adds the user's Backstage token
 * (Authorization: Bearer ...), which the proxy forwards to the API (`credentials: forward`).
 * Each method takes its types from FinopsApi, whose types come from the API's OpenAPI document.
 */
export class FinopsClient implements FinopsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  getCosts: FinopsApi['getCosts'] = query => this.paged('/costs', query);

  compareCosts: FinopsApi['compareCosts'] = query => this.paged('/costs/compare', query, undefined, !isTopN(query));

  getVariance: FinopsApi['getVariance'] = query => this.paged('/costs/variance', query);

  exportCosts: FinopsApi['exportCosts'] = async query => (await this.fetchOk(await this.url('/costs/export', query))).blob();

  listPricingViews: FinopsApi['listPricingViews'] = () => this.rows('/pricing-views');

  getPricingView: FinopsApi['getPricingView'] = code => this.get(`/pricing-views/${encodeURIComponent(code)}`);

  createSimulation: FinopsApi['createSimulation'] = simulation =>
    this.send('POST', '/pricing-views/simulations', simulation);

  previewSimulation: FinopsApi['previewSimulation'] = request => this.paged('/costs/preview', {}, request);

  deletePricingView: FinopsApi['deletePricingView'] = code =>
    this.send('DELETE', `/pricing-views/${encodeURIComponent(code)}`);

  listApplications: FinopsApi['listApplications'] = owner => this.rows('/applications', { owner });

  listProducts: FinopsApi['listProducts'] = () => this.rows('/products');

  listFamilies: FinopsApi['listFamilies'] = () => this.rows('/families');

  listDomains: FinopsApi['listDomains'] = () => this.rows('/domains');

  explainAllocation: FinopsApi['explainAllocation'] = query => this.get('/allocations/explain', query);

  listLoads: FinopsApi['listLoads'] = month => this.rows('/loads', { month });

  getMappingCoverage: FinopsApi['getMappingCoverage'] = month => this.paged('/mapping/coverage', { month });

  getMe: FinopsApi['getMe'] = () => this.get('/me');

  /** The API's root through the proxy: what the API's own links (`next`) are relative to. */
  private async root(): Promise<string> {
    return `${await this.discoveryApi.getBaseUrl('proxy')}${PROXY_PATH}`;
  }

  private async url(path: string, query: Query = {}): Promise<string> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    }
    const search = params.toString();
    return `${await this.root()}/api/v1${path}${search ? `?${search}` : ''}`;
  }

  private async get<T>(path: string, query: Query = {}): Promise<T> {
    return this.fetchJson<T>(await this.url(path, query));
  }

  /** GET, or POST of a JSON body (a read whose question is too large for a query string). */
  private async fetchJson<T>(url: string, body?: unknown): Promise<T> {
    const init: RequestInit = body === undefined
      ? { headers: { accept: 'application/json' } }
      : { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: JSON.stringify(body) };
    return (await (await this.fetchOk(url, init)).json()) as T;
  }

  /** The answer, or the API's problem as a FinopsApiError. */
  private async fetchOk(url: string, init?: RequestInit): Promise<Response> {
    const response = await this.fetchApi.fetch(url, init);
    if (!response.ok) throw await errorFrom(response);
    return response;
  }

  /**
   * The answer with the rows of every page: the API cuts a list at `limit` (10,000 rows by
   * default) and names the next page in `next`; a total summed from the first page alone would
   * be short, without a word. With a body, every page is posted it.
   */
  private async paged<T extends Paged>(path: string, query: Query = {}, body?: unknown, follow = true): Promise<T> {
    const first = await this.fetchJson<T>(await this.url(path, query), body);
    if (!follow) return first;
    const rows = [...first.rows];
    const root = first.next ? await this.root() : '';
    for (let next = first.next; next; ) {
      const page = await this.fetchJson<T>(`${root}${next}`, body);
      rows.push(...page.rows);
      next = page.next;
    }
    const whole: T = { ...first, rows };
    delete whole.next; // every page is in: nothing follows
    return whole;
  }

  /** The list endpoints answer `{rows: [...]}` (with the as_of they were asked for). */
  private async rows<T>(path: string, query: Query = {}): Promise<T[]> {
    return (await this.paged<Rows<T>>(path, query)).rows;
  }

  private async send<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const response = await this.fetchOk(await this.url(path), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
}
