import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { finopsApiRef } from '../../api/FinopsApi';
import { applicationsOf } from '../../lib/entityApplications';

/** The current entity's FinOps applications, resolved against the API's application list. */
export function useEntityApplications() {
  const { entity } = useEntity();
  const api = useApi(finopsApiRef);
  const state = useAsync(async () => applicationsOf(entity, await api.listApplications()), [api, entity]);
  return { entity, ...state };
}
