import { WarningPanel } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import { adviceFor, FinopsApiError } from '../../api/errors';

/** An API error as a person can act on it: what happened, what to do, then the API's detail. */
export function ProblemPanel({ error }: { error: Error }) {
  const { title, advice } = adviceFor(error);
  const status = error instanceof FinopsApiError ? ` (HTTP ${error.status})` : '';
  return (
    <WarningPanel severity="error" title={`${title}${status}`} defaultExpanded>
      <Typography variant="body2" paragraph>
        {advice}
      </Typography>
      <Typography variant="body2" color="textSecondary" data-testid="problem-detail">
        {error.message}
      </Typography>
    </WarningPanel>
  );
}
