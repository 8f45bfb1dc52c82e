import { createDevApp } from '@backstage/frontend-dev-utils';
import { PageBlueprint, createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import finopsPlugin from '../src';

// The dev app: the plugin as an app installs it, plus an entity page standing in for the
// catalog's (the dev app has no catalog backend). The API is reached through the proxy
// configured as backend.baseUrl in the app config (scripts/proxy.mjs stands for the backend,
// its auth service included: the sign-in page picks one of its users, whose token every call
// then carries).
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

const devSignIn = createFrontendModule({
  pluginId: 'app',
  extensions: [
    SignInPageBlueprint.make({
      params: { loader: () => import('./DevSignInPage').then(m => m.DevSignInPage) },
    }),
  ],
});

createDevApp({ features: [finopsPlugin, devEntityPage, devSignIn] });
