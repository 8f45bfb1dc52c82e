import { InfoCard } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/frontend-plugin-api';
import { finopsApiRef } from '../../api/FinopsApi';
import { formatMoney, formatRatio } from '../../lib/money';
import { AsyncContent } from '../common/AsyncContent';
import { StaleMonthsBanner } from '../common/StaleMonthsBanner';
import { NoCostsState } from './NoCostsState';
import { useEntityApplications } from './useEntityApplications';

/** The overview card: the last month's cost of the entity's applications and its change. */
export function EntityCostsCard() {
  const { entity, ...resolved } = useEntityApplications();
  const api = useApi(finopsApiRef);
  const codes = resolved.value?.codes.join(',') ?? '';
  const latest = useAsync(async () => {
    if (!codes) return undefined;
    const months = await api.getCosts({ group_by: 'month', application: codes });
    if (!months.to) return null;
    return api.compareCosts({ from: months.to, to: months.to, against_period: 'previous_month', group_by: 'month', application: codes });
  }, [api, codes]);
  return (
    <InfoCard title="Costs (FinOps)">
      <AsyncContent {...resolved}>
        {value =>
          value.codes.length === 0 ? (
            <NoCostsState entityRef={value.ref} kind={entity.kind} codes={[]} compact />
          ) : (
            <AsyncContent {...latest}>
              {report => (
                <>
                  <StaleMonthsBanner staleMonths={report?.stale_months} />
                  {!report || report.rows.length === 0 ? (
                    <NoCostsState entityRef={value.ref} kind={entity.kind} codes={value.codes} compact />
                  ) : (
                    report.rows.map(row => (
                      <Typography key={row.currency} variant="h6" data-testid={`entity-card-${row.currency}`}>
                        {row.month}: {formatMoney(row.cost, row.currency)}{' '}
                        <Typography component="span" variant="body2" color="textSecondary">
                          ({formatRatio(row.ratio)} of the month before)
                        </Typography>
                      </Typography>
                    ))
                  )}
                </>
              )}
            </AsyncContent>
          )
        }
      </AsyncContent>
    </InfoCard>
  );
}
