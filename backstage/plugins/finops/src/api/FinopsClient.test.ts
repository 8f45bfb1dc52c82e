import { FinopsApiError, adviceFor } from './errors';
import { FinopsClient } from './FinopsClient';

// discoveryApi and fetchApi are Backstage's; these stand-ins answer as Backstage's do: the proxy's
// base URL, and fetch with the user's token added (here recorded, to check it is sent as given).
function client(answer: () => Response) {
  const calls: { url: string; init?: RequestInit }[] = [];
  const fetchApi = {
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      calls.push({ url: String(input), init });
      return answer();
    },
  };
  const discoveryApi = { getBaseUrl: async (pluginId: string) => `http://backstage.test/api/${pluginId}` };
  return { calls, finops: new FinopsClient({ discoveryApi, fetchApi }) };
}

const json = (body: unknown, status = 200, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

describe('FinopsClient', () => {
  it('calls the API through the proxy endpoint /finops, leaving out empty parameters', async () => {
    const report = { view: 'actual', from: '2026-01', to: '2026-01', group_by: ['month', 'currency'], rows: [] };
    const { calls, finops } = client(() => json(report));
    await expect(finops.getCosts({ view: 'actual', from: '2026-01', to: '', group_by: 'month', owner: undefined })).resolves.toEqual(report);
    expect(calls[0]?.url).toBe('http://backstage.test/api/proxy/finops/api/v1/costs?view=actual&from=2026-01&group_by=month');
  });

  it("follows the API's next links and answers with every page's rows", async () => {
    const pages = [
      { view: 'actual', group_by: ['month', 'currency'], rows: [{ month: '2026-01', cost: '1.10' }], next: '/api/v1/costs?group_by=month&limit=1&offset=1' },
      { view: 'actual', group_by: ['month', 'currency'], rows: [{ month: '2026-02', cost: '2.20' }], next: '/api/v1/costs?group_by=month&limit=1&offset=2' },
      { view: 'actual', group_by: ['month', 'currency'], rows: [{ month: '2026-03', cost: '3.30' }] },
    ];
    let served = 0;
    const { calls, finops } = client(() => json(pages[served++]));
    const answer = await finops.getCosts({ group_by: 'month', limit: 1 });
    expect(answer.rows.map(row => row.cost)).toEqual(['1.10', '2.20', '3.30']);
    expect(answer.next).toBeUndefined();
    expect(calls.map(call => call.url)).toEqual([
      'http://backstage.test/api/proxy/finops/api/v1/costs?group_by=month&limit=1',
      'http://backstage.test/api/proxy/finops/api/v1/costs?group_by=month&limit=1&offset=1',
      'http://backstage.test/api/proxy/finops/api/v1/costs?group_by=month&limit=1&offset=2',
    ]);
  });

  it('answers a ranked top N with its first page, not with every page', async () => {
    const page = (application: string, next?: string) => ({
      view: 'actual', group_by: ['application', 'currency'], rows: [{ application, delta: '9' }], next,
    });
    let served = 0;
    const pages = () => [page('payments', '/api/v1/costs/compare?limit=1&offset=1'), page('search')][served++ % 2];
    const { calls, finops } = client(() => json(pages()));
    const top = await finops.compareCosts({ from: '2026-01', to: '2026-01', group_by: 'application', sort: 'delta_desc', limit: 1 });
    expect(top.rows.map(row => row.application)).toEqual(['payments']);
    expect(calls).toHaveLength(1);
    served = 0; // in the keys' order, a page size: every page is followed
    const every = await finops.compareCosts({ from: '2026-01', to: '2026-01', group_by: 'application', sort: 'keys', limit: 1 });
    expect(every.rows.map(row => row.application)).toEqual(['payments', 'search']);
    expect(calls).toHaveLength(3);
  });

  it('exports the rows of a cost question as the file the API streams', async () => {
    const { calls, finops } = client(() => new Response('month,currency,cost\n2026-01,EUR,1.10\n', { headers: { 'content-type': 'text/csv' } }));
    const file = await finops.exportCosts({ view: 'actual', group_by: 'month,domain', format: 'csv' });
    expect(await file.text()).toBe('month,currency,cost\n2026-01,EUR,1.10\n');
    expect(calls[0]?.url).toBe('http://backstage.test/api/proxy/finops/api/v1/costs/export?view=actual&group_by=month%2Cdomain&format=csv');
  });

  it('posts a preview as JSON, and the same body to each of its next pages', async () => {
    const page = (family: string, next?: string) => ({
      base_view: 'actual', from: '2026-01', to: '2026-01', group_by: ['family', 'currency'], rows: [{ family, cost: '1' }], next,
    });
    const pages = [page('disk', '/api/v1/costs/preview?limit=1&offset=1'), page('vm')];
    let served = 0;
    const { calls, finops } = client(() => json(pages[served++]));
    const request = {
      base_view: 'actual', from: '2026-01', to: '2026-01', group_by: ['family'], sort: 'keys' as const, owner_as_of: 'month' as const,
      adjustments: [{ scope: { level: 'family' as const, code: 'vm' }, kind: 'percent' as const, value: '10' }],
    };
    const answer = await finops.previewSimulation(request);
    expect(answer.rows.map(row => row.family)).toEqual(['disk', 'vm']);
    expect(calls.map(call => [call.url, call.init?.method, call.init?.body])).toEqual([
      ['http://backstage.test/api/proxy/finops/api/v1/costs/preview', 'POST', JSON.stringify(request)],
      ['http://backstage.test/api/proxy/finops/api/v1/costs/preview?limit=1&offset=1', 'POST', JSON.stringify(request)],
    ]);
    expect(new Headers(calls[0]?.init?.headers).get('content-type')).toBe('application/json');
  });

  it('posts a simulation as JSON and deletes by code', async () => {
    const { calls, finops } = client(() => new Response(null, { status: 204 }));
    await finops.deletePricingView('vm plus/10');
    expect(calls[0]?.url).toBe('http://backstage.test/api/proxy/finops/api/v1/pricing-views/vm%20plus%2F10');
    expect(calls[0]?.init?.method).toBe('DELETE');
  });

  it('turns a problem+json answer into an error carrying its status and detail', async () => {
    const problem = { type: 'urn:finops:problem:forbidden', title: 'Forbidden', status: 403, detail: 'saving a simulation needs the finance role' };
    const { finops } = client(() => json(problem, 403, 'application/problem+json'));
    const error = await finops.createSimulation({ code: 'x', name: 'x', base_view: 'actual', adjustments: [] }).catch(e => e);
    expect(error).toBeInstanceOf(FinopsApiError);
    expect(error.status).toBe(403);
    expect(error.message).toBe('saving a simulation needs the finance role');
    expect(adviceFor(error).title).toBe('Not allowed');
  });

  it('says in words which parameter a refusal is about: a currency without rates, a deleted view', async () => {
    const refusal = (name: string) => new FinopsApiError(400, {
      type: 'urn:finops:problem:invalid-parameters', title: 'Invalid request parameters', status: 400,
      detail: `${name}: refused`, invalid_params: [{ name, reason: 'refused' }],
    }, '400');
    expect(adviceFor(refusal('in_currency')).title).toBe('No exchange rates for this currency');
    expect(adviceFor(refusal('view')).advice).toMatch(/^This pricing view does not exist, or no longer does/);
    expect(adviceFor(refusal('from')).title).toBe('Request refused');
  });

  it('says what happened when the proxy answers without a problem body', async () => {
    const { finops } = client(() => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const error = await finops.listLoads().catch(e => e);
    expect(error.message).toBe('502 Bad Gateway from the FinOps API');
    expect(adviceFor(error).title).toBe('FinOps API unavailable');
  });
});
