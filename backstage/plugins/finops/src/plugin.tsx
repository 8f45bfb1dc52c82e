import {
  ApiBlueprint,
  PageBlueprint,
  SubPageBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint, EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { finopsApiRef } from './api/FinopsApi';
import { FinopsClient } from './api/FinopsClient';

/** The kinds whose pages get the Costs tab and card: applications are Components or Systems,
 * and a Group sees the applications it owns. */
export const COSTS_ENTITY_FILTER = { kind: { $in: ['component', 'system', 'group'] } };

export const rootRouteRef = createRouteRef();

const finopsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: finopsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) => new FinopsClient({ discoveryApi, fetchApi }),
    }),
});

const finopsPage = PageBlueprint.make({
  params: { path: '/finops', title: 'FinOps', routeRef: rootRouteRef },
});

const subPage = (name: string, title: string, loader: () => Promise<JSX.Element>) =>
  SubPageBlueprint.make({
    attachTo: { id: 'page:finops', input: 'pages' },
    name,
    params: { path: name, title, loader },
  });

const overviewPage = subPage('overview', 'Overview', () =>
  import('./components/overview/OverviewPage').then(m => <m.OverviewPage />),
);
const comparePage = subPage('compare', 'Compare', () =>
  import('./components/compare/ComparePage').then(m => <m.ComparePage />),
);
const whatIfPage = subPage('what-if', 'What-if', () =>
  import('./components/whatif/WhatIfPage').then(m => <m.WhatIfPage />),
);
const allocationPage = subPage('allocation', 'Allocation explain', () =>
  import('./components/allocation/AllocationPage').then(m => <m.AllocationPage />),
);
const qualityPage = subPage('quality', 'Data quality', () =>
  import('./components/quality/DataQualityPage').then(m => <m.DataQualityPage />),
);

export const entityCostsContent = EntityContentBlueprint.make({
  name: 'costs',
  params: {
    path: 'costs',
    title: 'Costs',
    filter: COSTS_ENTITY_FILTER,
    loader: () => import('./components/entity/EntityCostsContent').then(m => <m.EntityCostsContent />),
  },
});

export const entityCostsCard = EntityCardBlueprint.make({
  name: 'costs',
  params: {
    filter: COSTS_ENTITY_FILTER,
    loader: () => import('./components/entity/EntityCostsCard').then(m => <m.EntityCostsCard />),
  },
});

/** The FinOps plugin: the /finops pages, the Costs entity tab and card, and the API client. */
export const finopsPlugin = createFrontendPlugin({
  pluginId: 'finops',
  title: 'FinOps',
  routes: { root: rootRouteRef },
  extensions: [
    finopsApi,
    finopsPage,
    overviewPage,
    comparePage,
    whatIfPage,
    allocationPage,
    qualityPage,
    entityCostsContent,
    entityCostsCard,
  ],
});
