import { createDevApp } from '@backstage/frontend-dev-utils';
import { PageBlueprint, createFrontendModule } from '@backstage/frontend-plugin-api';
import finopsPlugin from '../src';

// The dev app: the plugin as an app installs it, plus an entity page standing in for the
// catalog's (the dev app has no catalog backend). The API is reached through the proxy
// configured as backend.baseUrl in the app config (scripts/proxy.mjs stands for the backend).
const devEntityPage = createFrontendModule({
  pluginId: 'finops',
  extensions: [
    PageBlueprint.make({
      name: 'dev-entity',
      params: {
        path: '/dev-entity',
        title: 'Entity (dev)',
        loader: () => import('./EntityPreviewPage').then(m => <m.EntityPreviewPage />),
      },
    }),
  ],
});

createDevApp({ features: [finopsPlugin, devEntityPage] });
