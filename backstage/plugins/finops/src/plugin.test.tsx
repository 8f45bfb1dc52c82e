import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import finopsPlugin from './index';
import { COSTS_ENTITY_FILTER, entityCostsContent } from './plugin';

describe('the FinOps plugin', () => {
  it('is the frontend plugin finops, with its API, page, five sub-pages, tab and card', () => {
    expect(finopsPlugin.id).toBe('finops');
    const ids = ['api:finops', 'page:finops', 'sub-page:finops/overview', 'sub-page:finops/compare',
      'sub-page:finops/what-if', 'sub-page:finops/allocation', 'sub-page:finops/quality',
      'entity-content:finops/costs', 'entity-card:finops/costs'];
    for (const id of ids) expect(finopsPlugin.getExtension(id as never)).toBeDefined();
  });

  it('mounts the Costs tab at costs on components, systems and groups', () => {
    const tester = createExtensionTester(entityCostsContent);
    expect(tester.get(coreExtensionData.routePath)).toBe('costs');
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('Costs');
    expect(COSTS_ENTITY_FILTER.kind.$in).toEqual(['component', 'system', 'group']);
  });
});
