import type { Entity } from '@backstage/catalog-model';

// Stand-ins for the Backstage catalog, which the dev app has no backend for: entities as the
// catalog serves them, so the Costs tab and card resolve them as in a real app.
export const DEV_ENTITIES: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments', namespace: 'default' },
    spec: { type: 'service', owner: 'group:default/payments-team', lifecycle: 'production' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'checkout-web', namespace: 'default', annotations: { 'finops/application': 'checkout' } },
    spec: { type: 'website', owner: 'group:default/checkout-team', lifecycle: 'production' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'payments-team', namespace: 'default' },
    spec: { type: 'team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'new-service', namespace: 'default' },
    spec: { type: 'service', owner: 'group:default/payments-team', lifecycle: 'experimental' },
  },
];
