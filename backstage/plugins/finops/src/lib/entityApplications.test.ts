import type { Entity } from '@backstage/catalog-model';
import type { Application } from '../api/types';
import { applicationsOf } from './entityApplications';

const app = (code: string, owner: string | null, entityRef: string | null): Application => ({
  code, name: code, owner, entity_ref: entityRef, cost_center: null, lifecycle: null,
  valid_from: null, valid_to: null, deleted: false, auto: false,
});
const apps = [
  app('payments', 'group:default/payments-team', 'component:default/payments'),
  app('ledger', 'group:default/payments-team', null),
  app('search', 'group:default/search-team', 'component:default/search'),
];
const entity = (kind: string, name: string, annotations?: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name, namespace: 'default', annotations },
});

describe('applicationsOf', () => {
  it('takes the finops/application annotation first', () => {
    expect(applicationsOf(entity('Component', 'payments', { 'finops/application': 'ledger' }), apps))
      .toEqual({ ref: 'component:default/payments', how: 'annotation', codes: ['ledger'] });
  });

  it('finds the application whose entity_ref is the entity', () => {
    expect(applicationsOf(entity('Component', 'search'), apps).codes).toEqual(['search']);
  });

  it('gives a group the applications it owns', () => {
    expect(applicationsOf(entity('Group', 'payments-team'), apps))
      .toEqual({ ref: 'group:default/payments-team', how: 'owner', codes: ['payments', 'ledger'] });
  });

  it('finds nothing for an entity the FinOps catalog does not know', () => {
    expect(applicationsOf(entity('Component', 'new-service'), apps).how).toBe('none');
  });
});
