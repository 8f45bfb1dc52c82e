import { Content, Header, Page } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { Link, useSearchParams } from 'react-router-dom';
import { EntityCostsCard } from '../src/components/entity/EntityCostsCard';
import { EntityCostsContent } from '../src/components/entity/EntityCostsContent';
import { DEV_ENTITIES } from './entities';

/** A dev-app entity page: the overview card and the Costs tab of a stand-in catalog entity. */
export function EntityPreviewPage() {
  const [params] = useSearchParams();
  const ref = params.get('entity') ?? 'component:default/payments';
  const entity = DEV_ENTITIES.find(candidate => stringifyEntityRef(candidate) === ref);
  return (
    <Page themeId="tool">
      <Header title={`Entity ${ref}`} subtitle="Costs tab and card as on a catalog entity page" />
      <Content>
        <nav>
          {DEV_ENTITIES.map(candidate => (
            <Link key={stringifyEntityRef(candidate)} to={`?entity=${stringifyEntityRef(candidate)}`} style={{ marginRight: 16 }}>
              {stringifyEntityRef(candidate)}
            </Link>
          ))}
        </nav>
        {entity ? (
          <EntityProvider entity={entity}>
            <Grid container spacing={3}>
              <Grid item xs={12} md={6}>
                <EntityCostsCard />
              </Grid>
              <Grid item xs={12}>
                <EntityCostsContent />
              </Grid>
            </Grid>
          </EntityProvider>
        ) : (
          <p>No stand-in entity {ref}.</p>
        )}
      </Content>
    </Page>
  );
}
