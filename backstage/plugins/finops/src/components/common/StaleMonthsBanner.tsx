import { WarningPanel } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import type { StaleMonth } from '../../api/types';

/**
 * The months of a cost answer whose layers disagree because a run stopped between its steps:
 * their figures mix two loads until the month is materialized again. Nothing when none.
 */
export function StaleMonthsBanner({ staleMonths }: { staleMonths?: StaleMonth[] | undefined }) {
  if (!staleMonths?.length) return null;
  const months = staleMonths.map(stale => stale.month).join(', ');
  return (
    <div data-testid="stale-months" style={{ marginBottom: 16 }}>
      <WarningPanel severity="warning" title={`Costs of ${months} may be inconsistent`} defaultExpanded>
        {staleMonths.map(stale => (
          <Typography key={stale.month} variant="body2" data-testid={`stale-month-${stale.month}`}>
            {stale.month}: {stale.reason}
          </Typography>
        ))}
      </WarningPanel>
    </div>
  );
}
